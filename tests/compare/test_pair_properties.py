"""Argument order, self-comparison, different scales and the bundled pairs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.compare.helpers import flip, flip_path, pair, swapped
from tests.compare.test_pair_rules import CASES
from tests.conftest import bundled_case_names
from tests.strategies import studies
from thymoscope.engine.pairs import PairComparison
from thymoscope.kb.comparison import (
    bundled_case_path,
    bundled_pairs,
    compare,
    compare_files,
    pair_catalogue,
)
from thymoscope.study.model import Study

VERDICT_KEYS = ("favours", "expected_larger")


def assert_mirror(forward: PairComparison, backward: PairComparison) -> None:
    """``backward`` is ``forward`` with the sides swapped, and nothing else changed."""
    assert sorted(forward.finding_ids()) == sorted(backward.finding_ids())
    assert (forward.a_id, forward.b_id) == (backward.b_id, backward.a_id)
    back = {f.id: f for f in backward.findings}
    for finding in forward.findings:
        mirror = back[finding.id]
        assert finding.severity == mirror.severity, finding.id
        assert sorted((flip_path(c.path), repr(c.value)) for c in finding.facts) == sorted(
            (c.path, repr(c.value)) for c in mirror.facts
        ), finding.id
        for key in VERDICT_KEYS:
            assert flip(forward.details[finding.id][key]) == backward.details[finding.id][key]
    for stat in ("results-conflict", "results-statistically-compatible"):
        if stat in forward.details:
            f, b = forward.details[stat], backward.details[stat]
            assert f["ratio"] * b["ratio"] == pytest.approx(1.0)
            assert f["p_value"] == pytest.approx(b["p_value"])
    status = {c.finding: c.status for c in forward.checks}
    assert status == {c.finding: c.status for c in backward.checks}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.finding}-{i}" for i, c in enumerate(CASES)])
def test_argument_order_does_not_change_findings(case) -> None:  # type: ignore[no-untyped-def]
    assert_mirror(pair(b=case.b), swapped(b=case.b))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies(), studies())
def test_argument_order_does_not_change_findings_for_any_pair(a: Study, b: Study) -> None:
    assert_mirror(compare(a, b), compare(b, a))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_study_compared_with_itself_has_no_differences(study: Study) -> None:
    comparison = compare(study, study)
    assert [i for i in comparison.finding_ids() if i.startswith("differs-in-")] == []
    assert "results-conflict" not in comparison.finding_ids()


@pytest.mark.parametrize("name", [n.removesuffix(".yaml") for n in bundled_case_names()])
def test_bundled_case_compared_with_itself(name: str) -> None:
    comparison = compare_files(bundled_case_path(name), bundled_case_path(name))
    assert [i for i in comparison.finding_ids() if i.startswith("differs-in-")] == []


def test_odds_ratio_against_hazard_ratio_is_compared_by_factors_only() -> None:
    comparison = pair(
        b={
            "design": {"comparator": "no_treatment"},
            "result": {"effect": {"measure": "hazard_ratio"}},
        },
    )
    ids = comparison.finding_ids()
    assert "differs-in-comparator" in ids  # the factors are still compared
    assert "results-not-testable" in ids
    assert "results-conflict" not in ids and "results-statistically-compatible" not in ids
    reason = comparison.details["results-not-testable"]["reason"]
    assert "odds ratio" in reason and "hazard ratio" in reason and "different scales" in reason


def test_missing_interval_is_not_tested_and_says_so() -> None:
    comparison = pair(b={"result": {"effect": None}})
    reason = comparison.details["results-not-testable"]["reason"]
    assert reason.startswith("study-b reports no effect estimate")


EXPECTED_PAIRS = {
    "sepsis-small-vs-large": {
        "differs-in-study-quality",
        "differs-in-comparator",
        "results-statistically-compatible",
    },
    "chb-end-vs-12-months": {"differs-in-endpoint-timing", "results-not-testable"},
    "cancer-monotherapy-vs-adjuvant": {
        "differs-in-therapy-role",
        "differs-in-study-quality",
        "differs-in-dosing",
        "results-not-testable",
    },
}


@pytest.mark.parametrize("pair_id", sorted(EXPECTED_PAIRS))
def test_bundled_pairs_tell_the_faq_stories(pair_id: str) -> None:
    case = bundled_pairs()[pair_id]
    comparison = compare_files(bundled_case_path(case.a), bundled_case_path(case.b))
    assert EXPECTED_PAIRS[pair_id] <= set(comparison.finding_ids())


def test_small_positive_vs_large_null_sepsis_trial() -> None:
    case = bundled_pairs()["sepsis-small-vs-large"]
    comparison = compare_files(bundled_case_path(case.a), bundled_case_path(case.b))
    assert comparison.details["differs-in-study-quality"]["favours"] == "b"
    stats = comparison.details["results-statistically-compatible"]
    assert stats["p_value"] == pytest.approx(0.0699, abs=0.0005)
    assert stats["significance_differs"] is True


def test_chb_later_reading_is_favoured() -> None:
    case = bundled_pairs()["chb-end-vs-12-months"]
    comparison = compare_files(bundled_case_path(case.a), bundled_case_path(case.b))
    details = comparison.details["differs-in-endpoint-timing"]
    assert details["favours"] == details["expected_larger"] == "b"
    assert (
        next(f for f in comparison.findings if f.id == "differs-in-endpoint-timing").severity
        == "major"
    )


def test_every_bundled_pair_names_bundled_cases() -> None:
    pairs = bundled_pairs()
    assert len(pairs) >= 3
    for case in pairs.values():
        assert bundled_case_path(case.a).is_file(), case.a
        assert bundled_case_path(case.b).is_file(), case.b


def test_catalogue_texts_cite_faq_sections() -> None:
    for spec in pair_catalogue().values():
        assert spec.faq and all(s in {"1", "2", "3", "4"} for s in spec.faq), spec.id
