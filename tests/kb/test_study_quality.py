"""kb/rules/study_quality.py: each rule fires on one study and not on its near twin."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from tests.conftest import DELETE, FAQ_QUALITY_STRATA
from tests.kb.rulecase import RuleCase, check_fires
from thymoscope.kb.effects import difference_test

LOWER, HIGHER = FAQ_QUALITY_STRATA
HIGHER_SIGNIFICANT = {**HIGHER, "effect": {**HIGHER["effect"], "ci_high": 0.95, "p_value": 0.01}}

CASES = [
    RuleCase(
        rule="positive_result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"blinding": "open"}},
        silent={"design": {"blinding": "double"}},
        cites={"result.primary": "benefit", "design.blinding": "open"},
        texts=("open label",),
        severity="moderate",
        name="open",
    ),
    RuleCase(
        rule="positive_result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"type": "observational", "sample_size": 80, "centres": 1}},
        silent={"result": {"primary": "no_significant_effect"}},
        cites={"design.type": "observational", "design.sample_size": 80, "design.centres": 1},
        texts=("it is not randomised", "a small single-centre study"),
        severity="major",
        name="observational",
    ),
    RuleCase(
        rule="positive_result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"comparator": "no_treatment", "allocation_concealment": False}},
        silent={"result": {"primary": "harm"}},
        cites={"design.comparator": "no_treatment", "design.allocation_concealment": False},
        texts=("without a placebo or active control", "without concealed allocation"),
        severity="major",
        name="two-minor-reasons",
    ),
    RuleCase(
        rule="interval_includes_no_effect",
        finding="imprecise-result",
        fire={"result": {"effect": {"estimate": 0.9, "ci_low": 0.8, "ci_high": 1.1}}},
        silent={"result": {"effect": {"ci_high": 0.99}}},
        cites={
            "result.effect.measure": "odds_ratio",
            "result.effect.ci_low": 0.8,
            "result.effect.ci_high": 1.1,
        },
        texts=("OR 0.9 (95% CI 0.8–1.1)",),
    ),
    RuleCase(
        rule="interval_includes_no_effect",
        finding="imprecise-result",
        fire={
            "result": {
                "effect": {
                    "measure": "mean_difference",
                    "estimate": -1.5,
                    "ci_low": -3.0,
                    "ci_high": 0.2,
                }
            }
        },
        silent={"result": {"effect": {"ci_high": -0.1}}},
        cites={"result.effect.measure": "mean_difference", "result.effect.ci_high": 0.2},
        texts=("MD -1.5 (95% CI -3–0.2)",),
        name="mean-difference",
    ),
    RuleCase(
        rule="small_study_reports_no_effect",
        finding="imprecise-result",
        fire={
            "result": {
                "primary": "no_significant_effect",
                "effect": DELETE,
                "immune_markers_improved": False,
            },
            "design": {"sample_size": 150},
        },
        silent={"design": {"sample_size": 200}},
        cites={"result.primary": "no_significant_effect", "design.sample_size": 150},
        texts=("With 150 patients (fewer than 200)",),
    ),
    RuleCase(
        rule="quality_strata_disagree",
        finding="quality-subgroups-disagree",
        fire={
            "design": {"type": "meta_analysis", "trials": 11, "sample_size": 1927},
            "subgroups": [LOWER, HIGHER],
        },
        silent={"subgroups": [LOWER, HIGHER_SIGNIFICANT]},
        cites={
            "subgroups.0.level": "lower_quality",  # "low", normalised by the study model
            "subgroups.0.effect.estimate": 0.41,
            "subgroups.1.level": "higher_quality",
            "subgroups.1.effect.ci_high": 1.03,
        },
        texts=(
            '"Lower-quality trials" (359 patients) show OR 0.41 (95% CI 0.24–0.68)',
            '"Higher-quality trials" (1568 patients) show OR 0.82 (95% CI 0.65–1.03)',
            "p = 0.017",
        ),
        severity="major",
    ),
    RuleCase(
        rule="quality_strata_disagree",
        finding="quality-subgroups-disagree",
        fire={"subgroups": [HIGHER, {**LOWER, "level": " Lower_Quality "}]},
        silent={"subgroups": [HIGHER, {**LOWER, "level": "higher quality"}]},
        cites={"subgroups.1.level": "lower_quality", "subgroups.0.level": "higher_quality"},
        name="level-spelling-and-order",
    ),
    RuleCase(
        rule="quality_strata_disagree",
        finding="quality-subgroups-disagree",
        fire={
            "subgroups": [
                {
                    "name": "low",
                    "by": "study_quality",
                    "level": "lower",
                    "effect": {"measure": "risk_ratio", "estimate": 0.5, "p_value": 0.01},
                },
                {
                    "name": "high",
                    "by": "study_quality",
                    "level": "higher",
                    "effect": {"measure": "risk_ratio", "estimate": 0.9, "p_value": 0.3},
                },
            ]
        },
        silent={
            "subgroups": [
                {
                    "name": "low",
                    "by": "study_quality",
                    "level": "lower",
                    "effect": {"measure": "risk_ratio", "estimate": 0.5, "p_value": 0.01},
                },
                {
                    "name": "high",
                    "by": "study_quality",
                    "level": "higher",
                    "effect": {"measure": "risk_ratio", "estimate": 0.9, "p_value": 0.04},
                },
            ]
        },
        cites={"subgroups.0.effect.estimate": 0.5, "subgroups.1.effect.estimate": 0.9},
        name="p-values-only",
    ),
]


def test_p_values_only_strata_state_no_between_strata_test() -> None:
    found = check_fires(CASES[-1])
    assert "itself significant" not in found.explanation


def test_difference_test_matches_an_independent_computation() -> None:
    flat = [{f"effect_{k}": v for k, v in s["effect"].items()} for s in (LOWER, HIGHER)]
    test = difference_test(*flat)
    assert test is not None
    se = math.hypot(
        *(
            (math.log(h) - math.log(lo)) / (2 * norm.ppf(0.975))
            for lo, h in ((0.24, 0.68), (0.65, 1.03))
        )
    )
    z = (math.log(0.41) - math.log(0.82)) / se
    assert test.z == pytest.approx(z)
    assert test.p_value == pytest.approx(2 * norm.sf(abs(z)))
    assert test.p_value == pytest.approx(0.017, abs=0.0005)
    assert test.ratio == pytest.approx(0.5)
