"""`thymoscope ask` in a real pseudo-terminal (pexpect), not only through piped input."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.terminal


def _executable() -> str:
    local = Path(sys.executable).parent / "thymoscope"
    found = str(local) if local.exists() else shutil.which("thymoscope")
    if found is None:
        pytest.skip("the thymoscope command is not installed")
    return found


def test_ask_in_a_terminal_then_ctrl_c_keeps_the_answers(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    child = pexpect.spawn(
        _executable(),
        ["ask", "--save", str(target)],
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )
    try:
        child.expect(r"Research use only")
        child.expect(r"\(title\)\r\n> ")
        child.sendline("Terminal trial")
        child.expect(r"\[terminal-trial\]> ")
        child.sendline("")
        child.expect(r"\(indication\)")
        child.expect("> ")
        child.sendline("hepatitis")  # not a value: refused, asked again
        child.expect(r"'hepatitis' is not one of")
        child.sendline("2")  # chronic_hepatitis_b by number
        child.expect(r"\(design.type\)")
        child.expect("> ")
        child.sendline("rct")
        child.expect(r"\(population.immune_status\)")
        child.expect("> ")
        child.sendline("why")
        child.expect(r"immune-status-unknown")
        child.expect("> ")
        child.sendline("suppressed")
        child.expect(r"\(result.primary\)")
        child.expect("> ")
        child.sendintr()  # Ctrl-C
        child.expect(r"Stopped \(interrupted\)\. \d+ answers kept in .*t\.yaml")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["indication"] == "chronic_hepatitis_b"
    assert data["population"] == {"immune_status": "suppressed"}
