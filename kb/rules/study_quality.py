"""Factor 5, study quality (FAQ 2): how far the design and the interval let a result be read.

Rules read the direction of the result: bias is looked for behind benefit *and* harm,
an interval is read for what it rules in and out, and a claimed benefit whose primary
estimate does not exclude no effect is flagged as fragile.  A fact the study does not
report is never counted as a safeguard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from thymoscope.engine.experta_compat import AS, MATCH, TEST, P, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.effects import (
    RATIO_MEASURES,
    difference_test,
    effect_text,
    excludes_null,
    includes_null,
)
from thymoscope.kb.facts import Design, PrimaryEndpoint, Result, Study, Subgroup
from thymoscope.kb.rules.conditions import level_in, one_of
from thymoscope.kb.thresholds import (
    ALPHA,
    HIGHER_QUALITY_LEVELS,
    LOWER_QUALITY_LEVELS,
    NO_PLACEBO_COMPARATORS,
    NON_RANDOMISED_DESIGNS,
    OBJECTIVE_ENDPOINT_KINDS,
    PRECISE_RATIO_BOUNDS,
    SMALL_TRIAL_PATIENTS,
    UNCONTROLLED_COMPARATORS,
    UNDERPOWERED_NULL_PATIENTS,
)

DEFAULT_CI_LEVEL = 95.0
_NORMAL = NormalDist()

# ---------------------------------------------------------------- bias mechanisms


@dataclass(frozen=True)
class Mechanism:
    """One way the design lets bias in; each is counted once however many fields show it."""

    key: str
    text: str  # read after "its design leaves it open to bias: "
    cites: tuple[str, ...]
    weight: str  # serious | ordinary | light


COMPARATOR_TEXT = {
    "no_treatment": "an untreated control",
    "none": "no control arm",
    "standard_of_care": "standard care alone as the control, without placebo",
    "same_background_therapy": "the same background therapy alone as the control, without placebo",
}
DESIGN_MECHANISMS = {
    "observational": (
        "confounding",
        "it is observational, so who received thymalfasin was chosen rather than "
        "randomised, and confounding by indication (those judged to need or tolerate the "
        "drug being the ones given it) can create or hide an effect",
    ),
    "single_arm": ("no_control", "it has a single arm and no concurrent control group"),
    "non_randomized_trial": ("allocation", "allocation to the arms was not randomised"),
}


def _expectation(design: Mapping[str, Any], kind: Any) -> Mechanism | None:
    """Open label, single-blind and a control without placebo are one mechanism."""
    if design.get("type") in ("single_arm", "meta_analysis"):
        return None
    blinding, comparator = design.get("blinding"), design.get("comparator")
    details, cites = [], []
    if blinding in ("open", "single"):
        details.append("open label" if blinding == "open" else "single-blind")
        cites.append("design.blinding")
    if comparator in NO_PLACEBO_COMPARATORS and blinding != "double":
        details.append(COMPARATOR_TEXT[comparator])
        cites.append("design.comparator")
    if not details:
        return None
    text = (
        "participants or those caring for and assessing them could tell the arms apart "
        f"({', '.join(details)})"
    )
    if kind in OBJECTIVE_ENDPOINT_KINDS:
        outcome = (
            "all-cause mortality" if kind == "mortality" else "a laboratory virological response"
        )
        text += (
            f"; the primary outcome, {outcome}, is objective, so this weighs less on how it was "
            "measured, though care may still have differed between known arms"
        )
        return Mechanism("expectation", text, (*cites, "primary_endpoint.kind"), "light")
    return Mechanism("expectation", text, tuple(cites), "ordinary")


def bias_mechanisms(design: Mapping[str, Any], kind: Any = None) -> list[Mechanism]:
    found = []
    design_type = design.get("type")
    if design_type in DESIGN_MECHANISMS:
        key, text = DESIGN_MECHANISMS[design_type]
        found.append(Mechanism(key, text, ("design.type",), "serious"))
    if design.get("risk_of_bias") == "high":
        found.append(
            Mechanism(
                "overall",
                "its overall risk of bias was judged high",
                ("design.risk_of_bias",),
                "serious",
            )
        )
    if design.get("allocation_concealment") is False and design_type not in NON_RANDOMISED_DESIGNS:
        found.append(
            Mechanism(
                "concealment",
                "allocation was not concealed",
                ("design.allocation_concealment",),
                "ordinary",
            )
        )
    expectation = _expectation(design, kind)
    if expectation is not None:
        found.append(expectation)
    elif design_type not in ("single_arm", "meta_analysis") and design.get("blinding") is None:
        # An unreported safeguard is never counted as in place (it lowers what can be said).
        objective = kind in OBJECTIVE_ENDPOINT_KINDS
        found.append(
            Mechanism(
                "blinding_unreported",
                "it does not report whether participants and assessors were blinded, so an "
                "expectation effect cannot be ruled out"
                + ("; the primary outcome is objective, so this weighs less" if objective else ""),
                ("design.blinding", "primary_endpoint.kind") if objective else ("design.blinding",),
                "light" if objective else "ordinary",
            )
        )
    size, centres = design.get("sample_size"), design.get("centres")
    if (
        design_type != "meta_analysis"
        and size is not None
        and size < SMALL_TRIAL_PATIENTS
        and centres == 1
    ):
        found.append(
            Mechanism(
                "small_single_centre",
                f"it is a small single-centre study ({size} participants, under the project's "
                f"cut-off of {SMALL_TRIAL_PATIENTS}), the setting in which effects tend to be "
                "overstated",
                ("design.sample_size", "design.centres"),
                "ordinary",
            )
        )
    return found


def bias_severity(mechanisms: list[Mechanism]) -> str:
    weights = [m.weight for m in mechanisms]
    if "serious" in weights or weights.count("ordinary") >= 2:
        return "major"
    return "moderate" if "ordinary" in weights else "minor"


def unreported_safeguards(design: Mapping[str, Any]) -> list[str]:
    """Design facts the study does not give: never counted as safeguards."""
    missing = []
    if design.get("type") is None:
        missing.append("whether it was randomised")
    if design.get("type") not in ("single_arm", "meta_analysis"):
        if design.get("blinding") is None:
            missing.append("its blinding")
        if design.get("comparator") is None:
            missing.append("its comparator")
        if design.get("allocation_concealment") is None and design.get("type") == "rct":
            missing.append("allocation concealment")
    return missing


# ---------------------------------------------------------------- certainty interface
# The certainty rating of `review` (kb/certainty.py) judges each pooled study by these
# design flaws (reason -> whether it is serious on its own); the single-study rule reads
# mechanisms instead (above).
BIAS_REASONS = {
    "not randomised": True,
    "at high overall risk of bias": True,
    "open label": False,
    "without a placebo or active control": False,
    "without concealed allocation": False,
    "a small single-centre study": False,
}


def bias_reasons(design: Mapping[str, Any]) -> list[str]:
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


# ---------------------------------------------------------------- intervals


def ci_level(effect: Mapping[str, Any]) -> float:
    level = effect.get("effect_ci_level")
    return DEFAULT_CI_LEVEL if level is None else float(level)


def interval_95(effect: Mapping[str, Any]) -> tuple[float, float] | None:
    """The effect's CI rescaled to 95% (log scale for ratios); None without a CI."""
    measure, estimate = effect.get("effect_measure"), effect.get("effect_estimate")
    low, high = effect.get("effect_ci_low"), effect.get("effect_ci_high")
    if measure is None or low is None or high is None:
        return None
    level = ci_level(effect)
    if level == DEFAULT_CI_LEVEL or estimate is None:
        return (low, high)
    factor = _NORMAL.inv_cdf(0.975) / _NORMAL.inv_cdf(0.5 + level / 200)
    if measure in RATIO_MEASURES:
        centre = math.log(estimate)
        return (
            math.exp(centre - (centre - math.log(low)) * factor),
            math.exp(centre + (math.log(high) - centre) * factor),
        )
    return (estimate - (estimate - low) * factor, estimate + (high - estimate) * factor)


def _null(measure: Any) -> float:
    return 1.0 if measure in RATIO_MEASURES else 0.0


def includes_no_effect(effect: Mapping[str, Any]) -> bool:
    low, high = interval_95(effect) or (None, None)
    return includes_null(effect.get("effect_measure"), low, high)


def stated_effect(effect: Mapping[str, Any]) -> str:
    """'OR 0.9 (95% CI 0.72–1.12)', with the CI level the study gave."""
    text = effect_text(
        effect.get("effect_measure"),
        effect.get("effect_estimate"),
        effect.get("effect_ci_low"),
        effect.get("effect_ci_high"),
    )
    level = ci_level(effect)
    return text if level == DEFAULT_CI_LEVEL else text.replace("95% CI", f"{level:g}% CI")


def interval_reading(effect: Mapping[str, Any], indication: Any, kind: Any) -> dict[str, Any]:
    """What a 95% interval that includes no effect rules in and out, as text values."""
    measure = effect.get("effect_measure")
    interval = interval_95(effect)
    assert interval is not None  # read only for an interval that includes no effect
    low, high = interval
    values: dict[str, Any] = {
        "effect": stated_effect(effect),
        "low": f"{low:.2g}",
        "high": f"{high:.2g}",
    }
    if measure in RATIO_MEASURES:
        values["low"], values["high"] = f"{low:.2f}", f"{high:.2f}"
        values["reduction"] = round((1 - low) * 100)
        values["increase"] = round((high - 1) * 100)
        bound_low, bound_high = PRECISE_RATIO_BOUNDS
        values["precise"] = bound_low <= low and high <= bound_high
        values["bound_low"], values["bound_high"] = f"{bound_low:.2f}", f"{bound_high:.2f}"
        values["faq_strata_excluded"] = (
            indication == "sepsis" and kind == "mortality" and low > 0.41
        )
        values["measure"] = measure
    else:
        values["precise"] = False
        values["faq_strata_excluded"] = False
    return values


def fragile_reason(result: Mapping[str, Any]) -> str | None:
    """Why a claimed benefit is fragile: 'ci' (95% CI includes no effect) or 'p' (p ≥ α)."""
    if result.get("primary") != "benefit":
        return None
    if interval_95(result) is not None:
        return "ci" if includes_no_effect(result) else None
    p_value = result.get("effect_p_value")
    return "p" if p_value is not None and p_value >= ALPHA else None


# ---------------------------------------------------------------- quality strata


def benefit_sign(
    kind: Any, counted_event: Any, primary: Any, result: Mapping[str, Any]
) -> int | None:
    """-1 when estimates below the null mean benefit, +1 above, None when unknown."""
    event = counted_event
    if event is None:
        event = {
            "mortality": "unfavourable",
            "virological_response": "favourable",
            "tumour_response": "favourable",
        }.get(kind)
    if event is not None:
        return -1 if event == "unfavourable" else 1
    estimate = result.get("effect_estimate")
    if primary in ("benefit", "harm") and estimate is not None:
        side = -1 if estimate < _null(result.get("effect_measure")) else 1
        return side if primary == "benefit" else -side
    return None


def _side(sub: Mapping[str, Any]) -> int | None:
    estimate = sub.get("effect_estimate")
    if estimate is None:
        return None
    null = _null(sub.get("effect_measure"))
    return 0 if estimate == null else (-1 if estimate < null else 1)


def _significant(sub: Mapping[str, Any]) -> bool | None:
    """Whether the 95% interval (or, without one, the p-value) excludes no effect."""
    low, high = interval_95(sub) or (None, None)
    return excludes_null(sub.get("effect_measure"), low, high, sub.get("effect_p_value"))


def strata_pattern(
    lower: Mapping[str, Any], higher: Mapping[str, Any], sign: int | None
) -> str | None:
    """lower_only | both_differ | opposite | lower_harm, or None when the strata do not
    disagree."""
    if _significant(lower) is not True:
        return None
    lower_side = _side(lower)
    higher_side = _side(higher)
    if _significant(higher) is True and lower_side and higher_side == -lower_side:
        return "opposite"  # both exclude no effect, on opposite sides of it
    if sign is not None and lower_side == -sign:
        return (
            "lower_harm" if _significant(higher) is False or _side(higher) != lower_side else None
        )
    if _significant(higher) is False:
        return "lower_only"
    if _significant(higher) is True and _side(higher) == lower_side and lower_side:
        test = difference_test(dict(lower), dict(higher))
        further = abs(
            math.log(lower["effect_estimate"])
            if lower.get("effect_measure") in RATIO_MEASURES
            else lower["effect_estimate"]
        ) > abs(
            math.log(higher["effect_estimate"])
            if higher.get("effect_measure") in RATIO_MEASURES
            else higher["effect_estimate"]
        )
        if test is not None and test.p_value is not None and test.p_value < ALPHA and further:
            return "both_differ"
    return None


def pooled_strata(lower: Mapping[str, Any], higher: Mapping[str, Any]) -> dict[str, Any] | None:
    """Fixed-effect inverse-variance pooling of two ratio strata (log scale)."""
    if lower.get("effect_measure") != higher.get("effect_measure"):
        return None
    if lower.get("effect_measure") not in RATIO_MEASURES:
        return None
    logs, weights = [], []
    z95 = _NORMAL.inv_cdf(0.975)
    for sub in (lower, higher):
        interval = interval_95(sub)
        if interval is None or sub.get("effect_estimate") is None:
            return None
        se = (math.log(interval[1]) - math.log(interval[0])) / (2 * z95)
        if se <= 0:
            return None
        logs.append(math.log(sub["effect_estimate"]))
        weights.append(1 / se**2)
    total = sum(weights)
    centre = sum(w * x for w, x in zip(weights, logs, strict=True)) / total
    se = 1 / math.sqrt(total)
    low, high = math.exp(centre - z95 * se), math.exp(centre + z95 * se)
    return {
        "estimate": math.exp(centre),
        "ci_low": low,
        "ci_high": high,
        "lower_weight": weights[0] / total,
        "excludes_null": excludes_null(lower["effect_measure"], low, high),
    }


def _effect_cites(prefix: str, sub: Mapping[str, Any]) -> list[str]:
    cites = [f"{prefix}.by", f"{prefix}.level"]
    for key in ("estimate", "ci_low", "ci_high", "p_value"):
        if sub.get(f"effect_{key}") is not None:
            cites.append(f"{prefix}.effect.{key}")
    return cites


class StudyQualityRules(RuleSet):
    @concludes(
        "high-risk-of-bias",
        reads=(
            "indication",
            "result.primary",
            "design.type",
            "design.blinding",
            "design.comparator",
            "design.allocation_concealment",
            "design.sample_size",
            "design.centres",
            "design.risk_of_bias",
            "primary_endpoint.kind",
        ),
        needs=("result.primary", "design.type", "design.blinding", "design.comparator"),
        when={"result.primary": ["benefit", "harm"]},
    )
    @Rule(
        Study(indication=MATCH.indication),
        Result(primary=MATCH.primary & one_of(("benefit", "harm"))),
        AS.design << Design(),
        PrimaryEndpoint(kind=MATCH.kind),
        TEST(lambda design, kind: bool(bias_mechanisms(design, kind))),
    )
    def result_at_risk_of_bias(
        self, indication: str, primary: str, design: Mapping[str, Any], kind: str | None
    ) -> None:
        mechanisms = bias_mechanisms(design, kind)
        self.conclude(
            "high-risk-of-bias",
            "result.primary",
            *(path for m in mechanisms for path in m.cites),
            severity=bias_severity(mechanisms),
            primary=primary,
            indication=indication,
            mechanisms=[m.key for m in mechanisms],
            reasons=[m.text for m in mechanisms],
            observational=design.get("type") == "observational",
            unreported=unreported_safeguards(design),
        )

    @concludes(
        "imprecise-result",
        reads=(
            "indication",
            "result.primary",
            "primary_endpoint.kind",
            "result.effect.measure",
            "result.effect.estimate",
            "result.effect.ci_low",
            "result.effect.ci_high",
            "result.effect.ci_level",
        ),
        when={"result.primary": ["no_significant_effect", "harm"]},
    )
    @Rule(
        Study(indication=MATCH.indication),
        PrimaryEndpoint(kind=MATCH.kind),
        AS.result << Result(primary=MATCH.primary),
        TEST(lambda result, primary: primary != "benefit" and includes_no_effect(result)),
    )
    def interval_includes_no_effect(
        self, indication: str, kind: str | None, result: Mapping[str, Any], primary: str | None
    ) -> None:
        reading = interval_reading(result, indication, kind)
        cites = [
            "result.effect.measure",
            "result.effect.estimate",
            "result.effect.ci_low",
            "result.effect.ci_high",
        ]
        if ci_level(result) != DEFAULT_CI_LEVEL:
            cites.append("result.effect.ci_level")
        if primary is not None:
            cites.append("result.primary")
        self.conclude(
            "imprecise-result",
            *cites,
            severity="info" if reading["precise"] else "moderate",
            primary=primary,
            **reading,
        )

    @concludes(
        "imprecise-result",
        reads=("result.primary", "design.sample_size", "result.effect.ci_low"),
        needs=("result.primary",),
        when={"result.primary": ["no_significant_effect"]},
    )
    @Rule(
        AS.result << Result(primary="no_significant_effect"),
        TEST(lambda result: interval_95(result) is None),
        Design(
            sample_size=MATCH.size & P(lambda v: v is not None and v < UNDERPOWERED_NULL_PATIENTS)
        ),
    )
    def small_study_reports_no_effect(self, result: Mapping[str, Any], size: int) -> None:
        self.conclude(
            "imprecise-result",
            "result.primary",
            "design.sample_size",
            primary="no_significant_effect",
            sample_size=size,
            small=UNDERPOWERED_NULL_PATIENTS,
        )

    @concludes(
        "fragile-benefit",
        reads=(
            "result.primary",
            "result.effect.measure",
            "result.effect.estimate",
            "result.effect.ci_low",
            "result.effect.ci_high",
            "result.effect.ci_level",
            "result.effect.p_value",
        ),
        needs=("result.primary",),
        when={"result.primary": ["benefit"]},
    )
    @Rule(
        AS.result << Result(primary="benefit"),
        TEST(lambda result: fragile_reason(result) is not None),
    )
    def benefit_not_established(self, result: Mapping[str, Any]) -> None:
        reason = fragile_reason(result)
        cites = ["result.primary", "result.effect.measure"]
        values: dict[str, Any] = {
            "reason": reason,
            "alpha": ALPHA,
            "p_value": result.get("effect_p_value"),
        }
        if reason == "ci":
            cites += ["result.effect.estimate", "result.effect.ci_low", "result.effect.ci_high"]
            level = ci_level(result)
            interval = interval_95(result)
            assert interval is not None  # the reason "ci" is given only with an interval
            low, high = interval
            values.update(
                effect=stated_effect(result),
                level=round(level, 1) if level % 1 else int(level),
                ci95=f"{low:.2f}–{high:.2f}",
                ci95_low=low,
                ci95_high=high,
            )
            if level != DEFAULT_CI_LEVEL:
                cites.append("result.effect.ci_level")
        if result.get("effect_p_value") is not None:
            cites.append("result.effect.p_value")
        self.conclude("fragile-benefit", *cites, **values)

    @concludes(
        "quality-subgroups-disagree",
        reads=(
            "design.type",
            "primary_endpoint.kind",
            "primary_endpoint.counted_event",
            "result.primary",
            "result.effect.estimate",
            "subgroups.*.name",
            "subgroups.*.by",
            "subgroups.*.level",
            "subgroups.*.sample_size",
            "subgroups.*.effect.measure",
            "subgroups.*.effect.estimate",
            "subgroups.*.effect.ci_low",
            "subgroups.*.effect.ci_high",
            "subgroups.*.effect.ci_level",
            "subgroups.*.effect.p_value",
        ),
    )
    @Rule(
        AS.endpoint << PrimaryEndpoint(),
        AS.result << Result(),
        AS.lower << Subgroup(by="study_quality", level=level_in(LOWER_QUALITY_LEVELS)),
        AS.higher << Subgroup(by="study_quality", level=level_in(HIGHER_QUALITY_LEVELS)),
        TEST(
            lambda endpoint, result, lower, higher: (
                strata_pattern(lower, higher, _study_sign(endpoint, result)) is not None
            )
        ),
    )
    def quality_strata_disagree(
        self,
        endpoint: Mapping[str, Any],
        result: Mapping[str, Any],
        lower: Mapping[str, Any],
        higher: Mapping[str, Any],
    ) -> None:
        pattern = strata_pattern(lower, higher, _study_sign(endpoint, result))
        test = difference_test(dict(lower), dict(higher))
        values: dict[str, Any] = {
            "pattern": pattern,
            "lower_name": lower["name"],
            "higher_name": higher["name"],
            "lower_effect": stated_effect(lower),
            "higher_effect": stated_effect(higher),
            "lower_size": lower.get("sample_size"),
            "higher_size": higher.get("sample_size"),
            "interaction_p": None if test is None else test.p_value,
            "ratio": None if test is None else test.text,
            "alpha": ALPHA,
        }
        pooled = pooled_strata(lower, higher)
        if pattern == "lower_only" and pooled is not None and pooled["excludes_null"]:
            values["pooled"] = effect_text(
                lower["effect_measure"],
                round(pooled["estimate"], 2),
                round(pooled["ci_low"], 2),
                round(pooled["ci_high"], 2),
            )
            values["pooled_estimate"] = pooled["estimate"]
            values["lower_weight"] = round(pooled["lower_weight"] * 100)
        self.conclude(
            "quality-subgroups-disagree",
            *_effect_cites(f"subgroups.{lower['index']}", lower),
            *_effect_cites(f"subgroups.{higher['index']}", higher),
            severity="major" if pattern in ("lower_only", "opposite") else "moderate",
            **values,
        )

    @concludes(
        "endpoint-definition-unclear",
        reads=("primary_endpoint.definition_reported",),
        needs=("primary_endpoint.definition_reported",),
        when={"primary_endpoint.definition_reported": [False]},
    )
    @Rule(PrimaryEndpoint(definition_reported=False))
    def endpoint_not_defined(self) -> None:
        self.conclude("endpoint-definition-unclear", "primary_endpoint.definition_reported")


def _study_sign(endpoint: Mapping[str, Any], result: Mapping[str, Any]) -> int | None:
    return benefit_sign(
        endpoint.get("kind"), endpoint.get("counted_event"), result.get("primary"), result
    )
