"""``thymoscope review`` as a library call: study files in, a review document out.

:func:`review_paths` loads study files and folders through the study loader, reads the
body, runs the statistics and returns the document plus the one-line problems of the
inputs that could not be read (the rest are still reviewed).  :func:`render_review`
writes the document in any output format with its forest plots.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thymoscope.synthesis.body import ReviewOptions, analyse, read_body
from thymoscope.synthesis.document import review_document


def load_studies(paths: Sequence[Path]) -> tuple[list[tuple[Any, str]], list[str], list[Path]]:
    """(studies with their source, problem lines, files read) for files and folders."""
    from thymoscope.study.loader import StudyFileError, expand_inputs
    from thymoscope.study.many import load_in_order

    studies: list[tuple[Any, str]] = []
    problems: list[str] = []
    items = expand_inputs(list(paths))
    files: list[Path] = [item for item in items if not isinstance(item, StudyFileError)]
    loaded = iter(load_in_order(files))
    for item in items:
        result = item if isinstance(item, StudyFileError) else next(loaded)
        if isinstance(result, StudyFileError):
            problems.extend(str(p) for p in result.problems)
        else:
            studies.append((result, str(item)))
    return studies, problems, files


def review_studies(
    studies: Sequence[tuple[Any, str]],
    options: ReviewOptions | None = None,
    problems: Sequence[str] = (),
    title: str = "",
) -> dict[str, Any]:
    """The review document of already loaded studies."""
    options = options or ReviewOptions()
    body = read_body(studies, title)
    return review_document(body, analyse(body, options), options, problems)


def review_paths(
    paths: Sequence[Path], options: ReviewOptions | None = None
) -> tuple[dict[str, Any], list[str], list[Path]]:
    """(document, problem lines, files read) for study files and folders."""
    studies, problems, files = load_studies(paths)
    return review_studies(studies, options, problems), problems, files


def _with_plots(document: dict[str, Any], fmt: str, width: int, unicode: bool) -> dict[str, Any]:
    from thymoscope.report.forest import (
        forest_layout,
        markdown,
        study_table_rows,
        svg,
        text_lines,
    )

    outcomes = []
    for outcome in document["outcomes"]:
        layout = forest_layout(outcome)
        plot: dict[str, Any] = {"table": study_table_rows(outcome)}
        if fmt == "html":
            from markupsafe import Markup

            plot["svg"] = Markup(svg(layout))  # every label is escaped by svg()
        elif fmt == "markdown":
            plot["markdown"] = markdown(layout, width)
        else:
            plot["lines"] = [
                {"kind": line.kind, "text": line.text}
                for line in text_lines(layout, width, unicode)
            ]
        shown = dict(outcome)
        if fmt == "text":
            del shown["studies"]  # the plot lines carry them; spares escaping 1,000 rows
        outcomes.append({**shown, "forest": plot, **_influential(outcome)})
    return {**document, "outcomes": outcomes}


LEAVE_ONE_OUT_SHOWN = 10


def _influential(outcome: dict[str, Any]) -> dict[str, Any]:
    """The leave-one-out rows that move the pooled estimate most (all are in the JSON)."""
    rows = outcome["leave_one_out"]
    if not rows or outcome["pooled"] is None:
        return {"leave_one_out_shown": [], "leave_one_out_hidden": 0}
    centre = outcome["pooled"]["estimate"]
    ratio = outcome["scale"] == "log"

    def shift(row: dict[str, Any]) -> float:
        if ratio:
            return abs(math.log(row["estimate"]) - math.log(centre))
        return float(abs(row["estimate"] - centre))

    ranked = sorted(rows, key=shift, reverse=True)[:LEAVE_ONE_OUT_SHOWN]
    return {
        "leave_one_out_shown": ranked,
        "leave_one_out_hidden": len(rows) - len(ranked),
    }


def render_review(
    document: dict[str, Any],
    fmt: str,
    *,
    color: bool = False,
    width: int = 88,
    unicode: bool = True,
) -> str:
    """The review in ``fmt`` (text | markdown | html | json); plots for all but JSON."""
    from thymoscope.report.render import render

    if fmt == "json":
        return render(document, "json")
    return render(_with_plots(document, fmt, width, unicode), fmt, color=color, width=width)


def wants_unicode() -> bool:
    """Unicode plot glyphs unless stdout cannot encode them (or THYMOSCOPE_ASCII=1)."""
    import sys

    if os.environ.get("THYMOSCOPE_ASCII") == "1":
        return False
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return encoding in ("utf8", "utf16", "utf32", "utf8sig")
