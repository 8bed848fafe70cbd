"""`thymoscope explain STUDY FINDING`, and `diagnose --what-if FIELD=VALUE`.

``explain`` says why a finding was raised or not for one study: for one that was not,
which of its rules' declared conditions the study's values fail, which needed fact is
unknown, or that the study is outside the rules' scope; for one that was, the smallest
changes to the study's facts after which it is not raised, each checked by running the
rules again. The reasoning is :mod:`thymoscope.engine.explain`, on the rules'
declarations and the real engine.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from thymoscope.cli.output import OutputOption


class ExplainFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


ExplainFormatOption = Annotated[
    ExplainFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


def fail(message: str) -> typer.Exit:
    """One line on stderr; the caller raises the returned exit (2)."""
    typer.echo(f"thymoscope: error: {message}", err=True)
    return typer.Exit(2)


def load(path: Path) -> Any:
    """The validated study, or its problem lines on stderr and exit 2."""
    from thymoscope.study.loader import StudyFileError, load_study

    try:
        return load_study(path)
    except StudyFileError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None


def _as_markdown(lines: list[str]) -> str:
    out = []
    for index, line in enumerate(lines):
        if index == 0:
            out.append(f"# {line}")
        elif line.startswith("  - "):
            out.append(line[2:])
        elif line.startswith("Rule "):
            out.append(f"\n**{line}**\n")
        else:
            out.append(line)
    return "\n".join(out)


def _with_notice(lines: list[str], fmt: ExplainFormat) -> str:
    from thymoscope import RESEARCH_NOTICE

    body = _as_markdown(lines) if fmt is ExplainFormat.markdown else "\n".join(lines)
    return f"{body}\n\n{RESEARCH_NOTICE}\n"


def _json(document: dict[str, Any]) -> str:
    from thymoscope import RESEARCH_NOTICE

    return json.dumps({**document, "notice": RESEARCH_NOTICE}, indent=2, ensure_ascii=False) + "\n"


def explain(
    study: Annotated[Path, typer.Argument(metavar="STUDY", help="A study file (.yaml).")],
    finding: Annotated[
        str, typer.Argument(metavar="FINDING", help="A finding id (`thymoscope rules`).")
    ],
    fmt: ExplainFormatOption = ExplainFormat.text,
    output: OutputOption = None,
) -> None:
    """Why a finding was raised or not for a study, and what would change that."""
    from thymoscope.cli.output import OutputError, emit, refuse
    from thymoscope.kb import explanations
    from thymoscope.kb.explanation_text import explanation_json, explanation_lines

    if finding not in explanations.finding_ids():
        raise fail(explanations.unknown_finding(finding))
    explanation = explanations.explain(load(study), finding)
    if fmt is ExplainFormat.json:
        text = _json({"kind": "explanation", **explanation_json(explanation)})
    else:
        text = _with_notice(explanation_lines(explanation), fmt)
    try:
        emit(text, output, [study])
    except OutputError as exc:
        raise refuse(exc) from None


# ---------------------------------------------------------------- diagnose --what-if

_SHOWN = ("went_away", "unjudged", "appeared")


def what_if_document(result: Any, study_id: str) -> dict[str, Any]:
    from thymoscope.kb import knowledge
    from thymoscope.kb.explanation_text import CHANGE_WORDS, SHORT_STATUS, change_text

    catalogue = knowledge().catalogue
    return {
        "kind": "what_if",
        "study": study_id,
        "changes": [
            {
                "field": c.path,
                "value": c.value,
                "was": c.was,
                "text": change_text(c, result.values),
            }
            for c in result.changes
        ],
        "findings": [
            {
                "finding": o.finding,
                "title": catalogue[o.finding].title,
                "before": o.before,
                "after": o.after,
                "change": o.change,
                "text": (
                    f"{CHANGE_WORDS[o.change]}: {catalogue[o.finding].title} "
                    f"({SHORT_STATUS[o.before]} -> {SHORT_STATUS[o.after]})"
                ),
            }
            for o in result.outcomes
        ],
    }


def what_if_lines(document: dict[str, Any]) -> list[str]:
    lines = [f"What if - study {document['study']}, with these changes:"]
    lines += [f"  - {c['text']}" for c in document["changes"]]
    lines += ["", "Finding by finding, original -> changed study:"]
    findings = document["findings"]
    moved = [f for f in findings if f["change"] in _SHOWN]
    kept = [f for f in findings if f["change"] == "unchanged" and f["after"] == "fired"]
    regraded = [f for f in findings if f["change"] == "unchanged" and f["before"] != f["after"]]
    lines += [f"  - {f['text']}" for f in moved]
    lines += [f"  - still raised: {f['title']}" for f in kept]
    lines += [f"  - {f['text']}" for f in regraded]
    if not moved:
        lines.append("  - no finding appears or goes away.")
    return lines


def what_if_report(
    inputs: list[str], assignments: list[str], fmt: str, output: Path | None
) -> None:
    """``diagnose --what-if``: one study, diagnosed before and after the changes."""
    from thymoscope.cli.output import OutputError, emit, refuse
    from thymoscope.kb.explanations import WhatIfError, what_if

    if len(inputs) != 1 or not inputs[0]:
        raise fail("--what-if takes exactly one study file")
    path = Path(inputs[0])
    study = load(path)
    try:
        result = what_if(study, assignments)
    except WhatIfError as exc:
        raise fail(str(exc)) from None
    document = what_if_document(result, study.id)
    if fmt == "json":
        text = _json(document)
    elif fmt in ("text", "markdown"):
        chosen = ExplainFormat(fmt)
        text = _with_notice(what_if_lines(document), chosen)
    else:
        raise fail(f"--what-if writes text, markdown or json, not {fmt}")
    try:
        emit(text, output, [path])
    except OutputError as exc:
        raise refuse(exc) from None
    raise typer.Exit(0)
