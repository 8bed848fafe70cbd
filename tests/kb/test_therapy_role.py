"""kb/rules/therapy_role.py: each rule fires on one study and not on its near twin."""

from __future__ import annotations

from tests.conftest import make_study_dict
from tests.kb.rulecase import RuleCase, check_fires

CANCER = make_study_dict(
    indication="cancer",
    cancer_type="melanoma",
    intervention={
        "role": "monotherapy",
        "combined_with": [],
        "frequency": "twice_weekly",
        "duration_weeks": 12,
    },
    primary_endpoint={"kind": "survival", "name": "Overall survival", "months_after_therapy": 24},
    secondary_endpoints=["cd4", "nk_cells"],
)
CHB = make_study_dict(
    indication="chronic_hepatitis_b",
    population={
        "liver_fibrosis": "mild",
        "hbeag": "positive",
        "suppression": ["other"],
        "selected_by_biomarker": None,
    },
    intervention={
        "role": "adjuvant",
        "combined_with": ["nucleoside_analogue"],
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    primary_endpoint={"kind": "virological_response", "name": "SVR", "months_after_therapy": 12},
    follow_up_months_after_therapy=12,
    secondary_endpoints=["alt_normalisation"],
)

CASES = [
    RuleCase(
        rule="cancer_monotherapy",
        finding="cancer-monotherapy",
        base=CANCER,
        fire={},
        silent={"intervention": {"role": "adjuvant", "combined_with": ["chemotherapy"]}},
        cites={"indication": "cancer", "intervention.role": "monotherapy"},
        texts=("in melanoma",),
        severity="major",
    ),
    RuleCase(
        rule="adjuvant_benefit_plausible",
        finding="adjuvant-benefit-plausible",
        base=CANCER,
        fire={
            "intervention": {
                "role": "adjuvant",
                "combined_with": ["radiotherapy", "immune_checkpoint_inhibitor", "vaccine"],
            }
        },
        silent={"intervention": {"combined_with": ["vaccine"]}},
        cites={
            "indication": "cancer",
            "intervention.role": "adjuvant",
            "intervention.combined_with": (
                "radiotherapy",
                "immune_checkpoint_inhibitor",
                "vaccine",
            ),
        },
        texts=("immune checkpoint inhibitor, radiotherapy",),
        severity="info",
    ),
    RuleCase(
        rule="chb_monotherapy",
        finding="chb-monotherapy",
        base=CHB,
        fire={"intervention": {"role": "monotherapy", "combined_with": []}},
        silent={"intervention": {"role": "adjuvant", "combined_with": ["interferon"]}},
        cites={"indication": "chronic_hepatitis_b", "intervention.role": "monotherapy"},
        severity="minor",
    ),
]


def test_cancer_monotherapy_carries_the_evidence_note() -> None:
    found = check_fires(CASES[0])
    assert found.evidence_note and "thymosin fraction 5" in found.evidence_note
