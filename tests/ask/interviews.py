"""Drive `thymoscope ask` through typer's CliRunner with scripted answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from thymoscope.cli.app import app
from thymoscope.engine.questionnaire import Interview
from thymoscope.kb.questions import question_bank

QUESTION_LINE = re.compile(r"^\[\d+ of about \d+\] .*\(([a-z0-9_.]+)\)$", re.MULTILINE)


def script_for(answers: Mapping[str, str], start: Interview | None = None) -> list[str]:
    """The lines a user types to give ``answers`` (by path); any other question is skipped.

    The order comes from the questionnaire itself, so the script follows the
    knowledge base; the CLI run then has to ask exactly these questions.
    """
    interview = start or Interview(question_bank())
    lines = []
    while (step := interview.next()) is not None:
        _, path = step
        raw = answers.get(path)
        if raw is None:
            interview.skip(path)
            lines.append("skip")
        else:
            interview.answer(path, raw)
            lines.append(raw)
    return lines


def run_ask(args: list[str], lines: list[str]) -> Any:
    runner = CliRunner()
    return runner.invoke(app, ["ask", *args], input="".join(f"{line}\n" for line in lines))


def asked(output: str) -> list[str]:
    """The field paths the CLI asked about, in order (a repeated question counts once)."""
    seen: list[str] = []
    for path in QUESTION_LINE.findall(output):
        if not seen or seen[-1] != path:
            seen.append(path)
    return seen


def interview(
    tmp_path: Path, answers: Mapping[str, str], name: str = "study.yaml"
) -> tuple[Any, Path]:
    target = tmp_path / name
    result = run_ask(["--save", str(target)], script_for(answers))
    return result, target
