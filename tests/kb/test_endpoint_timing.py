"""kb/rules/endpoint_timing.py: each rule fires on one study and not on its near twin.

Review items 10-11: the delayed-response argument stays with hepatitis B monotherapy and
with results that did not show benefit (h3-zhang2009: a positive lamivudine combination
is not told it "misses" the late response; x1-gravenstein: vaccine titres are not read
again at 6-12 months); follow-up follows the FAQ's 6-12 months after therapy (h1-chien
52 weeks read 6 months after therapy is within it); the two findings never report one
gap twice; no "0.0 months".
"""

from __future__ import annotations

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase
from tests.kb.values import concluded, diagnosed

NULL = {"primary": "no_significant_effect", "effect": DELETE}
CHB = make_study_dict(
    indication="chronic_hepatitis_b",
    population={"hbeag": "positive", "suppression": ["other"], "selected_by_biomarker": None},
    intervention={
        "role": "monotherapy",
        "combined_with": [],
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    primary_endpoint={
        "kind": "virological_response",
        "name": "SVR",
        "timing": "after_therapy",
        "months_after_therapy": 12,
    },
    follow_up_months_after_therapy=12,
    secondary_endpoints=["alt_normalisation"],
    result=NULL,
)
VACCINE = make_study_dict(
    indication="other",
    population={"immune_status": "normal", "suppression": []},
    intervention={"combined_with": ["vaccine"], "frequency": "twice_weekly", "duration_weeks": 2},
    primary_endpoint={
        "kind": "immunological",
        "name": "Antibody titre at 6 weeks",
        "timing": "end_of_therapy",
        "months_after_therapy": DELETE,
    },
    follow_up_months_after_therapy=DELETE,
)

CASES = [
    RuleCase(
        rule="chb_endpoint_at_end_of_therapy",
        finding="end-of-therapy-endpoint",
        base=CHB,
        fire={
            "primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": DELETE},
            "follow_up_months_after_therapy": 0,
        },
        silent={
            "result": {
                "primary": "benefit",
                "effect": {"measure": "risk_ratio", "estimate": 2.0, "ci_low": 1.2, "ci_high": 3.3},
            }
        },
        cites={
            "indication": "chronic_hepatitis_b",
            "primary_endpoint.timing": "end_of_therapy",
            "intervention.role": "monotherapy",
        },
        texts=("40.6%", "9.4%"),
        severity="major",
    ),
    RuleCase(
        rule="chb_endpoint_at_end_of_therapy",
        finding="end-of-therapy-endpoint",
        base=CHB,
        fire={"primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": DELETE}},
        silent={"intervention": {"role": "adjuvant", "combined_with": ["nucleoside_analogue"]}},
        severity="major",
        name="combination-silent",
    ),
    RuleCase(
        rule="chb_endpoint_at_end_of_therapy",
        finding="end-of-therapy-endpoint",
        base=CHB,
        fire={
            "primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": DELETE},
            "result": {"primary": None},
        },
        silent={"primary_endpoint": {"kind": "mortality"}},
        severity="moderate",
        name="result-unknown",
    ),
    RuleCase(
        rule="chb_follow_up_too_short",
        finding="follow-up-too-short",
        base=CHB,
        fire={"follow_up_months_after_therapy": 3, "primary_endpoint": {"months_after_therapy": 3}},
        silent={"follow_up_months_after_therapy": 6},
        cites={"indication": "chronic_hepatitis_b", "follow_up_months_after_therapy": 3.0},
        texts=("Follow-up ended 3 months after therapy", "6–12 months after therapy"),
        severity="major",
    ),
    RuleCase(
        rule="chb_follow_up_too_short",
        finding="follow-up-too-short",
        base=CHB,
        fire={
            "follow_up_months_after_therapy": 2.5,
            "primary_endpoint": {"months_after_therapy": 2.5},
        },
        silent={"primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": DELETE}},
        name="end-of-therapy-reported-once",
    ),
    RuleCase(
        rule="chb_endpoint_read_too_soon_after_therapy",
        finding="follow-up-too-short",
        base={**CHB, "follow_up_months_after_therapy": None},
        fire={"primary_endpoint": {"months_after_therapy": 3}},
        silent={"primary_endpoint": {"months_after_therapy": 6}},
        cites={
            "indication": "chronic_hepatitis_b",
            "follow_up_months_after_therapy": None,
            "primary_endpoint.months_after_therapy": 3.0,
            "result.primary": "no_significant_effect",  # cited when known
        },
        texts=("read 3 months after therapy",),
        severity="major",
        name="endpoint-months",
    ),
]


def test_end_of_therapy_and_follow_up_never_report_the_same_gap_twice() -> None:
    diagnosis = diagnosed(CASES[0].fire_dict())
    ids_ = diagnosis.finding_ids()
    assert "end-of-therapy-endpoint" in ids_ and "follow-up-too-short" not in ids_
    majors = [f.id for f in diagnosis.findings if f.severity == "major"]
    assert majors == ["end-of-therapy-endpoint"]


def test_no_zero_months_in_any_text() -> None:
    data = make_study_dict(
        CHB,
        follow_up_months_after_therapy=0,
        primary_endpoint={"timing": DELETE, "months_after_therapy": DELETE},
    )
    found, values = concluded(data, "follow-up-too-short")
    assert values["months"] == 0 and values["when"] == "when therapy ended"
    assert "0.0" not in found.explanation and "0 months" not in found.explanation


def test_six_months_after_therapy_is_within_the_faqs_range() -> None:
    # h1-chien-52wk: 52 weeks of therapy, read 6 months after: no follow-up finding.
    data = make_study_dict(
        CHB,
        intervention={"duration_weeks": 52},
        follow_up_months_after_therapy=6,
        primary_endpoint={"months_after_therapy": 6},
    )
    assert "follow-up-too-short" not in diagnosed(data).finding_ids()


def test_vaccine_titres_at_end_of_therapy_get_no_delayed_response_finding() -> None:
    assert "end-of-therapy-endpoint" not in diagnosed(VACCINE).finding_ids()


def test_positive_combination_read_at_end_of_therapy_gets_no_timing_finding() -> None:
    # h3-zhang2009-like: thymalfasin + lamivudine, positive at end of therapy.
    data = make_study_dict(
        CHB,
        intervention={"role": "adjuvant", "combined_with": ["nucleoside_analogue"]},
        primary_endpoint={"timing": "end_of_therapy", "months_after_therapy": DELETE},
        follow_up_months_after_therapy=0,
        result={
            "primary": "benefit",
            "effect": {"measure": "risk_ratio", "estimate": 2.0, "ci_low": 1.2, "ci_high": 3.3},
        },
    )
    ids_ = diagnosed(data).finding_ids()
    assert "end-of-therapy-endpoint" not in ids_ and "follow-up-too-short" not in ids_
