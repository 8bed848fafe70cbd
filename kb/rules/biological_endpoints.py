"""Factor 7, biological endpoints (FAQ 2, 4): immune markers show whether the drug acted."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, TEST, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import PrimaryEndpoint, Result, Study
from thymoscope.kb.rules.conditions import one_of
from thymoscope.kb.thresholds import IMMUNE_MARKERS


class BiologicalEndpointRules(RuleSet):
    @concludes(
        "immune-endpoints-missing",
        reads=(
            "indication",
            "secondary_endpoints",
            "result.immune_markers_improved",
            "primary_endpoint.kind",
        ),
        needs=("secondary_endpoints",),
        when={"primary_endpoint.kind": {"not": ["immunological"]}},
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
        Result(immune_markers_improved=None),
        PrimaryEndpoint(kind=MATCH.kind),
        TEST(lambda kind: kind != "immunological"),
    )
    def no_immune_markers_measured(self, indication: str, measured: tuple[str, ...]) -> None:
        self.conclude(
            "immune-endpoints-missing",
            "indication",
            "secondary_endpoints",
            "result.immune_markers_improved",
            indication=indication,
            markers=sorted(IMMUNE_MARKERS[indication]),
        )

    @concludes(
        "biological-activity-without-clinical-benefit",
        reads=("result.immune_markers_improved", "result.primary"),
        needs=("result.immune_markers_improved", "result.primary"),
        when={"result.primary": ["no_significant_effect"]},
    )
    @Rule(Result(immune_markers_improved=True, primary="no_significant_effect"))
    def activity_without_clinical_benefit(self) -> None:
        self.conclude(
            "biological-activity-without-clinical-benefit",
            "result.immune_markers_improved",
            "result.primary",
        )
