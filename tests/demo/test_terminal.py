"""Drive `thymoscope demo` in a real pseudo-terminal (pexpect), pressing Enter per step."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from thymoscope.api import diagnose_file
from thymoscope.kb import knowledge
from thymoscope.report.walkthrough import build_walkthrough

from .conftest import CASES

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _thymoscope() -> str:
    """The installed console script of this environment."""
    beside = Path(sys.executable).parent / "thymoscope"
    found = str(beside) if beside.exists() else shutil.which("thymoscope")
    assert found, "the thymoscope console script is not installed"
    return found


def _spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        _thymoscope(), ["demo", *args], env=env, encoding="utf-8", timeout=30, dimensions=(40, 120)
    )
    return child


def test_walks_through_a_whole_case_pressing_enter() -> None:
    walk = build_walkthrough(
        diagnose_file(CASES / "chb-end-of-therapy.yaml"), knowledge().factor_titles
    )
    total = len(walk.steps)
    child = _spawn("--cases", str(CASES), "chb-end-of-therapy")
    seen = []
    try:
        for step in walk.steps:
            child.expect(rf"Step {step.number} of {total}")
            seen.append(step.number)
            if step.kind == "finding":
                child.expect(re.escape(step.finding["rules"][0]))
            if step.number < total:
                child.expect("Press Enter for the next step")
                child.sendline("")
        child.expect("Research use only")
        child.expect(pexpect.EOF)
    finally:
        transcript = ANSI.sub("", (child.before or "") if isinstance(child.before, str) else "")
        child.close()
    assert seen == list(range(1, total + 1)), transcript
    assert child.exitstatus == 0


def test_quiz_in_a_terminal_takes_typed_answers() -> None:
    walk = build_walkthrough(
        diagnose_file(CASES / "sepsis-open-small.yaml"), knowledge().factor_titles
    )
    factors = list(walk.factors)
    child = _spawn("--cases", str(CASES), "sepsis-open-small", "--quiz")
    try:
        for step in walk.finding_steps():
            child.expect("Your answer")
            child.sendline(str(factors.index(step.factor) + 1))
            child.expect("Right:")
        child.expect("Press Enter")
        child.sendline("")
        count = len(walk.finding_steps())
        child.expect(re.escape(f"Score: {count} of {count} (100%)"))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
