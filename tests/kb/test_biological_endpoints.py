"""kb/rules/biological_endpoints.py: each rule fires on one study and not on its near twin.

Review item 14: APACHE II and SOFA are severity scores, not immune markers; the texts
branch on the clinical result.
"""

from __future__ import annotations

import pytest

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase
from tests.kb.values import concluded

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
        silent={"secondary_endpoints": ["icu_stay", "ventilation_days", "hla_dr"]},
        cites={
            "indication": "sepsis",
            "secondary_endpoints": ("icu_stay", "ventilation_days"),
            "result.immune_markers_improved": None,
            "result.primary": "benefit",  # the result is cited when it is known
        },
        texts=("(CD3, CD4, CD4/CD8 ratio, CD8, cytokines, HLA-DR, lymphocyte count)",),
        severity="minor",
    ),
    RuleCase(
        rule="no_immune_markers_measured",
        finding="immune-endpoints-missing",
        base=CANCER,
        fire={},
        silent={"secondary_endpoints": ["other", "nk_cells"]},
        cites={"indication": "cancer", "secondary_endpoints": ("other",)},
        texts=("NK cells", "CD4+, CD8+, NK cells and lymphocyte counts"),
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
    RuleCase(
        rule="single_immune_reading",
        finding="immune-monitoring-not-serial",
        base=CANCER,
        fire={
            "schema_version": 2,
            "immune_monitoring": "single_timepoint",
            "secondary_endpoints": ["cd4", "cd8"],
        },
        silent={"immune_monitoring": "serial"},
        cites={"indication": "cancer", "immune_monitoring": "single_timepoint"},
        texts=("single time point",),
        severity="minor",
    ),
]


def test_unknown_secondary_endpoints_are_not_called_missing() -> None:
    from tests.kb.rulecase import run

    diagnosis = run(make_study_dict(CANCER, secondary_endpoints=DELETE))
    assert "immune-endpoints-missing" not in diagnosis.finding_ids()
    check = next(c for c in diagnosis.checks if c.finding == "immune-endpoints-missing")
    assert check.status == "not_assessable" and check.unknown == ("secondary_endpoints",)


def test_severity_scores_are_not_immune_markers() -> None:
    # s3-like sepsis trial: APACHE II and SOFA recorded, no immune marker.
    data = make_study_dict(
        secondary_endpoints=["apache_ii", "sofa", "icu_stay"],
        result={"immune_markers_improved": DELETE},
    )
    found, values = concluded(data, "immune-endpoints-missing")
    assert values["scores"] == ["apache_ii", "sofa"]
    assert "apache_ii" not in values["markers"] and "sofa" not in values["markers"]
    assert "APACHE II and SOFA recorded are severity scores" in found.explanation


@pytest.mark.parametrize(
    ("result", "phrase"),
    [
        ({}, "no biological corroboration"),
        ({"primary": "no_significant_effect", "effect": DELETE}, "cannot tell an inactive drug"),
        (
            {"primary": "harm", "effect": {"estimate": 1.5, "ci_low": 1.1, "ci_high": 2.0}},
            "no biological signal to set beside the harm",
        ),
    ],
)
def test_missing_markers_text_reads_the_direction(
    result: dict,
    phrase: str,  # type: ignore[type-arg]
) -> None:
    found, _ = concluded(make_study_dict(CANCER, result=result), "immune-endpoints-missing")
    assert phrase in found.explanation
    if "primary" in result:
        assert "benefit therefore" not in found.explanation
