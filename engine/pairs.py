"""Compare two studies with rules: pair facts, difference facts, pair findings.

Nothing here knows about Thymalfasin.  A pair of studies becomes one working memory:

* each study's facts (the knowledge base's ``to_facts``) carry ``side="a"`` or
  ``side="b"``, so a pair rule matches ``Design(side="a")`` against ``Design(side="b")``;
* one :class:`Difference` fact per study field (dotted path) says whether the two
  values are the ``same``, ``differs`` or ``unknown`` (missing on either side);
* the values a pair rule may cite are the study fields prefixed with their side
  (``a.design.blinding``, ``b.design.blinding``).

The rules and texts come from a :class:`~thymoscope.engine.diagnosis.KnowledgeBase`
(``thymoscope.kb.comparison`` provides the Thymalfasin one); the engine, ``conclude``
and :func:`~thymoscope.engine.diagnosis.assemble` are the ones single studies use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from thymoscope.engine.core import DiagnosticEngine
from thymoscope.engine.diagnosis import Check, Conclusion, Finding, KnowledgeBase, assemble
from thymoscope.engine.experta_compat import Fact
from thymoscope.engine.facts import flatten, study_data

SIDES = ("a", "b")
SAME, DIFFERS, UNKNOWN = "same", "differs", "unknown"


class Difference(Fact):
    """One study field compared across the pair: ``path``, ``a``, ``b``, ``status``."""


def other(side: str) -> str:
    """The opposite side: ``"a"`` <-> ``"b"``."""
    return "b" if side == "a" else "a"


def compare_values(a: Any, b: Any) -> str:
    """``unknown`` when either value is missing, else ``same`` or ``differs``.

    Lists compare as sets (the order of ``combined_with`` carries no meaning);
    numbers compare by value (``1`` and ``1.0`` are the same).
    """
    if a is None or b is None:
        return UNKNOWN
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return SAME if set(a) == set(b) else DIFFERS
    return SAME if a == b else DIFFERS


def side_facts(
    data: dict[str, Any], side: str, to_facts: Callable[[dict[str, Any]], list[Fact]]
) -> list[Fact]:
    """The study's own facts (the knowledge base's ``to_facts``), each tagged with ``side``."""
    return [type(fact)(side=side, **fact) for fact in to_facts(data)]


def both_sides(*paths: str) -> tuple[str, ...]:
    """``("design.type",)`` -> ``("a.design.type", "b.design.type")``: fields of a pair."""
    return tuple(f"{side}.{path}" for side in SIDES for path in paths)


def pair_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Both studies' fields by dotted path, prefixed with their side."""
    return {**{f"a.{k}": v for k, v in a.items()}, **{f"b.{k}": v for k, v in b.items()}}


def difference_facts(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Difference]:
    """One :class:`Difference` per field present in either study, in path order."""
    facts = []
    for path in sorted(set(a) | set(b)):
        va, vb = a.get(path), b.get(path)
        facts.append(Difference(path=path, a=va, b=vb, status=compare_values(va, vb)))
    return facts


@dataclass
class PairComparison:
    """What the pair rules concluded about studies ``a`` and ``b``.

    ``details`` holds, per finding id, the values its rules passed to ``conclude``
    (merged like the texts are), so reports can show structured parts such as which
    side a finding favours.  ``rows`` compares every field: ``(path, a, b, status)``.
    """

    a_id: str
    b_id: str
    a_title: str
    b_title: str
    a_source: str | None
    b_source: str | None
    findings: list[Finding]
    checks: list[Check]
    details: dict[str, dict[str, Any]]
    values: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[str, Any, Any, str]] = field(default_factory=list)

    def finding_ids(self) -> list[str]:
        return [f.id for f in self.findings]


def merged_details(conclusions: list[Conclusion]) -> dict[str, dict[str, Any]]:
    """Per finding, the conclusions' values merged in the order ``assemble`` uses."""
    merged: dict[str, dict[str, Any]] = {}
    for c in sorted(conclusions, key=lambda c: (c.finding, c.rule, c.cites, repr(c.values))):
        target = merged.setdefault(c.finding, {})
        for key, value in c.values:
            target.setdefault(key, value)
    return merged


class PairDiagnoser:
    """Compares pairs of studies with one engine built once from a pair knowledge base."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        engine_class = type("ThymoscopePairEngine", (*knowledge.rule_sets, DiagnosticEngine), {})
        self.engine: DiagnosticEngine = engine_class()
        self._lock = threading.Lock()

    def compare(
        self,
        a: BaseModel,
        b: BaseModel,
        a_source: str | None = None,
        b_source: str | None = None,
    ) -> PairComparison:
        data_a, data_b = study_data(a), study_data(b)
        values_a, values_b = flatten(data_a), flatten(data_b)
        differences = difference_facts(values_a, values_b)
        to_facts = self.knowledge.to_facts
        facts: list[Fact] = [
            *side_facts(data_a, "a", to_facts),
            *side_facts(data_b, "b", to_facts),
            *differences,
        ]
        values = pair_values(values_a, values_b)
        with self._lock:
            conclusions = list(self.engine.evaluate(facts, values))
        # The pair has no single scope (indication): findings limited to some scopes
        # apply when the first study's scope is among them.
        scope = str(values_a.get(self.knowledge.scope_field))
        findings, checks = assemble(self.knowledge, conclusions, values, scope)
        return PairComparison(
            a_id=str(values_a["id"]),
            b_id=str(values_b["id"]),
            a_title=str(values_a["title"]),
            b_title=str(values_b["title"]),
            a_source=a_source,
            b_source=b_source,
            findings=findings,
            checks=checks,
            details=merged_details(conclusions),
            values=values,
            rows=[(d["path"], d["a"], d["b"], d["status"]) for d in differences],
        )
