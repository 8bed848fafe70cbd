"""`thymoscope diagnose FILE|DIR ...`: diagnose study files and report the findings.

Exit status: 0 when every input was diagnosed, 2 when any input was invalid (each
problem is printed to stderr as ``FILE:LINE: FIELD: message`` and the other inputs are
still diagnosed) or the output cannot be written, 1 for an internal fault.

The batch engine (``thymoscope.engine.batch``) builds each study's part of the report
in its worker processes (for JSON: renders it), so large batches use every core; the
report around those parts is assembled here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thymoscope.cli.output import Format, FormatOption, OutputError, OutputOption


def run_batch(
    inputs: list[Path], jobs: int | None = None, as_json: bool = False
) -> tuple[list[Any], list[str], list[Path]]:
    """(study parts, one line per input problem, the study files read), in input order.

    Folders expand to their study files; a missing file, an empty folder or an invalid
    study becomes problem lines and the rest is still diagnosed. A study part is the
    report document's study (a dict) or, with ``as_json``, its JSON text.
    """
    from thymoscope import api
    from thymoscope.report.render import JSON_OPTIONS
    from thymoscope.study.loader import StudyFileError, expand_inputs

    expanded = expand_inputs(inputs)
    files = [item for item in expanded if isinstance(item, Path)]
    if not files:
        produced: Any = iter(())
    elif as_json:
        produced = api.diagnose_to_json(files, jobs, **JSON_OPTIONS)
    else:
        produced = api.diagnose_to_documents(files, jobs)
    parts: list[Any] = []
    problems: list[str] = []
    for item in expanded:
        result = item if isinstance(item, StudyFileError) else next(produced)
        if isinstance(result, StudyFileError):
            problems.extend(str(p) for p in result.problems)
        else:
            parts.append(result)
    return parts, problems, files


def report_text(
    inputs: list[Path], fmt: Format, jobs: int | None, color: bool, width: int
) -> tuple[str, list[str], list[Path]]:
    """The rendered report, the problem lines and the study files read."""
    from thymoscope.engine.batch import splice_json
    from thymoscope.report.document import report_document
    from thymoscope.report.render import JSON_OPTIONS, render

    parts, problems, files = run_batch(inputs, jobs, as_json=fmt is Format.json)
    document = report_document([], problems)
    if fmt is Format.json:
        text = splice_json(document, "studies", parts, **JSON_OPTIONS) + "\n"
    else:
        document["studies"] = parts
        text = render(document, fmt.value, color=color, width=width)
    return text, problems, files


def diagnose(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE|DIR",
            help="Study files (.yaml/.yml), or folders whose study files are all diagnosed.",
            show_default=False,
        ),
    ],
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to use (default: one per core for large batches, else one).",
        ),
    ] = None,
) -> None:
    """Diagnose study files: why might their results disagree with other studies?"""
    from thymoscope.cli.output import check_target, emit, input_files, output_style, refuse

    if output is not None:
        try:  # fail before doing the work
            check_target(output, input_files(inputs))
        except OutputError as exc:
            raise refuse(exc) from None
    color, width = output_style(output, fmt)

    text, problems, files = report_text(inputs, fmt, jobs, color=color, width=width)
    for line in problems:
        typer.echo(line, err=True)
    try:
        emit(text, output, [*inputs, *files])
    except OutputError as exc:
        raise refuse(exc) from None
    raise typer.Exit(2 if problems else 0)
