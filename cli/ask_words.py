"""What `thymoscope ask` says: questions, answers and reasons in the study's words.

Field paths become labels (:mod:`thymoscope.kb.labels`), values their meanings; the
expert-system "why" of a question names the findings that read its answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from thymoscope.engine.conditions import condition_fields, evaluate
from thymoscope.engine.questionnaire import Interview, Question, item_index
from thymoscope.kb.labels import fact_sentence, field_label, number_text, value_label


def label(path: str) -> str:
    """A field's words, or its path when the labels do not name it."""
    try:
        return field_label(path)
    except KeyError:
        return path


def value_words(path: str, value: Any, facts: Mapping[str, Any] | None = None) -> str:
    """A value's words with its unit ("1.6 mg", "26 weeks", "Risk ratio")."""
    try:
        return fact_sentence(path, value, facts).split(": ", 1)[1]
    except (KeyError, IndexError):
        return as_text(value)


def as_text(value: Any) -> str:
    """A value as it would be typed again (the default of a revised question)."""
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)


def heading(question: Question, path: str, number: int, total: int) -> str:
    """``[7 of about 15] Subgroup 2: Prompt``."""
    index = item_index(path)
    where = f"Subgroup {index + 1}: " if index is not None else ""
    return f"[{number} of about {total}] {where}{question.prompt}"


def progress(number: int, total: int) -> str:
    return f"question {number} of about {total} still relevant"


def choice_lines(offered: Sequence[tuple[str, str]]) -> list[str]:
    return [
        f"    {position:>2}) {value:<28} {meaning}"
        for position, (value, meaning) in enumerate(offered, start=1)
    ]


def answer_lines(interview: Interview) -> list[tuple[str, str]]:
    """(path, "Label: value words") of every question answered or skipped, in asking order."""
    facts = interview.answers
    lines = []
    for _, path in interview.steps():
        if path in interview.answers:
            lines.append((path, f"{label(path)}: {value_words(path, facts[path], facts)}"))
        elif path in interview.skipped:
            lines.append((path, f"{label(path)}: not reported (skipped)"))
    return lines


def describe_condition(condition: Mapping[str, Any]) -> str:
    parts = []
    for key, spec in condition.items():
        if key == "any":
            parts.append("(" + " or ".join(describe_condition(c) for c in spec) + ")")
        elif isinstance(spec, list):
            words = " or ".join(value_label(key, s) for s in spec)
            parts.append(f"{label(key)} is {words}")
        elif isinstance(spec, Mapping):
            if "min" in spec:
                parts.append(f"{label(key)} is at least {number_text(spec['min'])}")
            if "max" in spec:
                parts.append(f"{label(key)} is at most {number_text(spec['max'])}")
            if "not" in spec:
                words = " or ".join(value_label(key, s) for s in spec["not"])
                parts.append(f"{label(key)} is not {words}")
            if spec.get("known") is True:
                parts.append(f"{label(key)} is known")
    return " and ".join(parts)


def why(interview: Interview, path: str) -> list[str]:
    """The expert-system 'why': which findings need this answer and what they conclude."""
    question = interview.bank.question(path)
    lines = [f"Why this question ({label(path)}): {question.rationale}"]
    readers = interview.live_readers(question, path)
    deciding = False
    if readers:
        lines.append("Findings that read this answer and could still be concluded:")
        for reader in readers:
            faq = ", ".join(reader.faq)
            lines.append(
                f'  - {reader.finding}: "{reader.title}" '
                f"({reader.factor.replace('_', ' ')}, {reader.severity}; FAQ {faq})"
            )
            if reader.rules:
                lines.append(f"    rules: {', '.join(reader.rules)}")
            if reader.when:
                lines.append(f"    only while: {describe_condition(reader.when)}")
    for other in interview.bank.questions:
        if (
            path in condition_fields(other.ask_if)
            and evaluate(other.ask_if, interview.value) is None
        ):
            lines.append(
                f"It also decides whether '{other.prompt}' is asked "
                f"(only if {describe_condition(other.ask_if or {})})."
            )
            deciding = True
    needed = interview.required().get(path)
    if needed:
        lines.append(f"The study file needs it as well: {needed}.")
    if not readers and not needed and not deciding:
        lines.append("No finding depends on it any more; 'skip' is safe.")
    return lines
