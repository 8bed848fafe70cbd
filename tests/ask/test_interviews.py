"""Whole interviews through the CLI: each path ends in the expected findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask.interviews import asked, interview
from thymoscope import RESEARCH_NOTICE
from thymoscope.api import diagnose_file

SEPSIS = {
    "title": "Small open sepsis trial",
    "id": "",  # accept the id made from the title
    "indication": "sepsis",
    "population.immune_status": "mixed",
    "population.selected_by_biomarker": "no",
    "result.primary": "benefit",
    "intervention.dose_unit": "mg",
    "intervention.dose": "1.6",
    "intervention.frequency": "twice_daily",
    "intervention.duration_weeks": "1",
    "primary_endpoint.kind": "mortality",
    "design.type": "rct",
    "design.blinding": "open",
    "design.comparator": "no_treatment",
    "design.sample_size": "60",
    "design.centres": "1",
    "secondary_endpoints": "hla_dr, apache_ii",
}

CHB = {
    "title": "Hepatitis B read at end of therapy",
    "id": "chb-eot",
    "indication": "chronic_hepatitis_b",
    "population.immune_status": "suppressed",
    "result.primary": "no_significant_effect",
    "intervention.role": "monotherapy",
    "intervention.dose_unit": "mg",
    "intervention.dose": "0.8",
    "intervention.frequency": "twice_weekly",
    "intervention.duration_weeks": "26",
    "population.liver_fibrosis": "advanced",
    "primary_endpoint.timing": "end_of_therapy",
    "follow_up_months_after_therapy": "0",
    "design.sample_size": "98",
}

CANCER = {
    "title": "Melanoma phase II, thymalfasin alone",
    "id": "",
    "indication": "cancer",
    "cancer_type": "melanoma",
    "population.immune_status": "normal",
    "result.primary": "no_significant_effect",
    "intervention.role": "monotherapy",
    "intervention.dose_unit": "mg",
    "intervention.dose": "3.2",
    "primary_endpoint.timing": "end_of_therapy",
    "primary_endpoint.kind": "tumour_response",
    "design.type": "single_arm",
    "design.sample_size": "40",
    "secondary_endpoints": "none",
}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            SEPSIS,
            ["high-risk-of-bias", "unselected-sepsis-population"],
        ),
        (
            CHB,
            [
                "chb-monotherapy",
                "low-dose-advanced-fibrosis",
                "end-of-therapy-endpoint",  # the same gap is not reported again as follow-up
                "imprecise-result",
            ],
        ),
        (
            CANCER,
            [
                "immunocompetent-population",
                "cancer-monotherapy",
                "dose-outside-usual-range",
                "imprecise-result",
                "immune-endpoints-missing",
            ],
        ),
    ],
    ids=["sepsis", "hepatitis-b", "cancer"],
)
def test_interview_ends_in_expected_findings(tmp_path: Path, answers: dict, expected: list) -> None:
    result, saved = interview(tmp_path, answers)
    assert result.exit_code == 0, result.output
    assert RESEARCH_NOTICE in result.output
    for finding in expected:
        assert finding in result.output
    # the saved answers are a study file `diagnose` accepts unchanged, with the same findings
    assert diagnose_file(saved).finding_ids() == expected


def test_sepsis_interview_asks_nothing_about_hepatitis_or_subgroups(tmp_path: Path) -> None:
    result, _ = interview(tmp_path, SEPSIS)
    paths = asked(result.output)
    assert "population.liver_fibrosis" not in paths
    assert "follow_up_months_after_therapy" not in paths
    assert "intervention.role" not in paths  # no finding reads the role of a sepsis study
    assert "subgroups" not in paths  # a single trial of 60 patients
    assert paths[:3] == ["title", "id", "indication"]


def test_large_meta_analysis_is_asked_about_subgroups(tmp_path: Path) -> None:
    answers = {
        "title": "Pooled sepsis trials",
        "indication": "sepsis",
        "id": "",
        "population.immune_status": "suppressed",
        "population.selected_by_biomarker": "yes",
        "result.primary": "benefit",
        "design.type": "meta_analysis",
        "design.sample_size": "1900",
        "subgroups": "2",
        "subgroups.0.name": "Lower-quality trials",
        "subgroups.0.by": "study_quality",
        "subgroups.0.level": "low",
        "subgroups.0.effect.measure": "odds_ratio",
        "subgroups.0.effect.estimate": "0.41",
        "subgroups.0.effect.ci_low": "0.25",
        "subgroups.0.effect.ci_high": "0.65",
        "subgroups.1.name": "Higher-quality trials",
        "subgroups.1.by": "study_quality",
        "subgroups.1.level": "high",
        "subgroups.1.effect.measure": "odds_ratio",
        "subgroups.1.effect.estimate": "0.82",
        "subgroups.1.effect.ci_low": "0.65",
        "subgroups.1.effect.ci_high": "1.03",
    }
    result, saved = interview(tmp_path, answers)
    assert result.exit_code == 0, result.output
    paths = asked(result.output)
    assert "subgroups" in paths and "subgroups.1.level" in paths
    # factor order: study quality questions come before the subgroups (heterogeneity)
    assert paths.index("design.type") < paths.index("subgroups")
    assert "quality-subgroups-disagree" in diagnose_file(saved).finding_ids()


def test_questions_follow_troubleshooting_order(tmp_path: Path) -> None:
    result, _ = interview(tmp_path, CHB)
    paths = asked(result.output)
    order = [
        "population.immune_status",
        "intervention.role",
        "intervention.dose",
        "primary_endpoint.timing",
        "design.sample_size",
    ]
    assert [paths.index(p) for p in order] == sorted(paths.index(p) for p in order)
