"""`thymoscope explain STUDY FINDING`: formats, errors, and the words of its texts."""

from __future__ import annotations

import json
from importlib.resources import as_file, files
from pathlib import Path

import pytest

from tests.cli.helpers import invoke


def bundled(name: str) -> Path:
    with as_file(files("thymoscope.kb.cases").joinpath(f"{name}.yaml")) as path:
        return Path(path)


def test_a_raised_finding_lists_the_changes_that_silence_it() -> None:
    result = invoke("explain", bundled("chb-rct-end-of-therapy"), "end-of-therapy-endpoint")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Study chb-rct-end-of-therapy: raised for this study." in text
    assert "Rule chb_endpoint_at_end_of_therapy: fired, citing these facts of the study:" in text
    assert "  - Endpoint read: at end of therapy" in text
    assert "Endpoint read: after the end of therapy (instead of at end of therapy)" in text
    assert "It would not be raised either had the study found:" in text
    assert "Research use only" in text
    assert "patient" not in text.replace("not individual patients", "")


def test_a_silent_finding_names_the_failed_condition_and_the_study_value() -> None:
    result = invoke("explain", bundled("chb-rct-12-months-after"), "end-of-therapy-endpoint")
    assert result.exit_code == 0, result.stderr
    assert (
        "Endpoint read: after the end of therapy; the rule requires at end of therapy - not met"
        in result.stdout
    )


def test_a_threshold_inside_the_rule_is_found_by_running_it() -> None:
    result = invoke("explain", bundled("chb-rct-end-of-therapy"), "dose-outside-usual-range")
    assert result.exit_code == 0, result.stderr
    assert "a threshold or value inside the rule's pattern" in result.stdout
    assert "It would fire with Dose: 1.7 mg (instead of 1.6)." in result.stdout


def test_an_unknown_needed_fact_is_not_a_pass() -> None:
    result = invoke(
        "explain", bundled("chb-rct-end-of-therapy"), "biological-activity-without-clinical-benefit"
    )
    assert result.exit_code == 0, result.stderr
    assert "cannot be judged for this study" in result.stdout
    assert "not counted in its favour" in result.stdout


def test_outside_the_scope() -> None:
    result = invoke("explain", bundled("chb-rct-end-of-therapy"), "cancer-monotherapy")
    assert result.exit_code == 0, result.stderr
    assert (
        "The finding is limited to studies whose indication is cancer; this study's is "
        "chronic hepatitis B." in result.stdout
    )


def test_json_keeps_paths_values_and_words() -> None:
    result = invoke(
        "explain", bundled("chb-rct-end-of-therapy"), "end-of-therapy-endpoint", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "explanation"
    assert document["status"] == "fired"
    first = document["silencing_changes"][0]["changes"][0]
    assert (first["field"], first["value"], first["was"]) == (
        "primary_endpoint.timing",
        "after_therapy",
        "end_of_therapy",
    )
    assert document["notice"].startswith("Research use only")


def test_markdown() -> None:
    result = invoke(
        "explain", bundled("chb-rct-end-of-therapy"), "end-of-therapy-endpoint", "-f", "markdown"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# end-of-therapy-endpoint - ")
    assert "\n**Rule chb_endpoint_at_end_of_therapy:" in result.stdout


@pytest.mark.parametrize(
    ("finding", "hint"),
    [
        ("end-of-therapy", " (did you mean 'end-of-therapy-endpoint'?)"),
        ("zzz", " (`thymoscope rules` lists them)"),
    ],
)
def test_an_unknown_finding_is_one_line_with_a_suggestion(finding: str, hint: str) -> None:
    result = invoke("explain", bundled("chb-rct-end-of-therapy"), finding)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"thymoscope: error: no finding '{finding}' in the catalogue{hint}\n")


def test_an_invalid_study_is_its_problem_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: x\ntitle: X\nindication: sepsi\n", encoding="utf-8")
    result = invoke("explain", bad, "end-of-therapy-endpoint")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:4: indication: 'sepsi' is not allowed")
