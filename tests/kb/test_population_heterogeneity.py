"""kb/rules/population_heterogeneity.py: each rule fires on one study and not on its twin."""

from __future__ import annotations

from tests.conftest import make_study_dict
from tests.kb.rulecase import RuleCase, finding, run

CREDIBLE = {
    "name": "Diabetes",
    "by": "comorbidity",
    "level": "diabetes",
    "prespecified": True,
    "interaction_p": 0.01,
    "credibility": "high",
    "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
}

CASES = [
    RuleCase(
        rule="sepsis_population_not_selected",
        finding="unselected-sepsis-population",
        fire={"population": {"selected_by_biomarker": False}},
        silent={"population": {"selected_by_biomarker": True}},
        cites={"indication": "sepsis", "population.selected_by_biomarker": False},
        texts=("HLA-DR",),
    ),
    RuleCase(
        rule="sepsis_population_not_selected",
        finding="unselected-sepsis-population",
        fire={"population": {"selected_by_biomarker": False}},
        silent={"subgroups": [{"name": "Low HLA-DR", "by": "immune_status", "level": "low"}]},
        name="stratified",
    ),
    RuleCase(
        rule="weak_subgroup_claim",
        finding="low-credibility-subgroup-claim",
        fire={"subgroups": [{**CREDIBLE, "prespecified": False}]},
        silent={"subgroups": [CREDIBLE]},
        cites={"subgroups.0.name": "Diabetes", "subgroups.0.prespecified": False},
        texts=('"Diabetes"', "not pre-specified"),
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
    assert '"Cancer"' in found.explanation and '"Diabetes"' in found.explanation
