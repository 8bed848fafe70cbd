"""Standard output closed (``>&-``) or full: one line on stderr and status 2, for every
command that has something to print, ``--version`` and ``--help`` included (issue 9
item 6 follow-up).  A command that writes only to ``-o FILE`` is unaffected.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SUBPROCESS_TIMEOUT

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
SMALL = CASES / "sepsis-small-open-rct.yaml"
CLOSED = "thymoscope: error: standard output is closed"


def _run(stdout: int | None, *args: str | os.PathLike[str]) -> tuple[int, str]:
    """(status, stderr) with file descriptor 1 set to ``stdout`` (None: closed)."""
    close = stdout is None
    done = subprocess.run(
        [sys.executable, "-m", "thymoscope", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL if close else stdout,
        stderr=subprocess.PIPE,
        timeout=SUBPROCESS_TIMEOUT,
        preexec_fn=(lambda: os.close(1)) if close else None,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return done.returncode, done.stderr.decode("utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("compare", "--list-pairs"),
        ("demo",),
        ("demo", "chb-rct-end-of-therapy", "--no-pause"),
    ],
    ids=["version", "help", "list-pairs", "demo-list", "demo-case"],
)
def test_closed_stdout_is_one_line_and_status_2(args: tuple[str, ...]) -> None:
    status, stderr = _run(None, *args)
    assert (status, stderr) == (2, CLOSED + "\n")


def test_closed_stdout_keeps_the_report_hint() -> None:
    status, stderr = _run(None, "diagnose", SMALL)
    assert (status, stderr) == (2, CLOSED + "; use -o FILE\n")


def test_closed_stdout_with_output_file_still_works(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    status, stderr = _run(None, "diagnose", SMALL, "-o", target)
    assert (status, stderr) == (0, f"thymoscope: wrote 1 study to {target}\n")
    assert "thymoscope diagnosis" in target.read_text(encoding="utf-8")


def test_version_on_a_full_disk_is_one_line_and_status_2() -> None:
    with open("/dev/full", "wb") as full:
        status, stderr = _run(full.fileno(), "--version")
    assert (status, stderr) == (
        2,
        "thymoscope: error: standard output: cannot write: No space left on device\n",
    )


def test_version_still_prints() -> None:
    read_end, write_end = os.pipe()
    try:
        status, stderr = _run(write_end, "--version")
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        printed = reader.read().decode("utf-8")
    from thymoscope import __version__

    assert (status, stderr, printed) == (0, "", f"thymoscope {__version__}\n")
