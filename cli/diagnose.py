"""`thymoscope diagnose FILE|DIR|SHEET|- ...`: diagnose studies and report the findings.

Inputs: study files, folders of study files, extraction sheets (``.csv``/``.xlsx``, one
study a row) and ``-`` (a study on standard input). Output: text, Markdown, HTML, JSON,
or spreadsheet tables (CSV: ``X.csv`` and ``X-findings.csv``; XLSX: one workbook); with
``-o FILE`` and no ``-f`` the format follows FILE's extension.

Exit status: 0 when every input was diagnosed, 2 when any input was invalid (each
problem is printed to stderr as ``FILE:LINE: FIELD: message`` and the other inputs are
still diagnosed) or the output cannot be written, 4 with ``--fail-on SEVERITY`` when a
study has a finding at or above SEVERITY (2 wins over 4), 1 for an internal fault. When
no study could be diagnosed nothing is written (stdout stays empty, no file is made).

The batch engine (``thymoscope.engine.batch``) builds each study file's part of the
report in its worker processes (for JSON: renders it), so large batches use every core;
studies from stdin and sheets are diagnosed here; the report around the parts is
assembled here.
"""

# No `from __future__ import annotations` here: typer would then evaluate every
# annotation string at start-up, which a cold `thymoscope diagnose` pays for.
import errno
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from thymoscope.cli.inputs import EMPTY_PATH
from thymoscope.cli.output import (
    SPREADSHEET_FORMATS,
    ExportFormat,
    ExportFormatOption,
    OutputError,
    OutputOption,
)

__all__ = ["EMPTY_PATH", "diagnose", "expand", "input_paths"]

FINDINGS_STATUS = 4  # --fail-on: a finding at or above the severity was found
SEVERITY_ORDER = ("major", "moderate", "minor")
# stat errors that study.loader reports itself ("no such file", link loops)
_LOADER_REPORTS = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)


class FailOn(StrEnum):
    major = "major"
    moderate = "moderate"
    minor = "minor"


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


def _given_part(given: Any) -> Any:
    """A study read in this process, diagnosed here: its report part."""
    from thymoscope import api

    return api.study_dict(api.diagnose(given.study, given.source), api.default_knowledge())


def _outcomes(
    items: list[Any], produced: Iterator[Any], given: Callable[[Any], Any]
) -> Iterator[tuple[Any, list[str]]]:
    """Each input's (report part, or None; its problem lines), in input order.

    ``produced`` yields the batch's results for the study files among ``items``;
    ``given(item)`` makes the part of a study read in this process (stdin, sheets).
    """
    from thymoscope.cli.inputs import GivenStudy, pair_hint
    from thymoscope.cli.output import shown
    from thymoscope.engine.batch import WorkerLost
    from thymoscope.study.loader import StudyFileError

    for item in items:
        if isinstance(item, StudyFileError):
            result: Any = item
        elif isinstance(item, GivenStudy):
            result = given(item)
        else:
            result = next(produced)
        if isinstance(result, StudyFileError):
            yield None, [shown(str(p)) for p in pair_hint(result).problems]
        elif isinstance(result, WorkerLost):
            yield None, [shown(str(result))]
        else:
            yield result, []


def run_batch(items: list[Any], jobs: int | None = None) -> tuple[list[Any], list[str]]:
    """(study parts, one line per input problem), in input order.

    ``items`` come from :func:`thymoscope.cli.inputs.expand_arguments`. A missing file,
    an empty folder or an invalid study becomes problem lines and the rest is still
    diagnosed. A study part is the report document's study (a dict); the JSON report is
    streamed instead (:func:`stream_json_report`).
    """
    from thymoscope import api
    from thymoscope.cli.inputs import study_files

    files = study_files(items)
    produced: Any = api.diagnose_to_documents(files, jobs) if files else iter(())
    parts: list[Any] = []
    problems: list[str] = []
    for part, lines in _outcomes(items, produced, _given_part):
        problems.extend(lines)
        if part is not None:
            parts.append(part)
    return parts, problems


def _given_stream_part(given: Any) -> tuple[str, dict[str, int]]:
    from thymoscope import api
    from thymoscope.report.json_stream import study_part

    return study_part(api.diagnose(given.study, given.source), api.default_knowledge())


@dataclass
class Streamed:
    """What :func:`stream_json_report` did: studies written, input problems, and whether
    a study has a finding at or above ``--fail-on``."""

    studies: int
    problems: list[str]
    reached: bool


def stream_json_report(
    items: list[Any],
    jobs: int | None,
    output: Path | None,
    inputs: list[Any],
    fail_on: FailOn | None = None,
) -> Streamed:
    """Diagnose ``items`` and write the JSON report as the studies come, in input order.

    Memory stays flat in the number of studies: each study's part is written (to a
    temporary file put in place at the end, or to stdout) as soon as it is ready, and
    the input problems, which end the report, are kept. Nothing is written when no
    study could be diagnosed; the text equals :func:`report_text`'s (a test compares).
    """
    from thymoscope.cli.inputs import study_files
    from thymoscope.cli.output import AtomicOutput, is_stdout, write_stdout
    from thymoscope.engine.batch import map_paths
    from thymoscope.kb import knowledge
    from thymoscope.report.document import report_document
    from thymoscope.report.json_stream import STUDY_SEPARATOR, JsonReportPieces, study_part

    files = study_files(items)
    produced: Any = map_paths(files, jobs, knowledge, study_part) if files else iter(())
    pieces = JsonReportPieces(report_document([], []))
    target = None if output is None or is_stdout(output) else AtomicOutput(output, inputs)
    write = write_stdout if target is None else target.write
    done = Streamed(0, [], False)
    try:
        for part, lines in _outcomes(items, produced, _given_stream_part):
            done.problems.extend(lines)
            if part is None:
                continue
            text, counts = part
            write(STUDY_SEPARATOR + text if done.studies else pieces.head() + text)
            done.studies += 1
            if fail_on is not None and not done.reached:
                done.reached = reaches([counts], fail_on)
        if done.studies:
            write(pieces.tail(done.problems))
            if target is not None:
                target.commit()
    finally:
        if target is not None:
            target.discard()
    return done


def severity_counts(parts: list[Any]) -> list[dict[str, int]]:
    """Each study part's findings by severity (parts as dicts or JSON text)."""
    return [
        dict((json.loads(p) if isinstance(p, str) else p).get("severity_counts", {})) for p in parts
    ]


def reaches(counts: list[dict[str, int]], threshold: FailOn) -> bool:
    """Whether any study has a finding at or above ``threshold``."""
    wanted = SEVERITY_ORDER[: SEVERITY_ORDER.index(threshold.value) + 1]
    return any(c.get(severity, 0) for c in counts for severity in wanted)


def report_text(
    parts: list[Any],
    problems: list[str],
    fmt: ExportFormat,
    color: bool,
    width: int,
    brief: bool = False,
) -> str:
    """The rendered report (text, Markdown, HTML or JSON) of the study parts; ``brief``:
    only each study's verdict."""
    from thymoscope.engine.batch import splice_json
    from thymoscope.report.document import report_document
    from thymoscope.report.render import JSON_OPTIONS, json_safe, render

    document = report_document([], problems)
    if brief:
        document["studies"] = parts
        return render(document, fmt.value, color=color, width=width, brief=True)
    if fmt is ExportFormat.json:
        # assembled here, not by render(): escape what json.dumps leaves raw the same way
        return json_safe(splice_json(document, "studies", parts, **JSON_OPTIONS)) + "\n"
    document["studies"] = parts
    return render(document, fmt.value, color=color, width=width)


def spreadsheet_tables(parts: list[Any], problems: list[str]) -> tuple[Any, Any, list[str]]:
    """(study rows, finding rows, "About" notes) of the study parts."""
    from thymoscope.report.document import report_document
    from thymoscope.report.spreadsheet import diagnosis_rows, document_notes

    document = report_document([], problems)
    document["studies"] = parts
    study_rows, finding_rows = diagnosis_rows(document)
    return study_rows, finding_rows, document_notes(document)


def csv_text(rows: Any, columns: Any, bom: bool) -> str:
    from thymoscope.report.spreadsheet import write_csv

    buffer = io.StringIO()
    write_csv(rows, buffer, columns)
    return ("\ufeff" if bom else "") + buffer.getvalue()


def xlsx_bytes(study_rows: Any, finding_rows: Any, notes: list[str]) -> bytes:
    from thymoscope.report.spreadsheet import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(study_rows, finding_rows, buffer, notes)
    return buffer.getvalue()


def studies_word(count: int) -> str:
    return f"{count} study" if count == 1 else f"{count} studies"


def write_report(
    parts: list[Any],
    problems: list[str],
    fmt: ExportFormat,
    output: Path | None,
    inputs: list[Any],
    style: tuple[bool, int],
    brief: bool = False,
) -> None:
    """Write the report where ``-o`` says (stdout by default), then confirm a file."""
    from thymoscope.cli.output import emit, is_stdout, note, shown, write_atomic
    from thymoscope.report.spreadsheet import FINDING_COLUMNS, STUDY_COLUMNS, findings_path

    to_stdout = is_stdout(output)
    if fmt.value not in SPREADSHEET_FORMATS:
        # on stdout the problems are on stderr already: the report does not repeat them
        listed = problems if (not to_stdout or fmt is ExportFormat.json) else []
        emit(report_text(parts, listed, fmt, *style, brief=brief), output, inputs)
        if output is not None and not to_stdout:
            note(f"wrote {studies_word(len(parts))} to {shown(output)}")
        return
    study_rows, finding_rows, notes = spreadsheet_tables(parts, problems)
    if fmt is ExportFormat.csv:
        if to_stdout:  # one table fits a stream: the studies
            emit(csv_text(study_rows, STUDY_COLUMNS, bom=False), None)
            return
        assert output is not None
        second = findings_path(output)
        write_atomic(output, csv_text(study_rows, STUDY_COLUMNS, bom=True), inputs)
        write_atomic(second, csv_text(finding_rows, FINDING_COLUMNS, bom=True), inputs)
        note(
            f"wrote {studies_word(len(parts))} to {shown(output)} "
            f"and their findings to {shown(second)}"
        )
        return
    data = xlsx_bytes(study_rows, finding_rows, notes)
    if to_stdout:
        write_binary_stdout(data)
        return
    assert output is not None
    write_atomic(output, data, inputs)
    note(f"wrote {studies_word(len(parts))} to {shown(output)}")


def write_binary_stdout(data: bytes) -> None:
    """A workbook to standard output, never to a terminal."""
    stream = sys.stdout
    if stream is None or stream.isatty():
        raise OutputError("an XLSX workbook is not for a terminal; use -o FILE.xlsx")
    stream.flush()
    try:
        stream.buffer.write(data)
        stream.buffer.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError, AttributeError) as exc:
        raise OutputError(f"standard output: cannot write: {exc}") from None


def output_targets(output: Path, fmt: ExportFormat) -> list[Path]:
    """The files ``-o`` makes: for CSV also the findings table next to it."""
    from thymoscope.report.spreadsheet import findings_path

    return [output, findings_path(output)] if fmt is ExportFormat.csv else [output]


def diagnose(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE|DIR|SHEET|-",
            help="Study files (.yaml), folders of them, extraction sheets (.csv, .xlsx; "
            "a study a row), or - for a study on stdin.",
            show_default=False,
        ),
    ],
    fmt: ExportFormatOption = ExportFormat.text,
    output: OutputOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Processes to use (default: one per core for large batches, else one).",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            metavar="SEVERITY",
            case_sensitive=False,
            help=f"Exit with status {FINDINGS_STATUS} when a study has a finding of this "
            "severity or worse (major, moderate or minor); for scripts and CI.",
        ),
    ] = None,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="Only each study's verdict: one line a study (good for folders).",
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
    """Diagnose studies: why might their results disagree with other studies?"""
    if what_if:
        from thymoscope.cli.explain import what_if_report

        what_if_report(inputs, what_if, fmt.value, output)
    from thymoscope.cli.app import interruptible
    from thymoscope.cli.inputs import expand_arguments, study_files
    from thymoscope.cli.output import (
        check_target,
        detail,
        input_files,
        is_stdout,
        output_style,
        refuse,
    )

    paths = [Path(a) for a in inputs if a]
    if output is not None and not is_stdout(output):
        try:  # fail before doing the work
            for target in output_targets(output, fmt):
                check_target(target, input_files(paths))
        except OutputError as exc:
            raise refuse(exc) from None
    style = output_style(output, fmt.value)
    jobs, note_line = cores_for(jobs)
    if note_line:
        typer.echo(note_line, err=True)

    with interruptible():  # SIGTERM/SIGINT: the workers end too, no -o file is touched
        items = expand_arguments(inputs)
        files = study_files(items)
        detail(f"reading {len(files)} study files and {len(items) - len(files)} other inputs")
        if fmt is ExportFormat.json and not brief:
            streamed = _stream(items, jobs, output, [*paths, *files], fail_on)
            if streamed is not None:
                raise typer.Exit(streamed)
        parts, problems = run_batch(items, jobs)  # JSON arrives here only when nothing was read
        for line in problems:
            typer.echo(line, err=True)
        detail(f"diagnosed {studies_word(len(parts))}; {len(problems)} input problems")
        if not parts and problems:  # nothing to report: no empty report, no file
            raise typer.Exit(2)
        try:
            write_report(parts, problems, fmt, output, [*paths, *files], style, brief)
        except OutputError as exc:
            raise refuse(exc) from None
    if problems:
        raise typer.Exit(2)
    if fail_on is not None and reaches(severity_counts(parts), fail_on):
        raise typer.Exit(FINDINGS_STATUS)
    raise typer.Exit(0)


def _stream(
    items: list[Any],
    jobs: int | None,
    output: Path | None,
    inputs: list[Any],
    fail_on: FailOn | None,
) -> int | None:
    """The JSON report streamed (see :func:`stream_json_report`): the exit status, or
    None when there was nothing at all to report (the caller writes the empty report)."""
    from thymoscope.cli.output import detail, is_stdout, note, refuse, shown

    try:
        done = stream_json_report(items, jobs, output, inputs, fail_on)
    except OutputError as exc:
        raise refuse(exc) from None
    if not done.studies and not done.problems:
        return None
    for line in done.problems:
        typer.echo(line, err=True)
    detail(f"diagnosed {studies_word(done.studies)}; {len(done.problems)} input problems")
    if done.studies and output is not None and not is_stdout(output):
        note(f"wrote {studies_word(done.studies)} to {shown(output)}")
    if done.problems:
        return 2
    return FINDINGS_STATUS if done.reached else 0
