"""Factor 5, study quality (FAQ 2): small, open, non-randomised studies overstate benefit."""

from __future__ import annotations

from typing import Any

from thymoscope.engine.experta_compat import AS, MATCH, TEST, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.effects import difference_test, effect_text, excludes_null, includes_null
from thymoscope.kb.facts import Design, Result, Subgroup
from thymoscope.kb.rules.conditions import below, level_in
from thymoscope.kb.thresholds import (
    HIGHER_QUALITY_LEVELS,
    LOWER_QUALITY_LEVELS,
    NON_RANDOMISED_DESIGNS,
    SMALL_TRIAL_PATIENTS,
    UNCONTROLLED_COMPARATORS,
    UNDERPOWERED_NULL_PATIENTS,
)

# reason (read after "it is ...") -> (fields it rests on, whether it is serious on its own)
BIAS_REASONS = {
    "not randomised": (("design.type",), True),
    "at high overall risk of bias": (("design.risk_of_bias",), True),
    "open label": (("design.blinding",), False),
    "without a placebo or active control": (("design.comparator",), False),
    "without concealed allocation": (("design.allocation_concealment",), False),
    "a small single-centre study": (("design.sample_size", "design.centres"), False),
}


def bias_reasons(design: dict[str, Any]) -> list[str]:
    reasons = []
    if design.get("type") in NON_RANDOMISED_DESIGNS:
        reasons.append("not randomised")
    if design.get("risk_of_bias") == "high":
        reasons.append("at high overall risk of bias")
    if design.get("blinding") == "open":
        reasons.append("open label")
    if design.get("comparator") in UNCONTROLLED_COMPARATORS:
        reasons.append("without a placebo or active control")
    if design.get("allocation_concealment") is False:
        reasons.append("without concealed allocation")
    size, centres = design.get("sample_size"), design.get("centres")
    if size is not None and size < SMALL_TRIAL_PATIENTS and centres == 1:
        reasons.append("a small single-centre study")
    return reasons


def _stratum(sub: dict[str, Any]) -> tuple[Any, ...]:
    return (
        sub.get("effect_measure"),
        sub.get("effect_ci_low"),
        sub.get("effect_ci_high"),
        sub.get("effect_p_value"),
    )


class StudyQualityRules(RuleSet):
    @concludes(
        "high-risk-of-bias",
        reads=(
            "result.primary",
            "design.type",
            "design.blinding",
            "design.comparator",
            "design.allocation_concealment",
            "design.sample_size",
            "design.centres",
            "design.risk_of_bias",
        ),
        needs=("result.primary", "design.type", "design.blinding", "design.comparator"),
        when={"result.primary": ["benefit"]},
    )
    @Rule(
        Result(primary="benefit"),
        AS.design << Design(),
        TEST(lambda design: bool(bias_reasons(design))),
    )
    def positive_result_at_risk_of_bias(self, design: dict[str, Any]) -> None:
        reasons = bias_reasons(design)
        serious = any(BIAS_REASONS[r][1] for r in reasons) or len(reasons) >= 2
        cites = [path for r in reasons for path in BIAS_REASONS[r][0]]
        self.conclude(
            "high-risk-of-bias",
            "result.primary",
            *cites,
            severity="major" if serious else "moderate",
            reasons=reasons,
            sample_size=design.get("sample_size"),
        )

    @concludes(
        "imprecise-result",
        reads=(
            "result.effect.measure",
            "result.effect.estimate",
            "result.effect.ci_low",
            "result.effect.ci_high",
        ),
    )
    @Rule(
        Result(
            effect_measure=MATCH.measure,
            effect_estimate=MATCH.estimate,
            effect_ci_low=MATCH.low,
            effect_ci_high=MATCH.high,
        ),
        TEST(lambda measure, low, high: includes_null(measure, low, high)),
    )
    def interval_includes_no_effect(
        self, measure: str, estimate: float, low: float, high: float
    ) -> None:
        self.conclude(
            "imprecise-result",
            "result.effect.measure",
            "result.effect.ci_low",
            "result.effect.ci_high",
            effect=effect_text(measure, estimate, low, high),
        )

    @concludes(
        "imprecise-result",
        reads=("result.primary", "design.sample_size"),
        needs=("result.primary",),
    )
    @Rule(
        Result(primary="no_significant_effect"),
        Design(sample_size=MATCH.size & below(UNDERPOWERED_NULL_PATIENTS)),
    )
    def small_study_reports_no_effect(self, size: int) -> None:
        self.conclude(
            "imprecise-result",
            "result.primary",
            "design.sample_size",
            sample_size=size,
            small=UNDERPOWERED_NULL_PATIENTS,
        )

    # Strata by study quality come from pooled analyses (FAQ 2): the questionnaire asks
    # for them only about a meta-analysis.
    @concludes(
        "quality-subgroups-disagree",
        reads=(
            "design.type",
            "subgroups.*.name",
            "subgroups.*.by",
            "subgroups.*.level",
            "subgroups.*.sample_size",
            "subgroups.*.effect.measure",
            "subgroups.*.effect.estimate",
            "subgroups.*.effect.ci_low",
            "subgroups.*.effect.ci_high",
            "subgroups.*.effect.p_value",
        ),
        when={"design.type": ["meta_analysis"]},
    )
    @Rule(
        AS.lower << Subgroup(by="study_quality", level=level_in(LOWER_QUALITY_LEVELS)),
        AS.higher << Subgroup(by="study_quality", level=level_in(HIGHER_QUALITY_LEVELS)),
        TEST(
            lambda lower, higher: (
                excludes_null(*_stratum(lower)) is True
                and excludes_null(*_stratum(higher)) is False
            )
        ),
    )
    def quality_strata_disagree(self, lower: dict[str, Any], higher: dict[str, Any]) -> None:
        cites = []
        for sub in (lower, higher):
            prefix = f"subgroups.{sub['index']}"
            cites += [f"{prefix}.by", f"{prefix}.level", f"{prefix}.effect.estimate"]
            if sub.get("effect_ci_low") is not None:
                cites += [f"{prefix}.effect.ci_low", f"{prefix}.effect.ci_high"]
        test = difference_test(lower, higher)
        self.conclude(
            "quality-subgroups-disagree",
            *cites,
            lower_name=lower["name"],
            higher_name=higher["name"],
            lower_effect=effect_text(
                lower.get("effect_measure"),
                lower.get("effect_estimate"),
                lower.get("effect_ci_low"),
                lower.get("effect_ci_high"),
            ),
            higher_effect=effect_text(
                higher.get("effect_measure"),
                higher.get("effect_estimate"),
                higher.get("effect_ci_low"),
                higher.get("effect_ci_high"),
            ),
            lower_size=lower.get("sample_size"),
            higher_size=higher.get("sample_size"),
            interaction_p=None if test is None else test.p_value,
            ratio=None if test is None else test.text,
        )
