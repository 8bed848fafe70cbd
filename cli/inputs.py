"""What `diagnose` and `review` read: study files, folders, extraction sheets, stdin.

Each command-line argument becomes items, in order:

* a study file (a :class:`~pathlib.Path`, read later, by the batch's worker processes);
* a :class:`GivenStudy`, read here: the study from standard input (``-``, or
  ``/dev/stdin`` and its aliases, which may be a pipe) or one row of an extraction
  sheet (``.csv``/``.xlsx``, see :mod:`thymoscope.study.sheet`);
* a :class:`~thymoscope.study.loader.StudyFileError`: why that input (or sheet row)
  cannot be read, as ``FILE:LINE: FIELD: message`` lines.

A pair file (``a:`` and ``b:`` naming two studies) gives one line saying to use
``thymoscope compare --pair FILE`` instead of a line per unknown field.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
STDIN_SOURCE = "<stdin>"
EMPTY_PATH = "'': an empty path names no file (use . for the current folder)"
_PAIR_FIELDS = frozenset({"a", "b"})


@dataclass(frozen=True)
class GivenStudy:
    """A study read in this process, and where it came from (``<stdin>``, ``FILE:ROW``)."""

    study: Any  # thymoscope.study.model.Study (imported lazily)
    source: str


def _error(source: str, message: str) -> Any:
    from thymoscope.study.loader import Problem, StudyFileError

    return StudyFileError([Problem(source, 0, "", message)])


def read_stdin() -> Any:
    """The study on standard input, or its StudyFileError (never waits on a terminal)."""
    from thymoscope.study.loader import StudyFileError, parse_study_bytes
    from thymoscope.study.yaml_source import MAX_BYTES

    stream = sys.stdin
    if stream is None:
        return _error(STDIN_SOURCE, "standard input is closed")
    if stream.isatty():
        return _error(STDIN_SOURCE, "is a terminal; pipe a study in: thymoscope diagnose - < FILE")
    raw = stream.buffer.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return _error(STDIN_SOURCE, f"more than the limit of {MAX_BYTES:,} bytes")
    try:
        return GivenStudy(parse_study_bytes(raw, STDIN_SOURCE), STDIN_SOURCE)
    except StudyFileError as exc:
        return exc


def sheet_items(path: Path) -> list[Any]:
    """Every row of an extraction sheet as a GivenStudy or its StudyFileError."""
    from thymoscope.study.loader import StudyFileError
    from thymoscope.study.sheet import read_sheet

    try:
        rows = read_sheet(path)
    except StudyFileError as exc:
        return [exc]
    return [
        result if isinstance(result, StudyFileError) else GivenStudy(result, where)
        for where, result in rows
    ]


def is_pair_file(error: Any) -> bool:
    """Whether a study file's problems say it is a pair file (unknown fields a and b)."""
    unknown = {p.field for p in error.problems if p.message.startswith("unknown field")}
    return unknown >= _PAIR_FIELDS


def pair_hint(error: Any) -> Any:
    """A pair file's problems as one line naming ``compare --pair``; others unchanged."""
    if not is_pair_file(error):
        return error
    source = error.problems[0].source
    return _error(source, f"a pair file, not a study; use: thymoscope compare --pair {source}")


def expand_arguments(arguments: list[str]) -> list[Any]:
    """The items of every argument, in order (see the module docstring)."""
    from thymoscope.cli.diagnose import expand
    from thymoscope.study.sheet_paths import is_sheet

    items: list[Any] = []
    stdin_read = False
    for argument in arguments:
        if not argument:
            items.append(_error("''", EMPTY_PATH.removeprefix("'': ")))
        elif argument in STDIN_NAMES:
            if stdin_read:
                items.append(_error(STDIN_SOURCE, "standard input can be read only once"))
            else:
                items.append(read_stdin())
                stdin_read = True
        elif is_sheet(argument):
            items.extend(sheet_items(Path(argument)))
        else:
            items.extend(expand([Path(argument)]))
    return items


def study_files(items: list[Any]) -> list[Path]:
    """The study files among ``items`` (read by the batch)."""
    return [item for item in items if isinstance(item, Path)]
