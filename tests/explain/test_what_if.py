"""`thymoscope diagnose STUDY --what-if FIELD=VALUE`, on the FAQ's own situations.

Each changed study is diagnosed by the real rules; the output lists finding by finding
what appears, what goes away and what stays raised.
"""

from __future__ import annotations

import json
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import invoke


@pytest.fixture(name="case")
def _case() -> Any:
    def path_of(name: str) -> Path:
        with as_file(files("thymoscope.kb.cases").joinpath(f"{name}.yaml")) as path:
            return Path(path)

    return path_of


def what_if_json(study: Path, *assignments: str) -> dict[str, Any]:
    args = [a for text in assignments for a in ("--what-if", text)]
    result = invoke("diagnose", study, *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def change_of(document: dict[str, Any], finding: str) -> str:
    return str(next(f["change"] for f in document["findings"] if f["finding"] == finding))


def test_reading_the_hepatitis_b_trial_at_12_months_removes_the_end_of_therapy_finding(
    case: Any,
) -> None:
    """FAQ 3: the same trial read 12 months after therapy, with follow-up that long."""
    document = what_if_json(
        case("chb-rct-end-of-therapy"),
        "primary_endpoint.timing=after_therapy",
        "primary_endpoint.months_after_therapy=12",
        "follow_up_months_after_therapy=12",
    )
    assert change_of(document, "end-of-therapy-endpoint") == "went_away"
    assert change_of(document, "follow-up-too-short") == "unchanged"
    appeared = [f["finding"] for f in document["findings"] if f["change"] == "appeared"]
    assert appeared == []
    assert [c["field"] for c in document["changes"]] == [
        "primary_endpoint.timing",
        "primary_endpoint.months_after_therapy",
        "follow_up_months_after_therapy",
    ]


def test_reading_at_12_months_without_the_follow_up_raises_the_follow_up_finding(
    case: Any,
) -> None:
    document = what_if_json(
        case("chb-rct-end-of-therapy"),
        "primary_endpoint.timing=after_therapy",
        "primary_endpoint.months_after_therapy=12",
    )
    assert change_of(document, "end-of-therapy-endpoint") == "went_away"
    assert change_of(document, "follow-up-too-short") == "appeared"


def test_the_text_shows_each_change_and_each_finding_that_moves(case: Any) -> None:
    result = invoke(
        "diagnose",
        case("chb-rct-end-of-therapy"),
        "--what-if",
        "primary_endpoint.timing=after_therapy",
        "--what-if",
        "primary_endpoint.months_after_therapy=12",
        "--what-if",
        "follow_up_months_after_therapy=12",
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Endpoint read: after the end of therapy (instead of at end of therapy)" in text
    assert "goes away: Primary endpoint read at the end of therapy (raised -> not raised)" in text
    assert "still raised: Hepatitis B treated with thymalfasin alone" in text
    assert "Research use only" in text


def test_the_dose_the_faq_found_better_in_advanced_fibrosis(case: Any) -> None:
    """FAQ 3: 1.6 mg rather than 0.8 mg in advanced fibrosis."""
    document = what_if_json(case("chb-low-dose-advanced-fibrosis"), "intervention.dose=1.6")
    assert change_of(document, "low-dose-advanced-fibrosis") == "went_away"


def test_selecting_sepsis_patients_by_an_immune_marker(case: Any) -> None:
    """FAQ 2: enrol the immunosuppressed, identified by a biomarker."""
    document = what_if_json(
        case("sepsis-large-double-blind-null"), "population.selected_by_biomarker=true"
    )
    assert change_of(document, "unselected-sepsis-population") == "went_away"


def test_blinding_and_concealing_the_small_open_trial(case: Any) -> None:
    """FAQ 2: the open, small, single-centre trials are the ones at risk of bias."""
    document = what_if_json(
        case("sepsis-small-open-rct"),
        "design.blinding=double",
        "design.allocation_concealment=true",
        "design.sample_size=100",
        "design.risk_of_bias=low",
    )
    assert change_of(document, "high-risk-of-bias") == "went_away"
    partial = what_if_json(case("sepsis-small-open-rct"), "design.blinding=double")
    assert change_of(partial, "high-risk-of-bias") == "unchanged"


def test_making_a_needed_fact_unknown_is_not_a_way_out(case: Any) -> None:
    document = what_if_json(
        case("chb-low-dose-advanced-fibrosis"), "population.liver_fibrosis=null"
    )
    outcome = next(f for f in document["findings"] if f["finding"] == "low-dose-advanced-fibrosis")
    assert (outcome["before"], outcome["after"], outcome["change"]) == (
        "fired",
        "not_assessable",
        "unjudged",
    )


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "primary_endpoint.timng=after_therapy",
            "--what-if primary_endpoint.timng: not a study field "
            "(did you mean 'primary_endpoint.timing'?)",
        ),
        (
            "primary_endpoint.timing=12months",
            "--what-if primary_endpoint.timing: '12months' is not allowed; expected "
            "'end_of_therapy', 'after_therapy' or 'time_to_event'",
        ),
        (
            "primary_endpoint.timing=after_therapy",
            "--what-if primary_endpoint.months_after_therapy: required when timing is "
            "after_therapy",
        ),
        ("design.sample_size=many", "--what-if design.sample_size:"),
        ("design", "--what-if 'design': expected FIELD=VALUE"),
        ("id=other", "--what-if id: names the study, not a fact about it"),
    ],
)
def test_a_bad_change_is_one_line_naming_the_field(
    case: Any, assignment: str, message: str
) -> None:
    result = invoke("diagnose", case("chb-rct-end-of-therapy"), "--what-if", assignment)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"thymoscope: error: {message}"), lines[0]


def test_what_if_takes_one_study(case: Any) -> None:
    result = invoke(
        "diagnose",
        case("chb-rct-end-of-therapy"),
        case("sepsis-small-open-rct"),
        "--what-if",
        "design.blinding=double",
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "thymoscope: error: --what-if takes exactly one study file"
