"""A course as slides: walk-throughs of cases, pairs and review sets laid out on 16:9 slides.

The layout is decided here, not by the browser: every list that could outgrow a slide
(facts, next steps, a pair's rows, a review step's lines) is measured with a
conservative estimate of its height in ``rem`` and carried onto further slides, so that
no slide needs a scrollbar at 1280×720 or 1920×1080 (the stylesheet scales one ``rem``
with the slide, so both sizes hold the same text per slide). The template
(``templates/slides.html.j2``) only draws these :class:`Slide` objects.

Slides use words, never identifiers: facts via ``kb/labels.yaml`` (through the
walk-through), factor titles for factor ids; rule names and finding ids go to the
speaker notes only when spelled out in words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thymoscope.report.walkthrough import (
    Question,
    Step,
    Walkthrough,
    faq_text,
    questions,
)

# The slide's usable height and the columns' widths, in rem of the slide stylesheet
# (a slide is 62.5 rem wide and 35.2 rem tall; see slides.css).
BODY_REM = 25.0  # below the header, the heading and above the footer, with a margin
FULL_WIDTH_REM = 56.0
MAIN_WIDTH_REM = 32.0  # the wider column of a two-column slide
ASIDE_WIDTH_REM = 20.0
CHAR_EM = 0.56  # average character width of a system sans-serif, generously rounded up


def text_rem(text: str, size: float, width: float, leading: float = 1.35) -> float:
    """The estimated height of ``text`` at ``size`` rem in a column ``width`` rem wide."""
    per_line = max(1, int(width / (CHAR_EM * size)))
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    return lines * size * leading


def heading_fit(text: str, base: float) -> tuple[str, float]:
    """(CSS class, size in rem) of a slide heading: a long title (a study's own, say) is
    set smaller so that it leaves room for the slide's content."""
    if len(text) <= 90:
        return "", base
    if len(text) <= 180:
        return "h-m", min(base, 1.15)
    return "h-s", min(base, 0.85)


def _head_rem(text: str, base: float, width: float, leading: float = 1.15) -> float:
    return text_rem(text, heading_fit(text, base)[1], width, leading)


def pack(items: Sequence[Any], heights: Sequence[float], budget: float) -> list[list[Any]]:
    """``items`` in order, cut into pages whose heights stay within ``budget`` (an item
    taller than the budget gets a page of its own)."""
    pages: list[list[Any]] = [[]]
    used = 0.0
    for item, height in zip(items, heights, strict=True):
        if pages[-1] and used + height > budget:
            pages.append([])
            used = 0.0
        pages[-1].append(item)
        used += height
    return pages if pages[0] else []


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence (for an explanation longer than a slide)."""
    return [s for s in re.split(r"(?<=[.;:])\s+(?=[A-Z(])", text.strip()) if s]


def _spelled(text: str) -> str:
    """A finding's text with any study field path it quotes (```population.immune_status```)
    as the field's words."""
    from thymoscope.synthesis.walkthrough import in_words

    return in_words(re.sub(r"`([a-z_.*0-9]+)`", r"\1", text), {})


def words(identifier: str) -> str:
    """``mixed_population_not_stratified`` -> "mixed population not stratified"."""
    return identifier.replace("_", " ").replace("-", " ")


@dataclass
class Slide:
    kind: str  # part contents facts pair same question finding forest summary review
    heading: str
    part: str = ""  # the title shown in the slide's header
    kicker: str = ""
    meta: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, str, str], ...] = ()  # a pair's facts: field, A, B
    columns: tuple[str, str] = ("A", "B")
    explanation: tuple[str, ...] = ()  # paragraphs
    next_steps: tuple[str, ...] = ()
    aside_title: str = ""
    aside: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    severity: str = ""
    faq: str = ""
    forest: Mapping[str, Any] | None = None  # an estimates plot (report.estimates_plot)
    svg: str = ""  # a review's forest plot, already escaped markup (report.forest.svg)
    notes: tuple[str, ...] = ()
    continued: bool = False

    @property
    def heading_class(self) -> str:
        return heading_fit(self.heading, 1.5)[0]


@dataclass
class Part:
    """One walk-through of the course: a case, a pair or a review set."""

    kind: str  # case | pair | review
    title: str
    slides: list[Slide] = field(default_factory=list)


# --- cases and pairs ---------------------------------------------------------------------


def _titled(walk: Walkthrough, index: int) -> tuple[str, str]:
    side = walk.sides[index] if len(walk.sides) > index else {}
    return "AB"[index], str(side.get("title") or side.get("id") or "")


def _facts_slides(walk: Walkthrough) -> list[Slide]:
    if walk.kind == "case":
        facts = [f.words for f in walk.key_facts]
        width = (FULL_WIDTH_REM - 2) / 2
        heights = [text_rem(f, 0.9, width, 1.3) + 0.2 for f in facts]
        head = _head_rem(walk.title, 1.6, FULL_WIDTH_REM) + 1.5
        head += text_rem(walk.source or "", 0.8, FULL_WIDTH_REM)
        pages = pack(facts, heights, 2 * (BODY_REM - head) * 0.92) or [[]]
        return [
            Slide(
                "facts",
                walk.title,
                kicker="The study",
                meta=walk.source or "",
                items=tuple(page),
                continued=n > 0,
                notes=(
                    "Let the class read the facts first: which of them could make this "
                    "study's result differ from another study's?",
                ),
            )
            for n, page in enumerate(pages)
        ]
    rows = [r for r in walk.side_by_side if r.status != "same"]
    shown = [(r.label, r.a_words, r.b_words) for r in rows]
    col = (FULL_WIDTH_REM - 2) / 3
    heights = [
        max(text_rem(t, 0.85, col, 1.3) for t in row) + 0.35 for row in shown
    ]  # one table row
    sides = [_titled(walk, 0), _titled(walk, 1)]
    head = (
        _head_rem(walk.title, 1.6, FULL_WIDTH_REM)
        + sum(text_rem(f"{k} {t}", 0.9, FULL_WIDTH_REM) for k, t in sides)
        + (text_rem(walk.note, 0.9, FULL_WIDTH_REM) if walk.note else 0)
        + 2.5
    )
    pages = pack(shown, heights, BODY_REM - head) or [[]]
    out = [
        Slide(
            "pair",
            walk.title,
            kicker="The two studies: where they differ (or one is not known)",
            items=tuple(f"{k} · {t}" for k, t in sides),
            meta=walk.note or "",
            rows=tuple(page),
            continued=n > 0,
            notes=("Ask which of these differences could explain the two results.",),
        )
        for n, page in enumerate(pages)
    ]
    same = [f"{r.label}: {r.a_words}" for r in walk.side_by_side if r.status == "same"]
    width = (FULL_WIDTH_REM - 2) / 2
    same_pages = pack(same, [text_rem(s, 0.85, width, 1.3) + 0.2 for s in same], 2 * 20.0)
    out += [
        Slide(
            "same",
            walk.title,
            kicker="Where the two studies agree",
            items=tuple(page),
            continued=n > 0,
        )
        for n, page in enumerate(same_pages)
    ]
    return out


def _finding_notes(walk: Walkthrough, step: Step) -> tuple[str, ...]:
    finding = step.finding or {}
    notes = []
    rules = [words(str(r)) for r in finding.get("rules", ())]
    if rules:
        notes.append(f"Rule that fired: {'; '.join(rules)}.")
    if step.facts:
        notes.append("It matched: " + "; ".join(f.words for f in step.facts) + ".")
    if finding.get("evidence_note"):
        notes.append(f"Evidence note: {finding['evidence_note']}")
    for key, label in (("favoured_id", "More credible here"), ("larger_id", "Expected larger")):
        if finding.get(key):
            notes.append(f"{label}: {finding[key]}.")
    return tuple(notes)


def _finding_slides(walk: Walkthrough, step: Step) -> list[Slide]:
    finding = step.finding or {}
    factor = walk.factors.get(str(finding.get("factor")), words(str(finding.get("factor"))))
    if walk.kind == "pair" and finding.get("id") in walk.verdicts:
        factor = "The results"
    title_rem = _head_rem(step.title, 1.5, MAIN_WIDTH_REM) + 2.6  # kicker, severity
    explanation = _spelled(str(finding.get("explanation")))
    blocks: list[tuple[str, str]] = [("p", s) for s in sentences(explanation)]
    steps = [_spelled(str(s)) for s in finding.get("next_steps", ())]
    blocks += [("step", s) for s in steps]
    heights = [
        text_rem(t, 1.0 if kind == "p" else 0.9, MAIN_WIDTH_REM - (0 if kind == "p" else 1.5))
        + (0.1 if kind == "p" else 0.35)
        for kind, t in blocks
    ]
    first_step = next((i for i, (kind, _) in enumerate(blocks) if kind == "step"), None)
    if first_step is not None:
        heights[first_step] += 1.6  # the "what to check next" heading
    main_pages = pack(blocks, heights, BODY_REM - title_rem) or [[]]
    facts = [f.words for f in step.facts]
    aside_pages = pack(facts, [text_rem(f, 0.8, ASIDE_WIDTH_REM, 1.3) + 0.3 for f in facts],
                       BODY_REM - 2.0) or [[]]  # fmt: skip
    count = max(len(main_pages), len(aside_pages))
    out = []
    for n in range(count):
        main = main_pages[n] if n < len(main_pages) else []
        out.append(
            Slide(
                "finding",
                step.title,
                kicker=factor,
                explanation=tuple(
                    text for text in [" ".join(t for kind, t in main if kind == "p")] if text
                ),
                next_steps=tuple(t for kind, t in main if kind == "step"),
                aside_title="Facts it rests on",
                aside=tuple(aside_pages[n]) if n < len(aside_pages) else (),
                severity=str(finding.get("severity", "")),
                faq=faq_text(finding.get("faq_sections", ())) if n == count - 1 else "",
                forest=None,
                notes=_finding_notes(walk, step) if n == 0 else (),
                continued=n > 0,
            )
        )
    return out


def _question_slides(question: Question) -> list[Slide]:
    choices = tuple(text for _, text in question.choices)  # at most ten short lines
    head = _head_rem(question.prompt, 1.4, MAIN_WIDTH_REM, 1.2) + 1.8
    budget = BODY_REM - head
    clue_pages = pack(
        list(question.clue),
        [text_rem(c, 0.9, MAIN_WIDTH_REM - 1.5, 1.3) + 0.3 for c in question.clue],
        budget,
    ) or [[]]
    answer = question.words(question.answer)
    return [
        Slide(
            "question",
            question.prompt,
            kicker=f"Question {question.number} of {question.total}",
            items=tuple(page),
            choices=choices,
            aside_title="Choose one",
            notes=(f"Answer: {answer}.",) if n == 0 else (),
            continued=n > 0,
        )
        for n, page in enumerate(clue_pages)
    ]


def _list_slides(kind: str, heading: str, kicker: str, lines: Sequence[str],
                 size: float = 1.0, notes: tuple[str, ...] = ()) -> list[Slide]:  # fmt: skip
    head = _head_rem(heading, 1.6, FULL_WIDTH_REM) + 1.5
    pages = pack(
        list(lines), [text_rem(t, size, FULL_WIDTH_REM - 1.5) + 0.3 for t in lines],
        BODY_REM - head,
    ) or [[]]  # fmt: skip
    return [
        Slide(
            kind,
            heading,
            kicker=kicker,
            items=tuple(page),
            continued=n > 0,
            notes=notes if n == 0 else (),
        )
        for n, page in enumerate(pages)
    ]


def _forest_slide(walk: Walkthrough) -> list[Slide]:
    plot = walk.document.get("forest")
    if not plot:
        return []
    kicker = "The estimates" if walk.kind == "case" else "The two estimates"
    heading = "The reported estimates on one axis"
    return [
        Slide(
            "forest",
            heading,
            kicker=kicker,
            forest=plot,
            notes=(
                "Each line is a confidence interval; the dashed line is no effect. "
                "Ask whether the intervals overlap before calling the results different.",
            ),
        )
    ]


def walkthrough_part(walk: Walkthrough, quiz: bool = False) -> Part:
    """The slides of one case or pair, with a question before each asked finding."""
    asked = {q.step.number: q for q in questions(walk)} if quiz else {}
    part = Part(walk.kind, walk.title)
    for step in walk.steps:
        if step.kind == "facts":
            part.slides += _facts_slides(walk)
            part.slides += _forest_slide(walk)
            continue
        if step.number in asked:
            part.slides += _question_slides(asked[step.number])
        if step.kind == "finding":
            part.slides += _finding_slides(walk, step)
        else:
            lines = list(step.lines)
            if quiz and asked:
                lines.append(f"The quiz asked {len(asked)} question{'s' * (len(asked) != 1)}.")
            part.slides += _list_slides("summary", "Summary", walk.title, lines)
    for slide in part.slides:
        slide.part = walk.title
    return part


# --- review sets ---------------------------------------------------------------------------


def review_part(title: str, document: Mapping[str, Any], quiz: bool = False) -> Part:
    """The slides of a review teaching set: each outcome's steps, its forest plot after
    the pooling step (``synthesis.walkthrough``); in a quiz, "which factor accounts for
    the disagreement?" before the factors are tried."""
    from markupsafe import Markup

    from thymoscope.kb import knowledge
    from thymoscope.report.forest import forest_layout, svg
    from thymoscope.synthesis.walkthrough import factor_question, plain_steps

    part = Part("review", title)
    for outcome in document["outcomes"]:
        question = factor_question(outcome, dict(knowledge().factor_titles)) if quiz else None
        steps = plain_steps(outcome)
        for step in steps:
            if step.number == 3 and question is not None:
                part.slides.append(
                    Slide(
                        "question",
                        question.prompt,
                        kicker="Question 1 of 1",
                        items=steps[1].plain,  # the pooled estimate and the spread
                        choices=question.choices,
                        aside_title="Choose one",
                        notes=(f"Answer: {' or '.join(question.answers)}. {question.reason}",),
                    )
                )
            notes = tuple(step.lines)
            part.slides += _list_slides(
                "review",
                step.title,
                f"{step.outcome} · step {step.number}",
                step.plain,
                0.95,
                notes,
            )
            if step.number == 2:
                part.slides.append(
                    Slide(
                        "forest",
                        "Each study and the pooled estimate",
                        kicker=str(outcome["label"]),
                        svg=Markup(svg(forest_layout(outcome))),  # labels escaped by svg()
                        notes=("Squares are sized by weight; the diamond is the pooled estimate.",),
                    )
                )
    for slide in part.slides:
        slide.part = title
    return part


# --- the course ----------------------------------------------------------------------------

KIND_WORDS = {"case": "Case", "pair": "Pair of studies", "review": "Review set"}


def course(parts: Sequence[Part], title: str) -> list[Slide]:
    """Every part's slides, each after a slide that opens it; a contents slide first when
    the course has more than one part."""
    out: list[Slide] = []
    if len(parts) > 1:
        lines = [f"{KIND_WORDS[p.kind]}: {p.title}" for p in parts]
        out += _list_slides(
            "contents",
            title,
            f"This session: {len(parts)} parts",
            lines,
            0.95,
            ("Each part opens with its facts; the findings follow one by one.",),
        )
        for slide in out:
            slide.part = title
    for number, part in enumerate(parts, start=1):
        kicker = KIND_WORDS[part.kind]
        if len(parts) > 1:
            kicker = f"Part {number} of {len(parts)} · {kicker}"
        out.append(Slide("part", part.title, part=part.title, kicker=kicker))
        out += part.slides
    return out


def deck_html(parts: Sequence[Part], title: str) -> str:
    """The course as one self-contained HTML page of slides."""
    from thymoscope import RESEARCH_NOTICE, __version__
    from thymoscope.report.render import environment

    document = {"generator": f"thymoscope {__version__}", "notice": RESEARCH_NOTICE,
                "title": title}  # fmt: skip
    template = environment().get_template("slides.html.j2")
    return str(template.render(doc=document, slides=course(parts, title)))
