"""`thymoscope diagnose FILE|DIR ...`: diagnose study files and report the findings.

Exit status: 0 when every input was diagnosed, 2 when any input was invalid (each
problem is printed to stderr as ``FILE:LINE: FIELD: message`` and the other inputs are
still diagnosed) or the output cannot be written, 1 for an internal fault.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from thymoscope.cli.output import Format, OutputError

if TYPE_CHECKING:
    from thymoscope.engine.diagnosis import Diagnosis
    from thymoscope.study.loader import StudyFileError


def diagnose_all(
    inputs: list[Path], jobs: int | None = None
) -> tuple[list[Diagnosis], list[str], list[Path]]:
    """(diagnoses, one line per input problem, the study files read), in input order.

    Folders expand to their study files; a missing file, an empty folder or an
    invalid study becomes problem lines, the rest is still diagnosed.
    """
    from thymoscope.engine import batch
    from thymoscope.study.loader import StudyFileError, expand_inputs

    expanded = expand_inputs(inputs)
    files = [item for item in expanded if isinstance(item, Path)]
    results: Any = iter(batch.diagnose_paths(files, jobs=jobs) if files else [])
    diagnoses: list[Diagnosis] = []
    problems: list[str] = []
    for item in expanded:
        result: Diagnosis | StudyFileError | Path = item if isinstance(item, StudyFileError) else next(results)
        if isinstance(result, StudyFileError):
            problems.extend(str(p) for p in result.problems)
        else:
            diagnoses.append(result)  # type: ignore[arg-type]
    return diagnoses, problems, files


def diagnose(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE|DIR",
            help="Study files (.yaml/.yml), or folders whose study files are all diagnosed.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report to this file (atomically) instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1,
            help="Processes to use (default: one per core for large batches, else one).",
        ),
    ] = None,
) -> None:
    """Diagnose study files: why might their results disagree with other studies?"""
    from thymoscope.cli.output import check_target, emit, terminal_style
    from thymoscope.report.document import report_document
    from thymoscope.report.render import render
    from thymoscope.study.loader import STUDY_SUFFIXES

    if output is not None:
        # fail before the work; the study files of a folder count as inputs too
        candidates = [*inputs]
        for item in inputs:
            if item.is_dir():
                with contextlib.suppress(OSError):  # expand_inputs reports it below
                    candidates.extend(p for p in item.iterdir() if p.suffix in STUDY_SUFFIXES)
        try:
            check_target(output, candidates)
        except OutputError as exc:
            typer.echo(f"thymoscope: {exc}", err=True)
            raise typer.Exit(2) from None

    diagnoses, problems, files = diagnose_all(inputs, jobs)
    for line in problems:
        typer.echo(line, err=True)

    color, width = terminal_style() if output is None else (False, 88)
    if fmt is not Format.text:
        color = False
    text = render(report_document(diagnoses, problems), fmt.value, color=color, width=width)
    try:
        emit(text, output, [*inputs, *files])
    except OutputError as exc:
        typer.echo(f"thymoscope: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(2 if problems else 0)
