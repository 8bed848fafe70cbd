"""Rules between answers that `thymoscope ask` checks as soon as they can be checked.

Each :class:`~thymoscope.engine.questionnaire.Check` is tried at the question whose
answer completes its fields, and refuses that answer with a sentence in the study's
words, so a contradiction is fixed where it arises: an interval that leaves out its own
estimate, a "significant" result whose interval includes no effect, an endpoint read
later than the participants were followed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from thymoscope.engine.model_paths import bind
from thymoscope.engine.questionnaire import Check
from thymoscope.kb.effects import DEFAULT_CI_LEVEL, includes_null, null_value
from thymoscope.kb.labels import field_label, number_text, value_label

ValueOf = Callable[[str], Any]
EFFECTS = ("result.effect", "subgroups.*.effect")
EDIT_HINT = "type 'edit' to change an earlier answer"


def _low_above_estimate(effect: str) -> Check:
    estimate, low = f"{effect}.estimate", f"{effect}.ci_low"

    def broken(value_of: ValueOf, index: int | None) -> str | None:
        est, lo = value_of(bind(estimate, index)), value_of(bind(low, index))
        if lo <= est:
            return None
        return (
            f"{field_label(bind(low, index))} {number_text(lo)} is above the estimate "
            f"{number_text(est)}; an interval contains its estimate"
        )

    return Check((estimate, low), broken)


def _high_below_estimate(effect: str) -> Check:
    estimate, high = f"{effect}.estimate", f"{effect}.ci_high"

    def broken(value_of: ValueOf, index: int | None) -> str | None:
        est, hi = value_of(bind(estimate, index)), value_of(bind(high, index))
        if est <= hi:
            return None
        return (
            f"{field_label(bind(high, index))} {number_text(hi)} is below the estimate "
            f"{number_text(est)}; an interval contains its estimate"
        )

    return Check((estimate, high), broken)


def _significant_result_includes_no_effect() -> Check:
    """A benefit or harm reported as significant, with a 95% interval that includes no effect."""
    primary = "result.primary"
    measure, low, high = "result.effect.measure", "result.effect.ci_low", "result.effect.ci_high"

    def broken(value_of: ValueOf, index: int | None) -> str | None:
        outcome = value_of(primary)
        level = value_of("result.effect.ci_level")
        if outcome not in ("benefit", "harm") or level not in (None, DEFAULT_CI_LEVEL):
            return None
        lo, hi = value_of(low), value_of(high)
        if not includes_null(value_of(measure), lo, hi):
            return None
        return (
            f"{field_label(primary)} was answered as {value_label(primary, outcome)}, but the "
            f"interval {number_text(lo)} to {number_text(hi)} includes no effect "
            f"({number_text(null_value(value_of(measure)))}); correct the interval, or "
            f"{EDIT_HINT}"
        )

    return Check((primary, measure, low, high), broken)


def _read_after_follow_up_ended() -> Check:
    read_at, followed = "primary_endpoint.months_after_therapy", "follow_up_months_after_therapy"

    def broken(value_of: ValueOf, index: int | None) -> str | None:
        months, follow_up = value_of(read_at), value_of(followed)
        if follow_up >= months:
            return None
        return (
            f"participants were followed {number_text(follow_up)} months after therapy, but the "
            f"endpoint was read {number_text(months)} months after it; follow-up must last "
            f"at least until the reading ({EDIT_HINT})"
        )

    return Check((read_at, followed), broken)


def answer_checks() -> tuple[Check, ...]:
    """Every rule between answers, for the question bank."""
    per_effect = [
        check
        for effect in EFFECTS
        for check in (_low_above_estimate(effect), _high_below_estimate(effect))
    ]
    return (
        *per_effect,
        _significant_result_includes_no_effect(),
        _read_after_follow_up_ended(),
    )
