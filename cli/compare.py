"""`thymoscope compare A.yaml B.yaml [C.yaml ...]`: why do these studies disagree?

Every pair of the given studies (folders expand to their study files; an extraction
sheet, ``.csv`` or ``.xlsx``, to its rows) is compared by the pair rules: on which
troubleshooting factors the two differ, which way each difference is expected to push
the result, which study is more credible on it, and whether the two results really
conflict.  ``--pair`` compares a bundled pair (see
``--list-pairs``) or a pair file (``{schema_version: 1, id, title, a, b}``, where ``a``
and ``b`` are study files relative to the pair file, or bundled case ids).  Pairs of
studies of different indications are left out unless ``--cross-indication``; the report
opens with the matrix of pairs by indication, and ``--brief`` prints only that.

Exit status: 0 when every input was compared, 2 when an input was invalid (each
problem is printed to stderr as one line; the valid studies are still compared), when
fewer than two studies remain, or when the output cannot be written; 1 for an
internal fault.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from thymoscope.cli.output import Format, FormatOption, OutputError, OutputOption
from thymoscope.errors import ThymoscopeError

if TYPE_CHECKING:
    from thymoscope.engine.pairs import PairComparison
    from thymoscope.kb.comparison import PairCase
    from thymoscope.study.model import Study


class InputProblem(ThymoscopeError):
    """Input that cannot be compared; the message is one line."""


def _load(path: Path, problems: list[str]) -> Study | None:
    from thymoscope.cli.output import shown
    from thymoscope.study.loader import StudyFileError, load_study

    try:
        return load_study(path)
    except StudyFileError as exc:
        problems.extend(shown(str(p)) for p in exc.problems)
        return None


def pair_file(name: str) -> Path | None:
    """The pair file ``--pair NAME`` names, or None for a bundled pair id."""
    from thymoscope.study.loader import STUDY_SUFFIXES

    path = Path(name)
    return path if path.suffix in STUDY_SUFFIXES or os.path.lexists(path) else None


def resolve_pair(name: str) -> tuple[PairCase, Path, Path]:
    """A bundled pair id, or a pair file: the pair and its two study files."""
    from thymoscope.kb.comparison import (
        PairFileError,
        bundled_case_path,
        bundled_pairs,
        parse_pair,
    )
    from thymoscope.report.render import shown_name, terminal_line
    from thymoscope.study.loader import STUDY_SUFFIXES, StudyFileError, read_text

    path = pair_file(name)
    if path is not None:
        try:  # the source only names the file in messages (no root: `..` is refused)
            pair = parse_pair(read_text(path), shown_name(path))
        except StudyFileError as exc:
            raise InputProblem(str(exc.problems[0])) from None
        except PairFileError as exc:
            raise InputProblem(str(exc)) from None

        def locate(ref: str) -> Path:
            if Path(ref).suffix in STUDY_SUFFIXES:
                return path.parent / ref
            return bundled_case_path(ref)

        return pair, locate(pair.a), locate(pair.b)
    pairs = bundled_pairs()
    if name not in pairs:
        from thymoscope.cli.conventions import suggestion

        known = ", ".join(sorted(pairs))
        raise InputProblem(
            f"thymoscope: error: {terminal_line(name)}: no such bundled pair or pair file"
            f"{suggestion(name, pairs)}"
            f" (bundled pairs: {known})"
        )
    pair = pairs[name]
    return pair, bundled_case_path(pair.a), bundled_case_path(pair.b)


def source_name(path: Path) -> str:
    """How a study file is named in the report: a bundled case as "bundled case ID"
    (never by where the package is installed), any other file as given."""
    from importlib.resources import files

    from thymoscope.cli.output import shown

    root = Path(str(files("thymoscope.kb.cases")))
    try:
        inside = Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return shown(path)
    return f"bundled case {inside.with_suffix('').as_posix()}"


def compare_inputs(
    inputs: list[Path], pair_names: list[str], across_indications: bool = False
) -> tuple[list[PairComparison], list[dict[str, Any] | None], list[str], list[Path], int]:
    """(comparisons, their pair labels, one line per input problem, the files read, how
    many pairs of studies of different indications were left out).

    Every pair of the studies in ``inputs`` is compared, except pairs whose studies
    have different indications unless ``across_indications``; a pair named with
    ``--pair`` is always compared.
    """
    from thymoscope.cli.inputs import GivenStudy, expand_arguments
    from thymoscope.cli.output import shown
    from thymoscope.kb.comparison import compare
    from thymoscope.study.loader import StudyFileError

    problems: list[str] = []
    comparisons: list[PairComparison] = []
    labels: list[dict[str, Any] | None] = []
    files: list[Path] = []

    for name in pair_names:
        try:
            pair, path_a, path_b = resolve_pair(name)
        except InputProblem as exc:
            problems.append(str(exc))
            continue
        studies = [_load(path_a, problems), _load(path_b, problems)]
        files += [path_a, path_b]
        if studies[0] is not None and studies[1] is not None:
            comparisons.append(
                compare(studies[0], studies[1], source_name(path_a), source_name(path_b))
            )
            labels.append({"id": pair.id, "title": pair.title, "note": pair.note})

    loaded: list[tuple[str, Study]] = []
    for item in expand_arguments([str(path) for path in inputs]):
        if isinstance(item, StudyFileError):
            problems.extend(shown(str(p)) for p in item.problems)
        elif isinstance(item, GivenStudy):  # standard input, or a row of a sheet
            loaded.append((shown(item.source), item.study))
        else:
            files.append(item)
            study = _load(item, problems)
            if study is not None:
                loaded.append((source_name(item), study))
    if inputs and len(loaded) < 2 and not problems:
        count = len(loaded)
        problems.append(f"{shown(inputs[0])}: compare needs at least two studies (got {count})")
    skipped = 0
    for (name_a, a), (name_b, b) in itertools.combinations(loaded, 2):
        if a.indication != b.indication and not across_indications:
            skipped += 1
            continue
        comparisons.append(compare(a, b, name_a, name_b))
        labels.append(None)
    return comparisons, labels, problems, files, skipped


def _list_pairs() -> None:
    """One pair a line, for reading and for ``cut``; no research notice on stdout (the
    list is no report), so ``compare --list-pairs | cut -d: -f1`` gives only ids."""
    from thymoscope import RESEARCH_NOTICE
    from thymoscope.kb.comparison import bundled_pairs

    for pair in bundled_pairs().values():
        typer.echo(f"{pair.id}: {pair.title} ({pair.a} vs {pair.b})")
    typer.echo(RESEARCH_NOTICE, err=True)  # stdout stays a list for `| cut`


def compare(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[FILE|DIR...]",
            help=(
                "Study files, folders of them, or extraction sheets (.csv, .xlsx: one "
                "study a row); - reads one study from standard input. Every pair of "
                "their studies is compared."
            ),
            show_default=False,
        ),
    ] = None,
    pair: Annotated[
        list[str] | None,
        typer.Option(
            "--pair",
            "-p",
            metavar="NAME|FILE",
            help="A bundled pair (see --list-pairs) or a pair file; may be repeated.",
        ),
    ] = None,
    list_pairs: Annotated[
        bool, typer.Option("--list-pairs", help="List the bundled pairs and exit.")
    ] = False,
    cross_indication: Annotated[
        bool,
        typer.Option(
            "--cross-indication",
            help="Also compare studies of different indications (left out by default).",
        ),
    ] = False,
    brief: Annotated[
        bool,
        typer.Option("--brief", help="Only the matrix of pairs and their verdicts, no detail."),
    ] = False,
    fmt: FormatOption = Format.text,
    output: OutputOption = None,
) -> None:
    """Compare studies: on which factors do they differ, and do their results really conflict?

    The report opens with a matrix of the pairs and their verdicts, grouped by the
    indication the two studies share; then each pair in detail (not with --brief).
    An extraction sheet (.csv or .xlsx, one row per study) counts as its studies.
    """
    from thymoscope.cli.app import interruptible
    from thymoscope.cli.diagnose import input_paths
    from thymoscope.cli.output import (
        check_target,
        emit,
        input_files,
        is_stdout,
        output_style,
        refuse,
    )
    from thymoscope.report.comparison import comparison_report
    from thymoscope.report.render import render

    if list_pairs:
        _list_pairs()
        raise typer.Exit(0)
    paths, empty = input_paths(list(inputs or []))
    pair_names = list(pair or [])
    if not paths and not empty and not pair_names:
        typer.echo(
            "thymoscope: error: compare needs two or more study files, or --pair NAME", err=True
        )
        raise typer.Exit(2)
    pair_files = [p for p in map(pair_file, pair_names) if p is not None]

    if output is not None and not is_stdout(output):
        try:  # fail before doing the work
            check_target(output, [*input_files(paths), *pair_files])
        except OutputError as exc:
            raise refuse(exc) from None

    comparisons, labels, problems, files, skipped = compare_inputs(
        paths, pair_names, cross_indication
    )
    problems = [*empty, *problems]
    if not comparisons and skipped and not problems:
        problems.append(
            f"thymoscope: error: no two of the studies share an indication ({skipped} "
            f"{'pair' if skipped == 1 else 'pairs'} across indications); "
            "add --cross-indication to compare them"
        )
    for line in problems:
        typer.echo(line, err=True)
    if not comparisons and problems:
        raise typer.Exit(2)

    color, width = output_style(output, fmt)
    document = comparison_report(
        comparisons, problems, labels, skipped_across_indications=skipped, brief=brief
    )
    text = render(document, fmt.value, color=color, width=width)
    with interruptible():  # a signal mid-write removes the temporary file
        try:
            emit(text, output, [*paths, *pair_files, *files])
        except OutputError as exc:
            raise refuse(exc) from None
    raise typer.Exit(2 if problems else 0)
