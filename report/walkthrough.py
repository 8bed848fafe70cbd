"""A diagnosis as a step-by-step walk-through, and the scoring of a quiz on it.

Domain-free: the steps are built from the report document (``report.document``), the
factor list comes from the caller. The terminal demo (``cli/demo.py``) and the HTML
slides (``templates/slides.html.j2``) both present the same :class:`Walkthrough`.

Steps: first the study's key facts, then one step per finding in troubleshooting
order (the order of ``Diagnosis.findings``), each with the rules that fired and the
study facts they matched, and a closing summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thymoscope import RESEARCH_NOTICE
from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.report.document import study_document
from thymoscope.report.render import show


@dataclass(frozen=True)
class ShownFact:
    """A study fact as shown to the class: its dotted path and its value as written."""

    path: str
    value: str


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
    id: str
    title: str
    source: str | None
    key_facts: tuple[ShownFact, ...]
    steps: tuple[Step, ...]
    factors: Mapping[str, str]  # factor id -> title, in troubleshooting order
    notice: str = RESEARCH_NOTICE
    study: Mapping[str, Any] = field(default_factory=dict)  # the report document's study part

    def finding_steps(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "finding"]


def _shown(facts: Iterable[Mapping[str, Any]]) -> tuple[ShownFact, ...]:
    return tuple(ShownFact(str(f["path"]), show(f["value"])) for f in facts)


def _summary_lines(study: Mapping[str, Any], factors: Mapping[str, str]) -> tuple[str, ...]:
    counts = study["severity_counts"]
    total = sum(counts.values())
    if not total:
        return ("No finding fired: nothing in this study's design explains a disagreement.",)
    by_severity = ", ".join(f"{n} {severity}" for severity, n in counts.items() if n)
    lines = [f"{total} finding{'s' if total != 1 else ''}: {by_severity}."]
    for group in study["groups"]:
        titles = "; ".join(f["title"] for f in group["findings"])
        lines.append(f"{factors.get(group['factor'], group['title'])}: {titles}")
    return tuple(lines)


def build_walkthrough(diagnosis: Diagnosis, factors: Mapping[str, str]) -> Walkthrough:
    """The walk-through of one diagnosed study; ``factors`` in troubleshooting order."""
    study = study_document(diagnosis, dict(factors))
    cited = {f.path for finding in diagnosis.findings for f in finding.facts}
    # Unknown key facts are shown only when a finding rests on them.
    key_facts = _shown(
        f for f in study["key_facts"] if f["value"] is not None or f["path"] in cited
    )
    steps = [Step("facts", 1, "The study", facts=key_facts)]
    findings = [f for group in study["groups"] for f in group["findings"]]
    for finding in findings:
        steps.append(
            Step(
                "finding",
                len(steps) + 1,
                str(finding["title"]),
                facts=_shown(finding["facts"]),
                finding=finding,
            )
        )
    steps.append(Step("summary", len(steps) + 1, "Summary", lines=_summary_lines(study, factors)))
    return Walkthrough(
        id=diagnosis.study_id,
        title=diagnosis.title,
        source=diagnosis.source,
        key_facts=key_facts,
        steps=tuple(steps),
        factors=dict(factors),
        study=study,
    )


# --- quiz -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    step: Step
    choices: tuple[tuple[str, str], ...]  # (factor id, title), numbered from 1
    answer: str  # the factor id that explains the step


def questions(walkthrough: Walkthrough) -> list[Question]:
    """One multiple-choice question per finding step: which factor explains it?"""
    choices = tuple(walkthrough.factors.items())
    return [Question(s, choices, str(s.factor)) for s in walkthrough.finding_steps()]


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
    return template.render(
        walk=walkthrough,
        slides=slides(walkthrough, quiz),
        quiz=quiz,
        notice=walkthrough.notice,
        generator=f"thymoscope {__version__}",
    )
