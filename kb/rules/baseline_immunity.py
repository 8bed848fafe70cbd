"""Factor 1, baseline immunity (FAQ 1): benefit is expected where immunity is impaired.

Severity follows the direction of the result: a null result in an immunocompetent or
mixed population is what the immune-status argument predicts (moderate); a benefit or
harm there is only a limit on how far the result transfers (minor). For sepsis a mixed,
unselected population is reported once, by ``unselected-sepsis-population``.
"""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, NOT, P, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Population, Result, Study, Subgroup


def immune_severity(primary: str | None) -> str:
    return "moderate" if primary == "no_significant_effect" else "minor"


class BaselineImmunityRules(RuleSet):
    @concludes(
        "immunocompetent-population",
        reads=("population.immune_status", "result.primary"),
        needs=("population.immune_status",),
        when={"population.immune_status": ["normal"]},
    )
    @Rule(Population(immune_status="normal"), Result(primary=MATCH.primary))
    def immunocompetent_population(self, primary: str | None) -> None:
        self.conclude(
            "immunocompetent-population",
            "population.immune_status",
            *(("result.primary",) if primary is not None else ()),
            severity=immune_severity(primary),
            status="normal",
            selected=None,
            primary=primary,
        )

    @concludes(
        "immunocompetent-population",
        reads=(
            "indication",
            "population.immune_status",
            "population.selected_by_biomarker",
            "subgroups.*.by",
            "result.primary",
        ),
        needs=("population.immune_status",),
        # selected_by_biomarker: False or unknown both enable it (unknown is no selection
        # shown), so it is not a `when` field; True silences it (tested in CASES).
        when={"indication": {"not": ["sepsis"]}, "population.immune_status": ["mixed"]},
    )
    @Rule(
        Study(indication=P(lambda v: v != "sepsis")),
        Population(
            immune_status="mixed", selected_by_biomarker=MATCH.selected & P(lambda v: v is not True)
        ),
        NOT(Subgroup(by="immune_status")),
        Result(primary=MATCH.primary),
    )
    def mixed_population_not_stratified(self, selected: bool | None, primary: str | None) -> None:
        cites = ["indication", "population.immune_status"]
        if selected is not None:
            cites.append("population.selected_by_biomarker")
        if primary is not None:
            cites.append("result.primary")
        self.conclude(
            "immunocompetent-population",
            *cites,
            severity=immune_severity(primary),
            status="mixed",
            selected=selected,
            primary=primary,
        )

    @concludes("immune-status-unknown", reads=("population.immune_status",))
    @Rule(Population(immune_status=None))
    def immune_status_unknown(self) -> None:
        self.conclude("immune-status-unknown", "population.immune_status")
