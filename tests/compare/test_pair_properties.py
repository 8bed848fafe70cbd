"""Argument order, self-comparison, different scales and the bundled pairs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.compare.helpers import flip, flip_path, pair, swapped
from tests.conftest import bundled_case_names
from tests.kb.test_pairs_factors import CASES as FACTOR_CASES
from tests.kb.test_pairs_results import CASES as RESULT_CASES
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
CASES = FACTOR_CASES + RESULT_CASES


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
            f = forward.details[stat]["statistics"]
            b = backward.details[stat]["statistics"]
            if f["scale"] == "ratio":
                assert f["ratio"] * b["ratio"] == pytest.approx(1.0)
            else:
                assert f["difference"] == pytest.approx(-b["difference"])
            assert f["p_value"] == pytest.approx(b["p_value"])
            assert f["independent"] == b["independent"]
    status = {c.finding: c.status for c in forward.checks}
    assert status == {c.finding: c.status for c in backward.checks}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.finding}-{i}" for i, c in enumerate(CASES)])
def test_argument_order_does_not_change_findings(case) -> None:  # type: ignore[no-untyped-def]
    assert_mirror(pair(a=case.a, b=case.b), swapped(a=case.a, b=case.b))


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


def test_every_bundled_pair_names_bundled_cases() -> None:
    pairs = bundled_pairs()
    assert len(pairs) >= 3
    for case in pairs.values():
        assert bundled_case_path(case.a).is_file(), case.a
        assert bundled_case_path(case.b).is_file(), case.b


def test_catalogue_texts_cite_faq_sections() -> None:
    for spec in pair_catalogue().values():
        assert spec.faq and all(s in {"1", "2", "3", "4"} for s in spec.faq), spec.id
