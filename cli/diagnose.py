"""`thymoscope diagnose FILE|DIR ...`: diagnose study files and report the findings.

Exit status: 0 when every input was diagnosed, 2 when any input was invalid (each
problem is printed to stderr as ``FILE:LINE: FIELD: message`` and the other inputs are
still diagnosed) or the output cannot be written, 1 for an internal fault.

The batch engine (``thymoscope.engine.batch``) builds each study's part of the report
in its worker processes (for JSON: renders it), so large batches use every core; the
report around those parts is assembled here.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from thymoscope.cli.output import Format, FormatOption, OutputError, OutputOption

# stat errors that study.loader reports itself ("no such file", link loops)
_LOADER_REPORTS = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)
EMPTY_PATH = "'': an empty path names no file (use . for the current folder)"


def input_paths(arguments: list[str]) -> tuple[list[Path], list[str]]:
    """The arguments as paths, and a problem line for each empty one.

    ``Path("")`` is ``.``: an empty argument (an unset shell variable) must not quietly
    become the current folder.
    """
    return [Path(a) for a in arguments if a], [EMPTY_PATH for a in arguments if not a]


def expand(inputs: list[Path]) -> list[Any]:
    """``study.loader.expand_inputs``, with paths that cannot even be looked at (a name
    longer than the file system allows, a folder on the way that may not be searched)
    turned into their one-line problem instead of an exception."""
    from thymoscope.cli.output import shown
    from thymoscope.study.loader import Problem, StudyFileError, expand_inputs

    expanded: list[Any] = []
    for path in inputs:
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno not in _LOADER_REPORTS:
                reason = exc.strerror or str(exc)  # worded like the loader's: "file name too long"
                problem = Problem(shown(path), 0, "", reason[:1].lower() + reason[1:])
                expanded.append(StudyFileError([problem]))
                continue
        expanded.extend(expand_inputs([path]))
    return expanded


def cores_for(jobs: int | None) -> tuple[int | None, str | None]:
    """``--jobs`` capped to the cores available, and a note when it was capped."""
    from thymoscope.engine.batch import available_cores

    cores = available_cores()
    if jobs is None or jobs <= cores:
        return jobs, None
    return (
        cores,
        f"thymoscope: --jobs {jobs} is more than the {cores} cores available; using {cores}",
    )


def run_batch(
    inputs: list[Path], jobs: int | None = None, as_json: bool = False
) -> tuple[list[Any], list[str], list[Path]]:
    """(study parts, one line per input problem, the study files read), in input order.

    Folders expand to their study files; a missing file, an empty folder or an invalid
    study becomes problem lines and the rest is still diagnosed. A study part is the
    report document's study (a dict) or, with ``as_json``, its JSON text.
    """
    from thymoscope import api
    from thymoscope.cli.output import shown
    from thymoscope.engine.batch import WorkerLost
    from thymoscope.report.render import JSON_OPTIONS
    from thymoscope.study.loader import StudyFileError

    expanded = expand(inputs)
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
            problems.extend(shown(str(p)) for p in result.problems)
        elif isinstance(result, WorkerLost):
            problems.append(shown(str(result)))
        else:
            parts.append(result)
    return parts, problems, files


def report_text(
    inputs: list[Path],
    fmt: Format,
    jobs: int | None,
    color: bool,
    width: int,
    problems_before: tuple[str, ...] = (),
    brief: bool = False,
) -> tuple[str, list[str], list[Path]]:
    """The rendered report, the problem lines and the study files read.

    ``problems_before``: problems found before the batch (they lead the report's list);
    ``brief``: only each study's verdict.
    """
    from thymoscope.engine.batch import splice_json
    from thymoscope.report.document import report_document
    from thymoscope.report.render import JSON_OPTIONS, json_safe, render

    parts, problems, files = run_batch(inputs, jobs, as_json=fmt is Format.json and not brief)
    problems = [*problems_before, *problems]
    document = report_document([], problems)
    if brief:
        document["studies"] = parts
        text = render(document, fmt.value, color=color, width=width, brief=True)
    elif fmt is Format.json:
        # assembled here, not by render(): escape what json.dumps leaves raw the same way
        text = json_safe(splice_json(document, "studies", parts, **JSON_OPTIONS)) + "\n"
    else:
        document["studies"] = parts
        text = render(document, fmt.value, color=color, width=width)
    return text, problems, files


def diagnose(
    inputs: Annotated[
        list[str],
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
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="Only the verdict of each study: one line per study in text (for folders).",
        ),
    ] = False,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            metavar="FIELD=VALUE",
            help="Diagnose one study again with this field changed, beside the original "
            "(repeatable).",
        ),
    ] = None,
) -> None:
    """Diagnose study files: why might their results disagree with other studies?"""
    if what_if:
        from thymoscope.cli.explain import what_if_report

        what_if_report(inputs, what_if, fmt.value, output)
    from thymoscope.cli.app import interruptible
    from thymoscope.cli.output import (
        check_target,
        emit,
        input_files,
        is_stdout,
        output_style,
        refuse,
    )

    paths, empty = input_paths(inputs)
    if output is not None and not is_stdout(output):
        try:  # fail before doing the work
            check_target(output, input_files(paths))
        except OutputError as exc:
            raise refuse(exc) from None
    color, width = output_style(output, fmt)
    jobs, note = cores_for(jobs)
    if note:
        typer.echo(note, err=True)

    with interruptible():  # SIGTERM/SIGINT: the workers end too, no -o file is touched
        text, problems, files = report_text(paths, fmt, jobs, color, width, tuple(empty), brief)
        for line in problems:
            typer.echo(line, err=True)
        try:
            emit(text, output, [*paths, *files])
        except OutputError as exc:
            raise refuse(exc) from None
    raise typer.Exit(2 if problems else 0)
