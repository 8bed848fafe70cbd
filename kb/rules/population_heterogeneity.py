"""Factor 6, population heterogeneity (FAQ 2, 3): who was enrolled, and subgroup claims.

A subgroup claim needs a claimed *difference* between subgroups: a subgroup singled out
as showing an effect, one whose interaction test or credibility rating is reported, or
strata of one characteristic that disagree; strata that agree are not one. Its
credibility is read with the ICEMAN items the study file records (pre-specification,
within- or between-trial comparison, interaction test, number of subgroups tested).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from thymoscope.engine.experta_compat import AS, MATCH, NOT, TEST, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.effects import excludes_null, null_value
from thymoscope.kb.facts import Design, Population, Result, Study, Subgroup
from thymoscope.kb.rules.conditions import one_of
from thymoscope.kb.thresholds import (
    ALPHA,
    CHB_PROTOCOL_POPULATION,
    MANY_SUBGROUPS,
    SEPSIS_PROTOCOL_DEFINITION,
    SEPSIS_PROTOCOL_EXCLUSIONS,
)

SEPSIS_DEFINITION_TEXT = {"sepsis_1": "Sepsis-1", "sepsis_2": "Sepsis-2", "other": "other"}
EXCLUSION_TEXT = {
    "severe_immunosuppression": "participants with severe immunosuppression",
    "moribund": "moribund participants",
}
CHB_DIFFERENCE_TEXT = {
    "hbeag": "HBeAg-negative participants",
    "alt_elevated": "ALT not raised",
    "hbv_dna_detectable": "HBV DNA not detectable",
}


def protocol_differences(indication: str, population: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, text) for each known way the population differs from the FAQ protocol."""
    found: list[tuple[str, str]] = []
    if indication == "sepsis":
        definition = population.get("sepsis_definition")
        if definition is not None and definition != SEPSIS_PROTOCOL_DEFINITION:
            found.append(
                (
                    "sepsis_definition",
                    f"participants were defined by {SEPSIS_DEFINITION_TEXT[definition]} "
                    "criteria rather than Sepsis-3",
                )
            )
        exclusions = population.get("exclusions")
        if exclusions is not None:
            for item in sorted(SEPSIS_PROTOCOL_EXCLUSIONS - set(exclusions)):
                found.append(("exclusions", f"{EXCLUSION_TEXT[item]} were not excluded"))
    elif indication == "chronic_hepatitis_b":
        for field, expected in CHB_PROTOCOL_POPULATION.items():
            value = population.get(field)
            if value is not None and value != expected:
                found.append((field, CHB_DIFFERENCE_TEXT[field]))
    return found


# ------------------------------------------------------------------ subgroup claims


def _significant(sub: Mapping[str, Any]) -> bool:
    return bool(
        excludes_null(
            sub.get("effect_measure"),
            sub.get("effect_ci_low"),
            sub.get("effect_ci_high"),
            sub.get("effect_p_value"),
        )
    )


def _side(sub: Mapping[str, Any]) -> int:
    estimate = sub.get("effect_estimate")
    if estimate is None:
        return 0
    null = null_value(sub.get("effect_measure"))
    return int(estimate > null) - int(estimate < null)


def claims_difference(sub: Mapping[str, Any], siblings: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the study presents this subgroup as differing in effect from the rest."""
    if sub.get("by") == "study_quality":
        return False  # quality strata: quality-subgroups-disagree
    if sub.get("credibility") is not None:
        return True  # someone rated the credibility of an effect modification
    interaction = sub.get("interaction_p")
    if interaction is not None and interaction < ALPHA:
        return True
    if not _significant(sub):
        return False
    others = [
        s for s in siblings if s.get("index") != sub.get("index") and s.get("by") == sub.get("by")
    ]
    if not others:
        return True  # one subgroup singled out as showing an effect
    return any(not _significant(o) or _side(o) != _side(sub) for o in others)


def subgroup_weaknesses(
    sub: Mapping[str, Any], subgroups_tested: int | None
) -> list[tuple[str, tuple[str, ...]]]:
    """(reason, fields) pairs that lower the credibility of a claimed subgroup effect.

    Fields are relative to the subgroup, except ``design.*``.
    """
    weak: list[tuple[str, tuple[str, ...]]] = []
    if sub.get("prespecified") is False:
        weak.append(("not pre-specified", ("prespecified",)))
    elif sub.get("prespecified") is None:
        weak.append(("pre-specification not reported", ("prespecified",)))
    interaction = sub.get("interaction_p")
    if interaction is None:
        weak.append(("no test of interaction reported", ("interaction_p",)))
    elif interaction >= ALPHA:
        weak.append((f"interaction test not significant (p = {interaction:g})", ("interaction_p",)))
    elif sub.get("effect_ci_low") is None and sub.get("credibility") != "high":
        # A significant interaction reported without an interval for the subgroup effect
        # (TESTS: diabetes p 0.04); a reader's explicit ICEMAN rating of high covers it.
        weak.append(
            (
                f"interaction p = {interaction:g} given without a confidence interval for the "
                "subgroup effect",
                ("interaction_p", "effect.p_value")
                if sub.get("effect_p_value") is not None
                else ("interaction_p",),
            )
        )
    if sub.get("comparison") == "between_trial":
        weak.append(("a comparison between trials, not within them", ("comparison",)))
    if subgroups_tested is not None and subgroups_tested > MANY_SUBGROUPS:
        weak.append(
            (
                f"one of {subgroups_tested} subgroup analyses tested (more than the project's "
                f"cut-off of {MANY_SUBGROUPS})",
                ("design.subgroups_tested",),
            )
        )
    if sub.get("credibility") in ("low", "moderate"):
        weak.append((f"credibility rated {sub['credibility']}", ("credibility",)))
    return weak


class PopulationHeterogeneityRules(RuleSet):
    @concludes(
        "unselected-sepsis-population",
        reads=(
            "indication",
            "population.selected_by_biomarker",
            "population.immune_status",
            "subgroups.*.by",
            "result.primary",
        ),
        needs=("population.selected_by_biomarker",),
        applies_to=("sepsis",),
    )
    @Rule(
        Study(indication="sepsis"),
        Population(selected_by_biomarker=MATCH.selected, immune_status=MATCH.status),
        TEST(
            lambda selected, status: selected is False or (selected is None and status == "mixed")
        ),
        NOT(Subgroup(by="immune_status")),
        Result(primary=MATCH.primary),
    )
    def sepsis_population_not_selected(
        self, selected: bool | None, status: str | None, primary: str | None
    ) -> None:
        cites = ["indication"]
        cites.append(
            "population.selected_by_biomarker"
            if selected is not None
            else "population.immune_status"
        )
        if primary is not None:
            cites.append("result.primary")
        self.conclude(
            "unselected-sepsis-population",
            *cites,
            severity="moderate" if primary == "no_significant_effect" else "minor",
            selected=selected,
            status=status,
            primary=primary,
        )

    @concludes(
        "population-differs-from-protocol",
        reads=(
            "indication",
            "population.sepsis_definition",
            "population.exclusions",
            "population.hbeag",
            "population.alt_elevated",
            "population.hbv_dna_detectable",
        ),
        applies_to=("sepsis", "chronic_hepatitis_b"),
    )
    @Rule(
        Study(indication=MATCH.indication & one_of(("sepsis", "chronic_hepatitis_b"))),
        AS.population << Population(),
        TEST(lambda indication, population: bool(protocol_differences(indication, population))),
    )
    def population_outside_protocol(self, indication: str, population: Mapping[str, Any]) -> None:
        found = protocol_differences(indication, population)
        self.conclude(
            "population-differs-from-protocol",
            "indication",
            *(f"population.{field}" for field, _ in found),
            indication=indication,
            differing=sorted({field for field, _ in found}),
            differences=[text for _, text in found],
        )

    @concludes(
        "low-credibility-subgroup-claim",
        reads=(
            "design.subgroups_tested",
            "subgroups.*.name",
            "subgroups.*.by",
            "subgroups.*.prespecified",
            "subgroups.*.interaction_p",
            "subgroups.*.credibility",
            "subgroups.*.comparison",
            "subgroups.*.effect.measure",
            "subgroups.*.effect.estimate",
            "subgroups.*.effect.ci_low",
            "subgroups.*.effect.ci_high",
            "subgroups.*.effect.p_value",
        ),
    )
    @Rule(
        AS.design << Design(),
        AS.sub << Subgroup(),
        TEST(lambda sub: sub.get("by") != "study_quality"),
    )
    def weak_subgroup_claim(self, design: Mapping[str, Any], sub: Mapping[str, Any]) -> None:
        # One finding covers every weak claim: each firing names them all (in study order),
        # so the merged explanation does not depend on which firing came first.
        weak_subs = self._weak_claims(design.get("subgroups_tested"))
        if not any(s["index"] == sub["index"] for s, _ in weak_subs):
            return
        per_sub = [(s["name"], [reason for reason, _ in weak]) for s, weak in weak_subs]
        reasons = (
            per_sub[0][1]
            if len(per_sub) == 1
            else [f"{name}: {', '.join(why)}" for name, why in per_sub]
        )
        weak = next(w for s, w in weak_subs if s["index"] == sub["index"])
        prefix = f"subgroups.{sub['index']}"
        cites = [f"{prefix}.name"]
        for _, fields in weak:
            for field in fields:
                cites.append(field if field.startswith("design.") else f"{prefix}.{field}")
        self.conclude(
            "low-credibility-subgroup-claim",
            *cites,
            subgroups=[name for name, _ in per_sub],
            reasons=reasons,
        )

    def _weak_claims(
        self, tested: int | None
    ) -> list[tuple[Mapping[str, Any], list[tuple[str, tuple[str, ...]]]]]:
        subs = sorted(
            (fact for fact in self.facts.values() if isinstance(fact, Subgroup)),
            key=lambda fact: fact["index"],
        )
        found: list[tuple[Mapping[str, Any], list[tuple[str, tuple[str, ...]]]]] = []
        for sub in subs:
            if claims_difference(sub, subs):
                weak = subgroup_weaknesses(sub, tested)
                if weak:
                    found.append((sub, weak))
        return found
