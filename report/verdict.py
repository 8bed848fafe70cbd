"""The verdict that opens each study's report: what the study showed, its effect with the
confidence interval, and the findings most likely to explain a disagreement.

The sentences state what the study reported and no more: a non-significant result "did
not show a difference" (it is not "no effect"), and the findings are reasons a result
*may* differ from other studies. They are built here once, so the text, Markdown, HTML
and JSON reports and ``diagnose --brief`` quote the same words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from thymoscope.kb.effects import includes_null
from thymoscope.kb.labels import value_label
from thymoscope.kb.thresholds import ALPHA

# The study's own effect on its primary endpoint, in this order (report and key facts).
EFFECT_FIELDS = ("measure", "estimate", "ci_low", "ci_high", "ci_level", "p_value", "se")
MEASURE_SHORT = {
    "odds_ratio": "OR",
    "risk_ratio": "RR",
    "hazard_ratio": "HR",
    "mean_difference": "MD",
    "risk_difference": "RD",
}
DEFAULT_CI_LEVEL = 95.0
# How many findings the verdict names (the most severe first; "info" ones are context,
# not reasons for a disagreement).
LEADING = 2
NOT_A_REASON = frozenset({"info"})


def _decimals_generic(value: float) -> int:
    """:func:`_decimals` through :class:`~decimal.Decimal`, for any spelling of a number."""
    try:
        exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    except (InvalidOperation, ValueError):
        return 0
    return min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0


def _decimals(value: float) -> int:
    """Decimal places as written in the study file (0.90 is read as 0.9: one place).

    A float's ``repr`` such as ``0.9`` or ``12.0`` is read off its digits after the point
    (a third of the time of going through ``Decimal``, issue 14); exponents, NaN and the
    infinities take :func:`_decimals_generic` (tests/perf/test_verdict_effect.py checks
    they agree)."""
    try:
        _, point, fraction = repr(float(value)).partition(".")
    except ValueError:
        return 0
    if point and fraction.isdigit():
        return min(len(fraction.rstrip("0")), 4)
    return _decimals_generic(value)


def _number(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def effect_numbers(estimate: float, low: float | None, high: float | None) -> list[str]:
    """The estimate and its limits with one number of decimal places (0.73, 0.59, 0.90):
    as many as the most precise of them was reported with, at least one for a ratio-like
    value below 10 and none for whole numbers."""
    given = [v for v in (estimate, low, high) if v is not None]
    places = max(_decimals(v) for v in given)
    if places == 0 and any(abs(v) < 10 and v != int(v) for v in given):
        places = 1
    return [_number(float(v), places) if v is not None else "" for v in (estimate, low, high)]


def p_text(p: float) -> str:
    """``p = 0.02``, ``p = 0.0007``; below 0.0001 ``p < 0.0001``."""
    if p < 0.0001:
        return "p < 0.0001"
    return f"p = {float(p):.4g}" if p < 0.001 else f"p = {float(p):.3g}"


def _level(level: Any) -> str:
    value = float(level) if isinstance(level, int | float) else DEFAULT_CI_LEVEL
    return f"{value:g}%"


def effect_text(effect: Mapping[str, Any]) -> str:
    """``OR 0.73 (95% CI 0.59 to 0.90), p = 0.02``: the effect as the study reports it."""
    measure = effect.get("measure")
    if measure is None:
        short = "estimate"
    else:
        short = MEASURE_SHORT.get(str(measure), value_label("result.effect.measure", measure))
    estimate, low, high = effect.get("estimate"), effect.get("ci_low"), effect.get("ci_high")
    p, se = effect.get("p_value"), effect.get("se")
    if estimate is None:
        name = value_label("result.effect.measure", measure)
        return f"{p_text(p)} ({name}; no estimate reported)" if p is not None else name
    estimate = float(estimate)
    both = low is not None and high is not None
    numbers = effect_numbers(estimate, low if both else None, high if both else None)
    text = f"{short} {numbers[0]}"
    if both:
        text += f" ({_level(effect.get('ci_level'))} CI {numbers[1]} to {numbers[2]})"
    elif se is not None:
        text += f" (SE {float(se):.3g})"
    else:
        text += " (no interval reported)"
    if p is not None:
        text += f", {p_text(p)}"
    return text


def study_effect(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The study's effect on its primary endpoint (``result.effect``), or None."""
    measure = values.get("result.effect.measure")
    if measure is None:
        return None
    effect: dict[str, Any] = {}
    for name in EFFECT_FIELDS:
        value = values.get(f"result.effect.{name}")
        number = float(value) if isinstance(value, int | float) else math.nan
        effect[name] = number if math.isfinite(number) and not isinstance(value, bool) else None
    effect["measure"] = str(measure)
    effect["text"] = effect_text(effect)
    return effect


def _design(values: Mapping[str, Any]) -> str:
    design = values.get("design.type")
    words = value_label("design.type", design) if design is not None else "study"
    sizes = []
    trials, size = values.get("design.trials"), values.get("design.sample_size")
    if isinstance(trials, int) and trials > 0:
        sizes.append(f"{trials} trial{'s' if trials != 1 else ''}")
    if isinstance(size, int) and size > 0:
        sizes.append(f"{size} participant{'s' if size != 1 else ''}")
    return f"{words} ({', '.join(sizes)})" if sizes else words


def in_sentence(text: str) -> str:
    """A name as it reads inside a sentence: "Objective tumour response" -> "objective
    tumour response"; a leading acronym or code (HBeAg, CD4, ICU) is kept."""
    first = text.split(" ", 1)[0].replace("-", "")
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and first.isalpha():
        return text[0].lower() + text[1:]
    return text


def _endpoint(values: Mapping[str, Any]) -> str:
    name = values.get("primary_endpoint.name")
    if isinstance(name, str) and name.strip():
        return in_sentence(" ".join(name.split()))
    kind = values.get("primary_endpoint.kind")
    return (
        value_label("primary_endpoint.kind", kind) if kind is not None else "its primary endpoint"
    )


def _directional(effect: Mapping[str, Any], endpoint: str, towards: str) -> str:
    """A benefit or harm in a controlled study, claimed no further than its statistics go:
    "showed a difference" only when a 95% (or wider) interval, or without one the p-value,
    excludes no effect; the study's own classification otherwise, with the reason it is
    not shown (an interval that includes no effect at any level includes it at 95%).
    ``effect`` is :func:`study_effect` (``{}`` when there is none)."""
    low, high, p_value = effect.get("ci_low"), effect.get("ci_high"), effect.get("p_value")
    shown = f"showed a difference {towards} thymalfasin on {endpoint}"
    reported = f"reported a result {towards} thymalfasin on {endpoint}"
    if low is not None and high is not None:
        if includes_null(effect["measure"], low, high):
            return f"{reported}, although its confidence interval includes no effect"
        if (effect.get("ci_level") or DEFAULT_CI_LEVEL) >= DEFAULT_CI_LEVEL:
            return shown
    if p_value is None:
        return reported
    return shown if p_value < ALPHA else f"{reported}, although its p-value is not below {ALPHA:g}"


def finding_sentence(values: Mapping[str, Any], effect: Mapping[str, Any] | None = None) -> str:
    """What the study showed, in one sentence (without its effect).

    ``effect`` is the study's :func:`study_effect` when the caller already has it (the
    report computes it once per study, issue 14); None computes it here when needed.
    """
    if effect is None:
        effect = study_effect(values) or {}
    subject = f"This {_design(values)} in {value_label('indication', values.get('indication'))}"
    endpoint = _endpoint(values)
    result = values.get("result.primary")
    single_arm = values.get("design.type") == "single_arm"
    if result == "benefit":
        shown = (
            f"reported a favourable result on {endpoint}, without a control arm"
            if single_arm
            else _directional(effect, endpoint, "in favour of")
        )
    elif result == "harm":
        shown = (
            f"reported an unfavourable result on {endpoint}, without a control arm"
            if single_arm
            else _directional(effect, endpoint, "against")
        )
    elif result == "no_significant_effect":
        shown = (
            f"did not report a favourable result on {endpoint}"
            if single_arm
            else f"did not show a difference on {endpoint}"
        )
    else:
        shown = f"reported {endpoint} without classifying its primary result"
    return f"{subject} {shown}"


def counts_text(counts: Mapping[str, int]) -> str:
    """``3 findings: 1 major, 1 moderate, 1 minor`` (``no finding`` when none fired)."""
    total = sum(counts.values())
    if not total:
        return "no finding"
    parts = ", ".join(f"{n} {severity}" for severity, n in counts.items() if n)
    return f"{total} finding{'s' if total != 1 else ''}: {parts}"


def leading_findings(ranked: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The one or two findings most likely to explain a disagreement (most severe first)."""
    return [f for f in ranked if f["severity"] not in NOT_A_REASON][:LEADING]


def verdict(
    values: Mapping[str, Any],
    ranked: Sequence[Mapping[str, Any]],
    counts: Mapping[str, int],
    effect: Mapping[str, Any] | None,
    unassessable: int,
) -> dict[str, Any]:
    """The study's verdict: ``summary`` (what it showed, with its effect), ``factors``
    (the leading findings), ``leading`` (their ids) and ``text`` (both, quotable).

    ``effect`` is the study's :func:`study_effect` (``values``' own), reused for the
    sentence rather than computed again."""
    summary = finding_sentence(values, effect or {})
    summary += f": {effect['text']}." if effect is not None else "; no effect estimate is recorded."
    leading = leading_findings(ranked)
    if leading:
        named = "; ".join(f"{f['title']} ({f['severity']})" for f in leading)
        more = len(ranked) - len(leading)
        if more:
            named += f"; {more} more finding{'s' if more != 1 else ''}"
        factors = f"Most likely to explain a disagreement with other studies: {named}."
    else:
        factors = "No factor the knowledge base checks was found to explain a disagreement"
        if ranked:
            factors += f" ({counts_text(counts)})"
        if unassessable:
            factors += (
                f"; {unassessable} check{'s' if unassessable != 1 else ''} could not be"
                " assessed for want of reported facts"
            )
        factors += "."
    return {
        "result": values.get("result.primary"),
        "summary": summary,
        "factors": factors,
        "leading": [str(f["id"]) for f in leading],
        "text": f"{summary} {factors}",
    }
