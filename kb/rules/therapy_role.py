"""Factor 2, therapy role (FAQ 1, 3, 4): alone, or alongside another treatment."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, Rule
from thymoscope.engine.facts import Intervention, Study
from thymoscope.kb.rules.conditions import shares_any
from thymoscope.kb.thresholds import ANTICANCER_PARTNERS


class TherapyRoleRules:
    @Rule(
        Study(indication="cancer", cancer_type=MATCH.cancer_type), Intervention(role="monotherapy")
    )
    def cancer_monotherapy(self, cancer_type):  # type: ignore[no-untyped-def]
        self.conclude(
            "cancer-monotherapy", "indication", "intervention.role", cancer_type=cancer_type
        )

    @Rule(
        Study(indication="cancer"),
        Intervention(
            role="adjuvant", combined_with=MATCH.partners & shares_any(ANTICANCER_PARTNERS)
        ),
    )
    def adjuvant_benefit_plausible(self, partners):  # type: ignore[no-untyped-def]
        self.conclude(
            "adjuvant-benefit-plausible",
            "indication",
            "intervention.role",
            "intervention.combined_with",
            partners=sorted(p for p in partners if p in ANTICANCER_PARTNERS),
        )

    @Rule(Study(indication="chronic_hepatitis_b"), Intervention(role="monotherapy"))
    def chb_monotherapy(self):  # type: ignore[no-untyped-def]
        self.conclude("chb-monotherapy", "indication", "intervention.role")
