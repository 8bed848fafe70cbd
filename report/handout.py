"""A printable handout of a course: the cases, questions with blank answer lines, and an
answer key that starts on a page of its own (or goes to a file of its own).

The questions are the quiz's (:func:`thymoscope.report.walkthrough.questions`), numbered
once across the whole handout so that the key's numbers match; a review set asks which
factor accounts for the studies' disagreement and how certain the evidence is. Facts
are in words (``kb/labels.yaml``), never field paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from thymoscope.report.walkthrough import Walkthrough, questions


@dataclass(frozen=True)
class HandoutQuestion:
    number: int
    prompt: str
    clue: tuple[str, ...]
    choices: tuple[str, ...]  # empty: an open question
    answer: str
    reason: str


@dataclass(frozen=True)
class Section:
    kind: str  # case | pair | review
    title: str
    meta: str
    facts: tuple[str, ...]  # a case's key facts in words
    rows: tuple[tuple[str, str, str], ...]  # a pair's differences: field, A, B
    sides: tuple[str, ...]
    same: tuple[str, ...]
    lines: tuple[str, ...]  # a review set's studies and pooled result
    svg: str
    questions: tuple[HandoutQuestion, ...]


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.;])(\s|$)", text.strip())
    return match.group(1) if match else text.strip()


def _walk_section(walk: Walkthrough, first: int) -> Section:
    asked = []
    for offset, q in enumerate(questions(walk)):
        finding = q.step.finding or {}
        also = sorted(q.accepted - {q.answer})
        reason = (
            f"{finding.get('title', '')}. {_first_sentence(str(finding.get('explanation', '')))}"
        )
        if also:
            reason += " Also right: " + "; ".join(q.words(k) for k in also) + "."
        asked.append(
            HandoutQuestion(
                first + offset,
                q.prompt,
                () if walk.kind == "pair" and q.kind == "factor" else q.clue,  # in the table
                tuple(text for _, text in q.choices),
                q.words(q.answer),
                reason,
            )
        )
    sides = tuple(
        f"{label}: {side.get('title') or side.get('id')}"
        for label, side in zip("AB", walk.sides, strict=False)
    )
    return Section(
        kind=walk.kind,
        title=walk.title,
        meta=walk.note or "",
        facts=tuple(f.words for f in walk.key_facts),
        rows=tuple(
            (r.label, r.a_words, r.b_words) for r in walk.side_by_side if r.status != "same"
        ),
        sides=sides,
        same=tuple(f"{r.label}: {r.a_words}" for r in walk.side_by_side if r.status == "same"),
        lines=(),
        svg="",
        questions=tuple(asked),
    )


def _interval(item: Mapping[str, Any]) -> str:
    return f"{item['estimate']:.2f} ({item['ci_low']:.2f} to {item['ci_high']:.2f})"


def _review_section(title: str, document: Mapping[str, Any], first: int) -> Section:
    from markupsafe import Markup

    from thymoscope.kb import knowledge
    from thymoscope.report.forest import forest_layout, svg
    from thymoscope.synthesis.walkthrough import factor_question

    factors = dict(knowledge().factor_titles)
    asked: list[HandoutQuestion] = []
    lines: list[str] = []
    plots = []
    for outcome in document["outcomes"]:
        lines.append(f"{outcome['label']}: {len(outcome['studies'])} studies.")
        for study in outcome["studies"]:
            lines.append(f"{study['title']}: {_interval(study)}")
        plots.append(svg(forest_layout(outcome)))
        question = factor_question(outcome, factors)
        if question is not None:
            asked.append(
                HandoutQuestion(
                    first + len(asked),
                    question.prompt,
                    (),
                    question.choices,
                    " or ".join(question.answers),
                    question.reason,
                )
            )
        certainty = outcome.get("certainty")
        if certainty:
            asked.append(
                HandoutQuestion(
                    first + len(asked),
                    f"{outcome['label']}: how certain is this body of evidence, and why?",
                    (),
                    (),
                    str(certainty["line"]).capitalize(),
                    f"It {certainty['start_reason']}.",
                )
            )
    return Section(
        kind="review",
        title=title,
        meta="",
        facts=(),
        rows=(),
        sides=(),
        same=(),
        lines=tuple(lines),
        svg=Markup("".join(plots)),  # labels escaped by svg()
        questions=tuple(asked),
    )


def sections(items: Sequence[Any]) -> list[Section]:
    """One section per walk-through (a :class:`Walkthrough`, or a review item with a
    ``title`` and a review ``document``), questions numbered across all of them."""
    out: list[Section] = []
    number = 1
    for item in items:
        if isinstance(item, Walkthrough):
            section = _walk_section(item, number)
        else:
            section = _review_section(item.title, item.document, number)
        number += len(section.questions)
        out.append(section)
    return out


def _render(items: Sequence[Any], title: str, handout: bool, key: bool) -> str:
    from thymoscope import RESEARCH_NOTICE, __version__
    from thymoscope.report.render import environment

    document = {"generator": f"thymoscope {__version__}", "notice": RESEARCH_NOTICE}
    template = environment().get_template("handout.html.j2")
    return str(
        template.render(
            doc=document, title=title, sections=sections(items), handout=handout, key=key
        )
    )


def handout_html(items: Sequence[Any], title: str, with_key: bool = True) -> str:
    """The handout; with ``with_key`` its answer key follows on a new page."""
    return _render(items, title, handout=True, key=with_key)


def answer_key_html(items: Sequence[Any], title: str) -> str:
    """The answer key alone, for the teacher."""
    return _render(items, title, handout=False, key=True)
