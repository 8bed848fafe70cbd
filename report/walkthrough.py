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

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thymoscope import RESEARCH_NOTICE
from thymoscope.engine.diagnosis import SEVERITY_ORDER, Diagnosis
from thymoscope.report.document import study_document
from thymoscope.report.render import show, shown_key_facts


@dataclass(frozen=True)
class ShownFact:
    """A study fact as shown to the class: its dotted path, its value as written, and
    the same fact in words (``Role of thymalfasin: alone (monotherapy)``)."""

    path: str
    value: str
    words: str = ""


@dataclass(frozen=True)
class SideBySide:
    """One field of a compared pair: both values and same / differs / unknown, and
    the field and both values in words."""

    path: str
    a: str
    b: str
    status: str
    label: str = ""
    a_words: str = ""
    b_words: str = ""


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
    quiz_order: Mapping[str, str] = field(default_factory=dict)  # choices first, in order
    verdicts: Mapping[str, str] = field(default_factory=dict)  # result finding id -> verdict

    @property
    def quiz_factors(self) -> dict[str, str]:
        """The factors offered in a quiz: ``quiz_order`` first, then the rest in order."""
        ordered = {k: v for k, v in self.quiz_order.items() if k in self.factors}
        return {**ordered, **{k: v for k, v in self.factors.items() if k not in ordered}}

    def finding_steps(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "finding"]

    def matched(self, step: Step) -> list[str]:
        """The study fields a step's rules matched (a pair's without their a./b. side)."""
        if self.kind != "pair":
            return [f.path for f in step.facts]
        return [f.path.split(".", 1)[1] if "." in f.path else f.path for f in step.facts]


def _humanized(path: str) -> str:
    """A last resort for a field without a label: its last part with spaces."""
    return path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def fact_words(path: str, value: Any, context: Mapping[str, Any] | None = None) -> str:
    """One study fact in words (``kb/labels.yaml``); a pair's ``a.``/``b.`` path reads
    "A · Dose: 1.6 mg". ``context``: the values by path, for a unit kept in another field."""
    from thymoscope.kb.labels import fact_sentence, value_label

    side = ""
    if path[:2] in ("a.", "b."):
        side, path = f"{path[0].upper()} · ", path[2:]
        prefix = f"{side[0].lower()}."
        context = {k[2:]: v for k, v in (context or {}).items() if k.startswith(prefix)}
    try:
        return side + fact_sentence(path, value, context)
    except KeyError:
        try:
            words = value_label(path, value)
        except KeyError:
            words = show(value).replace("_", " ")
        return f"{side}{_humanized(path)}: {words}"


def field_words(path: str) -> str:
    """The field's label (``Role of thymalfasin``), or its last part in words."""
    from thymoscope.kb.labels import field_label

    try:
        return field_label(path)
    except KeyError:
        return _humanized(path)


def value_words(path: str, value: Any) -> str:
    """The value's words without the field's label (``alone (monotherapy)``)."""
    from thymoscope.kb.labels import value_label

    try:
        return value_label(path, value)
    except KeyError:
        return show(value).replace("_", " ")


def _shown(
    facts: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any] | None = None,
    units_apart: bool = True,
) -> tuple[ShownFact, ...]:
    """The facts as shown; without ``units_apart`` a unit said with its number ("Dose:
    1.6 mg") is not listed again on its own."""
    from thymoscope.kb.labels import generic_path, labelled_fields

    listed = list(facts)
    values = {**{str(f["path"]): f["value"] for f in listed}, **(context or {})}
    labels = labelled_fields()
    units = {  # a unit said with its number ("Dose: 1.6 mg") is not listed again
        entry.unit_from
        for f in listed
        if f["value"] is not None
        and (entry := labels.get(generic_path(str(f["path"])))) is not None
        and entry.unit_from
    }
    if not units_apart:
        listed = [f for f in listed if str(f["path"]) not in units]
    return tuple(
        ShownFact(str(f["path"]), show(f["value"]), fact_words(str(f["path"]), f["value"], values))
        for f in listed
    )


def faq_text(sections: Sequence[str]) -> str:
    """``FAQ section 1``, ``FAQ sections 1 and 3``, ``FAQ sections 1, 2 and 4``."""
    listed = [str(s) for s in sections]
    if not listed:
        return ""
    if len(listed) == 1:
        return f"FAQ section {listed[0]}"
    return f"FAQ sections {', '.join(listed[:-1])} and {listed[-1]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _severity_line(findings: Sequence[Mapping[str, Any]]) -> str:
    """``5 findings: 1 major, 3 moderate, 1 minor.``: always most severe first."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    order = [s for s in SEVERITY_ORDER if s in counts] + sorted(set(counts) - {*SEVERITY_ORDER})
    by_severity = ", ".join(f"{counts[severity]} {severity}" for severity in order)
    return f"{_plural(len(findings), 'finding')}: {by_severity}."


def _finding_steps(
    findings: Sequence[Mapping[str, Any]], first: int, context: Mapping[str, Any] | None = None
) -> list[Step]:
    return [
        Step("finding", first + i, str(f["title"]), facts=_shown(f["facts"], context), finding=f)
        for i, f in enumerate(findings)
    ]


def build_walkthrough(diagnosis: Diagnosis, factors: Mapping[str, str]) -> Walkthrough:
    """The walk-through of one diagnosed study; ``factors`` in troubleshooting order."""
    study = study_document(diagnosis, dict(factors))
    context = {str(f["path"]): f["value"] for f in study["key_facts"]}
    key_facts = _shown(shown_key_facts(study), context, units_apart=False)
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
        *_finding_steps(findings, 2, context),
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


STATUS_WORDS = {
    "same": "the same in both studies",
    "differs": "differs between the studies",
    "unknown": "not known for both studies",
    "conflict": "the two estimates differ beyond chance: a real conflict",
    "compatible": "no difference between the two estimates was shown; "
    "their significance alone may differ",
    "not_tested": "cannot be tested from the numbers reported",
}
RESULT_STATUSES = ("conflict", "compatible", "not_tested")


def factor_status_line(title: str, status: str) -> str:
    """A pair factor's row in words: "Therapy role: differs between the studies.";
    the results row reads "Results: ...", never "Are the results in conflict?: compatible"."""
    words = STATUS_WORDS.get(status, status.replace("_", " "))
    name = "Results" if status in RESULT_STATUSES else title
    return f"{name}: {words}."


def build_pair_walkthrough(
    comparison: Mapping[str, Any],
    factors: Mapping[str, str],
    unasked: Collection[str] = (),
    quiz_order: Mapping[str, str] | None = None,
    verdicts: Mapping[str, str] | None = None,
) -> Walkthrough:
    """The walk-through of one pair, from its part of the comparison document.

    ``unasked``: factors whose findings are shown but not asked about as a factor (a
    verdict on the results is no factor that explains a disagreement); ``verdicts``:
    the finding ids that weigh the results, with their verdict (asked as "is this
    conflict real?"); ``quiz_order``: the factors (with their words) in the order a
    case quiz numbers them, so that numbers match across quizzes.
    """
    pair = comparison.get("pair") or {}
    a, b = comparison["a"], comparison["b"]
    context = {f"{side}.{r['path']}": r[side] for r in comparison["facts"] for side in ("a", "b")}

    def words_of(side: str, path: str, value: Any) -> str:
        """The value with its unit ("52 weeks", "1.2 mg/m²"), without the field's label."""
        sentence = fact_words(f"{side}.{path}", value, context)
        return sentence.split(": ", 1)[1] if ": " in sentence else value_words(path, value)

    rows = tuple(
        SideBySide(
            str(r["path"]),
            show(r["a"]),
            show(r["b"]),
            str(r["status"]),
            field_words(str(r["path"])),
            words_of("a", str(r["path"]), r["a"]),
            words_of("b", str(r["path"]), r["b"]),
        )
        for r in comparison["facts"]
    )
    findings = list(comparison["findings"])
    lines = [_severity_line(findings)] if findings else ["No pair finding fired."]
    for row in comparison["factors"]:
        lines.append(factor_status_line(str(row["title"]), str(row["status"])))
    steps = [
        Step("facts", 1, "The two studies"),
        *_finding_steps(findings, 2, context),
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
        quiz_order=dict(quiz_order or {}),
        verdicts=dict(verdicts or {}),
    )


# --- quiz -------------------------------------------------------------------------------

CONFLICT_CHOICES = (
    ("conflict", "Real: the two estimates themselves differ, beyond chance"),
    ("compatible", "Not shown to be real: the estimates are compatible; only significance differs"),
    ("not_tested", "Cannot be told from the numbers the studies report"),
)


@dataclass(frozen=True)
class Question:
    """One quiz question, asked before ``step`` is revealed.

    ``clue``: the facts shown with the question, in words (never a field path, which
    would name the answer); ``choices``: (key, words), numbered from 1; ``accepted``:
    every key counted right (a pair's equally severe differences all explain it).
    """

    step: Step
    number: int
    total: int
    kind: str  # factor | conflict
    prompt: str
    clue: tuple[str, ...]
    choices: tuple[tuple[str, str], ...]
    answer: str
    accepted: frozenset[str]

    def words(self, key: str | None) -> str:
        return dict(self.choices).get(key or "", "no answer")


def quiz_choices(walkthrough: Walkthrough) -> tuple[tuple[str, str], ...]:
    """The factors a quiz offers, in the walk-through's quiz order (a pair uses the
    case order first, so that a factor has the same number in every quiz)."""
    skip = walkthrough.unasked
    return tuple((k, v) for k, v in walkthrough.quiz_factors.items() if k not in skip)


DISTRACTORS = 3  # facts of the study a case question shows beside the ones the rule matched


def case_clue(walkthrough: Walkthrough, step: Step) -> tuple[str, ...]:
    """The facts shown with a case question: the ones the finding rests on, mixed with a
    few other known facts of the study (chosen the same way on every run), in the
    order of the study's key facts, so that the class must pick what matters."""
    matched = {f.path for f in step.facts}
    finding_id = str((step.finding or {}).get("id"))
    others = sorted(
        (f for f in walkthrough.key_facts if f.path not in matched and f.value != "unknown"),
        key=lambda f: hashlib.sha256(f"{finding_id}:{f.path}".encode()).hexdigest(),
    )[:DISTRACTORS]
    chosen = matched | {f.path for f in others}
    shown = [f for f in walkthrough.key_facts if f.path in chosen]
    shown += [f for f in step.facts if f.path not in {k.path for k in walkthrough.key_facts}]
    return tuple(f.words for f in shown)


def _case_questions(walkthrough: Walkthrough) -> list[tuple[str, Step, str, tuple[str, ...]]]:
    return [
        (
            "factor",
            s,
            "thymoscope flagged this study on some of the facts below. "
            "Which factor best explains the flag?",
            case_clue(walkthrough, s),
        )
        for s in walkthrough.finding_steps()
        if s.factor not in walkthrough.unasked
    ]


def _estimate_clue(finding: Mapping[str, Any], sides: Sequence[Mapping[str, Any]]) -> list[str]:
    stats = finding.get("statistics") or {}
    clue = []
    for label, key, side in zip("AB", ("first", "second"), sides, strict=False):
        estimate = stats.get(key) or {}
        if estimate.get("text"):
            clue.append(f"{label} ({side.get('title', '')}): {estimate['text']}")
    return clue


def _pair_questions(walkthrough: Walkthrough) -> list[tuple[str, Step, str, tuple[str, ...]]]:
    asked: list[tuple[str, Step, str, tuple[str, ...]]] = []
    steps = walkthrough.finding_steps()
    differences = [s for s in steps if s.factor not in walkthrough.unasked]
    if differences:
        clue = tuple(
            f"{row.label} — A: {row.a_words}; B: {row.b_words}"
            for row in walkthrough.side_by_side
            if row.status != "same"
        )
        prompt = "Which factor best explains why study A disagrees with study B?"
        asked.append(("factor", differences[0], prompt, clue))
    for step in steps:
        if step.finding is not None and step.finding.get("id") in walkthrough.verdicts:
            clue = tuple(_estimate_clue(step.finding, walkthrough.sides))
            prompt = "Is this conflict real, or only a difference in significance?"
            asked.append(("conflict", step, prompt, clue))
    return asked


def questions(walkthrough: Walkthrough) -> list[Question]:
    """The quiz, numbered 1..N in the order asked.

    A case: one question per finding, "which factor best explains it?", the facts it
    rests on in words. A pair: "which factor best explains why A disagrees with B?"
    (every equally severe difference counts), then "is this conflict real, or only a
    difference in significance?" when the pair's results were weighed.
    """
    made = (
        _pair_questions(walkthrough) if walkthrough.kind == "pair" else _case_questions(walkthrough)
    )
    factor_choices = quiz_choices(walkthrough)
    out = []
    choices: tuple[tuple[str, str], ...]
    for number, (kind, step, prompt, clue) in enumerate(made, start=1):
        if kind == "conflict":
            answer = walkthrough.verdicts[str((step.finding or {}).get("id"))]
            choices, accepted = CONFLICT_CHOICES, {answer}
        else:
            answer, choices = str(step.factor), factor_choices
            accepted = {answer}
            if walkthrough.kind == "pair":
                severity = (step.finding or {}).get("severity")
                accepted |= {
                    str(s.factor)
                    for s in walkthrough.finding_steps()
                    if s.factor not in walkthrough.unasked
                    and (s.finding or {}).get("severity") == severity
                }
        out.append(
            Question(
                step, number, len(made), kind, prompt, clue, choices, answer, frozenset(accepted)
            )
        )
    return out


def parse_choice(text: str, choices: Sequence[tuple[str, str]]) -> str | None:
    """The choice a typed answer names: its number, its key, or a unique prefix of its words."""
    typed = text.strip().lower()
    if not typed:
        return None
    if typed.isdigit():
        index = int(typed) - 1
        return choices[index][0] if 0 <= index < len(choices) else None
    for key, title in choices:
        if typed in (key.lower(), title.lower()):
            return key
    matches = [
        key
        for key, title in choices
        if title.lower().startswith(typed) or key.lower().startswith(typed)
    ]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class Answer:
    number: int
    prompt: str
    given: str | None  # the choice's key, None for no answer
    given_words: str
    expected_words: str
    right: bool


@dataclass
class Score:
    asked: int = 0
    correct: int = 0
    unanswered: int = 0
    answers: list[Answer] = field(default_factory=list)

    def record(self, question: Question, given: str | None) -> bool:
        """Count one answer (``None``: no valid answer) and say whether it was right."""
        right = given in question.accepted
        self.asked += 1
        self.correct += int(right)
        self.unanswered += int(given is None)
        self.answers.append(
            Answer(
                question.number,
                question.prompt,
                given,
                question.words(given) if given is not None else "",
                question.words(question.answer),
                right,
            )
        )
        return right

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.asked) if self.asked else 0

    def line(self) -> str:
        return f"Score: {self.correct} of {self.asked} ({self.percent}%)"


SCORE_COLUMNS = (
    "student",
    "date",
    "case",
    "question_number",
    "question",
    "answer",
    "expected",
    "correct",
    "score",
)


def score_rows(score: Score, student: str, date: str, case: str) -> list[dict[str, Any]]:
    """The rows a teacher collects: one per question (score 1 or 0), then a total row
    (question "total", correct "N of M", score the percentage)."""
    rows: list[dict[str, Any]] = [
        {
            "student": student,
            "date": date,
            "case": case,
            "question_number": a.number,
            "question": a.prompt,
            "answer": a.given_words,
            "expected": a.expected_words,
            "correct": "yes" if a.right else "no",
            "score": int(a.right),
        }
        for a in score.answers
    ]
    rows.append(
        {
            "student": student,
            "date": date,
            "case": case,
            "question_number": "",
            "question": "total",
            "answer": "",
            "expected": "",
            "correct": f"{score.correct} of {score.asked}",
            "score": f"{score.percent}%",
        }
    )
    return rows


# --- HTML slides ------------------------------------------------------------------------


def slides_html(walkthrough: Walkthrough, quiz: bool = False) -> str:
    """One self-contained HTML page presenting the walk-through as slides."""
    from thymoscope.report.deck import deck_html, walkthrough_part

    return deck_html([walkthrough_part(walkthrough, quiz)], walkthrough.title)
