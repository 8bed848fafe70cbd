"""docs/report-example.txt, the default text report the README shows, is today's output
of the README's own command (regenerate: THYMOSCOPE_UPDATE_DOCS=1 pytest this file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thymoscope.cli.app import app

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "report-example.txt"
CASE = "kb/cases/sepsis-meta-analysis-11-rcts.yaml"


def test_report_example_is_the_current_default_text_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["diagnose", CASE])
    assert result.exit_code == 0, result.output
    if os.environ.get("THYMOSCOPE_UPDATE_DOCS"):
        EXAMPLE.write_text(result.stdout, encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") == result.stdout, (
        "docs/report-example.txt is out of date: THYMOSCOPE_UPDATE_DOCS=1 pytest "
        "tests/report/test_readme_example.py"
    )
    lines = result.stdout.splitlines()
    assert next(i for i, line in enumerate(lines) if line.startswith("Findings in detail")) < 40
