"""Factor 2, therapy role (FAQ 1, 3, 4): alone, or alongside another treatment."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Intervention, Study
from thymoscope.kb.rules.conditions import shares_any
from thymoscope.kb.thresholds import ANTICANCER_PARTNERS


class TherapyRoleRules(RuleSet):
    @concludes(
        "cancer-monotherapy",
        reads=("indication", "cancer_type", "intervention.role"),
        needs=("intervention.role",),
        when={"intervention.role": ["monotherapy"]},
        applies_to=("cancer",),
    )
    @Rule(
        Study(indication="cancer", cancer_type=MATCH.cancer_type), Intervention(role="monotherapy")
    )
    def cancer_monotherapy(self, cancer_type: str | None) -> None:
        self.conclude(
            "cancer-monotherapy", "indication", "intervention.role", cancer_type=cancer_type
        )

    @concludes(
        "adjuvant-benefit-plausible",
        reads=("indication", "intervention.role", "intervention.combined_with"),
        needs=("intervention.role", "intervention.combined_with"),
        when={"intervention.role": ["adjuvant"]},
        applies_to=("cancer",),
    )
    @Rule(
        Study(indication="cancer"),
        Intervention(
            role="adjuvant", combined_with=MATCH.partners & shares_any(ANTICANCER_PARTNERS)
        ),
    )
    def adjuvant_benefit_plausible(self, partners: tuple[str, ...]) -> None:
        self.conclude(
            "adjuvant-benefit-plausible",
            "indication",
            "intervention.role",
            "intervention.combined_with",
            partners=sorted(p for p in partners if p in ANTICANCER_PARTNERS),
        )

    @concludes(
        "chb-monotherapy",
        reads=("indication", "intervention.role"),
        needs=("intervention.role",),
        when={"intervention.role": ["monotherapy"]},
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(Study(indication="chronic_hepatitis_b"), Intervention(role="monotherapy"))
    def chb_monotherapy(self) -> None:
        self.conclude("chb-monotherapy", "indication", "intervention.role")
