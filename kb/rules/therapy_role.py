"""Factor 2, therapy role (FAQ 1, 3, 4): alone, or alongside another treatment.

Texts give the FAQ 4 rationale (Toll-like receptor signalling on dendritic and T cells)
and branch on the direction of the result: a positive single-agent trial is not told
that a null result says little.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thymoscope.engine.experta_compat import AS, MATCH, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Intervention, Result, Study
from thymoscope.kb.rules.conditions import one_of, shares_any
from thymoscope.kb.thresholds import ANTICANCER_PARTNERS

SIDE_EFFECT_ENDPOINTS = ("radiation_pneumonitis", "adverse_events")
RADIOTHERAPY_PARTNERS = frozenset({"radiotherapy", "chemoradiotherapy"})
OTHER_PRODUCTS = ("thymosin_fraction_5", "other_thymic_peptide")


class TherapyRoleRules(RuleSet):
    @concludes(
        "cancer-monotherapy",
        reads=(
            "indication",
            "cancer_type",
            "intervention.role",
            "intervention.product",
            "result.primary",
        ),
        needs=("intervention.role",),
        when={"intervention.role": ["monotherapy"]},
        applies_to=("cancer",),
    )
    @Rule(
        Study(indication="cancer", cancer_type=MATCH.cancer_type),
        AS.intervention << Intervention(role="monotherapy"),
        Result(primary=MATCH.primary),
    )
    def cancer_monotherapy(
        self, cancer_type: str | None, intervention: Mapping[str, Any], primary: str | None
    ) -> None:
        self.conclude(
            "cancer-monotherapy",
            "indication",
            "intervention.role",
            *(("result.primary",) if primary is not None else ()),
            severity="major" if primary == "no_significant_effect" else "moderate",
            cancer_type=cancer_type,
            product=intervention.get("product"),
            primary=primary,
        )

    @concludes(
        "adjuvant-benefit-plausible",
        reads=(
            "indication",
            "intervention.role",
            "intervention.combined_with",
            "intervention.sequence",
            "secondary_endpoints",
            "result.primary",
        ),
        needs=("intervention.role", "intervention.combined_with"),
        when={"intervention.role": ["adjuvant"]},
        applies_to=("cancer",),
    )
    @Rule(
        AS.study << Study(indication="cancer"),
        AS.intervention
        << Intervention(
            role="adjuvant", combined_with=MATCH.partners & shares_any(ANTICANCER_PARTNERS)
        ),
        Result(primary=MATCH.primary),
    )
    def adjuvant_benefit_plausible(
        self,
        study: Mapping[str, Any],
        intervention: Mapping[str, Any],
        partners: tuple[str, ...],
        primary: str | None,
    ) -> None:
        measured = study.get("secondary_endpoints")
        side_effects: list[str] | None = None
        if measured is not None:
            side_effects = [e for e in SIDE_EFFECT_ENDPOINTS if e in measured]
            if not side_effects and "other" in measured:
                side_effects = None  # an unnamed endpoint may be one: not known to be absent
        sequence = intervention.get("sequence")
        cites = ["indication", "intervention.role", "intervention.combined_with"]
        if sequence is not None:
            cites.append("intervention.sequence")
        if measured is not None:
            cites.append("secondary_endpoints")
        self.conclude(
            "adjuvant-benefit-plausible",
            *cites,
            partners=sorted(p for p in partners if p in ANTICANCER_PARTNERS),
            sequence=sequence,
            side_effects=side_effects,
            radiotherapy=bool(RADIOTHERAPY_PARTNERS.intersection(partners)),
            primary=primary,
        )

    @concludes(
        "chb-monotherapy",
        reads=("indication", "intervention.role", "result.primary"),
        needs=("intervention.role",),
        when={"intervention.role": ["monotherapy"]},
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(indication="chronic_hepatitis_b"),
        Intervention(role="monotherapy"),
        Result(primary=MATCH.primary),
    )
    def chb_monotherapy(self, primary: str | None) -> None:
        self.conclude(
            "chb-monotherapy",
            "indication",
            "intervention.role",
            *(("result.primary",) if primary is not None else ()),
            primary=primary,
        )

    @concludes(
        "different-thymic-product",
        reads=("intervention.product",),
        needs=("intervention.product",),
        when={"intervention.product": list(OTHER_PRODUCTS)},
    )
    @Rule(Intervention(product=MATCH.product & one_of(OTHER_PRODUCTS)))
    def not_thymalfasin(self, product: str) -> None:
        self.conclude("different-thymic-product", "intervention.product", product=product)
