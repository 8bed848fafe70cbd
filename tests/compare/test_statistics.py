"""Strata inside one study: the texts of the single-study findings that use the
between-estimates test (the test itself: tests/kb/test_pairs_statistics.py)."""

from __future__ import annotations

import pytest

from tests.conftest import FAQ_QUALITY_STRATA, make_study
from thymoscope.api import diagnose

# --- strata inside one study: the single-study rules use the same test -------------

STRATA = list(FAQ_QUALITY_STRATA)


def test_quality_subgroups_disagree_states_the_between_strata_p_value() -> None:
    diagnosis = diagnose(make_study(subgroups=STRATA))
    found = next(f for f in diagnosis.findings if f.id == "quality-subgroups-disagree")
    assert "p = 0.017" in found.explanation
    assert "ratio 0.50 (95% CI 0.28–0.88)" in found.explanation
    assert "differ by more than chance" in found.explanation


def test_quality_subgroups_with_overlapping_strata_do_not_call_the_gap_significant() -> None:
    strata = [
        dict(STRATA[0], effect=dict(STRATA[0]["effect"], estimate=0.6, ci_low=0.36, ci_high=0.99)),
        STRATA[1],
    ]
    diagnosis = diagnose(make_study(subgroups=strata))
    found = next(f for f in diagnosis.findings if f.id == "quality-subgroups-disagree")
    assert "could be chance" in found.explanation
    assert "differ by more than chance" not in found.explanation


COMORBIDITY = {
    "name": "Cancer or diabetes comorbidity",
    "by": "comorbidity",
    "level": "cancer_or_diabetes",
    "credibility": "moderate",
}


@pytest.mark.parametrize(
    ("subgroup", "reason"),
    [
        (COMORBIDITY, "credibility rated moderate"),
        (
            {
                **COMORBIDITY,
                "credibility": None,
                "prespecified": False,
                "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
            },
            "not pre-specified",
        ),
        (
            {
                **COMORBIDITY,
                "credibility": None,
                "prespecified": True,
                "interaction_p": 0.3,
                "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
            },
            "interaction test not significant",
        ),
    ],
)
def test_low_credibility_subgroup_claim_follows_iceman(subgroup: dict, reason: str) -> None:
    diagnosis = diagnose(make_study(subgroups=[*STRATA, subgroup]))
    found = next(f for f in diagnosis.findings if f.id == "low-credibility-subgroup-claim")
    assert reason in found.explanation
    assert "ICEMAN" in found.explanation


def test_credible_subgroup_claim_is_not_flagged() -> None:
    subgroup = {
        **COMORBIDITY,
        "credibility": "high",
        "prespecified": True,
        "interaction_p": 0.01,
        "effect": {"measure": "odds_ratio", "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.8},
    }
    diagnosis = diagnose(make_study(subgroups=[subgroup]))
    assert "low-credibility-subgroup-claim" not in diagnosis.finding_ids()
