"""Factor 6, population heterogeneity (FAQ 2): who was enrolled, and subgroup claims."""

from __future__ import annotations

from typing import Any

from thymoscope.engine.experta_compat import AS, NOT, TEST, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.effects import excludes_null
from thymoscope.kb.facts import Population, Study, Subgroup
from thymoscope.kb.thresholds import ALPHA


def subgroup_weaknesses(sub: dict[str, Any]) -> list[tuple[str, str]]:
    """(reason, field) pairs that lower the credibility of a claimed subgroup effect."""
    weak = []
    if sub.get("prespecified") is False:
        weak.append(("not pre-specified", "prespecified"))
    if sub.get("interaction_p") is None:
        weak.append(("no test of interaction reported", "interaction_p"))
    elif sub["interaction_p"] >= ALPHA:
        weak.append(
            (f"interaction test not significant (p = {sub['interaction_p']:g})", "interaction_p")
        )
    if sub.get("credibility") in ("low", "moderate"):
        weak.append((f"credibility rated {sub['credibility']}", "credibility"))
    return weak


def is_subgroup_claim(sub: dict[str, Any]) -> bool:
    """A subgroup reported as showing an effect, or whose credibility was rated."""
    shows_effect = excludes_null(
        sub.get("effect_measure"),
        sub.get("effect_ci_low"),
        sub.get("effect_ci_high"),
        sub.get("effect_p_value"),
    )
    return bool(shows_effect) or sub.get("credibility") is not None


def is_weak_claim(sub: Any) -> bool:
    """A subgroup (not a quality stratum) claimed to show an effect, on weak support."""
    return (
        sub.get("by") != "study_quality"
        and is_subgroup_claim(sub)
        and bool(subgroup_weaknesses(sub))
    )


class PopulationHeterogeneityRules(RuleSet):
    @concludes(
        "unselected-sepsis-population",
        reads=("indication", "population.selected_by_biomarker", "subgroups.*.by"),
        needs=("population.selected_by_biomarker",),
        when={"population.selected_by_biomarker": [False]},
        applies_to=("sepsis",),
    )
    @Rule(
        Study(indication="sepsis"),
        Population(selected_by_biomarker=False),
        NOT(Subgroup(by="immune_status")),
    )
    def sepsis_population_not_selected(self) -> None:
        self.conclude(
            "unselected-sepsis-population", "indication", "population.selected_by_biomarker"
        )

    @concludes(
        "low-credibility-subgroup-claim",
        reads=(
            "subgroups.*.name",
            "subgroups.*.by",
            "subgroups.*.prespecified",
            "subgroups.*.interaction_p",
            "subgroups.*.credibility",
            "subgroups.*.effect.measure",
            "subgroups.*.effect.estimate",
            "subgroups.*.effect.ci_low",
            "subgroups.*.effect.ci_high",
            "subgroups.*.effect.p_value",
        ),
    )
    @Rule(
        AS.sub << Subgroup(),
        TEST(lambda sub: is_weak_claim(sub)),
    )
    def weak_subgroup_claim(self, sub: dict[str, Any]) -> None:
        # One finding covers every weak subgroup: each firing names them all (in study
        # order), so the merged explanation does not depend on which firing came first.
        weak_subs = sorted(
            (
                fact
                for fact in self.facts.values()
                if isinstance(fact, Subgroup) and is_weak_claim(fact)
            ),
            key=lambda fact: fact["index"],
        )
        per_sub = [
            (other["name"], [reason for reason, _ in subgroup_weaknesses(other)])
            for other in weak_subs
        ]
        if len(per_sub) == 1:
            reasons = per_sub[0][1]
        else:
            reasons = [f"{name}: {', '.join(why)}" for name, why in per_sub]
        weak = subgroup_weaknesses(sub)
        prefix = f"subgroups.{sub['index']}"
        self.conclude(
            "low-credibility-subgroup-claim",
            f"{prefix}.name",
            *(f"{prefix}.{field}" for _, field in weak),
            subgroups=[name for name, _ in per_sub],
            reasons=reasons,
        )
