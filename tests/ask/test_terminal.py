"""`thymoscope ask` in a real pseudo-terminal (pexpect): the prompt_toolkit interview.

Keys are sent as a terminal sends them: arrows as escape sequences, Tab, Enter, Ctrl-C
and Ctrl-D. Each question is recognised by its heading ``[N of about M] prompt``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("prompt_toolkit")

pytestmark = pytest.mark.terminal

UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
BACKSPACE, TAB, ENTER, PAGE_UP = "\x7f", "\t", "\r", "\x1b[5~"
HEADING = re.compile(r"\[(\d+) of about (\d+)\] ([^\r\n]+)")
REVIEW = "Number to change, or Enter to finish"


def _executable() -> str:
    local = Path(sys.executable).parent / "thymoscope"
    found = str(local) if local.exists() else shutil.which("thymoscope")
    if found is None:
        pytest.skip("the thymoscope command is not installed")
    return found


def _spawn(tmp_path: Path, *args: str) -> Any:
    env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1")
    return pexpect.spawn(
        _executable(),
        ["ask", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 160),
    )


def _next_question(child: Any) -> tuple[int, str]:
    """Wait for the next heading; (its number, its prompt)."""
    child.expect(HEADING)
    return int(child.match.group(1)), child.match.group(3).strip()


def test_interview_with_arrows_choices_back_and_a_cross_field_fix(tmp_path: Path) -> None:
    target = tmp_path / "t.yaml"
    child = _spawn(tmp_path, "--save", str(target))
    seen: list[tuple[int, str]] = []
    try:
        assert _next_question(child)[1].startswith("Title of the study")
        child.send("Terminal trail" + ENTER)
        assert _next_question(child)[1].startswith("Short id")
        child.send("back" + ENTER)  # back to the title, typed text ready to edit
        assert _next_question(child)[1].startswith("Title of the study")
        # "Terminal trail" -> "Terminal trial": two left, delete the "a", one right, "a"
        child.send(LEFT + LEFT + BACKSPACE + RIGHT + "a" + ENTER)
        assert _next_question(child)[1].startswith("Short id")
        child.send(ENTER)  # the id made from the corrected title
        assert _next_question(child)[1] == "What condition was studied?"
        child.send(DOWN + DOWN + ENTER)  # the second choice of the menu: hepatitis B
        assert _next_question(child)[1] == "What kind of study was it?"
        child.send(PAGE_UP)  # back (Page Up) to the indication, its answer kept on Enter
        assert _next_question(child)[1] == "What condition was studied?"
        child.send(ENTER)
        assert _next_question(child)[1] == "What kind of study was it?"
        child.send("rc" + TAB + ENTER)  # completed with Tab
        answers = {
            "What did the primary endpoint show?": "no_sig",
            "Was thymalfasin given alone": "mono",
            "How was the dose expressed?": "mg",
            "Dose per administration": "1.6 mg",
            "For how many weeks was it given?": "26w",
            "When was the primary endpoint read?": "after",
            "How many months after therapy was it read?": "12",
            "How many months were participants followed": "6",
        }
        while True:
            index = child.expect([HEADING, REVIEW])
            if index == 1:
                break
            number, prompt = int(child.match.group(1)), child.match.group(3).strip()
            seen.append((number, prompt))
            typed = next((a for p, a in answers.items() if prompt.startswith(p)), "skip")
            child.send(typed + ENTER)
            if typed == "1.6 mg":
                child.expect(r"read as 1\.6 mg")
            if typed == "26w":
                child.expect(r"read as 26 weeks")
            if typed == "6":  # follow-up shorter than the reading: refused at this question
                child.expect(r"follow-up must last at least until the reading")
                child.send(BACKSPACE + "12" + ENTER)
        child.send(ENTER)  # the review screen: keep every answer
        child.expect(r"Answers saved to .*t\.yaml")
        # the end offers what would make the study more credible (when it raises findings)
        if child.expect([r"Show what would make this study more credible\?", pexpect.EOF]) == 0:
            child.send("y" + ENTER)
            child.expect("What would make this study more credible")
            child.expect(pexpect.EOF, timeout=120)
    finally:
        child.close()
    assert child.exitstatus == 0
    numbers = [number for number, _ in seen]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gap, no restart
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["title"] == "Terminal trial"
    assert data["id"] == "terminal-trial"
    assert data["indication"] == "chronic_hepatitis_b"
    assert data["design"]["type"] == "rct"
    assert data["intervention"]["dose"] == 1.6
    assert data["intervention"]["duration_weeks"] == 26
    assert data["primary_endpoint"]["months_after_therapy"] == 12
    assert data["follow_up_months_after_therapy"] == 12
    diagnose = subprocess.run(
        [_executable(), "diagnose", str(target)], capture_output=True, text=True, check=False
    )
    assert diagnose.returncode == 0, diagnose.stderr
    assert "Terminal trial" in diagnose.stdout


@pytest.mark.parametrize(("key", "name"), [("c", "interrupted"), ("d", "Ctrl-D")])
def test_ctrl_c_and_ctrl_d_both_stop_with_130_and_keep_the_answers(
    tmp_path: Path, key: str, name: str
) -> None:
    child = _spawn(tmp_path)  # no --save: the answers still go somewhere
    try:
        _next_question(child)
        child.send("Stopped early" + ENTER)
        assert _next_question(child)[1].startswith("Short id")
        child.send(BACKSPACE * 20)  # an empty line, so Ctrl-D means "stop"
        child.sendcontrol(key)
        child.expect(rf"Stopped \({name}\)\. 1 answer kept in stopped-early\.yaml")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    kept = yaml.safe_load((tmp_path / "stopped-early.yaml").read_text(encoding="utf-8"))
    assert kept["title"] == "Stopped early"


def test_html_is_not_printed_into_a_terminal(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "-f", "html")
    try:
        child.expect(r"thymoscope: error: -f html would print HTML into the terminal; add -o")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 2


def test_piped_input_does_not_import_prompt_toolkit(tmp_path: Path) -> None:
    program = (
        "import sys\n"
        "from thymoscope.cli.app import main\n"
        f"sys.argv = ['thymoscope', 'ask', '--save', {str(tmp_path / 's.yaml')!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('loaded' if 'prompt_toolkit' in sys.modules else 'not loaded')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program],
        input="Piped\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stderr.endswith("not loaded"), run.stderr
    assert "Stopped (end of input). 1 answer kept" in run.stdout
