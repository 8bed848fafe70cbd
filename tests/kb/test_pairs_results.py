"""Pair rules on the results (kb/rules/pairs_results.py): tested only when meaningful.

Review items 1-3 are rows here: no "conflict" between estimates of different outcomes,
dependence stated (and no pooling) for a meta-analysis against a trial it may contain,
and "compatible" worded as a difference not shown, with the ratio's interval.
"""

from __future__ import annotations

import math

import pytest

from tests.compare.helpers import pair
from tests.conftest import deep_merge
from tests.kb.pairrules import PairCase, case_id, check_fires, check_silent
from thymoscope.kb.comparison import bundled_case_path, bundled_pairs, compare_files


def _or(estimate: float, low: float, high: float, primary: str = "benefit") -> dict[str, object]:
    return {
        "result": {
            "primary": primary,
            "effect": {
                "measure": "odds_ratio",
                "estimate": estimate,
                "ci_low": low,
                "ci_high": high,
            },
        }
    }


def _at_z(z: float, se: float = 0.1) -> dict[str, object]:
    """Study b's OR such that, against the baseline OR 0.7 taken with the same SE, the
    between-estimates z is ``z`` (the baseline's own interval is replaced too)."""
    theta = math.log(0.7) - z * se * math.sqrt(2)
    half = 1.959963984540054 * se
    return _or(math.exp(theta), math.exp(theta - half), math.exp(theta + half))


BASE_EFFECT = {
    "result": {
        "effect": {
            "estimate": 0.7,
            "ci_low": 0.7 * math.exp(-1.959963984540054 * 0.1),
            "ci_high": 0.7 * math.exp(1.959963984540054 * 0.1),
        }
    }
}
HEPATITIS_B_RESPONSE = {
    "indication": "chronic_hepatitis_b",
    "population": {"suppression": ["other"]},
    "intervention": {"role": "monotherapy", "combined_with": [], "frequency": "twice_weekly"},
    "primary_endpoint": {"kind": "virological_response", "months_after_therapy": 12},
    **_or(2.67, 1.5, 4.75),
}

CASES = [
    PairCase(
        "results-conflict",
        b=_or(1.5, 1.1, 2.0, "harm"),
        silent_b=_or(0.7, 0.55, 0.9),
        severity="major",
        values={"independent": True, "significance_differs": False},
        texts=("OR 0.7", "OR 1.5", "larger than chance alone", "with its interval"),
        absent=("pool",),
        cites=("a.result.effect.estimate", "b.result.effect.ci_high", "a.primary_endpoint.kind"),
    ),
    PairCase(
        "results-conflict",
        a=BASE_EFFECT,
        b=_at_z(2.05),
        silent_b=_at_z(1.9),
        severity="major",
        note="p just below alpha",
    ),
    PairCase(
        "results-statistically-compatible",
        a=BASE_EFFECT,
        b=_at_z(1.9),
        silent_b=_at_z(2.05),
        severity="info",
        note="p just above alpha",
    ),
    PairCase(
        "results-statistically-compatible",
        b=_or(0.8, 0.6, 1.07, "no_significant_effect"),
        silent_b=_or(1.5, 1.1, 2.0, "harm"),
        severity="info",
        values={"significant": ["study-a"], "not_significant": ["study-b"], "independent": True},
        texts=(
            "A difference between the estimates was not shown",
            "not evidence that the effects are the same",
            "0.60 to 1.28",
            "study-a was statistically significant on its own",
            "that contrast in significance is not, by itself, evidence",
            "set them in a meta-analysis",
        ),
        absent=("only a difference in significance", "not the effects", "do not contradict"),
        note="review item 3",
    ),
    PairCase(
        "results-statistically-compatible",
        b=_or(0.72, 0.56, 0.93),
        silent_b=_or(1.5, 1.1, 2.0, "harm"),
        severity="info",
        values={"significance_differs": False, "significant": ["study-a", "study-b"]},
        absent=("statistically significant on its own",),
        note="both significant",
    ),
    PairCase(
        "results-statistically-compatible",
        a={"design": {"type": "meta_analysis", "trials": 11}},
        b=_or(0.9, 0.72, 1.12, "no_significant_effect"),
        silent_b={"primary_endpoint": {"kind": "severity_score"}},
        severity="info",
        values={"independent": False},
        texts=(
            "study-a is a meta-analysis and study-b may be one of the trials it pooled",
            "Do not pool them",
            "assumes independent estimates",
        ),
        absent=("set them in a meta-analysis",),
        note="review item 2: meta-analysis against a trial it may contain",
    ),
    PairCase(
        "results-not-testable",
        b=HEPATITIS_B_RESPONSE,
        silent_b={
            "indication": "sepsis",
            "population": {"suppression": ["sepsis_immunoparalysis"]},
            "primary_endpoint": {"kind": "mortality"},
        },
        severity="info",
        values={"different_outcomes": True},
        texts=("different outcomes", "sepsis", "chronic hepatitis B", "same disease and outcome"),
        absent=("conflict", "p ="),
        note="review item 1: sepsis mortality against hepatitis B response",
    ),
    PairCase(
        "results-not-testable",
        b={"result": {"effect": {"measure": "hazard_ratio"}}},
        silent_b={"result": {"effect": {"measure": "odds_ratio"}}},
        severity="info",
        texts=("different scales", "an odds ratio", "a hazard ratio"),
        cites=("a.result.effect.measure", "b.result.effect.measure"),
    ),
    PairCase(
        "results-not-testable",
        a={"primary_endpoint": {"kind": "survival"}},
        b={"primary_endpoint": {"kind": "survival"}},
        silent_a={"primary_endpoint": {"kind": "mortality"}},
        silent_b={"primary_endpoint": {"kind": "mortality"}},
        severity="info",
        texts=("favourable or an unfavourable event", "record what each endpoint counts"),
        note="survival: counted event unknown",
    ),
    PairCase(
        "results-not-testable",
        b={"result": {"effect": None}},
        silent_b=_or(0.7, 0.55, 0.9),
        severity="info",
        texts=("study-b reports no effect estimate",),
        note="no estimate",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fires(case: PairCase) -> None:
    check_fires(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_silent(case: PairCase) -> None:
    check_silent(case)


def test_exactly_one_result_finding_per_pair() -> None:
    for case in CASES:
        ids = pair(a=case.a, b=case.b).finding_ids()
        assert len([i for i in ids if i.startswith("results-")]) == 1, case_id(case)


def test_statistics_travel_with_the_result_finding() -> None:
    comparison = pair(b=_or(0.8, 0.6, 1.07, "no_significant_effect"))
    stats = comparison.details["results-statistically-compatible"]["statistics"]
    assert stats["tested"] is True and stats["scale"] == "ratio"
    assert stats["first"]["label"] == "study-a" and stats["second"]["estimate"] == 0.8
    assert stats["ratio"] == pytest.approx(0.7 / 0.8)
    assert stats["significant_difference"] is False and stats["independent"] is True


def test_mean_differences_are_tested_as_a_difference_of_differences() -> None:
    md = lambda e, lo, hi: {  # noqa: E731
        "primary_endpoint": {"kind": "severity_score", "counted_event": None},
        "result": {
            "effect": {"measure": "mean_difference", "estimate": e, "ci_low": lo, "ci_high": hi}
        },
    }
    comparison = pair(
        a={**md(-3.0, -5.0, -1.0), "primary_endpoint": {"kind": "mortality"}},
        b={**md(-0.5, -1.5, 0.5), "primary_endpoint": {"kind": "mortality"}},
    )
    found = [i for i in comparison.finding_ids() if i.startswith("results-")]
    assert found == ["results-conflict"]
    stats = comparison.details["results-conflict"]["statistics"]
    assert stats["scale"] == "difference" and stats["ratio"] is None
    assert stats["difference"] == pytest.approx(-2.5)


def test_estimate_off_its_interval_is_flagged_in_the_text() -> None:
    comparison = pair(b=_or(0.66, 0.24, 0.68))
    finding = next(f for f in comparison.findings if f.id.startswith("results-"))
    assert "Check: study-b: OR 0.66 (95% CI 0.24–0.68) is not where its interval puts it" in (
        finding.explanation
    )
    assert comparison.details[finding.id]["warnings"]


# --- the bundled pairs tell the FAQ's stories, as the review wants them told ----------


def _bundled(pair_id: str):  # type: ignore[no-untyped-def]
    case = bundled_pairs()[pair_id]
    return compare_files(bundled_case_path(case.a), bundled_case_path(case.b))


def test_small_open_positive_against_large_null_sepsis_trial() -> None:
    comparison = _bundled("sepsis-small-vs-large")
    assert comparison.details["differs-in-study-quality"]["favours"] == "b"
    details = comparison.details["results-statistically-compatible"]
    assert details["statistics"]["p_value"] == pytest.approx(0.0699, abs=0.0005)
    assert details["significance_differs"] is True
    text = next(f for f in comparison.findings if f.id == "results-statistically-compatible")
    assert "ratio 0.47 (95% CI 0.20–1.06)" in text.explanation
    assert "not evidence that the effects are the same" in text.explanation


def test_meta_analysis_against_large_trial_states_dependence() -> None:
    comparison = _bundled("sepsis-meta-vs-large-trial")
    result = next(i for i in comparison.finding_ids() if i.startswith("results-"))
    details = comparison.details[result]
    assert details["independent"] is False
    finding = next(f for f in comparison.findings if f.id == result)
    steps = " ".join(finding.next_steps)
    assert "not pool" in steps and "set them in a meta-analysis" not in steps


def test_hepatitis_b_end_of_therapy_against_twelve_months() -> None:
    comparison = _bundled("chb-end-vs-12-months")
    details = comparison.details["differs-in-endpoint-timing"]
    assert details["favours"] == details["expected_larger"] == "b"
    severity = next(f for f in comparison.findings if f.id == "differs-in-endpoint-timing").severity
    assert severity == "major"


def test_cancer_monotherapy_against_adjuvant_is_not_tested_on_unknown_outcomes() -> None:
    comparison = _bundled("cancer-monotherapy-vs-adjuvant")
    assert comparison.details["differs-in-therapy-role"]["partner_kind"] == "anticancer"
    assert comparison.details["differs-in-therapy-role"]["expected_larger"] == "b"
    assert "results-not-testable" in comparison.finding_ids()


# --- study-file version 2: counted event, interval level, standard error -------------

V2 = {"schema_version": 2}
SURVIVAL_DEATHS = {
    **V2,
    "primary_endpoint": {"kind": "survival", "counted_event": "unfavourable"},
}


def test_declared_counted_events_let_survival_estimates_be_tested() -> None:
    comparison = pair(a=SURVIVAL_DEATHS, b={**SURVIVAL_DEATHS, **_or(0.9, 0.72, 1.12)})
    ids = comparison.finding_ids()
    assert "results-not-testable" not in ids
    stats = comparison.details["results-statistically-compatible"]["statistics"]
    assert stats["tested"] is True


def test_opposite_counted_events_are_not_tested() -> None:
    survivors = {**V2, "primary_endpoint": {"kind": "survival", "counted_event": "favourable"}}
    comparison = pair(a=SURVIVAL_DEATHS, b={**survivors, **_or(1.4, 1.1, 1.8)})
    reason = comparison.details["results-not-testable"]["reason"]
    assert "study-a counts a unfavourable event and study-b a favourable one" in reason
    assert "results-conflict" not in comparison.finding_ids()


def test_a_99_percent_interval_is_read_at_its_level() -> None:
    as99 = {**V2, "result": {"effect": {"ci_level": 99}}}
    comparison = pair(b=deep_merge(_or(0.9, 0.72, 1.12), as99))
    stats = next(d["statistics"] for k, d in comparison.details.items() if k.startswith("results-"))
    z95, z99 = 1.959963984540054, 2.5758293035489004
    assert stats["second"]["ci_level"] == 99
    assert stats["second"]["se"] == pytest.approx((math.log(1.12) - math.log(0.72)) / (2 * z99))
    assert stats["first"]["se"] == pytest.approx((math.log(0.9) - math.log(0.55)) / (2 * z95))
    assert "99% CI" in comparison.details["results-statistically-compatible"]["b_effect"]


def test_a_standard_error_alone_is_enough() -> None:
    se_only = {**V2, "result": {"effect": {"ci_low": None, "ci_high": None, "se": 0.05}}}
    comparison = pair(b=deep_merge(se_only, {"result": {"effect": {"estimate": 1.5}}}))
    stats = comparison.details["results-conflict"]["statistics"]
    assert stats["second"]["se"] == 0.05 and stats["second"]["ci_low"] is None
