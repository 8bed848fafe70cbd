"""kb/rules/dosing.py: each rule fires on one study and not on its near twin.

Review items 12 (low dose in advanced fibrosis: minor, a hypothesis, only at or below the
0.8 mg the FAQ compared) and 13 (a 3.2 mg trial is outside the FAQ's reference range,
not "above the range trials used").
"""

from __future__ import annotations

import pytest

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase, check_fires
from tests.kb.values import concluded
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

NULL = {"primary": "no_significant_effect", "effect": DELETE}

CASES = [
    RuleCase(
        rule="flat_dose_outside_usual_range",
        finding="dose-outside-usual-range",
        fire={"intervention": {"dose": 3.2}},
        silent={"intervention": {"dose": 1.6}},
        cites={"intervention.dose": 3.2, "intervention.dose_unit": "mg"},
        texts=("3.2 mg, above the 0.8–1.6 mg range the FAQ uses as its reference",),
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
        severity="moderate",
        name="below",
    ),
    RuleCase(
        rule="body_surface_dose",
        finding="dose-outside-usual-range",
        fire={"intervention": {"dose": 1.2, "dose_unit": "mg_per_m2"}},
        silent={"intervention": {"dose_unit": "mg"}},
        cites={"intervention.dose": 1.2, "intervention.dose_unit": "mg_per_m2"},
        texts=("1.2 mg/m²", "about 2.04 mg", "the project's assumed adult value"),
        severity="minor",
    ),
    RuleCase(
        # 1.25 x 1.7 = 2.125: the approximation is given to two decimals
        rule="body_surface_dose",
        finding="dose-outside-usual-range",
        fire={"intervention": {"dose": 1.25, "dose_unit": "mg_per_m2"}},
        silent={"intervention": {"dose_unit": "mg"}},
        texts=("1.25 mg/m²", "about 2.12 mg"),
        severity="minor",
        name="two-decimals",
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
        fire={"intervention": {"dose": 0.8}, "result": NULL},
        silent={"population": {"liver_fibrosis": "moderate"}},
        cites={
            "population.liver_fibrosis": "advanced",
            "intervention.dose": 0.8,
            "intervention.dose_unit": "mg",
            "result.primary": "no_significant_effect",
        },
        texts=("received 0.8 mg", "a hypothesis"),
        severity="minor",
        name="fibrosis",
    ),
    RuleCase(
        rule="low_dose_advanced_fibrosis",
        finding="low-dose-advanced-fibrosis",
        base=CHB,
        fire={"intervention": {"dose": 0.8}},
        silent={"intervention": {"dose": 1.0}},  # between the doses the FAQ compared
        cites={"intervention.dose": 0.8},
        severity="minor",
        name="dose",
    ),
]


def test_low_dose_finding_states_its_thin_evidence() -> None:
    found = check_fires(CASES[-1])
    assert found.evidence_note and "no difference" in found.evidence_note


@pytest.mark.parametrize(
    ("result", "phrase"),
    [
        (NULL, "one possible reason for a weaker result"),
        ({}, "sits uneasily with that report"),
        (
            {"primary": "harm", "effect": {"estimate": 1.5, "ci_low": 1.1, "ci_high": 2.0}},
            "does not account for the harm",
        ),
    ],
)
def test_low_dose_text_is_a_hypothesis_that_reads_the_direction(
    result: dict,
    phrase: str,  # type: ignore[type-arg]
) -> None:
    data = make_study_dict(CHB, intervention={"dose": 0.8}, result=result)
    found, values = concluded(data, "low-dose-advanced-fibrosis")
    assert (values["dose"], values["compared_dose"], values["reference_dose"]) == (0.8, 0.8, 1.6)
    assert found.severity == "minor"
    assert phrase in found.explanation
    assert "not a statement about dosing" in found.explanation
    for advice in ("should receive", "should be given", "call for the higher dose"):
        assert advice not in found.explanation


def test_high_dose_trial_is_not_said_to_be_above_the_range_trials_used() -> None:
    found, values = concluded(CASES[0].fire_dict(), "dose-outside-usual-range")
    assert (values["dose"], values["direction"], values["low"], values["high"]) == (
        3.2,
        "above",
        0.8,
        1.6,
    )
    assert "trials have used" not in found.explanation
    assert "FAQ uses as its reference" in found.explanation


@pytest.mark.parametrize(
    ("indication", "frequency", "weeks", "expected"),
    [
        ("sepsis", "twice_daily", 5 / 7, []),
        ("sepsis", "twice_daily", 1.0, []),
        ("sepsis", "twice_daily", 0.5, ["duration_weeks"]),
        ("sepsis", "twice_daily", 0.7, ["duration_weeks"]),  # just under 5 days
        ("sepsis", "twice_daily", 1.5, ["duration_weeks"]),  # ten and a half days
        ("sepsis", None, None, []),
        ("chronic_hepatitis_b", "twice_weekly", 24, []),
        ("chronic_hepatitis_b", "twice_weekly", 26, []),
        ("chronic_hepatitis_b", "twice_weekly", 23, ["duration_weeks"]),
        ("chronic_hepatitis_b", "weekly", 27, ["frequency", "duration_weeks"]),
    ],
)
def test_regimen_differences(
    indication: str, frequency: str | None, weeks: float | None, expected: list[str]
) -> None:
    assert regimen_differences(indication, frequency, weeks) == expected
