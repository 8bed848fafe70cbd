"""kb/rules/biological_endpoints.py: each rule fires on one study and not on its near twin."""

from __future__ import annotations

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase

CANCER = make_study_dict(
    indication="cancer",
    cancer_type="colorectal",
    intervention={
        "role": "adjuvant",
        "combined_with": ["chemotherapy"],
        "frequency": "twice_weekly",
        "duration_weeks": 24,
    },
    primary_endpoint={"kind": "complications", "name": "Complications"},
    result={"immune_markers_improved": DELETE},
    secondary_endpoints=["other"],
)

CASES = [
    RuleCase(
        rule="no_immune_markers_measured",
        finding="immune-endpoints-missing",
        fire={
            "secondary_endpoints": ["icu_stay", "ventilation_days"],
            "result": {"immune_markers_improved": DELETE},
        },
        silent={"secondary_endpoints": ["icu_stay", "ventilation_days", "sofa"]},
        cites={
            "indication": "sepsis",
            "secondary_endpoints": ("icu_stay", "ventilation_days"),
            "result.immune_markers_improved": None,
        },
        texts=("hla dr", "(HLA-DR, CD3/CD4, cytokines)"),
        severity="minor",
    ),
    RuleCase(
        rule="no_immune_markers_measured",
        finding="immune-endpoints-missing",
        base=CANCER,
        fire={},
        silent={"secondary_endpoints": ["other", "nk_cells"]},
        cites={"indication": "cancer", "secondary_endpoints": ("other",)},
        texts=("nk cells", "(CD4+, CD8+, NK cells, lymphocyte counts)"),
        name="cancer",
    ),
    RuleCase(
        rule="no_immune_markers_measured",
        finding="immune-endpoints-missing",
        base=CANCER,
        fire={},
        silent={"primary_endpoint": {"kind": "immunological"}},
        name="immunological-primary",
    ),
    RuleCase(
        rule="activity_without_clinical_benefit",
        finding="biological-activity-without-clinical-benefit",
        fire={"result": {"primary": "no_significant_effect", "effect": DELETE}},
        silent={"result": {"immune_markers_improved": False}},
        cites={"result.immune_markers_improved": True, "result.primary": "no_significant_effect"},
        severity="info",
    ),
]


def test_unknown_secondary_endpoints_are_not_called_missing() -> None:
    from tests.kb.rulecase import run

    diagnosis = run(make_study_dict(CANCER, secondary_endpoints=DELETE))
    assert "immune-endpoints-missing" not in diagnosis.finding_ids()
    check = next(c for c in diagnosis.checks if c.finding == "immune-endpoints-missing")
    assert check.status == "not_assessable" and check.unknown == ("secondary_endpoints",)
