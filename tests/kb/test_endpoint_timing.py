"""kb/rules/endpoint_timing.py: each rule fires on one study and not on its near twin."""

from __future__ import annotations

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase

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
)
CANCER = make_study_dict(
    indication="cancer",
    cancer_type="nsclc",
    intervention={
        "role": "adjuvant",
        "combined_with": ["chemotherapy"],
        "frequency": "twice_weekly",
        "duration_weeks": 12,
    },
    primary_endpoint={
        "kind": "tumour_response",
        "name": "ORR",
        "timing": "end_of_therapy",
        "months_after_therapy": DELETE,
    },
    secondary_endpoints=["cd4", "cd8"],
)

CASES = [
    RuleCase(
        rule="chb_endpoint_at_end_of_therapy",
        finding="end-of-therapy-endpoint",
        base=CHB,
        fire={"primary_endpoint": {"timing": "end_of_therapy"}},
        silent={"primary_endpoint": {"timing": "after_therapy"}},
        cites={"indication": "chronic_hepatitis_b", "primary_endpoint.timing": "end_of_therapy"},
        texts=("40.6%", "9.4%"),
        severity="major",
    ),
    RuleCase(
        rule="delayed_endpoint_at_end_of_therapy",
        finding="end-of-therapy-endpoint",
        base=CANCER,
        fire={},
        silent={"primary_endpoint": {"kind": "complications"}},
        cites={
            "indication": "cancer",
            "primary_endpoint.timing": "end_of_therapy",
            "primary_endpoint.kind": "tumour_response",
        },
        texts=("(tumour response)",),
        severity="minor",
    ),
    RuleCase(
        rule="delayed_endpoint_at_end_of_therapy",
        finding="end-of-therapy-endpoint",
        base=CANCER,
        fire={
            "indication": "other",
            "cancer_type": DELETE,
            "primary_endpoint": {"kind": "immunological"},
        },
        silent={"indication": "sepsis"},
        cites={"indication": "other", "primary_endpoint.kind": "immunological"},
        texts=("(immunological)",),
        name="other-indication",
    ),
    RuleCase(
        rule="chb_follow_up_too_short",
        finding="follow-up-too-short",
        base=CHB,
        fire={"follow_up_months_after_therapy": 6},
        silent={"follow_up_months_after_therapy": 12},
        cites={"indication": "chronic_hepatitis_b", "follow_up_months_after_therapy": 6.0},
        texts=("followed for 6.0 months", "needed 12 months", "at least 12 months"),
        severity="major",
    ),
    RuleCase(
        rule="chb_endpoint_read_too_soon_after_therapy",
        finding="follow-up-too-short",
        base={**CHB, "follow_up_months_after_therapy": None},
        fire={"primary_endpoint": {"months_after_therapy": 6}},
        silent={"primary_endpoint": {"months_after_therapy": 12}},
        cites={
            "indication": "chronic_hepatitis_b",
            "follow_up_months_after_therapy": None,
            "primary_endpoint.months_after_therapy": 6.0,
        },
        texts=("read 6.0 months after therapy", "at least 12 months"),
        severity="major",
        name="endpoint-months",
    ),
]
