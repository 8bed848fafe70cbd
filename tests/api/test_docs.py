"""The Python code in docs/api.md runs, and the error it quotes is the one raised."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from thymoscope import api

DOC = Path(__file__).parents[2] / "docs" / "api.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_python_blocks_run() -> None:
    python = blocks("python")
    assert python
    namespace: dict[str, Any] = {}
    for block in python:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert namespace["report"].findings
    assert namespace["pair"].verdict in ("conflict", "compatible", "not_tested")


def test_the_quoted_error_is_the_one_raised() -> None:
    (session,) = blocks("pycon")
    call, shown = session.strip().splitlines()
    study = yaml.safe_load(api.bundled_cases()["sepsis-small-open-rct"].read_text("utf-8"))
    try:
        eval(call.removeprefix(">>> "), {"api": api, "study": study})
    except api.ThymoscopeError as exc:
        assert f"{type(exc).__name__}: {exc}" == shown
    else:
        raise AssertionError("no error raised")
