"""Factor 3, dosing and regimen (FAQ 1, 2, 3).

Doses are read against the FAQ's 0.8–1.6 mg reference range (not "the range trials have
used": trials have used more); the advanced-fibrosis dose remark is a hypothesis that
applies only at or below the 0.8 mg the FAQ compared with 1.6 mg.
"""

from __future__ import annotations

from typing import Any

from thymoscope.engine.experta_compat import MATCH, TEST, P, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Intervention, Population, Result, Study
from thymoscope.kb.rules.conditions import KNOWN, one_of, outside
from thymoscope.kb.thresholds import (
    ADVANCED_FIBROSIS_DOSE_MG,
    LOW_DOSE_COMPARED_MG,
    REFERENCE_BODY_SURFACE_M2,
    REFERENCE_PROTOCOLS,
    USUAL_DOSE_MG,
)


def regimen_differences(indication: str, frequency: str | None, weeks: float | None) -> list[str]:
    """The fields of the regimen that are known and differ from the reference protocol."""
    reference = REFERENCE_PROTOCOLS[indication]
    differing = []
    if frequency is not None and frequency != reference.frequency:
        differing.append("frequency")
    low, high = reference.duration_weeks
    if weeks is not None and not low <= weeks <= high:
        differing.append("duration_weeks")
    return differing


def at_most(limit: float) -> Any:
    return P(lambda value: value is not None and value <= limit)


class DosingRules(RuleSet):
    @concludes(
        "dose-outside-usual-range",
        reads=("intervention.dose_unit", "intervention.dose"),
        needs=("intervention.dose", "intervention.dose_unit"),
        when={"intervention.dose_unit": ["mg"]},
    )
    @Rule(Intervention(dose_unit="mg", dose=MATCH.dose & outside(*USUAL_DOSE_MG)))
    def flat_dose_outside_usual_range(self, dose: float) -> None:
        low, high = USUAL_DOSE_MG
        self.conclude(
            "dose-outside-usual-range",
            "intervention.dose",
            "intervention.dose_unit",
            dose=dose,
            unit="mg",
            low=low,
            high=high,
            direction="above" if dose > high else "below",
        )

    @concludes(
        "dose-outside-usual-range",
        reads=("intervention.dose_unit", "intervention.dose"),
        needs=("intervention.dose", "intervention.dose_unit"),
        when={"intervention.dose_unit": ["mg_per_m2"]},
    )
    @Rule(Intervention(dose_unit="mg_per_m2", dose=MATCH.dose & KNOWN))
    def body_surface_dose(self, dose: float) -> None:
        low, high = USUAL_DOSE_MG
        self.conclude(
            "dose-outside-usual-range",
            "intervention.dose",
            "intervention.dose_unit",
            severity="minor",
            dose=dose,
            unit="mg/m²",
            low=low,
            high=high,
            direction="per body surface",
            approx_mg=round(dose * REFERENCE_BODY_SURFACE_M2, 2),
            body_surface=REFERENCE_BODY_SURFACE_M2,
        )

    @concludes(
        "regimen-differs-from-reference",
        reads=("indication", "intervention.frequency", "intervention.duration_weeks"),
        needs=("intervention.frequency", "intervention.duration_weeks"),
        applies_to=("sepsis", "chronic_hepatitis_b"),
    )
    @Rule(
        Study(indication=MATCH.indication & one_of(REFERENCE_PROTOCOLS)),
        Intervention(frequency=MATCH.frequency, duration_weeks=MATCH.weeks),
        TEST(
            lambda indication, frequency, weeks: bool(
                regimen_differences(indication, frequency, weeks)
            )
        ),
    )
    def regimen_differs_from_reference(
        self, indication: str, frequency: str | None, weeks: float | None
    ) -> None:
        differing = regimen_differences(indication, frequency, weeks)
        reference = REFERENCE_PROTOCOLS[indication]
        self.conclude(
            "regimen-differs-from-reference",
            "indication",
            *(f"intervention.{name}" for name in differing),
            differing=differing,
            frequency=frequency,
            weeks=weeks,
            reference=reference.description,
            reference_faq=reference.faq,
        )

    @concludes(
        "low-dose-advanced-fibrosis",
        reads=(
            "indication",
            "population.liver_fibrosis",
            "intervention.dose",
            "intervention.dose_unit",
            "result.primary",
        ),
        needs=("population.liver_fibrosis", "intervention.dose", "intervention.dose_unit"),
        when={"population.liver_fibrosis": ["advanced"], "intervention.dose_unit": ["mg"]},
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(indication="chronic_hepatitis_b"),
        Population(liver_fibrosis="advanced"),
        Intervention(dose_unit="mg", dose=MATCH.dose & at_most(LOW_DOSE_COMPARED_MG)),
        Result(primary=MATCH.primary),
    )
    def low_dose_advanced_fibrosis(self, dose: float, primary: str | None) -> None:
        self.conclude(
            "low-dose-advanced-fibrosis",
            "indication",
            "population.liver_fibrosis",
            "intervention.dose",
            "intervention.dose_unit",
            *(("result.primary",) if primary is not None else ()),
            dose=dose,
            compared_dose=LOW_DOSE_COMPARED_MG,
            reference_dose=ADVANCED_FIBROSIS_DOSE_MG,
            primary=primary,
        )
