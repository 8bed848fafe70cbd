"""The verdict claims no more than the study's statistics show: "showed a difference" only
when its interval (or, without one, its p-value) excludes no effect; a benefit or harm
the study reports with an interval that includes no effect is the study's own
classification, said as such (the ETASS trial: RR 0.74, 95% CI 0.54 to 1.02)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DELETE
from tests.report.helpers import document
from thymoscope.api import diagnose_file
from thymoscope.report.document import report_document

TRIALS = Path(__file__).resolve().parents[1] / "trials"


def _summary(primary: str, **effect: Any) -> str:
    result: dict[str, Any] = {"primary": primary, "effect": DELETE}
    if effect:
        result["effect"] = {
            "estimate": DELETE,
            "ci_low": DELETE,
            "ci_high": DELETE,
            "p_value": DELETE,
        } | effect
    summary: str = document({"schema_version": 2, "result": result})["studies"][0]["verdict"][
        "summary"
    ]
    return summary


@pytest.mark.parametrize(("primary", "towards"), [("benefit", "in favour of"), ("harm", "against")])
def test_an_interval_that_excludes_no_effect_is_a_difference_shown(
    primary: str, towards: str
) -> None:
    low, high = (0.5, 0.9) if primary == "benefit" else (1.1, 1.8)
    summary = _summary(
        primary, measure="odds_ratio", estimate=(low + high) / 2, ci_low=low, ci_high=high
    )
    assert f"showed a difference {towards} thymalfasin" in summary


@pytest.mark.parametrize(("primary", "towards"), [("benefit", "in favour of"), ("harm", "against")])
def test_an_interval_that_includes_no_effect_is_reported_not_shown(
    primary: str, towards: str
) -> None:
    low, high = (0.6, 1.05) if primary == "benefit" else (0.95, 1.8)
    summary = _summary(
        primary, measure="risk_ratio", estimate=0.8 if low < 0.7 else 1.3, ci_low=low, ci_high=high
    )
    assert "showed a difference" not in summary
    assert f"reported a result {towards} thymalfasin" in summary
    assert "although its confidence interval includes no effect" in summary


def test_an_interval_touching_no_effect_does_not_exclude_it() -> None:
    summary = _summary("benefit", measure="hazard_ratio", estimate=0.7, ci_low=0.49, ci_high=1.0)
    assert "although its confidence interval includes no effect" in summary


def test_an_additive_measure_is_read_against_zero() -> None:
    shown = _summary(
        "benefit", measure="risk_difference", estimate=-0.1, ci_low=-0.2, ci_high=-0.01
    )
    assert "showed a difference in favour of thymalfasin" in shown
    not_shown = _summary(
        "benefit", measure="mean_difference", estimate=2.0, ci_low=-0.5, ci_high=4.5
    )
    assert "includes no effect" in not_shown


def test_without_an_interval_the_p_value_decides() -> None:
    assert "showed a difference" in _summary(
        "benefit", measure="odds_ratio", estimate=0.7, p_value=0.01
    )
    summary = _summary("benefit", measure="odds_ratio", estimate=0.8, p_value=0.05)
    assert "reported a result in favour of thymalfasin" in summary
    assert "although its p-value is not below 0.05" in summary


def test_without_statistics_the_study_s_classification_is_reported_not_shown() -> None:
    summary = _summary("benefit")
    assert "reported a result in favour of thymalfasin" in summary
    assert "although" not in summary and "showed" not in summary


def test_etass_reads_as_a_reported_benefit_whose_interval_includes_no_effect() -> None:
    doc = report_document([diagnose_file(TRIALS / "etass-2013-sepsis.yaml")])
    verdict = doc["studies"][0]["verdict"]
    assert verdict["summary"].startswith(
        "This randomised controlled trial (361 participants) in sepsis reported a result in"
        " favour of thymalfasin on 28-day all-cause mortality, although its confidence"
        " interval includes no effect: RR 0.74 (95% CI 0.54 to 1.02)"
    )


def test_a_narrower_interval_excluding_no_effect_is_not_a_difference_shown_at_5_percent() -> None:
    # A 90% CI of 0.62-0.98 excludes no effect, but at the 5% level only the p-value can
    # tell; without one the study's classification is reported, not "shown".
    interval = {"measure": "odds_ratio", "estimate": 0.78, "ci_low": 0.62, "ci_high": 0.98}
    summary = _summary("benefit", **interval, ci_level=90)
    assert "reported a result in favour of thymalfasin" in summary and "although" not in summary
    assert "showed a difference" in _summary("benefit", **interval, ci_level=90, p_value=0.03)
    assert "showed a difference" in _summary("benefit", **interval, ci_level=99)
