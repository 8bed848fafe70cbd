"""`thymoscope review PATH...`: pool a body of studies and show why they disagree.

Thin command: option parsing here, the work in :mod:`thymoscope.synthesis.review`.

Exit status: 0 when every input was read, 2 when an input was invalid or missing (one
line per problem on stderr; the other studies are still reviewed), when an option cannot
apply, or when the output cannot be written; 1 for an internal fault.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from thymoscope.cli.output import Format, FormatOption, OutputError, OutputOption


class MethodChoice(StrEnum):
    reml = "reml"
    dl = "dl"
    pm = "pm"


def load_items(arguments: list[str]) -> tuple[list[tuple[Any, str]], list[str], list[Path]]:
    """(studies with their source, problem lines, study files read) of the arguments:
    study files, folders, extraction sheets and ``-`` (see :mod:`thymoscope.cli.inputs`)."""
    from thymoscope.cli.inputs import GivenStudy, expand_arguments, pair_hint
    from thymoscope.cli.output import shown
    from thymoscope.study.loader import StudyFileError
    from thymoscope.study.many import load_in_order

    studies: list[tuple[Any, str]] = []
    problems: list[str] = []
    items = expand_arguments(arguments)
    files: list[Path] = [item for item in items if isinstance(item, Path)]
    loaded = iter(load_in_order(files))
    for item in items:
        if isinstance(item, GivenStudy):
            studies.append((item.study, item.source))
            continue
        if isinstance(item, Path):
            study = next(loaded)
            if not isinstance(study, StudyFileError):
                studies.append((study, str(item)))
                continue
            item = study
        problems.extend(shown(str(p)) for p in pair_hint(item).problems)
    return studies, problems, files


def review(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE|DIR|SHEET|-",
            help="Study files, folders of them, extraction sheets (.csv, .xlsx) or - "
            "(stdin): one body of evidence.",
            show_default=False,
        ),
    ],
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
    method: Annotated[
        MethodChoice,
        typer.Option("--method", case_sensitive=False, help="tau² estimator (REML as in metafor)."),
    ] = MethodChoice.reml,
    hksj: Annotated[
        bool, typer.Option("--hksj", help="Hartung–Knapp–Sidik–Jonkman CI (t on k−1 df).")
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="Subgroups by a study field (design.blinding, covariates.X).",
        ),
    ] = None,
    regress: Annotated[
        str | None,
        typer.Option(
            "--regress",
            metavar="FIELD",
            help="Meta-regression on a numeric field (covariates.X).",
        ),
    ] = None,
    steps: Annotated[
        bool,
        typer.Option("--steps", help="Walk through the review step by step (text only)."),
    ] = False,
) -> None:
    """Pool a body of studies: effect, heterogeneity, subgroups, forest plot."""
    from thymoscope.cli.output import (
        check_target,
        emit,
        fail,
        input_files,
        is_stdout,
        note,
        output_style,
        refuse,
        shown,
    )
    from thymoscope.synthesis.body import BodyError, ReviewOptions
    from thymoscope.synthesis.review import render_review, review_studies, wants_unicode

    if steps and fmt is not Format.text:
        raise fail("--steps writes text; leave out --format")
    paths = [Path(a) for a in inputs if a]
    if output is not None and not is_stdout(output):
        try:
            check_target(output, input_files(paths))
        except OutputError as exc:
            raise refuse(exc) from None
    color, width = output_style(output, fmt)
    options = ReviewOptions(method=method.value, hksj=hksj, by=by, regress=regress)
    studies, problems, files = load_items(inputs)
    for line in problems:
        typer.echo(line, err=True)
    if not studies:  # nothing to pool: no empty review on stdout
        raise typer.Exit(2)
    # on stdout the problems are on stderr already: the report does not repeat them
    listed = problems if (not is_stdout(output) or fmt is Format.json) else []
    try:
        document = review_studies(studies, options, listed)
    except BodyError as exc:
        raise fail(str(exc)) from None
    unicode = output is not None or wants_unicode()
    if steps:
        from thymoscope.synthesis.walkthrough import steps_text

        text = steps_text(document, width) + "\n"
    else:
        text = render_review(document, fmt.value, color=color, width=width, unicode=unicode)
    try:
        emit(text, output, [*paths, *files])
    except OutputError as exc:
        raise refuse(exc) from None
    if output is not None and not is_stdout(output):
        note(f"wrote the review of {len(studies)} studies to {shown(output)}")
    raise typer.Exit(2 if problems else 0)
