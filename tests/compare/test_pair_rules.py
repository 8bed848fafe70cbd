"""Each pair finding fires when its difference is there and stays silent when it is not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.compare.helpers import pair
from thymoscope.kb.comparison import pair_catalogue


@dataclass(frozen=True)
class PairCase:
    finding: str
    b: dict[str, Any]  # overrides of study b (study a is the clean baseline)
    silent_b: dict[str, Any]  # a near-identical b on which the finding must stay silent
    favours: str | None = None
    expected_larger: str | None = None
    texts: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    PairCase(
        "differs-in-indication",
        b={"indication": "other"},
        silent_b={"indication": "sepsis"},
        texts=("sepsis", "other"),
        cites=("a.indication", "b.indication"),
    ),
    PairCase(
        "differs-in-baseline-immunity",
        b={"population": {"immune_status": "normal", "suppression": []}},
        silent_b={
            "population": {"immune_status": "suppressed", "suppression": ["sepsis_immunoparalysis"]}
        },
        expected_larger="a",
        texts=("suppressed", "normal", "study-a"),
        cites=("a.population.immune_status", "b.population.immune_status"),
    ),
    PairCase(
        "differs-in-therapy-role",
        b={"intervention": {"role": "monotherapy", "combined_with": []}},
        silent_b={"intervention": {"role": "adjuvant", "combined_with": ["standard_of_care"]}},
        expected_larger="a",
        texts=("monotherapy", "adjuvant"),
        cites=("a.intervention.role", "b.intervention.role"),
    ),
    PairCase(
        "differs-in-dosing",
        b={"intervention": {"dose": 0.8}},
        silent_b={"intervention": {"dose": 1.6}},
        favours="a",
        expected_larger="a",
        texts=("0.8 mg", "1.6 mg"),
        cites=("a.intervention.dose", "b.intervention.dose"),
    ),
    PairCase(
        "differs-in-endpoint-timing",
        b={"primary_endpoint": {"months_after_therapy": 6}, "follow_up_months_after_therapy": 6},
        silent_b={"primary_endpoint": {"months_after_therapy": 1}},
        favours="b",
        expected_larger="b",
        texts=("0.7 months", "6 months"),
        cites=("a.primary_endpoint.timing", "b.primary_endpoint.months_after_therapy"),
    ),
    PairCase(
        "differs-in-endpoint-timing",
        b={"primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": None}},
        silent_b={"primary_endpoint": {"timing": "after_therapy", "months_after_therapy": 0.7}},
        favours="a",
        expected_larger="a",
        texts=("at the end of therapy",),
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"blinding": "open", "sample_size": 60, "centres": 1}},
        silent_b={"design": {"blinding": "double", "sample_size": 600, "centres": 12}},
        favours="a",
        expected_larger="b",
        texts=("open label", "60 patients", "study-a is the more credible"),
        cites=("b.design.blinding", "b.design.sample_size", "b.design.centres"),
    ),
    PairCase(
        "differs-in-study-quality",  # same design, ten times the patients
        b={"design": {"sample_size": 6000, "centres": 40}},
        silent_b={"design": {"sample_size": 900}},
        favours="b",
        expected_larger="a",
    ),
    PairCase(
        "differs-in-comparator",
        b={"design": {"comparator": "no_treatment"}},
        silent_b={"design": {"comparator": "placebo"}},
        favours="a",
        expected_larger="b",
        texts=("no treatment", "placebo"),
        cites=("a.design.comparator", "b.design.comparator"),
    ),
    PairCase(
        "differs-in-comparator",
        b={"design": {"comparator": "active"}},
        silent_b={"design": {"comparator": "placebo"}},
        favours="a",
        expected_larger="a",
        texts=("active control narrows",),
    ),
    PairCase(
        "differs-in-population-selection",
        b={"population": {"selected_by_biomarker": False}},
        silent_b={"population": {"selected_by_biomarker": True}},
        favours="a",
        expected_larger="a",
        texts=("selected by biomarker",),
        cites=("a.population.selected_by_biomarker", "b.population.selected_by_biomarker"),
    ),
    PairCase(
        "differs-in-biological-endpoints",
        b={"secondary_endpoints": ["icu_stay"], "result": {"immune_markers_improved": None}},
        silent_b={"secondary_endpoints": ["cd4"], "result": {"immune_markers_improved": True}},
        favours="a",
        texts=("measured no immune markers",),
        cites=("a.secondary_endpoints", "b.secondary_endpoints"),
    ),
    PairCase(
        "differs-in-primary-endpoint",
        b={"primary_endpoint": {"kind": "severity_score"}},
        silent_b={"primary_endpoint": {"kind": "mortality"}},
        texts=("severity score", "mortality"),
    ),
    PairCase(
        "results-conflict",
        b={
            "result": {
                "primary": "harm",
                "effect": {"estimate": 1.5, "ci_low": 1.1, "ci_high": 2.0, "p_value": 0.01},
            }
        },
        silent_b={
            "result": {
                "primary": "benefit",
                "effect": {"estimate": 0.7, "ci_low": 0.55, "ci_high": 0.9, "p_value": 0.005},
            }
        },
        texts=("OR 0.7", "OR 1.5"),
    ),
    PairCase(
        "results-statistically-compatible",
        b={
            "result": {
                "primary": "no_significant_effect",
                "effect": {"estimate": 0.8, "ci_low": 0.6, "ci_high": 1.07, "p_value": 0.13},
            }
        },
        silent_b={
            "result": {
                "primary": "harm",
                "effect": {"estimate": 1.5, "ci_low": 1.1, "ci_high": 2.0, "p_value": 0.01},
            }
        },
        texts=("only a difference in significance", "study-a crossed p < 0.05"),
    ),
    PairCase(
        "results-not-testable",
        b={"result": {"effect": {"measure": "hazard_ratio"}}},
        silent_b={"result": {"effect": {"measure": "odds_ratio"}}},
        texts=("different scales", "an odds ratio", "a hazard ratio"),
    ),
]


def _ids(cases: list[PairCase]) -> list[str]:
    return [f"{c.finding}-{i}" for i, c in enumerate(cases)]


def test_every_pair_finding_has_a_case() -> None:
    assert {c.finding for c in CASES} == set(pair_catalogue())


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_fires(case: PairCase) -> None:
    comparison = pair(b=case.b)
    found = next((f for f in comparison.findings if f.id == case.finding), None)
    assert found is not None, f"{case.finding} missing; got {comparison.finding_ids()}"
    details = comparison.details[case.finding]
    assert details["favours"] == case.favours
    assert details["expected_larger"] == case.expected_larger
    text = " ".join((found.explanation, *found.next_steps))
    for fragment in case.texts:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    cited = {fact.path for fact in found.facts}
    assert set(case.cites) <= cited, f"cited {sorted(cited)}"
    assert found.title and found.explanation and found.faq


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_silent(case: PairCase) -> None:
    from tests.conftest import deep_merge

    comparison = pair(b=deep_merge(case.b, case.silent_b))
    assert case.finding not in comparison.finding_ids()


def test_unknown_fact_makes_factor_not_comparable() -> None:
    comparison = pair(b={"population": {"immune_status": None, "suppression": []}})
    check = next(c for c in comparison.checks if c.finding == "differs-in-baseline-immunity")
    assert check.status == "not_assessable"
    assert check.unknown == ("b.population.immune_status",)
    assert "differs-in-baseline-immunity" not in comparison.finding_ids()
