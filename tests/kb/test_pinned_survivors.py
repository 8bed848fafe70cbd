"""Behaviours the mutation run of 2026-11-30 (benchmarks/MUTATION.md) found unpinned.

Each test is a situation a reviewer could meet, checked where a user reads it (the
finding, its severity, its pattern) or, for the pair helpers, on what they return.
"""

from __future__ import annotations

from tests.compare.helpers import pair
from tests.conftest import (
    DELETE,
    FAQ_META_ANALYSIS,
    FAQ_QUALITY_STRATA,
    make_study_dict,
    quality_stratum,
)
from tests.kb.rulecase import finding
from tests.kb.test_pairs_factors import CHB
from tests.kb.values import concluded, diagnosed
from thymoscope.kb.rules.pairs_factors import selection_differences, shortfalls

LOWER, HIGHER = FAQ_QUALITY_STRATA
META = FAQ_META_ANALYSIS


# ---- high-risk-of-bias: two ordinary mechanisms make a major finding -----------------


def test_two_ordinary_bias_mechanisms_make_the_finding_major() -> None:
    # Allocation not concealed and a small single-centre trial (both ordinary), in an
    # otherwise double-blind placebo-controlled trial with a positive result.
    two = make_study_dict(design={"allocation_concealment": False, "sample_size": 60, "centres": 1})
    found, _ = concluded(two, "high-risk-of-bias")
    assert found.severity == "major"
    one = make_study_dict(design={"allocation_concealment": False})
    found, _ = concluded(one, "high-risk-of-bias")
    assert found.severity == "moderate"


# ---- quality strata: which side is benefit --------------------------------------------


def test_a_counted_event_given_by_the_study_decides_which_side_is_benefit() -> None:
    # Mortality counted as survival (counted_event: favourable): an OR below 1 in the
    # lower-quality stratum is then a harm, not the usual benefit of fewer deaths.
    data = make_study_dict(
        **META,
        schema_version=2,
        primary_endpoint={"counted_event": "favourable"},
        subgroups=[LOWER, HIGHER],
    )
    _, values = concluded(data, "quality-subgroups-disagree")
    assert values["pattern"] == "lower_harm"


def test_strata_on_the_ratio_scale_are_compared_by_their_distance_in_logs() -> None:
    # OR 0.3 against OR 0.7, both excluding no effect, the difference between them
    # significant: the lower-quality stratum lies further from no effect (|log 0.3| >
    # |log 0.7|), which the raw numbers (0.3 < 0.7) would not show.
    lower = quality_stratum(LOWER, 0.3, 0.2, 0.45)
    higher = quality_stratum(HIGHER, 0.7, 0.6, 0.82)
    found, values = concluded(
        make_study_dict(**META, subgroups=[lower, higher]), "quality-subgroups-disagree"
    )
    assert values["pattern"] == "both_differ"
    assert "lies further from it" in found.explanation
    # the other way round the lower-quality stratum is the nearer one: no disagreement
    near = make_study_dict(
        **META,
        subgroups=[quality_stratum(LOWER, 0.7, 0.6, 0.82), quality_stratum(HIGHER, 0.3, 0.2, 0.45)],
    )
    assert finding(diagnosed(near), "quality-subgroups-disagree") is None


# ---- pairs: an unknown safeguard is not a shortfall; every selection field counts ----


def test_an_unreported_safeguard_is_not_listed_as_a_shortfall() -> None:
    assert shortfalls({}) == []
    assert shortfalls({"allocation_concealment": None, "blinding": None}) == []
    assert "allocation not concealed" in " ".join(shortfalls({"allocation_concealment": False}))


def test_each_selection_field_that_differs_is_named() -> None:
    assert selection_differences({"liver_fibrosis": "advanced"}, {"liver_fibrosis": "mild"}) == [
        "liver_fibrosis"
    ]
    assert selection_differences({"hbeag": "positive"}, {"hbeag": "negative"}) == ["hbeag"]
    assert selection_differences({"comorbidities": ["diabetes"]}, {"comorbidities": []}) == [
        "comorbidities"
    ]
    assert selection_differences(
        {"selected_by_biomarker": True}, {"selected_by_biomarker": False}
    ) == ["selected_by_biomarker"]


def test_unknown_allocation_is_not_read_as_concealed_or_not() -> None:
    # the same trial with concealment unreported: no "allocation was not concealed"
    found, _ = concluded(
        make_study_dict(design={"allocation_concealment": DELETE, "sample_size": 60, "centres": 1}),
        "high-risk-of-bias",
    )
    assert "allocation was not concealed" not in found.explanation


def test_regimens_of_two_indications_are_not_set_against_one_reference_protocol() -> None:
    # A sepsis trial on the sepsis protocol against a hepatitis B trial on the hepatitis B
    # protocol: their regimens differ, but neither is "closer" to one representative
    # protocol, since each indication has its own.
    comparison = pair(b=CHB)
    found = next(f for f in comparison.findings if f.id == "differs-in-dosing")
    assert "representative protocol" not in found.explanation
    assert "closer" not in found.explanation
