"""The between-estimates test (Altman & Bland 2003) and its preconditions.

Every number is recomputed with scipy from the published formulas:
SE = (g(upper) - g(lower)) / (2 z_level) with g = ln for ratios and the identity for
mean/risk differences; z = (g(E1) - g(E2)) / sqrt(SE1² + SE2²); p = 2 (1 - Phi(|z|));
contrast g⁻¹(g(E1) - g(E2)) with the 95% interval g⁻¹(g(E1) - g(E2) ± z_0.975 SE).
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tests.conftest import FAQ_QUALITY_STRATA, make_study
from thymoscope.api import diagnose
from thymoscope.kb.effects import (
    ESTIMATE_POSITION_TOLERANCE,
    Estimate,
    between_estimates,
    counted_event,
    dependence,
    difference_test,
    outcome_problem,
    pair_test,
)

REL = 1e-9


def _scipy(first: Estimate, second: Estimate) -> tuple[float, float, float, float, float]:
    ratio = first.measure.endswith("_ratio")
    g = math.log if ratio else float

    def se(e: Estimate) -> float:
        if e.se is not None:
            return e.se
        assert e.ci_low is not None and e.ci_high is not None
        return (g(e.ci_high) - g(e.ci_low)) / (2 * stats.norm.ppf(0.5 + e.ci_level / 200))

    total = math.sqrt(se(first) ** 2 + se(second) ** 2)
    diff = g(first.estimate) - g(second.estimate)
    half = stats.norm.ppf(0.975) * total
    back = math.exp if ratio else float
    z = diff / total
    return back(diff), back(diff - half), back(diff + half), z, 2 * stats.norm.sf(abs(z))


def _assert_matches(first: Estimate, second: Estimate) -> None:
    test = between_estimates(first, second)
    assert test.tested, test.reason
    contrast, low, high, z, p = _scipy(first, second)
    assert test.contrast == pytest.approx(contrast, rel=REL, abs=1e-12)
    assert test.ci_low == pytest.approx(low, rel=REL, abs=1e-12)
    assert test.ci_high == pytest.approx(high, rel=REL, abs=1e-12)
    assert test.z == pytest.approx(z, rel=REL, abs=1e-12)
    assert test.p_value == pytest.approx(p, rel=REL, abs=1e-300)


@st.composite
def ratio_estimates(draw: st.DrawFn, measure: str = "odds_ratio") -> Estimate:
    centre = draw(st.floats(-4, 4))
    half = draw(st.floats(0.01, 3))
    level = draw(st.sampled_from([90.0, 95.0, 99.0, 80.0]))
    return Estimate(
        measure, math.exp(centre), math.exp(centre - half), math.exp(centre + half), level
    )


@st.composite
def additive_estimates(draw: st.DrawFn, measure: str = "mean_difference") -> Estimate:
    centre = draw(st.floats(-50, 50))
    half = draw(st.floats(0.01, 30))
    level = draw(st.sampled_from([90.0, 95.0, 99.0]))
    return Estimate(measure, centre, centre - half, centre + half, level)


@settings(max_examples=200, deadline=None)
@given(ratio_estimates(), ratio_estimates())
def test_ratio_test_matches_scipy(first: Estimate, second: Estimate) -> None:
    _assert_matches(first, second)


@settings(max_examples=200, deadline=None)
@given(additive_estimates(), additive_estimates())
def test_additive_measures_are_tested_on_their_own_scale(first: Estimate, second: Estimate) -> None:
    _assert_matches(first, second)
    test = between_estimates(first, second)
    assert test.scale == "difference" and test.ratio is None
    assert test.difference == pytest.approx(first.estimate - second.estimate, rel=REL, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.01, 5), st.floats(0.01, 5), st.floats(-3, 3), st.floats(-3, 3))
def test_standard_error_given_directly_is_used(
    se1: float, se2: float, t1: float, t2: float
) -> None:
    first = Estimate("hazard_ratio", math.exp(t1), se=se1)
    second = Estimate("hazard_ratio", math.exp(t2), se=se2)
    _assert_matches(first, second)


FAQ_LOWER = Estimate("odds_ratio", 0.41, 0.24, 0.68, label="lower")
FAQ_HIGHER = Estimate("odds_ratio", 0.82, 0.65, 1.03, label="higher")


def test_faq_quality_strata_differ_significantly() -> None:
    """OR 0.41 (0.24–0.68) vs 0.82 (0.65–1.03): ratio 0.50 (0.28–0.88), z -2.39, p 0.017."""
    test = between_estimates(FAQ_LOWER, FAQ_HIGHER)
    assert test.ratio == pytest.approx(0.50, abs=0.005)
    assert (round(test.ci_low or 0, 3), round(test.ci_high or 0, 3)) == (0.283, 0.884)
    assert test.z == pytest.approx(-2.386, abs=0.001)
    assert test.p_value == pytest.approx(0.0170, abs=0.0005)
    assert test.significant is True
    assert test.text == "ratio 0.50 (95% CI 0.28–0.88)"
    assert "larger than chance" in test.summary


def test_wrapper_reads_fact_fields_and_refuses_what_cannot_be_tested() -> None:
    def fact(measure: str, e: float, lo: float, hi: float) -> dict[str, object]:
        return {
            "effect_measure": measure,
            "effect_estimate": e,
            "effect_ci_low": lo,
            "effect_ci_high": hi,
        }

    test = difference_test(
        fact("odds_ratio", 0.41, 0.24, 0.68), fact("odds_ratio", 0.82, 0.65, 1.03)
    )
    assert test is not None and test.p_value == pytest.approx(0.01702, abs=1e-5)
    assert (
        difference_test(fact("odds_ratio", 0.7, 0.5, 0.9), fact("hazard_ratio", 0.7, 0.5, 0.9))
        is None
    )
    assert (
        difference_test(fact("odds_ratio", 0.7, 0.5, 0.9), {"effect_measure": "odds_ratio"}) is None
    )


def test_ci_level_sets_the_standard_error() -> None:
    """The same limits as a 99% interval mean a smaller SE than as a 95% one."""
    as95 = Estimate("odds_ratio", 0.5, 0.25, 1.0)
    as99 = Estimate("odds_ratio", 0.5, 0.25, 1.0, ci_level=99)
    se95, se99 = as95.standard_error()[0], as99.standard_error()[0]
    assert se95 == pytest.approx(math.log(4) / (2 * stats.norm.ppf(0.975)), rel=REL)
    assert se99 == pytest.approx(math.log(4) / (2 * stats.norm.ppf(0.995)), rel=REL)
    p95 = between_estimates(as95, FAQ_HIGHER).p_value
    p99 = between_estimates(as99, FAQ_HIGHER).p_value
    assert p95 is not None and p99 is not None and p99 < p95
    assert "99% CI" in as99.text


@pytest.mark.parametrize("level", [0.0, 100.0, -5.0, 150.0])
def test_impossible_ci_level_is_a_reason_not_an_error(level: float) -> None:
    test = between_estimates(Estimate("odds_ratio", 0.5, 0.25, 1.0, ci_level=level), FAQ_HIGHER)
    assert not test.tested and "not between 0 and 100" in (test.reason or "")


def test_order_only_inverts_the_contrast() -> None:
    forward, backward = (
        between_estimates(FAQ_LOWER, FAQ_HIGHER),
        between_estimates(FAQ_HIGHER, FAQ_LOWER),
    )
    assert (forward.ratio or 0) * (backward.ratio or 0) == pytest.approx(1.0, rel=REL)
    assert (forward.ci_low or 0) * (backward.ci_high or 0) == pytest.approx(1.0, rel=REL)
    assert forward.p_value == pytest.approx(backward.p_value, rel=REL)
    md1, md2 = Estimate("mean_difference", -3, -5, -1), Estimate("mean_difference", 1, 0, 2)
    assert between_estimates(md1, md2).difference == -between_estimates(md2, md1).difference


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (
            Estimate("odds_ratio", 0.7, 0.5, 0.9),
            Estimate("hazard_ratio", 0.7, 0.5, 0.9),
            "different scales",
        ),
        (
            Estimate("odds_ratio", 0.7, 0.5, 0.9),
            Estimate("odds_ratio", 0.7),
            "no confidence interval",
        ),
        (Estimate("odds_ratio", 0.7, 0.5, 0.9), None, "reports no effect estimate"),
        (
            Estimate("odds_ratio", 0.7, 0.7, 0.7),
            Estimate("odds_ratio", 0.7, 0.5, 0.9),
            "zero width",
        ),
        (
            Estimate("odds_ratio", 0.7, se=0.0),
            Estimate("odds_ratio", 0.7, 0.5, 0.9),
            "not a positive",
        ),
    ],
)
def test_untestable_pairs_give_a_reason(
    first: Estimate, second: Estimate | None, reason: str
) -> None:
    test = between_estimates(first, second, labels=("A", "B"))
    assert test.tested is False and test.p_value is None and test.contrast is None
    assert reason in (test.reason or "")
    assert test.summary.startswith("No test of the difference")


def test_compatible_never_says_the_effects_are_the_same() -> None:
    """Small open sepsis trial vs large null one: ratio 0.47 (0.20–1.06), p 0.07."""
    test = between_estimates(
        Estimate("odds_ratio", 0.42, 0.19, 0.93), Estimate("odds_ratio", 0.9, 0.72, 1.12)
    )
    assert test.p_value == pytest.approx(0.0699, abs=0.0005)
    assert test.text == "ratio 0.47 (95% CI 0.20–1.06)"
    assert "was not shown" in test.summary
    assert "not evidence that the effects are the same" in test.summary
    assert "0.20 to 1.06" in test.summary
    assert "effects are the same" not in test.summary.replace(
        "not evidence that the effects are the same", ""
    )


# --- the estimate sits where its interval says ------------------------------------


def test_estimate_far_from_the_geometric_mean_is_reported_with_numbers() -> None:
    warning = Estimate("odds_ratio", 0.66, 0.24, 0.68, label="trial-x").position_warning()
    assert warning is not None
    assert "trial-x" in warning and "OR 0.66 (95% CI 0.24–0.68)" in warning
    assert "geometric mean" in warning and "0.404" in warning and "94%" in warning
    test = between_estimates(Estimate("odds_ratio", 0.66, 0.24, 0.68), FAQ_HIGHER)
    assert test.tested and len(test.warnings) == 1


@pytest.mark.parametrize(
    "estimate",
    [
        FAQ_LOWER,
        FAQ_HIGHER,
        Estimate("odds_ratio", 0.42, 0.19, 0.93),
        Estimate("hazard_ratio", 0.99, 0.77, 1.27),
        Estimate("odds_ratio", 1e300, 1e299, 1e301),
        Estimate("mean_difference", -3.0, -5.0, -1.0),
        Estimate("odds_ratio", 0.7),
    ],
)
def test_consistent_estimates_give_no_warning(estimate: Estimate) -> None:
    assert estimate.position_warning() is None


def test_additive_estimate_is_checked_against_the_midpoint() -> None:
    warning = Estimate("mean_difference", -1.0, -5.0, -1.0).position_warning()
    assert warning is not None and "midpoint" in warning and "-3" in warning


def test_position_tolerance_boundary() -> None:
    """Just inside the tolerance (beyond rounding) is silent; just outside warns."""
    half = 1.0  # interval 10 ± 1 given with many decimals so rounding slack is tiny
    inside = 10 + (ESTIMATE_POSITION_TOLERANCE - 0.01) * half
    outside = 10 + (ESTIMATE_POSITION_TOLERANCE + 0.01) * half
    assert Estimate("mean_difference", round(inside, 4), 9.0001, 10.9999).position_warning() is None
    assert Estimate("mean_difference", round(outside, 4), 9.0001, 10.9999).position_warning()


# --- security review defect 3: nothing overflows -----------------------------------

EXTREME = [1e300, 1e-310, 5e-324, 1.7976931348623157e308, 1e-300, 1.0]


@pytest.mark.parametrize("e1", EXTREME)
@pytest.mark.parametrize("e2", EXTREME)
def test_extreme_ratios_give_a_result_or_a_reason(e1: float, e2: float) -> None:
    first = Estimate("odds_ratio", e1, min(e1, 1e-310), max(e1, 1e300))
    second = Estimate("odds_ratio", e2, min(e2, 1e-310), max(e2, 1e300))
    test = between_estimates(first, second)
    if test.tested:
        values = (test.contrast, test.ci_low, test.ci_high, test.z, test.p_value)
        assert all(v is not None and math.isfinite(v) for v in values)
        assert (test.ci_low or 0) > 0
    else:
        assert test.reason
    json.dumps(test.document(), allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["odds_ratio", "mean_difference"]),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=6, max_size=6),
)
def test_any_finite_numbers_never_raise(measure: str, numbers: list[float]) -> None:
    def estimate(e: float, a: float, b: float) -> Estimate:
        if measure == "odds_ratio":
            e, a, b = abs(e) or 1.0, abs(a) or 1.0, abs(b) or 1.0
        low, high = sorted((a, b))
        return Estimate(measure, min(max(e, low), high), low, high)

    test = between_estimates(estimate(*numbers[:3]), estimate(*numbers[3:]))
    json.dumps(test.document(), allow_nan=False)
    assert test.tested or test.reason


# The security review's study: strata 1e300 and 1e-310…1e300 (was OverflowError).
EXTREME_STRATA = [
    {
        **FAQ_QUALITY_STRATA[0],
        "effect": {"measure": "odds_ratio", "estimate": 1e300, "ci_low": 1e299, "ci_high": 1e300},
    },
    {
        **FAQ_QUALITY_STRATA[1],
        "effect": {"measure": "odds_ratio", "estimate": 1e-310, "ci_low": 1e-310, "ci_high": 1e300},
    },
]


# --- same outcome, counted event, independence ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "explicit", "expected"),
    [
        ("mortality", None, "unfavourable"),
        ("virological_response", None, "favourable"),
        ("tumour_response", None, "favourable"),
        ("survival", None, None),
        ("complications", None, None),
        ("other", None, None),
        (None, None, None),
        ("survival", "unfavourable", "unfavourable"),
        ("mortality", "favourable", "favourable"),
    ],
)
def test_counted_event_is_inferred_only_for_unambiguous_kinds(
    kind: str | None, explicit: str | None, expected: str | None
) -> None:
    values = {"primary_endpoint.kind": kind, "primary_endpoint.counted_event": explicit}
    assert counted_event(values) == expected
    assert counted_event({f"b.{k}": v for k, v in values.items()}, "b.") == expected


def _pair_values(a: dict[str, object], b: dict[str, object]) -> dict[str, object]:
    base = {
        "id": "x",
        "indication": "sepsis",
        "primary_endpoint.kind": "mortality",
        "design.type": "rct",
        "result.effect.measure": "odds_ratio",
        "result.effect.estimate": 0.42,
        "result.effect.ci_low": 0.19,
        "result.effect.ci_high": 0.93,
    }
    return {
        **{f"a.{k}": v for k, v in {**base, "id": "study-a", **a}.items()},
        **{f"b.{k}": v for k, v in {**base, "id": "study-b", **b}.items()},
    }


def test_sepsis_mortality_against_hepatitis_b_response_is_not_tested() -> None:
    """Review item 1: OR 0.42 (sepsis mortality) vs OR 2.67 (hepatitis B response)."""
    values = _pair_values(
        {},
        {
            "indication": "chronic_hepatitis_b",
            "primary_endpoint.kind": "virological_response",
            "result.effect.estimate": 2.67,
            "result.effect.ci_low": 1.5,
            "result.effect.ci_high": 4.75,
        },
    )
    test = pair_test(values)
    assert test.tested is False and test.p_value is None
    assert "different outcomes" in (test.reason or "")
    assert "sepsis" in (test.reason or "") and "chronic hepatitis B" in (test.reason or "")


@pytest.mark.parametrize(
    ("a", "b", "fragment"),
    [
        ({}, {"primary_endpoint.kind": "severity_score"}, "different outcomes"),
        ({}, {"primary_endpoint.kind": None}, "kind of primary endpoint of study-b is not given"),
        (
            {"primary_endpoint.kind": "survival"},
            {"primary_endpoint.kind": "survival"},
            "whether study-a and study-b count a favourable",
        ),
        (
            {"primary_endpoint.kind": "survival", "primary_endpoint.counted_event": "unfavourable"},
            {"primary_endpoint.kind": "survival"},
            "whether study-b counts a favourable",
        ),
        (
            {"primary_endpoint.kind": "survival", "primary_endpoint.counted_event": "unfavourable"},
            {"primary_endpoint.kind": "survival", "primary_endpoint.counted_event": "favourable"},
            "study-a counts a unfavourable event and study-b a favourable one",
        ),
    ],
)
def test_estimates_of_different_or_unknown_outcomes_are_not_tested(
    a: dict[str, object], b: dict[str, object], fragment: str
) -> None:
    problem = outcome_problem(_pair_values(a, b), ("study-a", "study-b"))
    assert problem is not None and fragment in problem
    assert pair_test(_pair_values(a, b)).tested is False


def test_same_outcome_with_declared_events_is_tested() -> None:
    event = {"primary_endpoint.kind": "survival", "primary_endpoint.counted_event": "unfavourable"}
    assert outcome_problem(_pair_values(event, event), ("study-a", "study-b")) is None
    assert pair_test(_pair_values(event, event)).tested is True


@pytest.mark.parametrize(
    ("a_type", "b_type", "independent", "fragment"),
    [
        ("rct", "rct", True, None),
        (
            "meta_analysis",
            "rct",
            False,
            "study-a is a meta-analysis and study-b may be one of the trials",
        ),
        (
            "rct",
            "meta_analysis",
            False,
            "study-b is a meta-analysis and study-a may be one of the trials",
        ),
        ("meta_analysis", "meta_analysis", False, "may pool some of the same trials"),
        (None, "rct", None, "the design of study-a is not given"),
    ],
)
def test_independence_is_stated(
    a_type: str | None, b_type: str | None, independent: bool | None, fragment: str | None
) -> None:
    values = _pair_values({"design.type": a_type}, {"design.type": b_type})
    flag, why = dependence(values, ("study-a", "study-b"))
    assert flag is independent
    assert (why is None) if fragment is None else (fragment in (why or ""))
    test = pair_test(values)
    assert test.tested and test.independent is independent
    if independent is False:
        assert "assumes independent estimates" in test.summary


def test_document_is_plain_json_with_both_estimates() -> None:
    document = between_estimates(FAQ_LOWER, FAQ_HIGHER).document()
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    assert document["first"]["label"] == "lower" and document["second"]["estimate"] == 0.82
    assert document["ratio"] == pytest.approx(0.5, abs=0.005) and document["difference"] is None
    assert document["ci_level"] == 95 and document["scale"] == "ratio"
    assert document["first"]["se"] == pytest.approx(
        (math.log(0.68) - math.log(0.24)) / (2 * stats.norm.ppf(0.975))
    )


# --- the strata test in the diagnosis JSON ---------------------------------------------


def _strata_statistics(strata: list[dict[str, object]]) -> dict[str, object]:
    import jsonschema

    from thymoscope.report.document import report_document
    from thymoscope.report.render import render
    from thymoscope.report.schema import report_schema

    document = json.loads(render(report_document([diagnose(make_study(subgroups=strata))]), "json"))
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    findings = [f for g in document["studies"][0]["groups"] for f in g["findings"]]
    found = next(f for f in findings if f["id"] == "quality-subgroups-disagree")
    assert all(f["statistics"] is None for f in findings if f is not found)
    return found["statistics"]


def test_quality_strata_statistics_are_structured_in_the_report() -> None:
    stats = _strata_statistics(list(FAQ_QUALITY_STRATA))
    assert stats["tested"] is True and stats["scale"] == "ratio"
    assert stats["first"]["label"] == "Lower-quality trials"
    assert stats["second"]["label"] == "Higher-quality trials"
    assert stats["ratio"] == pytest.approx(0.41 / 0.82, rel=REL)
    assert stats["z"] == pytest.approx(-2.386, abs=0.001)
    assert stats["p_value"] == pytest.approx(0.0170, abs=0.0005)
    assert stats["significant_difference"] is True and stats["independent"] is True


def test_strata_given_higher_first_are_still_read_lower_over_higher() -> None:
    stats = _strata_statistics([FAQ_QUALITY_STRATA[1], FAQ_QUALITY_STRATA[0]])
    assert stats["first"]["label"] == "Lower-quality trials"
    assert stats["ratio"] == pytest.approx(0.5, abs=0.005)


def test_extreme_strata_report_is_valid_json() -> None:
    stats = _strata_statistics(EXTREME_STRATA)
    assert stats["tested"] is False and "too extreme" in stats["reason"]


def test_a_study_against_itself_is_not_independent() -> None:
    values = _pair_values({"id": "same"}, {"id": "same"})
    assert dependence(values, ("same", "same")) == (False, "both sides are the same study")
    test = pair_test(values)
    assert test.tested and test.independent is False and test.p_value == pytest.approx(1.0)


# --- the small helpers the tests above reach only indirectly (from the mutation run) -----


def test_no_effect_is_one_on_a_ratio_scale_and_zero_on_a_difference_scale() -> None:
    from thymoscope.kb.effects import null_value

    assert null_value("odds_ratio") == 1.0
    assert null_value("hazard_ratio") == 1.0
    assert null_value("mean_difference") == 0.0
    assert null_value(None) == 0.0


def test_an_unknown_interval_is_never_read_as_including_no_effect() -> None:
    from thymoscope.kb.effects import includes_null

    assert includes_null("odds_ratio", 0.5, 1.2) is True
    assert includes_null("odds_ratio", 0.5, 0.9) is False
    for missing in (("odds_ratio", None, 1.2), ("odds_ratio", 0.5, None), (None, 0.5, 1.2)):
        assert includes_null(*missing) is False


def test_an_interval_needs_both_limits() -> None:
    assert Estimate("odds_ratio", 0.7, 0.5, 0.9).has_interval
    assert not Estimate("odds_ratio", 0.7, ci_low=0.5).has_interval
    assert not Estimate("odds_ratio", 0.7, ci_high=0.9).has_interval


def test_last_reported_digit_and_its_guards() -> None:
    from thymoscope.kb.effects import _last_digit

    assert _last_digit(0.66) == pytest.approx(0.01)
    assert _last_digit(12.0) == pytest.approx(0.1)
    # outside the range where 10**exponent is a normal double: no tolerance at all
    assert _last_digit(1e-320) == 0.0
    assert _last_digit(1e300) == 0.0
    assert _last_digit(1e299) == pytest.approx(1e299)
    assert _last_digit(math.inf) == 0.0
    assert _last_digit(math.nan) == 0.0


def test_a_result_keeps_both_estimates_and_the_measure() -> None:
    first = Estimate("odds_ratio", 0.41, 0.24, 0.68)
    second = Estimate("odds_ratio", 0.82, 0.65, 1.03)
    tested = between_estimates(first, second)
    assert tested.tested and tested.measure == "odds_ratio" and tested.scale == "ratio"
    assert (tested.first, tested.second) == (first, second)
    untested = between_estimates(first, Estimate("mean_difference", 1.0, 0.5, 1.5))
    assert not untested.tested
    assert (untested.first, untested.second) == (first, Estimate("mean_difference", 1.0, 0.5, 1.5))


def test_an_interval_touching_no_effect_does_not_exclude_it() -> None:
    from thymoscope.kb.effects import excludes_null

    assert excludes_null("odds_ratio", 0.5, 1.0) is False
    assert excludes_null("odds_ratio", 1.0, 1.5) is False
    assert excludes_null("mean_difference", -2.0, 0.0) is False
    assert excludes_null("odds_ratio", 0.5, 0.99) is True
    assert excludes_null("odds_ratio", None, 0.9, p_value=0.04) is True
    assert excludes_null("odds_ratio", None, 0.9, p_value=0.05) is False
    assert excludes_null("odds_ratio", None, None) is None


def test_numbers_in_texts_two_decimals_for_everyday_sizes() -> None:
    from thymoscope.kb.effects import number

    assert number(None) == "unknown"
    assert number(0) == "0.00"
    assert number(0.01) == "0.01"
    assert number(0.00999) == "0.00999"
    assert number(9999.994) == "9999.99"
    assert number(10_000) == "1e+04"
    assert number(-0.5) == "-0.50"


def test_an_interval_touching_no_effect_includes_it() -> None:
    from thymoscope.kb.effects import includes_null

    assert includes_null("odds_ratio", 1.0, 1.5) is True
    assert includes_null("odds_ratio", 0.5, 1.0) is True
    assert includes_null("mean_difference", 0.0, 2.0) is True


def test_significance_against_no_effect_at_the_two_sided_level() -> None:
    """z = |ln 0.5| / se: 2.0 is significant at 5% (1.96), 1.9 is not."""
    theta = abs(math.log(0.5))
    assert Estimate("odds_ratio", 0.5, se=theta / 2.0).significant() is True
    assert Estimate("odds_ratio", 0.5, se=theta / 1.9).significant() is False
    assert Estimate("odds_ratio", 0.5, se=theta / 2.6).significant(alpha=0.01) is True
    assert Estimate("odds_ratio", 0.5, se=theta / 2.5).significant(alpha=0.01) is False
    assert Estimate("odds_ratio", 0.5).significant() is None


def test_an_untested_pair_keeps_what_was_said_about_independence() -> None:
    first = Estimate("odds_ratio", 0.41, 0.24, 0.68)
    second = Estimate("mean_difference", 1.0, 0.5, 1.5)
    untested = between_estimates(first, second, independent=False, dependence="shared trials")
    assert not untested.tested
    assert untested.independent is False
    assert untested.dependence == "shared trials"


def test_rounding_allowance_counts_the_estimate_digit_and_half_the_limits() -> None:
    """MD 0.02 (0.0 to 0.2): the estimate's last digit (0.01) gives ±0.005 and each limit's
    (0.1) ±0.05, averaged over the two limits: 0.005 + 0.05 = 0.055, plus 25% of the
    half-width (0.025): 0.08, just enough for the offset 0.08 from the midpoint 0.1."""
    assert Estimate("mean_difference", 0.02, 0.0, 0.2).position_warning() is None
    assert Estimate("mean_difference", 0.01, 0.0, 0.2).position_warning() is not None
