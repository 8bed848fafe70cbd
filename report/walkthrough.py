"""A diagnosis (or a pair comparison) as a step-by-step walk-through, and quiz scoring.

Domain-free: the steps are built from the report documents (``report.document`` for a
study, ``report.comparison`` for a pair); the factor list comes from the caller. The
terminal demo (``cli/demo.py``) and the HTML slides (``templates/slides.html.j2``) both
present the same :class:`Walkthrough`.

Steps: first the key facts (a pair: both studies side by side), then one step per
finding in troubleshooting order (the factor order of the knowledge base), each with
the rules that fired and the facts they matched, and a closing summary.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thymoscope import RESEARCH_NOTICE
from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.report.document import study_document
from thymoscope.report.render import show, shown_key_facts


@dataclass(frozen=True)
class ShownFact:
    """A study fact as shown to the class: its dotted path and its value as written."""

    path: str
    value: str


@dataclass(frozen=True)
class SideBySide:
    """One field of a compared pair: both values and same / differs / unknown."""

    path: str
    a: str
    b: str
    status: str


@dataclass(frozen=True)
class Step:
    kind: str  # facts | finding | summary
    number: int  # 1-based position in the walk-through
    title: str
    facts: tuple[ShownFact, ...] = ()  # key facts (facts step) or the facts a rule matched
    finding: Mapping[str, Any] | None = None  # the report document's finding, for a finding step
    lines: tuple[str, ...] = ()  # summary lines

    @property
    def factor(self) -> str | None:
        return None if self.finding is None else str(self.finding["factor"])


@dataclass(frozen=True)
class Walkthrough:
    kind: str  # case | pair
    id: str
    title: str
    source: str | None
    key_facts: tuple[ShownFact, ...]  # a case's key facts (empty for a pair)
    steps: tuple[Step, ...]
    factors: Mapping[str, str]  # factor id -> title, in troubleshooting order
    notice: str = RESEARCH_NOTICE
    side_by_side: tuple[SideBySide, ...] = ()  # a pair's facts (empty for a case)
    sides: tuple[Mapping[str, Any], ...] = ()  # a pair's two studies: id, title, source
    note: str | None = None
    document: Mapping[str, Any] = field(default_factory=dict)  # the study / comparison part
    unasked: frozenset[str] = frozenset()  # factors the quiz does not ask about

    def finding_steps(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "finding"]

    def matched(self, step: Step) -> list[str]:
        """The study fields a step's rules matched (a pair's without their a./b. side)."""
        if self.kind != "pair":
            return [f.path for f in step.facts]
        return [f.path.split(".", 1)[1] if "." in f.path else f.path for f in step.facts]


def _shown(facts: Iterable[Mapping[str, Any]]) -> tuple[ShownFact, ...]:
    return tuple(ShownFact(str(f["path"]), show(f["value"])) for f in facts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _severity_line(findings: Sequence[Mapping[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    by_severity = ", ".join(f"{n} {severity}" for severity, n in counts.items())
    return f"{_plural(len(findings), 'finding')}: {by_severity}."


def _finding_steps(findings: Sequence[Mapping[str, Any]], first: int) -> list[Step]:
    return [
        Step("finding", first + i, str(f["title"]), facts=_shown(f["facts"]), finding=f)
        for i, f in enumerate(findings)
    ]


def build_walkthrough(diagnosis: Diagnosis, factors: Mapping[str, str]) -> Walkthrough:
    """The walk-through of one diagnosed study; ``factors`` in troubleshooting order."""
    study = study_document(diagnosis, dict(factors))
    key_facts = _shown(shown_key_facts(study))
    findings = [f for group in study["groups"] for f in group["findings"]]
    if findings:
        lines = [_severity_line(findings)]
        for group in study["groups"]:
            titles = "; ".join(f["title"] for f in group["findings"])
            lines.append(f"{factors.get(group['factor'], group['title'])}: {titles}")
    else:
        lines = ["No finding fired: nothing in this study's design explains a disagreement."]
    steps = [
        Step("facts", 1, "The study", facts=key_facts),
        *_finding_steps(findings, 2),
        Step("summary", len(findings) + 2, "Summary", lines=tuple(lines)),
    ]
    return Walkthrough(
        kind="case",
        id=diagnosis.study_id,
        title=diagnosis.title,
        source=diagnosis.source,
        key_facts=key_facts,
        steps=tuple(steps),
        factors=dict(factors),
        document=study,
    )


def build_pair_walkthrough(
    comparison: Mapping[str, Any],
    factors: Mapping[str, str],
    unasked: Collection[str] = (),
) -> Walkthrough:
    """The walk-through of one pair, from its part of the comparison document.

    ``unasked``: factors whose findings are shown but not asked about in a quiz (a
    verdict on the results, say, is no factor that explains a disagreement).
    """
    pair = comparison.get("pair") or {}
    a, b = comparison["a"], comparison["b"]
    rows = tuple(
        SideBySide(str(r["path"]), show(r["a"]), show(r["b"]), str(r["status"]))
        for r in comparison["facts"]
    )
    findings = list(comparison["findings"])
    lines = [_severity_line(findings)] if findings else ["No pair finding fired."]
    for row in comparison["factors"]:
        lines.append(f"{row['title']}: {str(row['status']).replace('_', ' ')}")
    steps = [
        Step("facts", 1, "The two studies"),
        *_finding_steps(findings, 2),
        Step("summary", len(findings) + 2, "Summary", lines=tuple(lines)),
    ]
    return Walkthrough(
        kind="pair",
        id=str(pair.get("id") or f"{a['id']}-vs-{b['id']}"),
        title=str(pair.get("title") or f"{a['title']} vs {b['title']}"),
        source=None,
        key_facts=(),
        steps=tuple(steps),
        factors=dict(factors),
        side_by_side=rows,
        sides=(a, b),
        note=pair.get("note"),
        document=comparison,
        unasked=frozenset(unasked),
    )


# --- quiz -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    step: Step
    choices: tuple[tuple[str, str], ...]  # (factor id, title), numbered from 1
    answer: str  # the factor id that explains the step


def questions(walkthrough: Walkthrough) -> list[Question]:
    """One multiple-choice question per finding step: which factor explains it?"""
    skip = walkthrough.unasked
    choices = tuple((k, v) for k, v in walkthrough.factors.items() if k not in skip)
    return [
        Question(s, choices, str(s.factor))
        for s in walkthrough.finding_steps()
        if s.factor not in skip
    ]


def parse_choice(text: str, choices: Sequence[tuple[str, str]]) -> str | None:
    """The factor id a typed answer names: its number, its id, or a unique title prefix."""
    typed = text.strip().lower()
    if not typed:
        return None
    if typed.isdigit():
        index = int(typed) - 1
        return choices[index][0] if 0 <= index < len(choices) else None
    for factor, title in choices:
        if typed in (factor.lower(), title.lower()):
            return factor
    matches = [
        factor
        for factor, title in choices
        if title.lower().startswith(typed) or factor.lower().startswith(typed)
    ]
    return matches[0] if len(matches) == 1 else None


@dataclass
class Score:
    asked: int = 0
    correct: int = 0
    unanswered: int = 0
    answers: list[tuple[str, str | None, bool]] = field(default_factory=list)  # step, given, ok

    def record(self, question: Question, given: str | None) -> bool:
        """Count one answer (``None``: no valid answer) and say whether it was right."""
        right = given == question.answer
        self.asked += 1
        self.correct += int(right)
        self.unanswered += int(given is None)
        self.answers.append((question.step.title, given, right))
        return right

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.asked) if self.asked else 0

    def line(self) -> str:
        return f"Score: {self.correct} of {self.asked} ({self.percent}%)"


# --- HTML slides ------------------------------------------------------------------------


def slides(walkthrough: Walkthrough, quiz: bool = False) -> list[dict[str, Any]]:
    """The slide sequence: the steps, with a question slide before each finding in a quiz."""
    asked = questions(walkthrough) if quiz else []
    by_step = {q.step.number: n for n, q in enumerate(asked, start=1)}
    sequence: list[dict[str, Any]] = []
    for step in walkthrough.steps:
        if step.number in by_step:
            sequence.append(
                {
                    "kind": "question",
                    "step": step,
                    "question_number": by_step[step.number],
                    "question_total": len(asked),
                }
            )
        sequence.append({"kind": step.kind, "step": step})
    return sequence


def _environment() -> Any:
    """The report's jinja2 environment (``report.render``): same loader, filters, escaping."""
    from thymoscope.report.render import environment

    return environment()


def slides_html(walkthrough: Walkthrough, quiz: bool = False) -> str:
    """One self-contained HTML page presenting the walk-through as slides."""
    from thymoscope import __version__

    template = _environment().get_template("slides.html.j2")
    document = {"generator": f"thymoscope {__version__}", "notice": walkthrough.notice}
    return str(template.render(doc=document, walk=walkthrough, slides=slides(walkthrough, quiz)))
