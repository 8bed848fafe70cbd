"""Data types of a diagnosis, and how rule conclusions become ranked findings.

Nothing here knows about Thymalfasin: the catalogue of findings, the factor order
and the texts all come from a :class:`KnowledgeBase` (``thymoscope.kb`` provides it).

Throughput (issue 14): filling in a finding's texts (a jinja2 render each) was about half
of :func:`assemble`.  A text depends only on its template and the values filled in, and
the same finding with the same values recurs across studies (a severity, an indication,
a dose), so :func:`rendered_text` remembers recent texts, keyed by the template and
*every* value given to it, each with its exact type (``1``, ``1.0`` and ``True`` render
differently; so do ``0.0`` and ``-0.0``): one study's values can only give back the text
those very values render to.  Values of any other type are rendered every time.  The
order of the checks depends only on the knowledge base, so it is worked out once per
knowledge base (:func:`_check_order`), with the checks that are the same for every
study made once (they are frozen); conclusions are ordered by their ``repr`` only when
two of them tie on finding, rule and cited facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

SEVERITY_ORDER = ("major", "moderate", "minor", "info")


@dataclass(frozen=True)
class FindingSpec:
    """What the knowledge base says about one finding id (texts are jinja2 templates)."""

    id: str
    title: str
    factor: str
    severity: str
    faq: tuple[str, ...]
    explanation: str
    next_steps: tuple[str, ...]
    evidence_note: str | None = None
    applies_to: tuple[str, ...] = ()  # indications; empty means every indication
    needs: tuple[str, ...] = ()  # fields that must be known to assess the finding
    reads: tuple[str, ...] = ()  # every field its rules look at ('*' = any list item)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything domain-specific the engine is given.

    ``load`` reads one study file into a validated model, raising ``load_error`` for a
    file it cannot accept; ``to_facts`` turns a dumped study (plain data) into the
    rules' facts; ``scope_field`` names the top-level field that findings'
    ``applies_to`` refers to.
    """

    rule_sets: tuple[type, ...]
    catalogue: Mapping[str, FindingSpec]
    factor_order: tuple[str, ...]
    factor_titles: Mapping[str, str]
    render_text: Callable[[str, Mapping[str, Any]], str]
    load: Callable[[Path], Any]
    load_error: type[Exception]
    to_facts: Callable[[dict[str, Any]], list[Any]]
    scope_field: str


@dataclass(frozen=True)
class Conclusion:
    """One rule firing: the finding it supports, the facts it cites and text values."""

    finding: str
    rule: str
    cites: tuple[str, ...]
    values: tuple[tuple[str, Any], ...]
    severity: str | None = None


@dataclass(frozen=True)
class CitedFact:
    path: str
    value: Any


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    factor: str
    severity: str
    faq: tuple[str, ...]
    explanation: str
    next_steps: tuple[str, ...]
    evidence_note: str | None
    rules: tuple[str, ...]
    facts: tuple[CitedFact, ...]


@dataclass(frozen=True)
class Check:
    """What happened to one catalogue finding for this study."""

    finding: str
    factor: str
    status: str  # fired | not_triggered | not_applicable | not_assessable
    unknown: tuple[str, ...] = ()


@dataclass
class Diagnosis:
    study_id: str
    title: str
    indication: str
    source: str | None
    findings: list[Finding]
    checks: list[Check]
    key_facts: dict[str, Any] = field(default_factory=dict)

    def finding_ids(self) -> list[str]:
        return [f.id for f in self.findings]

    def ranked(self) -> list[Finding]:
        """Findings by severity (major first), ties in troubleshooting order."""
        return sorted(self.findings, key=lambda f: SEVERITY_ORDER.index(f.severity))


# (render_text, template, its values with their types) -> text; see the module docstring
_RENDERED: dict[tuple[Any, ...], str] = {}
RENDERED_ENTRIES = 4096  # when full it starts afresh: memory stays flat


def _value_key(value: Any) -> Any:
    """``value`` with its exact type, as a hashable key; None when it has no such key.

    Equal keys mean values that render alike: ``1 == 1.0 == True`` and ``0.0 == -0.0``
    but they print differently, so the type is part of the key and a float is keyed by
    its ``repr``; a subclass (an enum) or a mapping is never keyed.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return (kind, value)
    if kind is float:
        return (kind, float.__repr__(value))
    if kind is tuple or kind is list:
        items = tuple(_value_key(item) for item in value)
        return None if None in items else (kind, items)
    return None


def context_key(context: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """Every value of a text's context with its exact type (:func:`_value_key`), or None
    when one has no such key (the texts are then rendered every time)."""
    parts = []
    for name, value in context.items():
        key = _value_key(value)
        if key is None:
            return None
        parts.append((name, key))
    return tuple(parts)


def rendered_text(
    render: Callable[[str, Mapping[str, Any]], str],
    source: str,
    context: Mapping[str, Any],
    key: tuple[Any, ...] | None,
) -> str:
    """``render(source, context)``, remembered under ``key`` (the context's
    :func:`context_key`, worked out once for all of a finding's texts; None: not kept).

    ``render`` must be a pure function of its template and values (a knowledge base's
    ``render_text`` is).
    """
    if key is None:
        return render(source, context)
    memo_key = (render, source, key)
    text = _RENDERED.get(memo_key)
    if text is None:
        text = render(source, context)
        if len(_RENDERED) >= RENDERED_ENTRIES:
            _RENDERED.clear()
        _RENDERED[memo_key] = text
    return text


def _most_severe(severities: Sequence[str]) -> str:
    return min(severities, key=SEVERITY_ORDER.index)


def _ordered(conclusions: Sequence[Conclusion]) -> list[Conclusion]:
    """Conclusions by finding, rule, cited facts and, only to break a tie, their values'
    ``repr`` (the order of the cheap key alone when nothing ties: the same order)."""
    ordered = sorted(conclusions, key=lambda c: (c.finding, c.rule, c.cites))
    for before, after in pairwise(ordered):
        if (before.finding, before.rule, before.cites) == (after.finding, after.rule, after.cites):
            return sorted(conclusions, key=lambda c: (c.finding, c.rule, c.cites, repr(c.values)))
    return ordered


# knowledge base id -> (the knowledge base, factor ranks, the checks plan); a knowledge
# base is frozen, and its catalogue is not changed in place once diagnosed with
_CHECK_ORDERS: dict[int, tuple[Any, ...]] = {}


@dataclass(frozen=True)
class _Planned:
    """One catalogue finding in check order, with the checks that never vary (a check is
    frozen, so one instance serves every study)."""

    spec: FindingSpec
    fired: Check
    not_applicable: Check
    not_triggered: Check


def _check_order(knowledge: KnowledgeBase) -> tuple[dict[str, int], list[_Planned]]:
    """(rank of each factor, the catalogue in check order): worked out once per knowledge
    base (the entry holds the knowledge base, so its id is not reused meanwhile)."""
    cached = _CHECK_ORDERS.get(id(knowledge))
    if cached is None or cached[0] is not knowledge:
        factor_rank = {name: i for i, name in enumerate(knowledge.factor_order)}
        specs = sorted(knowledge.catalogue.values(), key=lambda s: (factor_rank[s.factor], s.id))
        plan = [
            _Planned(
                s,
                Check(s.id, s.factor, "fired"),
                Check(s.id, s.factor, "not_applicable"),
                Check(s.id, s.factor, "not_triggered", ()),
            )
            for s in specs
        ]
        if len(_CHECK_ORDERS) >= 64:  # knowledge bases made on the fly (tests) come and go
            _CHECK_ORDERS.clear()
        cached = (knowledge, factor_rank, plan)
        _CHECK_ORDERS[id(knowledge)] = cached
    return cached[1], cached[2]


def assemble(
    knowledge: KnowledgeBase,
    conclusions: Sequence[Conclusion],
    values: Mapping[str, Any],
    indication: str,
) -> tuple[list[Finding], list[Check]]:
    """Merge conclusions per finding, fill in the texts, order, and record checks."""
    by_finding: dict[str, list[Conclusion]] = {}
    for conclusion in _ordered(conclusions):
        by_finding.setdefault(conclusion.finding, []).append(conclusion)

    render = knowledge.render_text
    findings = []
    for finding_id, group in by_finding.items():
        spec = knowledge.catalogue[finding_id]
        merged: dict[str, Any] = {}
        for conclusion in group:
            for key, value in conclusion.values:
                merged.setdefault(key, value)
        paths = sorted({p for c in group for p in c.cites})
        severity = _most_severe([c.severity or spec.severity for c in group])
        context = {**merged, "severity": severity}
        values_key = context_key(context)
        findings.append(
            Finding(
                id=finding_id,
                title=spec.title,
                factor=spec.factor,
                severity=severity,
                faq=spec.faq,
                explanation=rendered_text(render, spec.explanation, context, values_key),
                next_steps=tuple(
                    rendered_text(render, s, context, values_key) for s in spec.next_steps
                ),
                evidence_note=spec.evidence_note,
                rules=tuple(sorted({c.rule for c in group})),
                facts=tuple(CitedFact(p, values[p]) for p in paths),
            )
        )
    factor_rank, plan = _check_order(knowledge)
    findings.sort(key=lambda f: (factor_rank[f.factor], SEVERITY_ORDER.index(f.severity), f.id))

    checks = []
    for planned in plan:
        spec = planned.spec
        if spec.id in by_finding:
            checks.append(planned.fired)
        elif spec.applies_to and indication not in spec.applies_to:
            checks.append(planned.not_applicable)
        else:
            unknown = tuple(p for p in spec.needs if values.get(p) is None)
            if unknown:
                checks.append(Check(spec.id, spec.factor, "not_assessable", unknown))
            else:
                checks.append(planned.not_triggered)
    return findings, checks
