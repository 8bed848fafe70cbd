"""Load the questions of `thymoscope ask` (kb/questions.yaml) into a QuestionBank."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from thymoscope.engine.questionnaire import KINDS, Question, QuestionBank, Reader
from thymoscope.study.model import SCHEMA_VERSION, Study


@cache
def _raw() -> dict[str, Any]:
    text = files("thymoscope.kb").joinpath("questions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


@cache
def rules_by_finding() -> dict[str, tuple[str, ...]]:
    """Rule (method) names per finding id, from the rule modules' conclude calls."""
    from thymoscope.engine.rule_index import rule_sites
    from thymoscope.kb.rules import RULE_SETS

    found: dict[str, set[str]] = {}
    for site in rule_sites(RULE_SETS):
        if site.finding is not None:
            found.setdefault(site.finding, set()).add(site.rule)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _question(entry: dict[str, Any]) -> Question:
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"questions.yaml: {entry['field']}: unknown kind {kind!r}")
    answers = tuple((str(k), str(v)) for k, v in (entry.get("answers") or {}).items())
    if kind in ("choice", "multi") and not answers:
        raise ValueError(f"questions.yaml: {entry['field']}: a {kind} question needs answers")
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
    )


@cache
def question_bank() -> QuestionBank:
    from thymoscope.kb import knowledge

    raw = _raw()
    kb = knowledge()
    conditions = raw.get("findings") or {}
    unknown = set(conditions) - set(kb.catalogue)
    if unknown:
        raise ValueError(f"questions.yaml: unknown findings {sorted(unknown)}")
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
            when=(conditions.get(spec.id) or {}).get("when"),
            rules=rules.get(spec.id, ()),
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
    )
