"""Factor 1, baseline immunity (FAQ 1): benefit is expected where immunity is impaired."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, NOT, P, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Population, Result, Subgroup


class BaselineImmunityRules(RuleSet):
    @concludes(
        "immunocompetent-population",
        reads=("population.immune_status", "result.primary"),
        needs=("population.immune_status",),
        when={"population.immune_status": ["normal"]},
    )
    @Rule(Population(immune_status="normal"), Result(primary=MATCH.primary))
    def immunocompetent_population(self, primary: str) -> None:
        self.conclude(
            "immunocompetent-population",
            "population.immune_status",
            "result.primary",
            severity="major" if primary == "no_significant_effect" else "moderate",
            status="normal",
            primary=primary,
        )

    @concludes(
        "immunocompetent-population",
        reads=(
            "population.immune_status",
            "population.selected_by_biomarker",
            "subgroups.*.by",
            "result.primary",
        ),
        needs=("population.immune_status",),
        when={"population.immune_status": ["mixed"]},
    )
    @Rule(
        Population(immune_status="mixed", selected_by_biomarker=P(lambda v: v is not True)),
        NOT(Subgroup(by="immune_status")),
        Result(primary=MATCH.primary),
    )
    def mixed_population_not_stratified(self, primary: str) -> None:
        self.conclude(
            "immunocompetent-population",
            "population.immune_status",
            "population.selected_by_biomarker",
            "result.primary",
            severity="major" if primary == "no_significant_effect" else "moderate",
            status="mixed",
            primary=primary,
        )

    @concludes("immune-status-unknown", reads=("population.immune_status",))
    @Rule(Population(immune_status=None))
    def immune_status_unknown(self) -> None:
        self.conclude("immune-status-unknown", "population.immune_status")
