"""kb/rules/study_quality.py: each rule fires on one study and not on its near twin.

Cases follow the methodology review (items 5, 6, 8 and the fragile-benefit finding):
direction of the result, one count per bias mechanism, objective outcomes, what an
interval rules in and out.
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from tests.conftest import DELETE, FAQ_META_ANALYSIS, FAQ_QUALITY_STRATA, make_study_dict
from tests.kb.rulecase import RuleCase
from tests.kb.values import concluded, diagnosed, text_of
from thymoscope.kb.effects import difference_test

LOWER, HIGHER = FAQ_QUALITY_STRATA
# Significant but not different from the lower stratum (ratio test p about 0.21).
HIGHER_SIGNIFICANT = {
    **HIGHER,
    "effect": {"measure": "odds_ratio", "estimate": 0.6, "ci_low": 0.45, "ci_high": 0.8},
}
# Significant and different from the lower stratum (ratio test p about 0.012).
HIGHER_SIGNIFICANT_SMALLER = {
    **HIGHER,
    "effect": {"measure": "odds_ratio", "estimate": 0.82, "ci_low": 0.7, "ci_high": 0.96},
}
LOWER_HARM = {
    **LOWER,
    "effect": {"measure": "odds_ratio", "estimate": 2.0, "ci_low": 1.2, "ci_high": 3.3},
}
META = FAQ_META_ANALYSIS
TESTS_NULL = {  # TESTS: large double-blind null sepsis trial, HR 0.99 (0.77-1.27), n 1089
    "design": {"sample_size": 1089},
    "result": {
        "primary": "no_significant_effect",
        "effect": {"measure": "hazard_ratio", "estimate": 0.99, "ci_low": 0.77, "ci_high": 1.27},
        "immune_markers_improved": DELETE,
    },
}
ETASS = {  # open-label sepsis RCT: benefit claimed, primary RR interval crosses 1
    "design": {"blinding": "open", "comparator": "standard_of_care", "sample_size": 361},
    "result": {
        "primary": "benefit",
        "effect": {
            "measure": "risk_ratio",
            "estimate": 0.74,
            "ci_low": 0.54,
            "ci_high": 1.02,
            "p_value": 0.049,
        },
    },
}
CHB_OPEN_POSITIVE = make_study_dict(
    indication="chronic_hepatitis_b",
    design={"blinding": "open", "comparator": "no_treatment"},
    population={"suppression": ["other"], "selected_by_biomarker": None},
    intervention={
        "role": "monotherapy",
        "combined_with": [],
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    primary_endpoint={
        "name": "Complete response",
        "kind": "other",
        "timing": "after_therapy",
        "months_after_therapy": 12,
    },
    follow_up_months_after_therapy=12,
    secondary_endpoints=["alt_normalisation"],
    result={"effect": {"measure": "risk_ratio", "estimate": 4.3, "ci_low": 1.4, "ci_high": 13.8}},
)

CASES = [
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"blinding": "open"}, "primary_endpoint": {"kind": "severity_score"}},
        silent={"design": {"blinding": "double"}},
        cites={"result.primary": "benefit", "design.blinding": "open"},
        severity="moderate",
        name="open-subjective-outcome",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"blinding": "open"}},
        silent={"design": {"blinding": "double"}},
        cites={"design.blinding": "open", "primary_endpoint.kind": "mortality"},
        severity="minor",
        name="open-all-cause-mortality",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"type": "observational", "sample_size": 80, "centres": 1}},
        silent={"result": {"primary": "no_significant_effect"}},
        cites={"design.type": "observational", "design.sample_size": 80, "design.centres": 1},
        severity="major",
        name="observational",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={
            "design": {
                "type": "observational",
                "blinding": "open",
                "comparator": "standard_of_care",
            },
            "result": {
                "primary": "harm",
                "effect": {"estimate": 1.8, "ci_low": 1.2, "ci_high": 2.7, "p_value": 0.004},
            },
        },
        silent={"design": {"type": "rct", "blinding": "double", "comparator": "placebo"}},
        cites={"result.primary": "harm", "design.type": "observational"},
        severity="major",
        name="harm-from-cohort",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={
            "design": {"blinding": "single"},
            "primary_endpoint": {"kind": "complications"},
        },
        silent={"design": {"blinding": "double"}},
        cites={"design.blinding": "single"},
        severity="moderate",
        name="single-blind",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={
            "design": {"comparator": "standard_of_care", "blinding": DELETE},
            "primary_endpoint": {"kind": "complications"},
        },
        silent={"design": {"blinding": "double"}},
        cites={"design.comparator": "standard_of_care"},
        severity="moderate",
        name="standard-of-care-without-placebo",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={
            "design": {
                "comparator": "no_treatment",
                "blinding": "open",
                "allocation_concealment": False,
            }
        },
        silent={"result": {"primary": "no_significant_effect"}},
        cites={"design.comparator": "no_treatment", "design.allocation_concealment": False},
        severity="moderate",  # concealment (ordinary) + no placebo with mortality (light)
        name="two-mechanisms-one-objective",
    ),
    RuleCase(
        rule="interval_includes_no_effect",
        finding="imprecise-result",
        fire={
            "result": {
                "primary": "no_significant_effect",
                "effect": {"estimate": 0.9, "ci_low": 0.5, "ci_high": 1.6},
            }
        },
        silent={"result": {"effect": {"ci_high": 0.99}}},
        cites={
            "result.effect.measure": "odds_ratio",
            "result.effect.ci_low": 0.5,
            "result.effect.ci_high": 1.6,
        },
        texts=("OR 0.9 (95% CI 0.5–1.6)",),
        severity="moderate",
    ),
    RuleCase(
        rule="interval_includes_no_effect",
        finding="imprecise-result",
        fire=TESTS_NULL,
        silent={"result": {"primary": "benefit"}},
        cites={"result.effect.measure": "hazard_ratio", "result.effect.ci_low": 0.77},
        severity="info",
        name="tests-informative-null",
    ),
    RuleCase(
        rule="interval_includes_no_effect",
        finding="imprecise-result",
        fire={
            "result": {
                "primary": "no_significant_effect",
                "effect": {
                    "measure": "mean_difference",
                    "estimate": -1.5,
                    "ci_low": -3.0,
                    "ci_high": 0.2,
                },
            }
        },
        silent={"result": {"effect": {"ci_high": -0.1}}},
        cites={"result.effect.measure": "mean_difference", "result.effect.ci_high": 0.2},
        texts=("MD -1.5 (95% CI -3–0.2)",),
        severity="moderate",
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
        severity="moderate",
    ),
    RuleCase(
        rule="benefit_not_established",
        finding="fragile-benefit",
        fire=ETASS,
        silent={"result": {"effect": {"ci_high": 0.98}}},
        cites={
            "result.primary": "benefit",
            "result.effect.estimate": 0.74,
            "result.effect.ci_low": 0.54,
            "result.effect.ci_high": 1.02,
        },
        severity="major",
        name="etass",
    ),
    RuleCase(
        rule="benefit_not_established",
        finding="fragile-benefit",
        fire={
            "result": {
                "effect": {
                    "measure": "risk_ratio",
                    "estimate": 0.8,
                    "ci_low": DELETE,
                    "ci_high": DELETE,
                    "p_value": 0.062,
                }
            }
        },
        silent={"result": {"effect": {"p_value": 0.03}}},
        cites={"result.effect.p_value": 0.062},
        severity="major",
        name="p-only",
    ),
    RuleCase(
        rule="quality_strata_disagree",
        finding="quality-subgroups-disagree",
        fire={**META, "subgroups": [LOWER, HIGHER]},
        silent={"subgroups": [LOWER, HIGHER_SIGNIFICANT]},
        cites={
            "subgroups.0.level": "lower_quality",  # "low", normalised by the study model
            "subgroups.0.effect.estimate": 0.41,
            "subgroups.0.effect.ci_low": 0.24,
            "subgroups.0.effect.p_value": 0.0007,
            "subgroups.1.level": "higher_quality",
            "subgroups.1.effect.ci_high": 1.03,
        },
        texts=(
            '"Lower-quality trials" (359 participants) show OR 0.41 (95% CI 0.24–0.68)',
            '"Higher-quality trials" (1568 participants) show OR 0.82 (95% CI 0.65–1.03)',
            "p = 0.017",
        ),
        severity="major",
    ),
    RuleCase(
        rule="quality_strata_disagree",
        finding="quality-subgroups-disagree",
        fire={**META, "subgroups": [LOWER, HIGHER_SIGNIFICANT_SMALLER]},
        silent={"subgroups": [LOWER, HIGHER_SIGNIFICANT]},
        severity="moderate",
        name="both-significant-but-different",
    ),
    RuleCase(
        rule="quality_strata_disagree",
        finding="quality-subgroups-disagree",
        fire={**META, "subgroups": [LOWER_HARM, HIGHER]},
        silent={
            "subgroups": [{**LOWER_HARM, "effect": {**LOWER_HARM["effect"], "ci_low": 0.9}}, HIGHER]
        },
        severity="moderate",
        name="lower-stratum-harm",
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
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={
            "schema_version": 2,
            "design": {"comparator": "same_background_therapy", "blinding": "open"},
            "primary_endpoint": {"kind": "complications"},
        },
        silent={"design": {"comparator": "placebo", "blinding": "double"}},
        cites={"design.comparator": "same_background_therapy", "design.blinding": "open"},
        severity="moderate",
        name="same-background-therapy",
    ),
    RuleCase(
        rule="benefit_not_established",
        finding="fragile-benefit",
        fire={
            "schema_version": 2,
            "result": {
                "effect": {
                    "measure": "risk_ratio",
                    "estimate": 0.74,
                    "ci_low": 0.57,
                    "ci_high": 0.96,
                    "ci_level": 90,
                    "p_value": DELETE,
                }
            },
        },
        silent={"result": {"effect": {"ci_level": 95}}},
        cites={"result.effect.ci_level": 90},
        severity="major",
        name="ninety-percent-interval",
    ),
    RuleCase(
        rule="endpoint_not_defined",
        finding="endpoint-definition-unclear",
        fire={"schema_version": 2, "primary_endpoint": {"definition_reported": False}},
        silent={"primary_endpoint": {"definition_reported": True}},
        cites={"primary_endpoint.definition_reported": False},
        severity="minor",
    ),
    RuleCase(  # Schulof 1985: placebo, blinding not reported, immune endpoint
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"blinding": DELETE}, "primary_endpoint": {"kind": "immunological"}},
        silent={"design": {"blinding": "double"}},
        cites={"design.blinding": None},
        severity="moderate",
        name="blinding-not-reported",
    ),
    RuleCase(
        rule="result_at_risk_of_bias",
        finding="high-risk-of-bias",
        fire={"design": {"blinding": DELETE}},
        silent={"design": {"blinding": "double"}},
        cites={"design.blinding": None, "primary_endpoint.kind": "mortality"},
        severity="minor",
        name="blinding-not-reported-objective-outcome",
    ),
]


def _data(case_name: str) -> dict:  # type: ignore[type-arg]
    return next(c for c in CASES if c.name == case_name).fire_dict()


# ---- item 8: high-risk-of-bias ------------------------------------------------------


def test_open_label_without_placebo_is_one_mechanism_not_two() -> None:
    found, values = concluded(_data("standard-of-care-without-placebo"), "high-risk-of-bias")
    assert values["mechanisms"] == ["expectation"]
    assert values["unreported"] == ["its blinding"]
    data = make_study_dict(
        design={"blinding": "open", "comparator": "no_treatment"},
        primary_endpoint={"kind": "complications"},
    )
    found, values = concluded(data, "high-risk-of-bias")
    assert values["mechanisms"] == ["expectation"]
    assert found.severity == "moderate"


def test_objective_outcome_weighs_blinding_lower() -> None:
    found, values = concluded(_data("open-all-cause-mortality"), "high-risk-of-bias")
    assert values["mechanisms"] == ["expectation"]
    assert "all-cause mortality, is objective" in found.explanation
    assert found.severity == "minor"


def test_harm_from_a_cohort_names_confounding_by_indication() -> None:
    found, values = concluded(_data("harm-from-cohort"), "high-risk-of-bias")
    assert values["primary"] == "harm"
    assert values["mechanisms"] == ["confounding", "expectation"]
    assert values["observational"] is True
    assert "confounding by indication" in found.explanation
    assert "exaggerate benefit" not in found.explanation
    assert "ROBINS-I" in found.next_steps[1]


def test_sepsis_figures_stay_in_sepsis_texts() -> None:
    sepsis, _ = concluded(_data("observational"), "high-risk-of-bias")
    assert "OR 0.41" in sepsis.explanation
    hepatitis, values = concluded(CHB_OPEN_POSITIVE, "high-risk-of-bias")
    assert values["indication"] == "chronic_hepatitis_b"
    assert "0.41" not in text_of(hepatitis) and "sepsis" not in text_of(hepatitis)


# ---- item 6 and fragile-benefit -----------------------------------------------------


def test_tests_interval_says_what_it_rules_out_and_is_not_inconclusive() -> None:
    found, values = concluded(_data("tests-informative-null"), "imprecise-result")
    assert (values["reduction"], values["increase"]) == (23, 27)
    assert values["precise"] is True
    assert values["faq_strata_excluded"] is True
    assert found.severity == "info"
    assert "a reduction larger than 23%" in found.explanation
    assert "OR 0.41" in found.explanation
    assert "inconclusive, not proof" not in found.explanation


def test_wide_null_interval_is_inconclusive() -> None:
    found, values = concluded(CASES[7].fire_dict(), "imprecise-result")
    assert values["precise"] is False
    assert (values["reduction"], values["increase"]) == (50, 60)
    assert "inconclusive" in found.explanation


def test_no_faq_strata_comparison_outside_sepsis_mortality() -> None:
    data = make_study_dict(CASES[8].fire_dict(), primary_endpoint={"kind": "complications"})
    found, values = concluded(data, "imprecise-result")
    assert values["faq_strata_excluded"] is False
    assert "0.41" not in found.explanation


def test_claimed_benefit_crossing_one_is_fragile_not_inconclusive() -> None:
    data = _data("etass")
    found, values = concluded(data, "fragile-benefit")
    assert (values["reason"], values["p_value"]) == ("ci", 0.049)
    assert "another analysis" in found.explanation
    assert "imprecise-result" not in diagnosed(data).finding_ids()
    # hepatitis C with interferon: RR 2.29 (0.98-5.36), a claimed benefit
    hcv = make_study_dict(
        indication="other",
        result={
            "effect": {
                "measure": "risk_ratio",
                "estimate": 2.29,
                "ci_low": 0.98,
                "ci_high": 5.36,
                "p_value": DELETE,
            }
        },
    )
    found, values = concluded(hcv, "fragile-benefit")
    assert values["reason"] == "ci" and values["ci95"] == "0.98–5.36"
    assert "imprecise-result" not in diagnosed(hcv).finding_ids()


def test_fragile_benefit_by_p_value_only() -> None:
    found, values = concluded(_data("p-only"), "fragile-benefit")
    assert (values["reason"], values["p_value"]) == ("p", 0.062)
    assert "p = 0.062" in found.explanation


# ---- item 5 and the pooled estimate -------------------------------------------------


def test_faq_strata_pooled_by_inverse_variance() -> None:
    found, values = concluded(CASES[13].fire_dict(), "quality-subgroups-disagree")
    assert values["pattern"] == "lower_only"
    assert values["pooled"] == "OR 0.73 (95% CI 0.59–0.9)"
    assert values["lower_weight"] == 16
    assert values["interaction_p"] == pytest.approx(0.017, abs=0.0005)
    assert "Test whether" not in text_of(found) and "between-subgroup test" not in text_of(found)
    assert "16% of that weight" in found.explanation


def test_strata_both_significant_but_different() -> None:
    _found, values = concluded(
        _data("both-significant-but-different"), "quality-subgroups-disagree"
    )
    assert values["pattern"] == "both_differ"
    assert values["interaction_p"] < 0.05
    assert "pooled" not in values


def test_weak_stratum_showing_harm_is_not_read_as_overstated_benefit() -> None:
    found, values = concluded(_data("lower-stratum-harm"), "quality-subgroups-disagree")
    assert values["pattern"] == "lower_harm"
    assert "pooled" not in values
    assert "overstate" not in found.explanation and "pooled benefit" not in found.explanation


def test_p_values_only_strata_state_no_between_strata_test() -> None:
    found, values = concluded(_data("p-values-only"), "quality-subgroups-disagree")
    assert values["interaction_p"] is None
    assert "no test of their difference is possible" in found.explanation


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


def test_a_ninety_percent_interval_is_read_at_95_percent() -> None:
    found, values = concluded(_data("ninety-percent-interval"), "fragile-benefit")
    assert values["level"] == 90
    assert values["ci95_low"] == pytest.approx(0.542, abs=0.002)
    assert values["ci95_high"] == pytest.approx(1.01, abs=0.002)
    assert "(a 90% interval; at 95% it would be about 0.54–1.01)" in found.explanation
