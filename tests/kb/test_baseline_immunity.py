"""kb/rules/baseline_immunity.py: each rule fires on one study and not on its near twin."""

from __future__ import annotations

from tests.conftest import DELETE
from tests.kb.rulecase import RuleCase

CASES = [
    RuleCase(
        rule="immunocompetent_population",
        finding="immunocompetent-population",
        fire={
            "population": {"immune_status": "normal", "suppression": []},
            "result": {"primary": "no_significant_effect", "effect": DELETE},
        },
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": "normal", "result.primary": "no_significant_effect"},
        texts=("normal baseline immunity", "null result"),
        severity="major",
        name="null",
    ),
    RuleCase(
        rule="immunocompetent_population",
        finding="immunocompetent-population",
        fire={"population": {"immune_status": "normal", "suppression": []}},
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": "normal", "result.primary": "benefit"},
        texts=("normal baseline immunity", "its benefit may not carry over"),
        severity="moderate",
        name="benefit",
    ),
    RuleCase(
        rule="mixed_population_not_stratified",
        finding="immunocompetent-population",
        fire={"population": {"immune_status": "mixed", "selected_by_biomarker": False}},
        silent={
            "subgroups": [{"name": "HLA-DR low", "by": "immune_status", "level": "suppressed"}]
        },
        cites={
            "population.immune_status": "mixed",
            "population.selected_by_biomarker": False,
            "result.primary": "benefit",
        },
        texts=("a mix of immune states",),
        severity="moderate",
    ),
    RuleCase(
        rule="mixed_population_not_stratified",
        finding="immunocompetent-population",
        fire={"population": {"immune_status": "mixed", "selected_by_biomarker": DELETE}},
        silent={"population": {"selected_by_biomarker": True}},
        cites={"population.immune_status": "mixed", "population.selected_by_biomarker": None},
        name="selection-unknown",
    ),
    RuleCase(
        rule="immune_status_unknown",
        finding="immune-status-unknown",
        fire={"population": {"immune_status": DELETE}},
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": None},
        texts=("population.immune_status",),
    ),
]
