"""Behaviours the mutation run (benchmarks/mutate_kb.py) found no test pinning.

Each test is a study situation a reviewer could meet, read through the engine (or the
``review`` certainty rating, or the ``rules`` listing) and checked where a user reads
it; its comment names the knowledge the mutation changed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.compare.helpers import pair
from tests.conftest import (
    DELETE,
    FAQ_META_ANALYSIS,
    FAQ_QUALITY_STRATA,
    make_study,
    make_study_dict,
    quality_stratum,
)
from tests.kb.rulecase import finding
from tests.kb.values import concluded, diagnosed
from thymoscope.engine.rules import rule_specs
from thymoscope.kb import knowledge, thresholds
from thymoscope.kb.thresholds import ALPHA, ANTICANCER_PARTNERS, IMMUNE_MARKERS
from thymoscope.report.rules import thresholds_of

LOWER, HIGHER = FAQ_QUALITY_STRATA
META = FAQ_META_ANALYSIS


# ---- high-risk-of-bias: the design itself (DESIGN_MECHANISMS, NON_RANDOMISED_DESIGNS) ----


@pytest.mark.parametrize(
    ("design", "mechanism", "phrase"),
    [
        (
            {"type": "single_arm", "comparator": "none", "blinding": DELETE},
            "no_control",
            "it has a single arm and no concurrent control group",
        ),
        ({"type": "non_randomized_trial"}, "allocation", "allocation to the arms was not"),
        ({"type": "observational"}, "confounding", "confounding by indication"),
    ],
)
def test_a_non_randomised_design_is_one_serious_mechanism_not_also_unconcealed_allocation(
    design: dict[str, Any], mechanism: str, phrase: str
) -> None:
    # Concealing allocation is a safeguard of randomisation: a study that did not
    # randomise is charged with that, not also with an unconcealed allocation.
    data = make_study_dict(
        design={**design, "allocation_concealment": False},
        result={"effect": DELETE},
    )
    found, values = concluded(data, "high-risk-of-bias")
    assert values["mechanisms"] == [mechanism]
    assert phrase in found.explanation
    assert "allocation was not concealed" not in found.explanation
    assert found.severity == "major"


@pytest.mark.parametrize(("patients", "small"), [(99, True), (100, False)])
def test_a_small_single_centre_trial_is_one_under_100_patients(patients: int, small: bool) -> None:
    data = make_study_dict(
        design={"blinding": "open", "sample_size": patients, "centres": 1},
        primary_endpoint={"kind": "complications"},
    )
    found, values = concluded(data, "high-risk-of-bias")
    assert ("small_single_centre" in values["mechanisms"]) is small
    assert ("small single-centre study" in found.explanation) is small


# ---- the certainty rating of `review` reads the same design flaws (bias_reasons) ----------


def _risk_of_bias_domain(**design: Any) -> dict[str, Any]:
    """The certainty's risk-of-bias domain for two sepsis RCTs sharing ``design``, neither
    with a declared risk of bias (so the rating reads the design flaws)."""
    from thymoscope.synthesis.body import ReviewOptions
    from thymoscope.synthesis.review import review_studies

    effects = [(0.7, 0.55, 0.9, 600), (0.8, 0.6, 1.05, 400)]
    studies = [
        (
            make_study(
                id=f"trial-{i}",
                design={"risk_of_bias": DELETE, "sample_size": n, **design},
                result={"effect": {"estimate": e, "ci_low": lo, "ci_high": hi, "p_value": None}},
            ),
            f"trial-{i}.yaml",
        )
        for i, (e, lo, hi, n) in enumerate(effects)
    ]
    (outcome,) = review_studies(studies, ReviewOptions())["outcomes"]
    (domain,) = [d for d in outcome["certainty"]["domains"] if d["name"] == "risk of bias"]
    return dict(domain)


@pytest.mark.parametrize(
    ("design", "judged"),
    [
        ({}, None),  # double-blind, placebo, concealed: low risk
        ({"allocation_concealment": False}, "2 some concerns"),
        ({"blinding": "open"}, "2 some concerns"),
        # assessor-blinded, untreated control: one flaw, not serious on its own
        ({"blinding": "single", "comparator": "no_treatment"}, "2 some concerns"),
        ({"sample_size": 80, "centres": 1}, "2 some concerns"),
        ({"sample_size": 100, "centres": 1}, None),  # "small" is under 100 patients
        ({"type": "non_randomized_trial"}, "2 high"),  # serious on its own
        ({"blinding": "open", "comparator": "no_treatment"}, "2 high"),  # two flaws
        ({"blinding": "open", "comparator": "none"}, "2 high"),
    ],
)
def test_certainty_counts_each_reported_design_flaw(design: dict[str, Any], judged: str) -> None:
    domain = _risk_of_bias_domain(**design)
    if judged is None:
        assert domain["reasons"] == ["every study is at low risk of bias"]
        assert domain["downgrade"] == 0
    else:
        assert domain["reasons"][0].endswith(f"risk of bias ({judged})")
        assert domain["downgrade"] == 1


# ---- reading an interval or a p-value at its boundary ------------------------------------


def test_a_benefit_claimed_at_p_equal_to_alpha_is_fragile() -> None:
    data = make_study_dict(
        result={
            "effect": {
                "measure": "risk_ratio",
                "estimate": 0.8,
                "ci_low": DELETE,
                "ci_high": DELETE,
                "p_value": ALPHA,
            }
        }
    )
    found, values = concluded(data, "fragile-benefit")
    assert values["reason"] == "p"
    assert "p = 0.05" in found.explanation


@pytest.mark.parametrize(
    ("measure", "estimate", "low", "high"),
    [
        ("odds_ratio", 0.7, 0.49, 1.0),  # upper limit exactly at no effect
        ("risk_ratio", 2.0, 1.0, 4.0),  # a favourable event counted: lower limit at 1
        ("mean_difference", -1.5, -3.0, 0.0),
    ],
)
def test_an_interval_reaching_no_effect_does_not_establish_a_claimed_benefit(
    measure: str, estimate: float, low: float, high: float
) -> None:
    effect = {"measure": measure, "estimate": estimate, "ci_low": low, "ci_high": high}
    found, values = concluded(
        make_study_dict(result={"effect": {**effect, "p_value": DELETE}}), "fragile-benefit"
    )
    assert values["reason"] == "ci"
    assert found.severity == "major"


def _p_only(name: str, level: str, p_value: float) -> dict[str, Any]:
    return {
        "name": name,
        "by": "study_quality",
        "level": level,
        "effect": {
            "measure": "risk_ratio",
            "estimate": 0.5 if level == "lower" else 0.8,
            "p_value": p_value,
        },
    }


def test_a_stratum_reported_at_p_equal_to_alpha_is_not_significant() -> None:
    data = make_study_dict(
        subgroups=[_p_only("weaker", "lower", 0.01), _p_only("stronger", "higher", ALPHA)]
    )
    found, values = concluded(data, "quality-subgroups-disagree")
    assert values["pattern"] == "lower_only"
    assert found.severity == "major"


def test_null_interval_is_set_beside_the_weaker_sepsis_trials_only_when_it_excludes_them() -> None:
    # FAQ 2: the lower-quality sepsis trials pooled OR 0.41. A null sepsis mortality
    # trial whose 95% CI stops above 0.41 rules that size of effect out.
    def reading(low: float) -> tuple[Any, dict[str, Any]]:
        effect = {"estimate": 0.8, "ci_low": low, "ci_high": 1.3}
        data = make_study_dict(
            result={"primary": "no_significant_effect", "effect": effect},
        )
        return concluded(data, "imprecise-result")

    found, values = reading(0.5)
    assert values["faq_strata_excluded"] is True
    assert "OR 0.41" in found.explanation
    for low in (0.4, 0.41):  # an interval reaching 0.41 still includes it
        found, values = reading(low)
        assert values["faq_strata_excluded"] is False
        assert "OR 0.41" not in found.explanation


def test_an_interval_given_at_another_level_is_cited_with_its_level() -> None:
    effect = {"measure": "odds_ratio", "estimate": 0.9, "ci_low": 0.7, "ci_high": 1.15}
    null = {"primary": "no_significant_effect", "effect": {**effect, "p_value": DELETE}}
    found, _ = concluded(make_study_dict(result=null), "imprecise-result")
    assert "result.effect.ci_level" not in {f.path for f in found.facts}
    ninety = {**null, "effect": {**null["effect"], "ci_level": 90}}
    found, _ = concluded(make_study_dict(schema_version=2, result=ninety), "imprecise-result")
    cited = {f.path: f.value for f in found.facts}
    assert cited["result.effect.ci_level"] == 90


def test_a_weaker_stratum_showing_harm_against_a_stronger_one_showing_benefit_is_flagged() -> None:
    lower_harm = quality_stratum(LOWER, 2.0, 1.2, 3.3)
    higher_benefit = quality_stratum(HIGHER, 0.7, 0.55, 0.9)
    found, values = concluded(
        make_study_dict(**META, subgroups=[lower_harm, higher_benefit]),
        "quality-subgroups-disagree",
    )
    # both exclude no effect, on opposite sides: a disagreement on direction itself
    assert values["pattern"] == "opposite"
    assert found.severity == "major"
    assert "Bias can push estimates in either direction" in found.explanation


def test_strata_that_both_show_a_harm_agree() -> None:
    lower_harm = quality_stratum(LOWER, 2.0, 1.2, 3.3)
    both = make_study_dict(**META, subgroups=[lower_harm, quality_stratum(HIGHER, 1.5, 1.1, 2.0)])
    assert "quality-subgroups-disagree" not in diagnosed(both).finding_ids()
    # a harm only the weaker trials show significantly is flagged
    weaker_only = make_study_dict(
        **META, subgroups=[lower_harm, quality_stratum(HIGHER, 1.2, 0.9, 1.6)]
    )
    _, values = concluded(weaker_only, "quality-subgroups-disagree")
    assert values["pattern"] == "lower_harm"


def test_a_stratum_whose_interval_touches_no_effect_shows_no_harm() -> None:
    # Lower-quality trials OR 1.8 (1.00-3.2) for mortality: not a significant harm.
    lower = quality_stratum(LOWER, 1.8, 1.0, 3.2)
    assert (
        "quality-subgroups-disagree"
        not in diagnosed(make_study_dict(**META, subgroups=[lower, HIGHER])).finding_ids()
    )
    # just clear of 1, the same stratum is a harm the higher-quality trials do not show
    clear = quality_stratum(LOWER, 1.8, 1.01, 3.2)
    _, values = concluded(
        make_study_dict(**META, subgroups=[clear, HIGHER]), "quality-subgroups-disagree"
    )
    assert values["pattern"] == "lower_harm"


def test_a_higher_quality_stratum_reaching_no_effect_is_not_significant() -> None:
    # The FAQ's lower stratum against higher-quality trials at OR 0.7 (0.49-1.00): only
    # the lower-quality trials show a benefit.
    higher = quality_stratum(HIGHER, 0.7, 0.49, 1.0)
    found, values = concluded(
        make_study_dict(**META, subgroups=[LOWER, higher]), "quality-subgroups-disagree"
    )
    assert values["pattern"] == "lower_only"
    assert found.severity == "major"


def test_the_pooled_estimate_says_how_much_weight_the_weaker_trials_carry() -> None:
    # Precise lower-quality trials OR 0.5 (0.4-0.62) against imprecise higher-quality
    # ones OR 0.8 (0.55-1.16): here the weaker trials carry three quarters of the weight.
    lower = quality_stratum(LOWER, 0.5, 0.4, 0.62)
    higher = quality_stratum(HIGHER, 0.8, 0.55, 1.16)
    found, values = concluded(
        make_study_dict(**META, subgroups=[lower, higher]), "quality-subgroups-disagree"
    )
    assert values["pattern"] == "lower_only"
    assert values["lower_weight"] == 74  # inverse-variance share 0.7436
    assert "74% of that weight" in found.explanation


def test_strata_pointing_opposite_ways_disagree_on_direction() -> None:
    # Lower-quality trials show a significant benefit, higher-quality ones a significant
    # harm: the strata disagree on the direction itself, never "one more than the other".
    higher_harm = quality_stratum(HIGHER, 1.5, 1.1, 2.0)
    found, values = concluded(
        make_study_dict(**META, subgroups=[LOWER, higher_harm]), "quality-subgroups-disagree"
    )
    assert values["pattern"] == "opposite"
    assert found.severity == "major"
    assert "on opposite sides of it" in found.explanation
    assert "p < 0.001" in found.explanation and "p = 0.000" not in found.explanation
    assert "overstate" not in found.explanation and "pooled benefit" not in found.explanation
    assert "pooled" not in values


def test_a_higher_stratum_on_the_same_side_is_not_opposite() -> None:
    higher_same = quality_stratum(HIGHER, 0.38, 0.2, 0.7)  # same side and further from no effect
    found = finding(
        diagnosed(make_study_dict(**META, subgroups=[LOWER, higher_same])),
        "quality-subgroups-disagree",
    )
    assert found is None  # the lower stratum is no further from no effect


# ---- biological endpoints: each marker named for an indication counts ---------------------


# Written out, not read from kb/thresholds.py: a list built from the constant would
# shrink with it and pin nothing.
NAMED_MARKERS = {
    # FAQ 2: HLA-DR, T-cell subsets, lymphocyte counts, cytokines
    "sepsis": ("hla_dr", "cd3", "cd4", "cd8", "cd4_cd8_ratio", "lymphocyte_count", "cytokines"),
    # FAQ 4: CD4+, CD8+, NK cells and lymphocyte counts (CD3 and the ratio: T-cell subsets)
    "cancer": ("cd4", "cd8", "nk_cells", "lymphocyte_count", "cd3", "cd4_cd8_ratio"),
}


def test_the_named_markers_are_the_knowledge_bases() -> None:
    assert {k: frozenset(v) for k, v in NAMED_MARKERS.items()} == IMMUNE_MARKERS


@pytest.mark.parametrize(
    ("indication", "marker"),
    [(ind, marker) for ind, markers in NAMED_MARKERS.items() for marker in markers],
)
def test_any_one_named_immune_marker_is_enough(indication: str, marker: str) -> None:
    overrides: dict[str, Any] = {
        "indication": indication,
        "result": {"immune_markers_improved": DELETE},
    }
    if indication == "cancer":
        overrides |= {
            "cancer_type": "colorectal",
            "intervention": {"combined_with": ["chemotherapy"]},
            "primary_endpoint": {"kind": "complications"},
        }
    measured_nothing = make_study_dict(**overrides, secondary_endpoints=["icu_stay"])
    assert "immune-endpoints-missing" in diagnosed(measured_nothing).finding_ids()
    measured_one = make_study_dict(**overrides, secondary_endpoints=["icu_stay", marker])
    assert "immune-endpoints-missing" not in diagnosed(measured_one).finding_ids()


# ---- therapy role: every anti-cancer partner makes thymalfasin an add-on -----------------


NAMED_PARTNERS = (  # FAQ 4's list, and the project's surgery and locoregional therapy
    "chemotherapy",
    "radiotherapy",
    "chemoradiotherapy",
    "immune_checkpoint_inhibitor",
    "other_immunotherapy",
    "surgery",
    "locoregional_therapy",
)


def test_the_named_partners_are_the_knowledge_bases() -> None:
    assert frozenset(NAMED_PARTNERS) == ANTICANCER_PARTNERS


@pytest.mark.parametrize("partner", NAMED_PARTNERS)
def test_thymalfasin_added_to_any_anti_cancer_treatment_is_read_as_adjuvant(partner: str) -> None:
    data = make_study_dict(
        schema_version=2,
        indication="cancer",
        cancer_type="melanoma",
        intervention={"role": "adjuvant", "combined_with": [partner, "vaccine"]},
        primary_endpoint={"kind": "survival", "name": "Overall survival"},
        secondary_endpoints=["cd4", "nk_cells"],
    )
    found, values = concluded(data, "adjuvant-benefit-plausible")
    assert values["partners"] == [partner]
    assert partner.replace("_", " ") in found.explanation


# ---- pair dosing: administrations per week and the reference course -----------------------


@pytest.mark.parametrize(
    ("more", "less", "ratio"),
    [
        ("twice_daily", "daily", 2.0),
        ("daily", "thrice_weekly", 7 / 3),
        ("thrice_weekly", "twice_weekly", 1.5),
        ("twice_weekly", "weekly", 2.0),
    ],
)
def test_total_exposure_counts_the_administrations_of_each_frequency(
    more: str, less: str, ratio: float
) -> None:
    comparison = pair(
        a={"intervention": {"frequency": more, "duration_weeks": 4}},
        b={"intervention": {"frequency": less, "duration_weeks": 4}},
    )
    details = comparison.details["differs-in-dosing"]
    assert details["more_exposed"] == "a"
    assert details["exposure_ratio"] == pytest.approx(ratio)


CHB_COURSE = {
    "indication": "chronic_hepatitis_b",
    "population": {"suppression": ["other"]},
    "intervention": {"role": "monotherapy", "combined_with": [], "frequency": "twice_weekly"},
}


@pytest.mark.parametrize("weeks", [24, 26])
def test_both_ends_of_the_faq_hepatitis_b_course_are_on_protocol(weeks: int) -> None:
    # FAQ 3: 1.6 mg twice a week for 24-26 weeks; a 30-week course is off it.
    comparison = pair(
        a={**CHB_COURSE, "intervention": {**CHB_COURSE["intervention"], "duration_weeks": weeks}},
        b={**CHB_COURSE, "intervention": {**CHB_COURSE["intervention"], "duration_weeks": 30}},
    )
    assert comparison.details["differs-in-dosing"]["closer"] == "a"


# ---- where a threshold comes from, as `thymoscope rules` lists it --------------------------

INDICATION_SECTIONS = {"sepsis": "2", "chronic_hepatitis_b": "3", "cancer": "4"}


def _sections_named(why: str) -> set[str]:
    return {d for run in re.findall(r"FAQ ([\d,– and]+)", why) for d in re.findall(r"\d", run)}


def test_a_threshold_cites_every_faq_section_its_reason_names() -> None:
    for name, source in thresholds.provenance().items():
        assert _sections_named(source.why) <= set(source.faq), name


def test_a_threshold_from_several_faq_sections_says_which_part_comes_from_which() -> None:
    for name, source in thresholds.provenance().items():
        if len(source.faq) > 1:
            assert _sections_named(source.why) == set(source.faq), name


def test_a_faq_table_by_indication_cites_each_indications_section() -> None:
    for name, source in thresholds.provenance().items():
        table = getattr(thresholds, name, None)
        if source.kind == "FAQ" and isinstance(table, dict):
            named = {INDICATION_SECTIONS[k] for k in table if k in INDICATION_SECTIONS}
            assert named <= set(source.faq), name


def test_rules_listing_gives_the_immune_marker_lists_both_their_sections() -> None:
    specs = [
        s for s in rule_specs(knowledge().rule_sets) if s.finding == "immune-endpoints-missing"
    ]
    listed = {t["name"]: t for t in thresholds_of(specs)}
    assert listed["IMMUNE_MARKERS"]["faq_sections"] == ["2", "4"]
