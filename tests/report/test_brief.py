"""`thymoscope diagnose --brief`: one verdict line per study (usability review item 3)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import bundled_case_names
from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.app import app

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"


def _diagnose(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["diagnose", *args])
    return result.exit_code, result.stdout


def test_brief_prints_one_verdict_line_per_study_of_a_folder() -> None:
    code, out = _diagnose(str(CASES), "--brief")
    assert code == 0
    lines = out.splitlines()
    ids = [name.removesuffix(".yaml") for name in bundled_case_names()]
    assert len(lines) == len(ids) + 1 and lines[-1] == RESEARCH_NOTICE
    for line, case_id in zip(lines, ids, strict=False):
        assert line.startswith(f"{case_id}: This ")
    meta = next(line for line in lines if line.startswith("sepsis-meta-analysis-11-rcts:"))
    assert "OR 0.73 (95% CI 0.59 to 0.90)" in meta
    assert "Lower- and higher-quality strata disagree (major)" in meta
    assert "Findings in detail" not in out and "Key facts" not in out


def test_brief_json_and_markdown_hold_the_same_verdicts() -> None:
    path = str(CASES / "chb-rct-end-of-therapy.yaml")
    _, text = _diagnose(path, "--brief")
    verdict = text.splitlines()[0].split(": ", 1)[1]
    code, out = _diagnose(path, "--brief", "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "diagnosis_brief" and data["notice"] == RESEARCH_NOTICE
    assert [s["verdict"] for s in data["studies"]] == [verdict]
    code, out = _diagnose(path, "--brief", "-f", "markdown")
    assert code == 0 and "Findings in detail" not in out
    assert "did not show a difference on complete virological response" in out
