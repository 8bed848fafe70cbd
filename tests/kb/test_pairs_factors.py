"""Pair rules on the troubleshooting factors (kb/rules/pairs_factors.py).

Each row fires a differs-in-* finding with its severity, the side more credible, the
side expected to show the larger effect and the structured values, and a near-identical
pair silences it. Ordinal tables get a second row, ratios and gaps a boundary row, and
each example of the methodology review (items 16-20) is a row.
"""

from __future__ import annotations

import pytest

from tests.compare.helpers import pair
from tests.kb.pairrules import PairCase, case_id, check_fires, check_silent
from thymoscope.kb import thresholds
from thymoscope.kb.rules.pairs_factors import (
    better_protected,
    comparator_contrast,
    partner_kind,
)

CANCER = {
    "indication": "cancer",
    "cancer_type": "nsclc",
    "population": {"suppression": ["chemotherapy"]},
    "primary_endpoint": {"kind": "survival"},
    "intervention": {"combined_with": ["chemotherapy"]},
}
MONOTHERAPY = {"intervention": {"role": "monotherapy", "combined_with": []}}
CHB = {
    "indication": "chronic_hepatitis_b",
    "population": {"suppression": ["other"]},
    "intervention": {
        "role": "monotherapy",
        "combined_with": [],
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    "primary_endpoint": {
        "kind": "virological_response",
        "timing": "after_therapy",
        "months_after_therapy": 12,
    },
    "follow_up_months_after_therapy": 12,
}
END_OF_THERAPY = {"primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": None}}


def _cancer(**overrides: object) -> dict[str, object]:
    from tests.conftest import deep_merge

    return deep_merge(CANCER, overrides)


def _chb(**overrides: object) -> dict[str, object]:
    from tests.conftest import deep_merge

    return deep_merge(CHB, overrides)


CASES = [
    # --- indication ------------------------------------------------------------------
    PairCase(
        "differs-in-indication",
        b={"indication": "other"},
        silent_b={"indication": "sepsis"},
        severity="major",
        values={"what": "indication", "a_value": "sepsis", "b_value": "other"},
        texts=("sepsis", "other", "Neither study is the more credible"),
        cites=("a.indication", "b.indication"),
    ),
    PairCase(
        "differs-in-indication",
        a=CANCER,
        b=_cancer(cancer_type="colorectal"),
        silent_b={"cancer_type": "nsclc"},
        severity="moderate",
        values={"what": "cancer type", "a_value": "nsclc", "b_value": "colorectal"},
        cites=("a.cancer_type", "b.cancer_type"),
        note="cancer type",
    ),
    # --- baseline immunity (ordinal: a second row) ------------------------------------
    PairCase(
        "differs-in-baseline-immunity",
        b={"population": {"immune_status": "normal", "suppression": []}},
        silent_b={"population": {"immune_status": "suppressed"}},
        severity="major",
        expected_larger="a",
        texts=("(study-a) has more room", "neither study more credible"),
        cites=("a.population.immune_status", "b.population.immune_status"),
    ),
    PairCase(
        "differs-in-baseline-immunity",
        a={"population": {"immune_status": "mixed"}},
        b={"population": {"immune_status": "normal", "suppression": []}},
        silent_b={"population": {"immune_status": "mixed"}},
        severity="major",
        expected_larger="a",
        note="mixed above normal",
    ),
    PairCase(
        "differs-in-baseline-immunity",
        b={"population": {"immune_status": "mixed"}},
        silent_b={"population": {"immune_status": "suppressed"}},
        severity="major",
        expected_larger="a",
        note="suppressed above mixed",
    ),
    # --- therapy role (review item 17) -----------------------------------------------
    PairCase(
        "differs-in-therapy-role",
        a=CANCER,
        b=_cancer(**MONOTHERAPY),
        silent_b={"intervention": {"role": "adjuvant", "combined_with": ["chemotherapy"]}},
        severity="major",
        expected_larger="a",
        values={"partner_kind": "anticancer", "a_partners": ["chemotherapy"], "b_partners": []},
        texts=("study-a, which added it to an anti-cancer treatment", "Toll-like receptor"),
        cites=("a.intervention.role", "b.intervention.role", "a.intervention.combined_with"),
        note="cancer adjuvant",
    ),
    PairCase(
        "differs-in-therapy-role",
        b=MONOTHERAPY,
        silent_b={"intervention": {"role": "adjuvant", "combined_with": ["standard_of_care"]}},
        severity="major",
        values={"partner_kind": "standard_of_care"},
        texts=("standard care alone", "no direction of effect follows"),
        absent=("anti-cancer", "larger benefit"),
        note="add-on to standard care",
    ),
    PairCase(
        "differs-in-therapy-role",
        a={"indication": "other", "intervention": {"combined_with": ["vaccine"]}},
        b={"indication": "other", **MONOTHERAPY},
        silent_b={"intervention": {"role": "adjuvant", "combined_with": ["vaccine"]}},
        severity="major",
        values={"partner_kind": "vaccine"},
        texts=("response to the vaccine",),
        absent=("anti-cancer", "larger benefit"),
        note="vaccine",
    ),
    PairCase(
        "differs-in-therapy-role",
        a=_chb(intervention={"role": "adjuvant", "combined_with": ["nucleoside_analogue"]}),
        b=CHB,
        silent_b={"intervention": {"role": "adjuvant", "combined_with": ["nucleoside_analogue"]}},
        severity="major",
        values={"partner_kind": "antiviral"},
        texts=("still under study in hepatitis B",),
        absent=("anti-cancer", "larger benefit"),
        note="antiviral",
    ),
    PairCase(
        "differs-in-therapy-role",
        a=_cancer(intervention={"combined_with": ["chemotherapy"]}),
        b={**MONOTHERAPY},
        silent_b={"intervention": {"role": "adjuvant", "combined_with": ["chemotherapy"]}},
        severity="major",
        values={"partner_kind": "other"},
        absent=("anti-cancer", "larger benefit"),
        note="anti-cancer partner but the other study is in sepsis",
    ),
    PairCase(
        "differs-in-therapy-role",
        b={"intervention": {"combined_with": ["standard_of_care", "interferon"]}},
        silent_b={"intervention": {"combined_with": ["standard_of_care"]}},
        severity="moderate",
        values={"partner_kind": None, "b_partners": ["interferon", "standard_of_care"]},
        texts=("different partner treatments",),
        cites=("a.intervention.combined_with", "b.intervention.combined_with"),
        note="partners differ",
    ),
    # --- dosing (review item 18) -------------------------------------------------------
    PairCase(
        "differs-in-dosing",
        b={"intervention": {"dose": 0.8}},
        silent_b={"intervention": {"dose": 1.6}},
        severity="moderate",
        values={"differing": ["dose"], "closer": "a", "more_exposed": "a", "exposure_ratio": 2.0},
        texts=("0.8 mg", "1.6 mg", "study-a is the closer", "26.5%", "40.6%"),
        absent=("might be expected to show the larger",),
        cites=("a.intervention.dose", "b.intervention.dose"),
    ),
    PairCase(
        "differs-in-dosing",
        a=CHB,
        b=_chb(intervention={"duration_weeks": 52}),
        silent_b={"intervention": {"duration_weeks": 26}},
        severity="moderate",
        values={"closer": "a", "more_exposed": "b", "exposure_ratio": 2.0},
        texts=("study-b gave about 2 times the total dose", "has not been shown to give a larger"),
        note="Chien 1998: 52 against 26 weeks",
    ),
    PairCase(
        "differs-in-dosing",
        b={"intervention": {"route": "intravenous"}},
        silent_b={"intervention": {"route": "subcutaneous"}},
        severity="moderate",
        values={"differing": ["route"], "closer": "a", "more_exposed": None},
        note="route counts against the reference",
    ),
    PairCase(
        "differs-in-dosing",
        b={"intervention": {"duration_weeks": 1.5}},
        silent_b={"intervention": {"duration_weeks": 1}},
        severity="moderate",
        values={"more_exposed": "b", "exposure_ratio": 1.5, "closer": "a"},
        note="exposure ratio at the boundary",
    ),
    PairCase(
        "differs-in-dosing",
        a={"intervention": {"duration_weeks": 1.5}},
        b={"intervention": {"duration_weeks": 1}},
        silent_b={"intervention": {"duration_weeks": 1.5}},
        severity="moderate",
        values={"more_exposed": "a", "exposure_ratio": 1.5, "closer": "b"},
        note="exposure ratio at the boundary, the first study more exposed",
    ),
    PairCase(
        "differs-in-dosing",
        b={"intervention": {"duration_weeks": 1.4}},
        silent_b={"intervention": {"duration_weeks": 1}},
        severity="moderate",
        values={"more_exposed": None, "closer": "a"},
        note="exposure ratio below the boundary",
    ),
    # --- endpoint timing (review item 19) ---------------------------------------------
    PairCase(
        "differs-in-endpoint-timing",
        a=_chb(**END_OF_THERAPY),
        b=CHB,
        silent_b=END_OF_THERAPY,
        severity="major",
        favours="b",
        expected_larger="b",
        values={"chb": True, "same_indication": True, "a_months": 0.0, "b_months": 12.0},
        texts=("40.6% against 9.4%", "the later reading, study-b"),
        cites=("a.primary_endpoint.timing", "b.primary_endpoint.months_after_therapy"),
        note="hepatitis B",
    ),
    PairCase(
        "differs-in-endpoint-timing",
        b={"primary_endpoint": {"months_after_therapy": 6}, "follow_up_months_after_therapy": 6},
        silent_b={"primary_endpoint": {"months_after_therapy": 1}},
        severity="moderate",
        values={"chb": False, "same_indication": True},
        texts=("0.7 months", "6 months", "not expected to show a larger benefit"),
        absent=("more complete measure",),
        note="sepsis: no direction",
    ),
    PairCase(
        "differs-in-endpoint-timing",
        b={**CHB},
        silent_b={"primary_endpoint": {"months_after_therapy": 0.7}},
        severity="minor",
        values={"chb": False, "same_indication": False},
        texts=("different diseases",),
        absent=("more complete measure",),
        note="across indications",
    ),
    PairCase(
        "differs-in-endpoint-timing",
        a={
            "indication": "other",
            "primary_endpoint": {
                "kind": "virological_response",
                **END_OF_THERAPY["primary_endpoint"],
            },
        },
        b=CHB,
        silent_b=END_OF_THERAPY,
        severity="minor",
        values={"chb": False, "same_indication": False},
        note="virological responses, but not both in hepatitis B",
    ),
    PairCase(
        "differs-in-endpoint-timing",
        a=_chb(
            primary_endpoint={
                "kind": "other",
                "timing": "end_of_therapy",
                "months_after_therapy": None,
            }
        ),
        b=_chb(primary_endpoint={"kind": "other"}),
        silent_b=END_OF_THERAPY,
        severity="moderate",
        values={"chb": False},
        note="hepatitis B, endpoint without a documented delayed response",
    ),
    PairCase(
        "differs-in-endpoint-timing",
        a={"primary_endpoint": {"months_after_therapy": 1}},
        b={"primary_endpoint": {"months_after_therapy": 4}},
        silent_b={"primary_endpoint": {"months_after_therapy": 3.9}},
        severity="moderate",
        note="gap at the boundary",
    ),
    PairCase(
        "differs-in-primary-endpoint",
        b={"primary_endpoint": {"kind": "severity_score"}},
        silent_b={"primary_endpoint": {"kind": "mortality"}},
        severity="moderate",
        texts=("severity score", "mortality"),
    ),
    # --- study quality (review item 16; ordinal second rows; size boundary) ------------
    PairCase(
        "differs-in-study-quality",
        b={"design": {"blinding": "open", "sample_size": 60, "centres": 1}},
        silent_b={"design": {"blinding": "double", "sample_size": 600, "centres": 12}},
        severity="major",
        favours="a",
        expected_larger="b",
        values={
            "basis": "bias",
            "b_reasons": ["open label"],
            "a_reasons": [],
            "cannot_tell": False,
        },
        texts=("open label", "60 participants", "study-a is the more credible"),
        cites=("b.design.blinding", "a.design.blinding", "b.design.sample_size"),
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"sample_size": 6000, "centres": 40}},
        silent_b={"design": {"sample_size": 1799}},
        severity="major",
        favours="b",
        values={"basis": "precision"},
        texts=("study-b is at least 3 times larger",),
        note="same design, ten times the patients",
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"sample_size": 1800}},
        silent_b={"design": {"sample_size": 1799}},
        severity="major",
        favours="b",
        values={"basis": "precision"},
        note="size ratio at the boundary",
    ),
    PairCase(
        "differs-in-study-quality",
        a={"design": {"sample_size": 1800}},
        b={},
        silent_b={"design": {"sample_size": 601}},
        severity="major",
        favours="a",
        values={"basis": "precision"},
        note="size ratio at the boundary, the first study larger",
    ),
    PairCase(
        "differs-in-study-quality",
        a={"design": {"blinding": None}},
        b={"design": {"blinding": "open", "sample_size": 1800}},
        silent_b={"design": {"blinding": None, "sample_size": 600}},
        severity="moderate",
        values={"cannot_tell": True, "basis": None},
        note="precision does not decide while the safeguards cannot be compared",
    ),
    PairCase(
        "differs-in-study-quality",
        a={"design": {"blinding": None}},
        b={"design": {"blinding": "open"}},
        silent_b={"design": {"blinding": None}},
        severity="moderate",
        values={"cannot_tell": True, "a_unknown": ["blinding"], "b_unknown": [], "basis": None},
        texts=("Not reported: study-a, blinding", "cannot be told"),
        absent=("more credible on this point",),
        note="review item 16: unreported blinding is not better than open",
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"blinding": None, "allocation_concealment": None}},
        silent_b={"design": {"blinding": "double", "allocation_concealment": True}},
        severity="moderate",
        values={"cannot_tell": True, "b_unknown": ["blinding", "allocation concealment"]},
        note="reported double-blind against unreported",
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"blinding": "single"}},
        silent_b={"design": {"blinding": "double"}},
        severity="major",
        favours="a",
        expected_larger="b",
        values={"b_reasons": ["single-blind"]},
        note="double above single",
    ),
    PairCase(
        "differs-in-study-quality",
        a={"design": {"blinding": "single"}},
        b={"design": {"blinding": "open"}},
        silent_b={"design": {"blinding": "single"}},
        severity="major",
        favours="a",
        expected_larger="b",
        note="single above open",
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"risk_of_bias": "some_concerns"}},
        silent_b={"design": {"risk_of_bias": "low"}},
        severity="major",
        favours="a",
        expected_larger="b",
        values={"b_reasons": ["some concerns about bias"]},
        note="risk of bias low above some concerns",
    ),
    PairCase(
        "differs-in-study-quality",
        a={"design": {"blinding": "open"}},
        b={"design": {"allocation_concealment": False}},
        silent_b={"design": {"allocation_concealment": True, "blinding": "open"}},
        severity="moderate",
        values={"basis": None, "cannot_tell": False},
        texts=("neither is clearly better protected",),
        note="each better on one safeguard",
    ),
    PairCase(
        "differs-in-study-quality",
        b={"design": {"type": "observational", "blinding": "open"}},
        silent_b={"design": {"type": "rct", "blinding": "double"}},
        severity="major",
        favours="a",
        expected_larger="b",
        values={"b_reasons": ["not randomised", "open label"]},
        note="randomised above observational",
    ),
    # --- comparator (review item 20) ---------------------------------------------------
    PairCase(
        "differs-in-comparator",
        a={"primary_endpoint": {"kind": "complications"}},
        b={"design": {"comparator": "no_treatment"}, "primary_endpoint": {"kind": "complications"}},
        silent_b={"design": {"comparator": "placebo"}},
        severity="moderate",
        favours="a",
        expected_larger="b",
        values={"contrast": "placebo", "objective": False},
        texts=("Only study-a had a placebo", "study-a is the more credible"),
        cites=("a.design.comparator", "b.design.comparator"),
    ),
    PairCase(
        "differs-in-comparator",
        b={"design": {"comparator": "standard_of_care"}},
        silent_b={"design": {"comparator": "placebo"}},
        severity="moderate",
        favours="a",
        values={"contrast": "placebo", "objective": True},
        texts=("less so for an objective outcome",),
        note="placebo against standard care, mortality",
    ),
    PairCase(
        "differs-in-comparator",
        a={"design": {"comparator": "standard_of_care"}},
        b={"design": {"comparator": "no_treatment"}},
        silent_b={"design": {"comparator": "standard_of_care"}},
        severity="moderate",
        values={"contrast": "open"},
        texts=("Neither had a placebo",),
        absent=("Only", "more credible on this point"),
        note="neither had a placebo",
    ),
    PairCase(
        "differs-in-comparator",
        b={"design": {"comparator": "active"}},
        silent_b={"design": {"comparator": "placebo"}},
        severity="moderate",
        expected_larger="a",
        values={"contrast": "active"},
        texts=("answers a different question", "neither study is the more credible"),
        note="active control",
    ),
    PairCase(
        "differs-in-comparator",
        b={"design": {"comparator": "none", "type": "single_arm"}},
        silent_b={"design": {"comparator": "placebo", "type": "rct"}},
        severity="moderate",
        favours="a",
        values={"contrast": "uncontrolled"},
        texts=("study-b had no control group",),
        note="no control group",
    ),
    PairCase(
        "differs-in-comparator",
        a={"schema_version": 2, "primary_endpoint": {"kind": "complications"}},
        b={
            "schema_version": 2,
            "design": {"comparator": "same_background_therapy"},
            "primary_endpoint": {"kind": "complications"},
        },
        silent_b={"design": {"comparator": "placebo"}},
        severity="moderate",
        favours="a",
        expected_larger="b",
        values={"contrast": "placebo"},
        texts=("same background therapy", "Only study-a had a placebo"),
        note="add-on without placebo against placebo",
    ),
    PairCase(
        "differs-in-comparator",
        a={"schema_version": 2, "design": {"comparator": "standard_of_care"}},
        b={"schema_version": 2, "design": {"comparator": "same_background_therapy"}},
        silent_b={"design": {"comparator": "standard_of_care"}},
        severity="moderate",
        values={"contrast": "open"},
        absent=("Only", "active control", "more credible on this point"),
        note="two add-on designs without placebo",
    ),
    # --- population selection ------------------------------------------------------------
    PairCase(
        "differs-in-population-selection",
        b={"population": {"selected_by_biomarker": False}},
        silent_b={"population": {"selected_by_biomarker": True}},
        severity="moderate",
        expected_larger="a",
        values={"differing": ["selected_by_biomarker"]},
        texts=("selected by biomarker", "Neither study is the more credible"),
        cites=("a.population.selected_by_biomarker", "b.population.selected_by_biomarker"),
    ),
    PairCase(
        "differs-in-population-selection",
        b={"population": {"median_age": 72}},
        silent_b={"population": {"median_age": 71.9}},
        severity="moderate",
        values={"differing": ["median_age"]},
        note="age gap at the boundary",
    ),
    # --- biological endpoints --------------------------------------------------------------
    PairCase(
        "differs-in-biological-endpoints",
        b={"secondary_endpoints": ["icu_stay"], "result": {"immune_markers_improved": None}},
        silent_b={"secondary_endpoints": ["cd4"], "result": {"immune_markers_improved": True}},
        severity="minor",
        values={"informative": "a", "a_measured": True, "b_measured": False},
        texts=("measured no immune markers", "more informative, not more credible"),
        cites=("a.secondary_endpoints", "b.secondary_endpoints"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fires(case: PairCase) -> None:
    check_fires(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_silent(case: PairCase) -> None:
    check_silent(case)


# --- helpers, each table member ------------------------------------------------------


@pytest.mark.parametrize("partner", sorted(thresholds.ANTICANCER_PARTNERS))
def test_every_anticancer_partner_gets_the_cancer_reasoning_in_cancer_only(partner: str) -> None:
    assert partner_kind([partner], "cancer") == "anticancer"
    assert partner_kind([partner], None) != "anticancer"
    assert partner_kind([partner], "sepsis") != "anticancer"


@pytest.mark.parametrize(
    ("partners", "kind"),
    [
        (["nucleoside_analogue"], "antiviral"),
        (["interferon"], "antiviral"),
        (["other_antiviral"], "antiviral"),
        (["vaccine"], "vaccine"),
        (["standard_of_care"], "standard_of_care"),
        ([], "unknown"),
        (None, "unknown"),
    ],
)
def test_partner_kinds(partners: list[str] | None, kind: str) -> None:
    assert partner_kind(partners, "cancer" if partners else None) == kind


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"blinding": None}, {"blinding": "open"}, None),
        ({"blinding": "double"}, {"blinding": None}, None),
        ({"blinding": "double"}, {"blinding": "open"}, "a"),
        ({"blinding": "open"}, {"blinding": "double"}, "b"),
        ({"blinding": "double", "allocation_concealment": None}, {"blinding": "open"}, "a"),
        (
            {"blinding": "double", "allocation_concealment": None},
            {"blinding": "open", "allocation_concealment": True},
            None,
        ),
        ({"type": "rct"}, {"type": "observational"}, "a"),
        ({"risk_of_bias": "high"}, {"risk_of_bias": "some_concerns"}, "b"),
        ({}, {}, None),
    ],
)
def test_unknown_safeguards_never_count_as_in_place(
    a: dict[str, object], b: dict[str, object], expected: str | None
) -> None:
    assert better_protected(a, b) == expected


@pytest.mark.parametrize(
    ("va", "vb", "objective", "expected"),
    [
        ("placebo", "no_treatment", False, ("placebo", "a", "b")),
        ("placebo", "no_treatment", True, ("placebo", "a", None)),
        ("standard_of_care", "placebo", False, ("placebo", "b", "a")),
        ("standard_of_care", "no_treatment", False, ("open", None, None)),
        ("active", "placebo", False, ("active", None, "b")),
        ("none", "active", False, ("uncontrolled", "b", None)),
        ("placebo", "none", False, ("uncontrolled", "a", None)),
    ],
)
def test_comparator_contrasts(
    va: str, vb: str, objective: bool, expected: tuple[str, str | None, str | None]
) -> None:
    assert comparator_contrast(va, vb, objective) == expected


def test_pair_constants_live_in_thresholds_with_their_source() -> None:
    for name in (
        "IMMUNE_RANK",
        "PER_WEEK",
        "EXPOSURE_RATIO",
        "TIMING_GAP_MONTHS",
        "SIZE_RATIO",
        "AGE_GAP_YEARS",
        "COMPARATOR_RANK",
        "DELAYED_RESPONSE_ENDPOINTS",
        "ESTIMATE_POSITION_TOLERANCE",
    ):
        assert hasattr(thresholds, name), name
        kind, why, faq = thresholds._PAIR_PROVENANCE[name]
        assert kind in {"FAQ", "convention", "heuristic"} and len(why.split()) >= 6
        assert bool(faq) == (kind == "FAQ"), name


def test_unknown_fact_makes_factor_not_comparable() -> None:
    comparison = pair(b={"population": {"immune_status": None, "suppression": []}})
    check = next(c for c in comparison.checks if c.finding == "differs-in-baseline-immunity")
    assert check.status == "not_assessable"
    assert check.unknown == ("b.population.immune_status",)
    assert "differs-in-baseline-immunity" not in comparison.finding_ids()


def test_every_pair_row_cites_only_what_its_rules_declare() -> None:
    from tests.kb.test_pairs_results import CASES as RESULT_CASES
    from thymoscope.engine.rules import rule_specs
    from thymoscope.kb.comparison import pair_knowledge

    reads: dict[str, set[str]] = {}
    for spec in rule_specs(pair_knowledge().rule_sets):
        reads.setdefault(spec.rule, set()).update(spec.reads)
    for case in CASES + RESULT_CASES:
        for finding in pair(a=case.a, b=case.b).findings:
            declared = set().union(*(reads[rule] for rule in finding.rules))
            cited = {fact.path for fact in finding.facts}
            assert cited <= declared, (case_id(case), finding.id, cited - declared)


# --- the helpers behind the pair rules, at their edges (from the mutation run) ----------


def test_more_exposed_needs_a_clear_ratio_and_positive_exposures() -> None:
    from thymoscope.kb.rules.pairs_factors import more_exposed

    def course(dose: float, weeks: float) -> dict[str, object]:
        return {
            "dose": dose,
            "dose_unit": "mg",
            "frequency": "twice_weekly",
            "duration_weeks": weeks,
        }

    assert more_exposed(course(1.6, 52), course(1.6, 26)) == ("a", 2.0)
    assert more_exposed(course(1.6, 26), course(1.6, 52)) == ("b", 2.0)
    assert more_exposed(course(1.6, 26), course(1.6, 39)) == ("b", 1.5)  # at the ratio
    assert more_exposed(course(1.6, 26), course(1.6, 38)) == (None, 1.0)
    assert more_exposed(course(1.6, 26), {"dose": 1.6, "dose_unit": "mg"}) == (None, 1.0)
    assert more_exposed(course(0.0, 26), course(1.6, 26)) == (None, 1.0)  # no ratio to 0 mg


def test_reference_deviations_count_each_difference_once() -> None:
    from thymoscope.kb.rules.pairs_factors import reference_deviations

    reference = {
        "dose": 1.6,
        "dose_unit": "mg",
        "route": "subcutaneous",
        "frequency": "twice_daily",
        "duration_weeks": 1.0,
    }
    assert reference_deviations("sepsis", reference) == 0
    assert reference_deviations("sepsis", {**reference, "dose": 3.2}) == 1
    assert reference_deviations("sepsis", {**reference, "dose": 3.2, "route": "intravenous"}) == 2
    assert reference_deviations("sepsis", {**reference, "duration_weeks": 4.0}) == 1
    assert reference_deviations("cancer", reference) is None


def test_a_meta_analysis_of_trials_counts_as_randomised_like_a_trial() -> None:
    trial = {"type": "rct", "blinding": "double", "risk_of_bias": "low"}
    pooled = {"type": "meta_analysis", "blinding": "double", "risk_of_bias": "low"}
    assert better_protected(trial, pooled) is None
    assert better_protected(pooled, trial) is None
    cohort = {**trial, "type": "observational"}
    assert better_protected(trial, cohort) == "a"


def test_allocation_concealment_is_a_safeguard() -> None:
    concealed = {"type": "rct", "blinding": "double", "allocation_concealment": True}
    not_concealed = {**concealed, "allocation_concealment": False}
    assert better_protected(concealed, not_concealed) == "a"
    assert better_protected(not_concealed, concealed) == "b"
