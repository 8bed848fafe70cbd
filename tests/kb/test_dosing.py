"""kb/rules/dosing.py: each rule fires on one study and not on its near twin."""

from __future__ import annotations

import pytest

from tests.conftest import make_study_dict
from tests.kb.rulecase import RuleCase, check_fires
from thymoscope.kb.rules.dosing import regimen_differences

CHB = make_study_dict(
    indication="chronic_hepatitis_b",
    population={
        "liver_fibrosis": "advanced",
        "hbeag": "positive",
        "suppression": ["other"],
        "selected_by_biomarker": None,
    },
    intervention={
        "role": "monotherapy",
        "combined_with": [],
        "dose": 1.6,
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    primary_endpoint={"kind": "virological_response", "name": "SVR", "months_after_therapy": 12},
    follow_up_months_after_therapy=12,
    secondary_endpoints=["alt_normalisation"],
)

CASES = [
    RuleCase(
        rule="flat_dose_outside_usual_range",
        finding="dose-outside-usual-range",
        fire={"intervention": {"dose": 3.2}},
        silent={"intervention": {"dose": 1.6}},
        cites={"intervention.dose": 3.2, "intervention.dose_unit": "mg"},
        texts=("3.2 mg, above the 0.8–1.6 mg range",),
        severity="moderate",
        name="above",
    ),
    RuleCase(
        rule="flat_dose_outside_usual_range",
        finding="dose-outside-usual-range",
        fire={"intervention": {"dose": 0.4}},
        silent={"intervention": {"dose": 0.8}},
        cites={"intervention.dose": 0.4},
        texts=("0.4 mg, below the 0.8–1.6 mg range",),
        name="below",
    ),
    RuleCase(
        rule="body_surface_dose",
        finding="dose-outside-usual-range",
        fire={"intervention": {"dose": 1.2, "dose_unit": "mg_per_m2"}},
        silent={"intervention": {"dose_unit": "mg"}},
        cites={"intervention.dose": 1.2, "intervention.dose_unit": "mg_per_m2"},
        texts=("1.2 mg/m²", "about 2.04 mg"),
        severity="minor",
    ),
    RuleCase(
        rule="regimen_differs_from_reference",
        finding="regimen-differs-from-reference",
        fire={"intervention": {"frequency": "daily"}},
        silent={"intervention": {"frequency": "twice_daily"}},
        cites={"indication": "sepsis", "intervention.frequency": "daily"},
        texts=("frequency (daily)", "twice a day for 5–7 days", "FAQ section 2"),
        name="sepsis-frequency",
    ),
    RuleCase(
        rule="regimen_differs_from_reference",
        finding="regimen-differs-from-reference",
        base=CHB,
        fire={"intervention": {"duration_weeks": 52, "frequency": "thrice_weekly"}},
        silent={"intervention": {"duration_weeks": 24, "frequency": "twice_weekly"}},
        cites={
            "indication": "chronic_hepatitis_b",
            "intervention.duration_weeks": 52.0,
            "intervention.frequency": "thrice_weekly",
        },
        texts=(
            "frequency (thrice weekly) and in duration (52.0 weeks)",
            "24–26 weeks",
            "FAQ section 3",
        ),
        name="chb-both",
    ),
    RuleCase(
        rule="regimen_differs_from_reference",
        finding="regimen-differs-from-reference",
        base=CHB,
        fire={"intervention": {"duration_weeks": 12}},
        silent={"intervention": {"duration_weeks": 26}},
        cites={"intervention.duration_weeks": 12.0},
        texts=("duration (12.0 weeks)",),
        name="chb-duration",
    ),
    RuleCase(
        rule="low_dose_advanced_fibrosis",
        finding="low-dose-advanced-fibrosis",
        base=CHB,
        fire={"intervention": {"dose": 0.8}},
        silent={"population": {"liver_fibrosis": "moderate"}},
        cites={
            "population.liver_fibrosis": "advanced",
            "intervention.dose": 0.8,
            "intervention.dose_unit": "mg",
        },
        texts=("received 0.8 mg, below the 1.6 mg",),
        name="fibrosis",
    ),
    RuleCase(
        rule="low_dose_advanced_fibrosis",
        finding="low-dose-advanced-fibrosis",
        base=CHB,
        fire={"intervention": {"dose": 1.0}},
        silent={"intervention": {"dose": 1.6}},
        cites={"intervention.dose": 1.0},
        name="dose",
    ),
]


def test_low_dose_finding_states_its_thin_evidence() -> None:
    found = check_fires(CASES[-1])
    assert found.evidence_note and "no difference" in found.evidence_note


@pytest.mark.parametrize(
    ("indication", "frequency", "weeks", "expected"),
    [
        ("sepsis", "twice_daily", 5 / 7, []),
        ("sepsis", "twice_daily", 1.0, []),
        ("sepsis", "twice_daily", 0.5, ["duration_weeks"]),
        ("sepsis", None, None, []),
        ("chronic_hepatitis_b", "twice_weekly", 24, []),
        ("chronic_hepatitis_b", "weekly", 27, ["frequency", "duration_weeks"]),
    ],
)
def test_regimen_differences(
    indication: str, frequency: str | None, weeks: float | None, expected: list[str]
) -> None:
    assert regimen_differences(indication, frequency, weeks) == expected
