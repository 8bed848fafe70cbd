"""Load the questions of `thymoscope ask` (kb/questions.yaml) into a QuestionBank.

Which finding reads which fields, and while which answers it can still fire, comes from
the rules' declarations (``@concludes`` in kb/rules/), not from the questions file.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from thymoscope.engine.questionnaire import KINDS, Question, QuestionBank, Reader
from thymoscope.engine.rules import RuleSpec, finding_when, rule_specs
from thymoscope.study.model import SCHEMA_VERSION, Study


@cache
def _raw() -> dict[str, Any]:
    text = files("thymoscope.kb").joinpath("questions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


@cache
def rules_by_finding() -> dict[str, tuple[RuleSpec, ...]]:
    """The declared rules of each finding id (see :func:`thymoscope.engine.rules.concludes`)."""
    from thymoscope.kb.rules import RULE_SETS

    found: dict[str, list[RuleSpec]] = {}
    for spec in rule_specs(RULE_SETS):
        found.setdefault(spec.finding, []).append(spec)
    return {finding: tuple(specs) for finding, specs in found.items()}


def _units(entry: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """(unit word -> factor, unit word -> condition) from a question's ``units``."""
    factors: dict[str, float] = {}
    conditions: dict[str, Any] = {}
    for word, spec in (entry.get("units") or {}).items():
        if isinstance(spec, dict):
            factors[str(word)] = float(spec["factor"])
            conditions[str(word)] = spec["if"]
        else:
            factors[str(word)] = float(spec)
    return factors, conditions


def _question(entry: dict[str, Any]) -> Question:
    kind = entry["kind"]
    where = f"questions.yaml: {entry['field']}"
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {kind!r}")
    answers = tuple((str(k), str(v)) for k, v in (entry.get("answers") or {}).items())
    if kind in ("choice", "multi") and not answers:
        raise ValueError(f"{where}: a {kind} question needs answers")
    offer_if = {str(k): v for k, v in (entry.get("offer_if") or {}).items()}
    unknown = set(offer_if) - {value for value, _ in answers}
    if unknown:
        raise ValueError(f"{where}: offer_if names no answer: {', '.join(sorted(unknown))}")
    units, unit_if = _units(entry)
    return Question(
        field=entry["field"],
        kind=kind,
        prompt=entry["prompt"],
        rationale=entry["rationale"],
        answers=answers,
        only_if=entry.get("only_if"),
        ask_if=entry.get("ask_if"),
        factor=entry.get("factor"),
        default_slug_of=entry.get("default_slug_of"),
        units=units,
        unit_if=unit_if,
        offer_if=offer_if,
    )


@cache
def question_bank() -> QuestionBank:
    from thymoscope.kb import knowledge
    from thymoscope.kb.question_checks import answer_checks

    raw = _raw()
    kb = knowledge()
    rules = rules_by_finding()
    readers = tuple(
        Reader(
            finding=spec.id,
            title=spec.title,
            factor=spec.factor,
            severity=spec.severity,
            faq=spec.faq,
            applies_to=spec.applies_to,
            reads=tuple(dict.fromkeys((*spec.reads, *spec.needs))),
            when=finding_when(rules.get(spec.id, ())),
            rules=tuple(sorted(rule.rule for rule in rules.get(spec.id, ()))),
        )
        for spec in kb.catalogue.values()
    )
    return QuestionBank(
        questions=tuple(_question(entry) for entry in raw["questions"]),
        readers=readers,
        factor_order=kb.factor_order,
        model=Study,
        scope_field=raw["scope_field"],
        not_asked=dict(raw.get("not_asked") or {}),
        fixed={"schema_version": SCHEMA_VERSION},
        checks=answer_checks(),
    )
