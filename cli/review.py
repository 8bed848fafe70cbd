"""`thymoscope review PATH...`: pool a body of studies and show why they disagree.

Thin command: option parsing here, the work in :mod:`thymoscope.synthesis.review`.

Exit status: 0 when every input was read, 2 when an input was invalid or missing (one
line per problem on stderr; the other studies are still reviewed), when an option cannot
apply, or when the output cannot be written; 1 for an internal fault.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from thymoscope.cli.output import Format, FormatOption, OutputError, OutputOption


class MethodChoice(StrEnum):
    reml = "reml"
    dl = "dl"
    pm = "pm"


def review(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Study files or folders of study files (one body of evidence)."),
    ],
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
    method: Annotated[
        MethodChoice,
        typer.Option("--method", case_sensitive=False, help="tau² estimator (REML as metafor)."),
    ] = MethodChoice.reml,
    hksj: Annotated[
        bool, typer.Option("--hksj", help="Hartung–Knapp–Sidik–Jonkman CI (t on k−1 df).")
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Subgroups by a study field (design.blinding, covariates.X)."),
    ] = None,
    regress: Annotated[
        str | None,
        typer.Option("--regress", help="Meta-regression on a numeric field (covariates.X)."),
    ] = None,
    steps: Annotated[
        bool,
        typer.Option("--steps", help="Walk through the review step by step (text only)."),
    ] = False,
) -> None:
    """Pool a body of studies: effect, heterogeneity, subgroups, forest plot."""
    from thymoscope.cli.output import check_target, emit, input_files, output_style, refuse
    from thymoscope.synthesis.body import BodyError, ReviewOptions
    from thymoscope.synthesis.review import render_review, review_paths, wants_unicode

    if steps and fmt is not Format.text:
        typer.echo("thymoscope: --steps writes text; leave out --format", err=True)
        raise typer.Exit(2)
    if output is not None:
        try:
            check_target(output, input_files(inputs))
        except OutputError as exc:
            raise refuse(exc) from None
    color, width = output_style(output, fmt)
    options = ReviewOptions(method=method.value, hksj=hksj, by=by, regress=regress)
    try:
        document, problems, files = review_paths(inputs, options)
    except BodyError as exc:
        typer.echo(f"thymoscope: {exc}", err=True)
        raise typer.Exit(2) from None
    unicode = output is not None or wants_unicode()
    if steps:
        from thymoscope.synthesis.walkthrough import steps_text

        text = steps_text(document, width) + "\n"
    else:
        text = render_review(document, fmt.value, color=color, width=width, unicode=unicode)
    for line in problems:
        typer.echo(line, err=True)
    try:
        emit(text, output, [*inputs, *files])
    except OutputError as exc:
        raise refuse(exc) from None
    raise typer.Exit(2 if problems else 0)
