"""Data types of a diagnosis, and how rule conclusions become ranked findings.

Nothing here knows about Thymalfasin: the catalogue of findings, the factor order
and the texts all come from a :class:`KnowledgeBase` (``thymoscope.kb`` provides it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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


def _most_severe(severities: Sequence[str]) -> str:
    return min(severities, key=SEVERITY_ORDER.index)


def assemble(
    knowledge: KnowledgeBase,
    conclusions: Sequence[Conclusion],
    values: Mapping[str, Any],
    indication: str,
) -> tuple[list[Finding], list[Check]]:
    """Merge conclusions per finding, fill in the texts, order, and record checks."""
    by_finding: dict[str, list[Conclusion]] = {}
    for conclusion in sorted(
        conclusions, key=lambda c: (c.finding, c.rule, c.cites, repr(c.values))
    ):
        by_finding.setdefault(conclusion.finding, []).append(conclusion)

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
        findings.append(
            Finding(
                id=finding_id,
                title=spec.title,
                factor=spec.factor,
                severity=severity,
                faq=spec.faq,
                explanation=knowledge.render_text(spec.explanation, context),
                next_steps=tuple(knowledge.render_text(s, context) for s in spec.next_steps),
                evidence_note=spec.evidence_note,
                rules=tuple(sorted({c.rule for c in group})),
                facts=tuple(CitedFact(p, values[p]) for p in paths),
            )
        )
    factor_rank = {name: i for i, name in enumerate(knowledge.factor_order)}
    findings.sort(key=lambda f: (factor_rank[f.factor], SEVERITY_ORDER.index(f.severity), f.id))

    checks = []
    for spec in sorted(knowledge.catalogue.values(), key=lambda s: (factor_rank[s.factor], s.id)):
        if spec.id in by_finding:
            checks.append(Check(spec.id, spec.factor, "fired"))
        elif spec.applies_to and indication not in spec.applies_to:
            checks.append(Check(spec.id, spec.factor, "not_applicable"))
        else:
            unknown = tuple(p for p in spec.needs if values.get(p) is None)
            status = "not_assessable" if unknown else "not_triggered"
            checks.append(Check(spec.id, spec.factor, status, unknown))
    return findings, checks
