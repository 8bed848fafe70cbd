"""Factor 1, baseline immunity (FAQ 1): benefit is expected where immunity is impaired."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, NOT, P, Rule
from thymoscope.engine.facts import Population, Result, Subgroup


class BaselineImmunityRules:
    @Rule(Population(immune_status="normal"), Result(primary=MATCH.primary))
    def immunocompetent_population(self, primary):  # type: ignore[no-untyped-def]
        self.conclude(
            "immunocompetent-population",
            "population.immune_status",
            "result.primary",
            severity="major" if primary == "no_significant_effect" else "moderate",
            status="normal",
            primary=primary,
        )

    @Rule(
        Population(immune_status="mixed", selected_by_biomarker=P(lambda v: v is not True)),
        NOT(Subgroup(by="immune_status")),
        Result(primary=MATCH.primary),
    )
    def mixed_population_not_stratified(self, primary):  # type: ignore[no-untyped-def]
        self.conclude(
            "immunocompetent-population",
            "population.immune_status",
            "population.selected_by_biomarker",
            "result.primary",
            severity="major" if primary == "no_significant_effect" else "moderate",
            status="mixed",
            primary=primary,
        )

    @Rule(Population(immune_status=None))
    def immune_status_unknown(self):  # type: ignore[no-untyped-def]
        self.conclude("immune-status-unknown", "population.immune_status")
