"""kb/rules/baseline_immunity.py: each rule fires on one study and not on its near twin.

Review item 7: no MAJOR for an immunocompetent or mixed population by itself; the text
reads the direction of the result; in sepsis a mixed unselected population is reported
once, by unselected-sepsis-population.
"""

from __future__ import annotations

import pytest

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase
from tests.kb.values import concluded, diagnosed

CANCER_MIXED = make_study_dict(
    indication="cancer",
    cancer_type="nsclc",
    population={"immune_status": "mixed", "suppression": DELETE, "selected_by_biomarker": False},
    intervention={
        "combined_with": ["chemotherapy"],
        "frequency": "twice_weekly",
        "duration_weeks": 12,
    },
    primary_endpoint={
        "name": "PFS",
        "kind": "survival",
        "timing": "after_therapy",
        "months_after_therapy": 12,
    },
    secondary_endpoints=["cd4", "cd8"],
)

CASES = [
    RuleCase(
        rule="immunocompetent_population",
        finding="immunocompetent-population",
        fire={
            "population": {"immune_status": "normal", "suppression": []},
            "result": {"primary": "no_significant_effect", "effect": DELETE},
        },
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": "normal", "result.primary": "no_significant_effect"},
        texts=("normal baseline immunity", "null result is what that reasoning predicts"),
        severity="moderate",
        name="null",
    ),
    RuleCase(
        rule="immunocompetent_population",
        finding="immunocompetent-population",
        fire={"population": {"immune_status": "normal", "suppression": []}},
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": "normal", "result.primary": "benefit"},
        texts=("its benefit was found without selecting for an immune deficit",),
        severity="minor",
        name="benefit",
    ),
    RuleCase(
        rule="mixed_population_not_stratified",
        finding="immunocompetent-population",
        base=CANCER_MIXED,
        fire={},
        silent={"subgroups": [{"name": "CD4 low", "by": "immune_status", "level": "suppressed"}]},
        cites={
            "indication": "cancer",
            "population.immune_status": "mixed",
            "population.selected_by_biomarker": False,
            "result.primary": "benefit",
        },
        severity="minor",
    ),
    RuleCase(
        # strata by something else (age) are not strata by immune status: still raised
        rule="mixed_population_not_stratified",
        finding="immunocompetent-population",
        base=CANCER_MIXED,
        fire={"subgroups": [{"name": "Older", "by": "age", "level": "over 65"}]},
        silent={"subgroups": [{"name": "CD4 low", "by": "immune_status", "level": "suppressed"}]},
        severity="minor",
        name="other-strata",
    ),
    RuleCase(
        rule="mixed_population_not_stratified",
        finding="immunocompetent-population",
        base=CANCER_MIXED,
        fire={"result": {"primary": "no_significant_effect", "effect": DELETE}},
        silent={"indication": "sepsis", "cancer_type": DELETE},
        severity="moderate",
        name="null-not-in-sepsis",
    ),
    RuleCase(
        rule="mixed_population_not_stratified",
        finding="immunocompetent-population",
        base=CANCER_MIXED,
        fire={"population": {"selected_by_biomarker": DELETE}},
        silent={"population": {"selected_by_biomarker": True}},
        cites={"population.immune_status": "mixed"},
        texts=("did not report selecting them",),
        name="selection-unknown",
    ),
    RuleCase(
        rule="immune_status_unknown",
        finding="immune-status-unknown",
        fire={"population": {"immune_status": DELETE}},
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": None},
        texts=("population.immune_status",),
    ),
]


def test_tests_like_sepsis_null_gets_one_population_finding_and_no_major() -> None:
    # TESTS: large double-blind placebo-controlled null trial, unselected sepsis population.
    data = make_study_dict(
        population={
            "immune_status": "mixed",
            "selected_by_biomarker": False,
            "suppression": DELETE,
        },
        design={"sample_size": 1089},
        result={
            "primary": "no_significant_effect",
            "effect": {
                "measure": "hazard_ratio",
                "estimate": 0.99,
                "ci_low": 0.77,
                "ci_high": 1.27,
            },
        },
    )
    diagnosis = diagnosed(data)
    assert "immunocompetent-population" not in diagnosis.finding_ids()
    assert "unselected-sepsis-population" in diagnosis.finding_ids()
    assert all(f.severity != "major" for f in diagnosis.findings)


@pytest.mark.parametrize(
    ("primary", "severity", "phrase"),
    [
        ("no_significant_effect", "moderate", "diluted"),
        ("benefit", "minor", "larger or"),
        ("harm", "minor", "does not account for the harm"),
        (None, "minor", "no direction of result recorded"),
    ],
)
def test_text_and_severity_follow_the_direction(
    primary: str | None, severity: str, phrase: str
) -> None:
    result = {"primary": primary, "effect": DELETE} if primary != "benefit" else {}
    data = make_study_dict(CANCER_MIXED, result=result)
    if primary is None:
        data["result"].pop("primary")
    found, values = concluded(data, "immunocompetent-population")
    assert (found.severity, values["primary"], values["status"]) == (severity, primary, "mixed")
    assert phrase in found.explanation
