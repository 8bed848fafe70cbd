"""Questions and reading their answers the way people type them.

A :class:`Question` fills one field; its ``kind`` says how typed text is read:

- choice / multi: a value (``risk_ratio``), its meaning (``Risk ratio``), the number it
  is listed under, or a unique beginning of either (``hazard``); an ambiguous beginning
  is refused with the candidates named;
- number / integer / count: ``1.6``, ``1,100`` (thousands), ``1,6`` (a decimal comma),
  ``<0.01`` or ``p<0.01`` (the bound), and a unit the question declares (``26w``,
  ``7 days``, ``1.6 mg``, ``95%``), converted to the field's own unit;
- boolean: yes/no, y/n, true/false, 1/0;
- text and slug: as typed.

:func:`read_answer` returns the value and whether it was *interpreted* (typed other
than as its plain value), so the caller can say what was read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from thymoscope.errors import ThymoscopeError

KINDS = ("choice", "multi", "number", "integer", "boolean", "text", "slug", "count")
_NONE_WORDS = frozenset({"none", "-", "[]"})
_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"n", "no", "false", "0"})


class AnswerError(ThymoscopeError, ValueError):
    """An answer that cannot be accepted; the message is one line for the user."""


@dataclass(frozen=True)
class Question:
    field: str  # dotted path; '*' stands for each item of a list
    kind: str
    prompt: str
    rationale: str
    answers: tuple[tuple[str, str], ...] = ()  # (value, meaning) for choice and multi
    only_if: Mapping[str, Any] | None = None  # asked only when this is known to hold
    ask_if: Mapping[str, Any] | None = None  # not asked once this is known to be false
    factor: str | None = None  # "setup" = first; None = from the findings that read it
    default_slug_of: str | None = None  # slug kind: default made from this field
    units: Mapping[str, float] = dataclasses.field(default_factory=dict)  # unit word -> factor
    unit_if: Mapping[str, Mapping[str, Any]] = dataclasses.field(
        default_factory=dict
    )  # unit -> condition
    offer_if: Mapping[str, Mapping[str, Any]] = dataclasses.field(
        default_factory=dict
    )  # value -> condition

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.answers)


@dataclass(frozen=True)
class Reading:
    """A typed answer read: its value, and whether the text was not that value as such."""

    value: Any
    interpreted: bool = False


# ---------------------------------------------------------------- choices


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_choice(
    answers: Sequence[tuple[str, str]], raw: str, offered: Sequence[tuple[str, str]] | None = None
) -> Reading:
    """One value of a closed list. Numbers and beginnings count among ``offered`` only
    (the choices shown); any value of ``answers`` typed in full is accepted."""
    shown = list(answers if offered is None else offered)
    text = raw.strip()
    key = _norm(text)
    if text.isdigit() and 1 <= int(text) <= len(shown):
        return Reading(shown[int(text) - 1][0], interpreted=True)
    for value, meaning in answers:
        if key == value or key == _norm(meaning):
            return Reading(value)
    if key:
        starts = [
            (value, meaning)
            for value, meaning in shown
            if value.startswith(key) or _norm(meaning).startswith(key)
        ]
        if len(starts) == 1:
            return Reading(starts[0][0], interpreted=True)
        if len(starts) > 1:
            named = " or ".join(f"{v} ({m})" for v, m in starts)
            raise AnswerError(f"{text!r} could be {named}; type more of it")
    values = ", ".join(value for value, _ in shown)
    raise AnswerError(f"{text!r} is not one of: {values} (or 1-{len(shown)})")


def read_choices(
    answers: Sequence[tuple[str, str]], raw: str, offered: Sequence[tuple[str, str]] | None = None
) -> Reading:
    """Several values of a closed list, separated by commas or semicolons ("none": none)."""
    text = raw.strip()
    if text.lower() in _NONE_WORDS:
        return Reading([])
    chosen: list[str] = []
    interpreted = False
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        if not part:
            continue
        try:
            readings = [read_choice(answers, part, offered)]
        except AnswerError:
            words = part.split()
            if len(words) < 2:
                raise
            readings = [read_choice(answers, word, offered) for word in words]
        for reading in readings:
            interpreted = interpreted or reading.interpreted
            if reading.value not in chosen:
                chosen.append(reading.value)
    return Reading(chosen, interpreted)


# ---------------------------------------------------------------- numbers

_P_PREFIX = re.compile(r"^p(?:[\s-]*value)?\s*(?=[<>=≤≥])", re.IGNORECASE)
_BOUND = re.compile(r"^(<=|>=|≤|≥|<|>|=)\s*")
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?:"
    r"(?P<thousands>\d{1,3}(?:,\d{3})+(?:\.\d+)?)"
    r"|(?P<comma>\d+,\d{1,2})(?!\d)"
    r"|(?P<plain>(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)"
    r")\s*(?P<unit>.*)$",
    re.IGNORECASE,
)


def _unit_factor(unit: str, units: Mapping[str, float], text: str) -> float:
    word = unit.strip().rstrip(".").lower()
    for name, factor in units.items():
        if word == name.lower():
            return factor
    if units:
        known = ", ".join(dict.fromkeys(units))
        raise AnswerError(f"{text!r}: the unit {unit.strip()!r} is not understood here ({known})")
    raise AnswerError(f"{text!r} is not a number")


def read_number(raw: str, units: Mapping[str, float] | None = None, whole: bool = False) -> Reading:
    """A number as people type it (see the module text); ``whole``: a whole number."""
    units = units or {}
    text = raw.strip()
    rest = _P_PREFIX.sub("", text)
    interpreted = rest != text
    bound = _BOUND.match(rest)
    if bound:
        if bound.group(1) in (">", ">=", "≥"):
            raise AnswerError(
                f"{text!r} gives no value, only a lower bound; type the value or skip"
            )
        interpreted = interpreted or bound.group(1) != "="
        rest = rest[bound.end() :]
    match = _NUMBER.match(rest)
    if match is None:
        raise AnswerError(f"{text!r} is not {'a whole number' if whole else 'a number'}")
    digits = match.group("thousands") or match.group("comma") or match.group("plain")
    if match.group("thousands"):
        digits = digits.replace(",", "")
        interpreted = True
    elif match.group("comma"):
        digits = digits.replace(",", ".")
        interpreted = True
    factor = 1.0
    if match.group("unit"):
        factor = _unit_factor(match.group("unit"), units, text)
        interpreted = True
    plain_integer = re.fullmatch(r"\d+", digits) is not None
    number = (int(digits) if plain_integer else float(digits)) * (
        -1 if match.group("sign") == "-" else 1
    )
    if factor != 1:
        number = round(number * factor, 4)
    if whole or (interpreted and number == int(number)):
        if number != int(number):
            raise AnswerError(f"{text!r} is not a whole number")
        number = int(number)
    return Reading(number, interpreted)


# ---------------------------------------------------------------- any kind


def read_answer(
    question: Question,
    raw: str,
    offered: Sequence[tuple[str, str]] | None = None,
    units: Mapping[str, float] | None = None,
) -> Reading:
    """Turn typed text into a value of the question's kind (not yet model-checked).

    ``offered``: the choices shown (default all); ``units``: the units understood
    (default all the question declares).
    """
    units = question.units if units is None else units
    text = raw.strip()
    if not text:
        raise AnswerError("type an answer, or 'skip' to leave it unknown")
    kind = question.kind
    if kind == "choice":
        return read_choice(question.answers, text, offered)
    if kind == "multi":
        return read_choices(question.answers, text, offered)
    if kind == "boolean":
        if text.lower() in _YES:
            return Reading(True)
        if text.lower() in _NO:
            return Reading(False)
        raise AnswerError(f"{text!r}: answer yes or no")
    if kind == "number":
        return read_number(text, units)
    if kind in ("integer", "count"):
        return read_number(text, units, whole=True)
    return Reading(text)


def parse_answer(question: Question, raw: str) -> Any:
    """The value of typed text (see :func:`read_answer`)."""
    return read_answer(question, raw).value
