"""Factor 7, biological endpoints (FAQ 2, 4): immune markers show whether the drug acted.

APACHE II and SOFA are severity scores (clinical endpoints), not immune markers; texts
branch on the direction of the clinical result.
"""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, TEST, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import PrimaryEndpoint, Result, Study
from thymoscope.kb.rules.conditions import one_of
from thymoscope.kb.thresholds import IMMUNE_MARKERS, SEVERITY_SCORES

SCORE_NAMES = {"apache_ii": "APACHE II", "sofa": "SOFA"}
MARKER_NAMES = {
    "hla_dr": "HLA-DR",
    "cd3": "CD3",
    "cd4": "CD4",
    "cd8": "CD8",
    "cd4_cd8_ratio": "CD4/CD8 ratio",
    "lymphocyte_count": "lymphocyte count",
    "cytokines": "cytokines",
    "nk_cells": "NK cells",
}


class BiologicalEndpointRules(RuleSet):
    @concludes(
        "immune-endpoints-missing",
        reads=(
            "indication",
            "secondary_endpoints",
            "result.immune_markers_improved",
            "primary_endpoint.kind",
            "result.primary",
        ),
        needs=("secondary_endpoints",),
        applies_to=("sepsis", "cancer"),
    )
    @Rule(
        Study(
            indication=MATCH.indication & one_of(IMMUNE_MARKERS), secondary_endpoints=MATCH.measured
        ),
        TEST(
            lambda indication, measured: (
                measured is not None and not IMMUNE_MARKERS[indication].intersection(measured)
            )
        ),
        Result(immune_markers_improved=None, primary=MATCH.primary),
        PrimaryEndpoint(kind=MATCH.kind),
        TEST(lambda kind: kind != "immunological"),
    )
    def no_immune_markers_measured(
        self, indication: str, measured: tuple[str, ...], primary: str | None
    ) -> None:
        scores = sorted(SEVERITY_SCORES.intersection(measured))
        self.conclude(
            "immune-endpoints-missing",
            "indication",
            "secondary_endpoints",
            "result.immune_markers_improved",
            *(("result.primary",) if primary is not None else ()),
            indication=indication,
            markers=sorted(IMMUNE_MARKERS[indication]),
            markers_text=", ".join(MARKER_NAMES[m] for m in sorted(IMMUNE_MARKERS[indication])),
            scores=scores,
            scores_text=" and ".join(SCORE_NAMES[s] for s in scores),
            primary=primary,
        )

    @concludes(
        "biological-activity-without-clinical-benefit",
        reads=("result.immune_markers_improved", "result.primary"),
        needs=("result.immune_markers_improved", "result.primary"),
        when={
            "result.immune_markers_improved": [True],
            "result.primary": ["no_significant_effect"],
        },
    )
    @Rule(Result(immune_markers_improved=True, primary="no_significant_effect"))
    def activity_without_clinical_benefit(self) -> None:
        self.conclude(
            "biological-activity-without-clinical-benefit",
            "result.immune_markers_improved",
            "result.primary",
        )

    @concludes(
        "immune-monitoring-not-serial",
        reads=("indication", "immune_monitoring", "result.primary"),
        needs=("immune_monitoring",),
        when={"immune_monitoring": ["single_timepoint"]},
        applies_to=("cancer",),
    )
    @Rule(
        Study(indication="cancer", immune_monitoring="single_timepoint"),
        Result(primary=MATCH.primary),
    )
    def single_immune_reading(self, primary: str | None) -> None:
        self.conclude(
            "immune-monitoring-not-serial",
            "indication",
            "immune_monitoring",
            *(("result.primary",) if primary is not None else ()),
            primary=primary,
        )
