"""kb/rules/population_heterogeneity.py: each rule fires on one study and not on its twin.

Review items 7 (one sepsis population finding, severity by direction) and 15 (a subgroup
claim needs a claimed difference; ICEMAN items; pre-specified with interaction p < 0.05
but no interval is still flagged: TESTS diabetes p 0.04, age p 0.01), and the protocol
populations of FAQ 2 and 3.
"""

from __future__ import annotations

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase, finding, run
from tests.kb.values import concluded, diagnosed

NULL = {"primary": "no_significant_effect", "effect": DELETE}
CREDIBLE = {
    "name": "Diabetes",
    "by": "comorbidity",
    "level": "diabetes",
    "prespecified": True,
    "interaction_p": 0.01,
    "credibility": "high",
    "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
}
TESTS_DIABETES = {  # pre-specified, interaction p 0.04, reported with a p-value only
    "name": "Diabetes",
    "by": "comorbidity",
    "level": "diabetes",
    "prespecified": True,
    "interaction_p": 0.04,
    "effect": {"measure": "hazard_ratio", "estimate": 0.6, "p_value": 0.02},
}


def dose_stratum(name: str, high: float) -> dict:  # type: ignore[type-arg]
    return {
        "name": name,
        "by": "dose",
        "level": name,
        "effect": {"measure": "odds_ratio", "estimate": 0.6, "ci_low": 0.4, "ci_high": high},
    }


CHB = make_study_dict(
    indication="chronic_hepatitis_b",
    population={"hbeag": "positive", "suppression": ["other"], "selected_by_biomarker": None},
    intervention={
        "role": "monotherapy",
        "combined_with": [],
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    primary_endpoint={"kind": "virological_response", "name": "SVR", "months_after_therapy": 12},
    follow_up_months_after_therapy=12,
    secondary_endpoints=["alt_normalisation"],
)

CASES = [
    RuleCase(
        rule="sepsis_population_not_selected",
        finding="unselected-sepsis-population",
        fire={"population": {"selected_by_biomarker": False}},
        silent={"population": {"selected_by_biomarker": True}},
        cites={
            "indication": "sepsis",
            "population.selected_by_biomarker": False,
            "result.primary": "benefit",
        },
        texts=("HLA-DR", "which of them gained is not known"),
        severity="minor",
    ),
    RuleCase(
        rule="sepsis_population_not_selected",
        finding="unselected-sepsis-population",
        fire={"population": {"selected_by_biomarker": False}, "result": NULL},
        silent={"subgroups": [{"name": "Low HLA-DR", "by": "immune_status", "level": "low"}]},
        texts=("does not make a well-conducted null result less credible",),
        severity="moderate",
        name="null-stratified",
    ),
    RuleCase(
        rule="sepsis_population_not_selected",
        finding="unselected-sepsis-population",
        fire={
            "population": {
                "selected_by_biomarker": DELETE,
                "immune_status": "mixed",
                "suppression": DELETE,
            }
        },
        silent={"population": {"immune_status": "suppressed"}},
        cites={"population.immune_status": "mixed"},
        texts=("does not report selecting it",),
        name="selection-unknown",
    ),
    RuleCase(
        rule="population_outside_protocol",
        finding="population-differs-from-protocol",
        base=CHB,
        fire={"population": {"hbeag": "negative"}},
        silent={"population": {"hbeag": "positive"}},
        cites={"indication": "chronic_hepatitis_b", "population.hbeag": "negative"},
        texts=("HBeAg-negative participants",),
        severity="minor",
        name="chb-hbeag",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"subgroups": [{**CREDIBLE, "prespecified": False}]},
        silent={"subgroups": [CREDIBLE]},
        cites={"subgroups.0.name": "Diabetes", "subgroups.0.prespecified": False},
        texts=('The subgroup "Diabetes" is presented', "not pre-specified"),
        severity="moderate",
        name="post-hoc",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"subgroups": [{**CREDIBLE, "interaction_p": 0.2}]},
        silent={"subgroups": [CREDIBLE]},
        cites={"subgroups.0.interaction_p": 0.2},
        texts=("interaction test not significant (p = 0.2)",),
        name="interaction",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={
            "subgroups": [
                {"name": "Cancer or diabetes", "by": "comorbidity", "credibility": "moderate"}
            ]
        },
        silent={"subgroups": [{"name": "Cancer or diabetes", "by": "comorbidity"}]},
        cites={
            "subgroups.0.name": "Cancer or diabetes",
            "subgroups.0.credibility": "moderate",
            "subgroups.0.interaction_p": None,
        },
        texts=(
            '"Cancer or diabetes"',
            "credibility rated moderate",
            "no test of interaction reported",
        ),
        name="rated-credibility",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"subgroups": [{**CREDIBLE, "credibility": "low", "by": "age"}]},
        silent={
            "subgroups": [
                {**CREDIBLE, "credibility": "low", "by": "study_quality", "level": "lower_quality"}
            ]
        },
        cites={"subgroups.0.credibility": "low"},
        name="quality-strata-excluded",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"result": NULL, "subgroups": [TESTS_DIABETES]},
        silent={
            "subgroups": [
                {
                    **TESTS_DIABETES,
                    "effect": {
                        "measure": "hazard_ratio",
                        "estimate": 0.6,
                        "ci_low": 0.4,
                        "ci_high": 0.9,
                    },
                }
            ]
        },
        cites={"subgroups.0.interaction_p": 0.04, "subgroups.0.effect.p_value": 0.02},
        texts=("interaction p = 0.04 given without a confidence interval",),
        name="prespecified-without-interval",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"subgroups": [dose_stratum("1.6 mg", 0.9), dose_stratum("0.8 mg", 1.1)]},
        silent={"subgroups": [dose_stratum("1.6 mg", 0.9), dose_stratum("0.8 mg", 0.95)]},
        cites={"subgroups.0.name": "1.6 mg"},
        name="strata-that-agree-are-no-claim",
    ),
    RuleCase(
        rule="population_outside_protocol",
        finding="population-differs-from-protocol",
        fire={"schema_version": 2, "population": {"sepsis_definition": "sepsis_2"}},
        silent={"population": {"sepsis_definition": "sepsis_3"}},
        cites={"indication": "sepsis", "population.sepsis_definition": "sepsis_2"},
        texts=("Sepsis-2 criteria rather than Sepsis-3",),
        severity="minor",
        name="sepsis-definition",
    ),
    RuleCase(
        rule="population_outside_protocol",
        finding="population-differs-from-protocol",
        fire={"schema_version": 2, "population": {"exclusions": ["other"]}},
        silent={"population": {"exclusions": ["severe_immunosuppression", "moribund"]}},
        cites={"population.exclusions": ("other",)},
        texts=(
            "moribund participants were not excluded",
            "participants with severe immunosuppression were not",
        ),
        name="sepsis-exclusions",
    ),
    RuleCase(
        rule="population_outside_protocol",
        finding="population-differs-from-protocol",
        base=CHB,
        fire={"schema_version": 2, "population": {"alt_elevated": False}},
        silent={"population": {"alt_elevated": True}},
        cites={"population.alt_elevated": False},
        texts=("ALT not raised",),
        name="chb-alt",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"schema_version": 2, "subgroups": [{**CREDIBLE, "comparison": "between_trial"}]},
        silent={"subgroups": [{**CREDIBLE, "comparison": "within_trial"}]},
        cites={"subgroups.0.comparison": "between_trial"},
        texts=("a comparison between trials, not within them",),
        name="between-trial",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"schema_version": 2, "design": {"subgroups_tested": 12}, "subgroups": [CREDIBLE]},
        silent={"design": {"subgroups_tested": 3}},
        cites={"design.subgroups_tested": 12},
        texts=("one of 12 subgroup analyses tested",),
        name="many-subgroups",
    ),
]


def test_every_weak_subgroup_is_named_and_cited() -> None:
    weak = [
        {"name": "Cancer", "by": "comorbidity", "credibility": "low"},
        {**CREDIBLE},
        {"name": "Diabetes", "by": "comorbidity", "credibility": "moderate"},
    ]
    found = finding(run(make_study_dict(subgroups=weak)), "low-credibility-subgroup-claim")
    assert found is not None
    assert {"subgroups.0.name", "subgroups.2.name"} <= {f.path for f in found.facts}
    assert not any(f.path.startswith("subgroups.1.") for f in found.facts)
    assert 'The subgroups "Cancer", "Diabetes" are presented' in found.explanation


def test_credibility_title_fits_moderate_and_low() -> None:
    found, values = concluded(CASES[6].fire_dict(), "low-credibility-subgroup-claim")
    assert found.title == "Subgroup claim of limited credibility"
    assert values["subgroups"] == ["Cancer or diabetes"]
    assert values["reasons"] == [
        "pre-specification not reported",
        "no test of interaction reported",
        "credibility rated moderate",
    ]


def test_two_cd4_strata_of_one_cohort_that_agree_are_not_a_claim() -> None:
    strata = [
        {
            "name": "CD4 low",
            "by": "immune_status",
            "level": "low",
            "effect": {"measure": "hazard_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
        },
        {
            "name": "CD4 normal",
            "by": "immune_status",
            "level": "normal",
            "effect": {"measure": "hazard_ratio", "estimate": 0.6, "ci_low": 0.4, "ci_high": 0.9},
        },
    ]
    assert (
        "low-credibility-subgroup-claim"
        not in diagnosed(make_study_dict(subgroups=strata)).finding_ids()
    )


def test_tests_sepsis_null_gets_one_population_finding_not_major() -> None:
    data = make_study_dict(
        population={
            "immune_status": "mixed",
            "selected_by_biomarker": False,
            "suppression": DELETE,
        },
        result=NULL,
    )
    found, values = concluded(data, "unselected-sepsis-population")
    assert (found.severity, values["selected"], values["primary"]) == (
        "moderate",
        False,
        "no_significant_effect",
    )
    assert "immunocompetent-population" not in diagnosed(data).finding_ids()


def test_a_high_credibility_rating_covers_a_missing_subgroup_interval() -> None:
    rated = {**TESTS_DIABETES, "credibility": "high"}
    data = make_study_dict(result=NULL, subgroups=[rated])
    assert "low-credibility-subgroup-claim" not in diagnosed(data).finding_ids()
