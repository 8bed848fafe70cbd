"""The verdict's sentence reuses the study's effect the report already computed (issue
14: ``study_effect`` once per study): the same sentence as computing it again.  And the
decimal places of a number read off its ``repr`` equal those found through ``Decimal``."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from thymoscope.report.verdict import (
    _decimals,
    _decimals_generic,
    finding_sentence,
    study_effect,
    verdict,
)

numbers = st.none() | st.floats(-5, 5) | st.floats(0.001, 0.2) | st.integers(-3, 3) | st.booleans()
values_strategy = st.fixed_dictionaries(
    {
        "indication": st.sampled_from(["sepsis", "cancer", "chronic_hepatitis_b"]),
        "design.type": st.sampled_from(["rct", "single_arm", "cohort"]),
        "result.primary": st.sampled_from(
            ["benefit", "harm", "no_significant_effect", "unclear", None]
        ),
        "primary_endpoint.name": st.none() | st.sampled_from(["Mortality", "ICU stay"]),
    },
    optional={
        "result.effect.measure": st.sampled_from(
            ["odds_ratio", "risk_ratio", "hazard_ratio", "mean_difference"]
        ),
        "result.effect.estimate": numbers,
        "result.effect.ci_low": numbers,
        "result.effect.ci_high": numbers,
        "result.effect.ci_level": st.none() | st.sampled_from([90.0, 95.0, 99.0]),
        "result.effect.p_value": numbers,
        "result.effect.se": numbers,
    },
)


def generic_summary(values: dict[str, Any]) -> str:
    """The summary as it was built: the sentence computing the effect itself."""
    effect = study_effect(values)
    summary = finding_sentence(values)
    return summary + (
        f": {effect['text']}." if effect is not None else "; no effect estimate is recorded."
    )


@given(values_strategy)
def test_the_summary_is_the_same(values: dict[str, Any]) -> None:
    effect = study_effect(values)
    assert finding_sentence(values, effect or {}) == finding_sentence(values)
    assert verdict(values, [], {}, effect, 0)["summary"] == generic_summary(values)


@given(st.floats() | st.integers(-(10**20), 10**20) | st.floats(0, 10).map(lambda x: round(x, 3)))
def test_decimal_places_as_through_decimal(value: float) -> None:
    assert _decimals(value) == _decimals_generic(value)


def test_decimal_places_of_typical_spellings() -> None:
    for value in (0.9, 0.90, 12.0, 120.0, 1e-05, 1.5e20, -0.25, -0.0, 3, 0.12345, 1e16):
        assert _decimals(value) == _decimals_generic(value), value
