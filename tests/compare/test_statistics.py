"""The between-estimate test (Altman & Bland 2003) against values computed independently.

scipy is used here only, to recompute each number from the published formulas:
SE = (ln upper - ln lower) / (2 x z_0.975); z = (ln R1 - ln R2) / sqrt(SE1² + SE2²);
p = 2 x (1 - Phi(|z|)); ratio R1/R2 with CI exp(ln(R1/R2) ± z_0.975 x SE).
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from tests.conftest import FAQ_QUALITY_STRATA, make_study
from thymoscope.api import diagnose
from thymoscope.kb.effects import difference_test

CASES = [
    # (estimate, ci_low, ci_high) for each side
    ((0.41, 0.24, 0.68), (0.82, 0.65, 1.03)),  # FAQ 2 quality strata
    ((0.42, 0.19, 0.93), (0.9, 0.72, 1.12)),
    ((4.33, 1.36, 13.77), (1.1, 0.8, 1.5)),
    ((1.0, 0.5, 2.0), (1.0, 0.5, 2.0)),
    ((0.7, 0.55, 0.9), (1.5, 1.1, 2.0)),
]


def _effect(triple: tuple[float, float, float], measure: str = "odds_ratio") -> dict:
    estimate, low, high = triple
    return {
        "effect_measure": measure,
        "effect_estimate": estimate,
        "effect_ci_low": low,
        "effect_ci_high": high,
    }


def _scipy_reference(first: tuple, second: tuple) -> tuple[float, float, float, float]:
    z975 = stats.norm.ppf(0.975)
    se1 = (math.log(first[2]) - math.log(first[1])) / (2 * z975)
    se2 = (math.log(second[2]) - math.log(second[1])) / (2 * z975)
    se = math.sqrt(se1**2 + se2**2)
    diff = math.log(first[0]) - math.log(second[0])
    p = 2 * stats.norm.sf(abs(diff / se))
    return math.exp(diff), math.exp(diff - z975 * se), math.exp(diff + z975 * se), p


@pytest.mark.parametrize(("first", "second"), CASES)
def test_difference_test_matches_scipy(first: tuple, second: tuple) -> None:
    test = difference_test(_effect(first), _effect(second))
    assert test is not None
    ratio, low, high, p = _scipy_reference(first, second)
    assert test.ratio == pytest.approx(ratio, rel=1e-9)
    assert test.ci_low == pytest.approx(low, rel=1e-9)
    assert test.ci_high == pytest.approx(high, rel=1e-9)
    assert test.p_value == pytest.approx(p, rel=1e-7, abs=1e-12)


def test_faq_quality_strata_differ_significantly() -> None:
    """Lower- vs higher-quality sepsis trials: OR 0.41 vs 0.82 -> ratio 0.50, p ≈ 0.017."""
    test = difference_test(_effect(CASES[0][0]), _effect(CASES[0][1]))
    assert test is not None
    assert test.ratio == pytest.approx(0.50, abs=0.005)
    assert test.ci_low == pytest.approx(0.283, abs=0.001)
    assert test.ci_high == pytest.approx(0.884, abs=0.001)
    assert test.p_value == pytest.approx(0.0170, abs=0.0005)
    assert test.p_value < 0.05


def test_different_scales_are_not_tested() -> None:
    assert (
        difference_test(_effect((0.7, 0.5, 0.9)), _effect((0.7, 0.5, 0.9), "hazard_ratio")) is None
    )
    assert (
        difference_test(
            _effect((0.7, 0.5, 0.9), "mean_difference"), _effect((0.7, 0.5, 0.9), "mean_difference")
        )
        is None
    )


def test_order_only_inverts_the_ratio() -> None:
    first, second = CASES[1]
    forward = difference_test(_effect(first), _effect(second))
    backward = difference_test(_effect(second), _effect(first))
    assert forward is not None and backward is not None
    assert forward.ratio * backward.ratio == pytest.approx(1.0)
    assert forward.ci_low * backward.ci_high == pytest.approx(1.0)
    assert forward.p_value == pytest.approx(backward.p_value)


# --- strata inside one study: the single-study rules use the same test -------------

STRATA = list(FAQ_QUALITY_STRATA)


def test_quality_subgroups_disagree_states_the_between_strata_p_value() -> None:
    diagnosis = diagnose(make_study(subgroups=STRATA))
    found = next(f for f in diagnosis.findings if f.id == "quality-subgroups-disagree")
    assert "p = 0.017" in found.explanation
    assert "ratio 0.50 (95% CI 0.28–0.88)" in found.explanation
    assert "differ by more than chance" in found.explanation


def test_quality_subgroups_with_overlapping_strata_do_not_call_the_gap_significant() -> None:
    strata = [
        dict(STRATA[0], effect=dict(STRATA[0]["effect"], estimate=0.6, ci_low=0.36, ci_high=0.99)),
        STRATA[1],
    ]
    diagnosis = diagnose(make_study(subgroups=strata))
    found = next(f for f in diagnosis.findings if f.id == "quality-subgroups-disagree")
    assert "could be chance" in found.explanation
    assert "differ by more than chance" not in found.explanation


COMORBIDITY = {
    "name": "Cancer or diabetes comorbidity",
    "by": "comorbidity",
    "level": "cancer_or_diabetes",
    "credibility": "moderate",
}


@pytest.mark.parametrize(
    ("subgroup", "reason"),
    [
        (COMORBIDITY, "credibility rated moderate"),
        (
            {
                **COMORBIDITY,
                "credibility": None,
                "prespecified": False,
                "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
            },
            "not pre-specified",
        ),
        (
            {
                **COMORBIDITY,
                "credibility": None,
                "prespecified": True,
                "interaction_p": 0.3,
                "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
            },
            "interaction test not significant",
        ),
    ],
)
def test_low_credibility_subgroup_claim_follows_iceman(subgroup: dict, reason: str) -> None:
    diagnosis = diagnose(make_study(subgroups=[*STRATA, subgroup]))
    found = next(f for f in diagnosis.findings if f.id == "low-credibility-subgroup-claim")
    assert reason in found.explanation
    assert "ICEMAN" in found.explanation


def test_credible_subgroup_claim_is_not_flagged() -> None:
    subgroup = {
        **COMORBIDITY,
        "credibility": "high",
        "prespecified": True,
        "interaction_p": 0.01,
        "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
    }
    diagnosis = diagnose(make_study(subgroups=[subgroup]))
    assert "low-credibility-subgroup-claim" not in diagnosis.finding_ids()
