"""A study-quality stratum's level is an explicit choice; usual wordings are understood."""

from __future__ import annotations

import pytest

from tests.conftest import FAQ_QUALITY_STRATA, diagnose, make_study
from tests.study.helpers import SOURCE, accepted, line_of, refused
from thymoscope.kb.thresholds import HIGHER_QUALITY_LEVELS, LOWER_QUALITY_LEVELS
from thymoscope.study.model import quality_level
from thymoscope.study.vocabulary import QualityLevel

HIGHER = [
    "high",
    "higher",
    "High quality",
    "higher quality",
    "higher-quality",
    "higher_quality",
    "low risk",
    "Low risk of bias",
    "  low   risk-of-bias ",
]
LOWER = [
    "low",
    "lower",
    "LOW QUALITY",
    "lower quality",
    "lower_quality",
    "high risk",
    "high risk of bias",
    "High-Risk-of-Bias",
]


def _stratum(level: str, by: str = "study_quality") -> str:
    return f"subgroups:\n  - name: Stratum\n    by: {by}\n    level: '{level}'\n"


@pytest.mark.parametrize("wording", HIGHER)
def test_higher_quality_wordings(wording: str) -> None:
    assert accepted(_stratum(wording)).subgroups[0].level == "higher_quality"
    assert quality_level(wording) is QualityLevel.higher_quality


@pytest.mark.parametrize("wording", LOWER)
def test_lower_quality_wordings(wording: str) -> None:
    assert accepted(_stratum(wording)).subgroups[0].level == "lower_quality"
    assert quality_level(wording) is QualityLevel.lower_quality


@pytest.mark.parametrize(
    ("wording", "hint"),
    [
        ("best", "for the better-quality stratum write higher_quality"),
        ("good quality", "for the better-quality stratum write higher_quality"),
        ("poor quality", "for the poorer-quality stratum write lower_quality"),
        ("medium", "a middle level is not compared: join it to the lower or higher stratum"),
        ("moderate quality", "a middle level is not compared"),
        ("some concerns", "a middle level is not compared"),
        ("unclear risk of bias", "a middle level is not compared"),
        ("hgh", "did you mean 'high' (higher_quality)?"),
        ("cochrane", "'high risk of bias' and 'low risk of bias' are understood too"),
        ("low risk of bais", "did you mean 'low risk of bias' (higher_quality)?"),
        ("lower qualty", "did you mean 'lower quality' (lower_quality)?"),
    ],
)
def test_other_wordings_are_refused_with_a_suggestion(wording: str, hint: str) -> None:
    body = _stratum(wording)
    message = refused(body)
    line = line_of(body, "level:")
    assert message.startswith(
        f"{SOURCE}:{line}: subgroups.0.level: '{wording}' is not a study-quality level; "
        f"use lower_quality or higher_quality ({hint}"
    ), message


def test_a_refused_level_is_located_in_the_right_stratum() -> None:
    body = _stratum("high") + "  - name: Other\n    by: study_quality\n    level: medium\n"
    message = refused(body)
    assert message.startswith(f"{SOURCE}:{line_of(body, 'medium')}: subgroups.1.level: ")


def test_other_subgroups_keep_their_level_as_written() -> None:
    assert accepted(_stratum("Medium", by="dose")).subgroups[0].level == "Medium"
    assert accepted(_stratum("high", by="age")).subgroups[0].level == "high"
    assert accepted("subgroups:\n  - name: x\n    level: medium\n").subgroups[0].level == "medium"


def test_an_unknown_level_stays_unknown() -> None:
    assert accepted("subgroups:\n  - name: x\n    by: study_quality\n").subgroups[0].level is None


def test_the_rules_know_both_normalised_levels() -> None:
    assert QualityLevel.lower_quality.value in LOWER_QUALITY_LEVELS
    assert QualityLevel.higher_quality.value in HIGHER_QUALITY_LEVELS
    assert not LOWER_QUALITY_LEVELS & HIGHER_QUALITY_LEVELS


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("low", "high"), ("high risk of bias", "low risk of bias"), ("Lower quality", "HIGHER")],
)
def test_the_quality_finding_survives_any_understood_wording(lower: str, higher: str) -> None:
    """Review item 23: 'high risk of bias' used to lose the quality finding silently."""
    low_stratum, high_stratum = FAQ_QUALITY_STRATA
    study = make_study(
        design={"type": "meta_analysis", "trials": 11, "sample_size": 1927},
        subgroups=[{**low_stratum, "level": lower}, {**high_stratum, "level": higher}],
    )
    assert [s.level for s in study.subgroups] == ["lower_quality", "higher_quality"]
    assert "quality-subgroups-disagree" in diagnose(study).finding_ids()
