"""Load and validate study files, turning every problem into one located line.

A problem reads ``FILE:LINE: FIELD: message`` so editors and terminals can jump to it.

Throughput (issue 14): a study file is read unbuffered, the first read sized by its
``stat()`` (:func:`_read_file`), not through Python's buffered reader, which set aside
the whole size limit (a megabyte) for every file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from thymoscope.errors import ThymoscopeError
from thymoscope.report.render import shown_name
from thymoscope.study.model import Study
from thymoscope.study.yaml_source import (
    MAX_BYTES,
    SourceDocument,
    YamlProblem,
    decode,
    dotted,
    one_line,
    parse_yaml,
    shown,
)

STUDY_SUFFIXES = (".yaml", ".yml")
# At most this many problems are listed per file; one more line says how many were left out.
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        # a file name that is not UTF-8: its bytes as \xNN, like every other display
        source = shown_name(self.source)
        where = f"{source}:{self.line}" if self.line else source
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return one_line(text)


class StudyFileError(ThymoscopeError):
    """A study file that could not be read or is not a valid study."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @property
    def source(self) -> str:
        return self.problems[0].source

    def __reduce__(self) -> tuple[type[StudyFileError], tuple[list[Problem]]]:
        # picklable with its problems (a helper process hands errors back to its parent)
        return (StudyFileError, (self.problems,))


def _dotted(loc: tuple[Any, ...]) -> str:
    return dotted(loc)


def _model_at(loc: tuple[Any, ...], root: type[BaseModel] = Study) -> type[BaseModel] | None:
    """The pydantic model class that owns the mapping at ``loc`` (for 'did you mean')."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _inner_model(info.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _expected_values(error: Mapping[str, Any]) -> str | None:
    expected = (error.get("ctx") or {}).get("expected")
    return str(expected) if expected else None


def _describe(
    error: Mapping[str, Any], root: type[BaseModel] = Study
) -> tuple[tuple[Any, ...], str]:
    """(location, message) in thymoscope's words for one pydantic error."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = error["type"]
    value = error.get("input")
    if kind == "field_problem":
        extra = tuple(error["ctx"]["field"].split("."))
        return loc + extra, error["ctx"]["message"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        model = _model_at(loc[:-1], root)
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(name, list(model.model_fields), n=1, cutoff=0.6)
            if close:
                hint = f" (did you mean '{close[0]}'?)"
            else:
                hint = f" (known fields: {', '.join(model.model_fields)})"
        return loc, f"unknown field {shown(name)}{hint}"
    if kind == "missing":
        return loc, "required field is missing"
    if kind == "value_error":  # a validator's own sentence, which names the value
        return loc, str(error["msg"]).removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        expected = _expected_values(error)
        return loc, f"{shown(value)} is not allowed; expected {expected}"
    if kind == "model_type" or kind == "model_attributes_type":
        return loc, f"expected a mapping of fields, got {type(value).__name__}"
    if kind == "list_type":
        return loc, f"expected a list, got {type(value).__name__}"
    if kind == "finite_number":
        return loc, f"{shown(value)} is not a finite number"
    if kind == "string_pattern_mismatch" and loc == ("id",):
        return loc, (
            f"{shown(value)} is not a valid id: use lowercase letters, digits, '-' and '_' "
            "(at most 80 characters, starting with a letter or digit)"
        )
    message = error["msg"]
    if isinstance(value, dt.date):  # YAML reads 2024-01-01 as a date, not as text
        message = f"{message} (got the date {value.isoformat()}; quote it if it is text)"
    elif value is not None and not isinstance(value, (dict, list)):
        message = f"{message} (got {shown(value)})"
    return loc, message


def problems_from_validation(
    exc: ValidationError,
    source: str,
    document: SourceDocument | None,
    model: type[BaseModel] = Study,
) -> list[Problem]:
    problems = []
    seen = set()
    for error in exc.errors(include_url=False):
        loc, message = _describe(error, model)
        line = document.line_of(loc) if document is not None else 0
        key = (line, loc, message)
        if key not in seen:
            seen.add(key)
            problems.append(Problem(source, line, _dotted(loc), message))
    problems.sort(key=lambda p: (p.line, p.field))
    return capped(problems)


def capped(problems: list[Problem]) -> list[Problem]:
    """The first :data:`MAX_PROBLEMS` problems, plus one line counting the rest."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    more = Problem(problems[0].source, 0, "", f"{rest:,} more problems not shown")
    return [*problems[:MAX_PROBLEMS], more]


def parse_study(text: str, source: str = "<string>") -> Study:
    """Validate YAML text as a study; raise :class:`StudyFileError` on any problem."""
    try:
        document = parse_yaml(text)
    except YamlProblem as exc:
        raise StudyFileError([Problem(source, exc.line, "", exc.message)]) from None
    return study_from_document(document, source)


def study_from_document(document: SourceDocument, source: str) -> Study:
    if not isinstance(document.data, dict):
        kind = "a list" if isinstance(document.data, list) else "a single value"
        raise StudyFileError(
            [
                Problem(
                    source, document.line_of(()), "", f"a study file is a YAML mapping, not {kind}"
                )
            ]
        )
    try:
        return Study.model_validate(document.data)
    except ValidationError as exc:
        raise StudyFileError(problems_from_validation(exc, source, document)) from None
    except RecursionError:  # pragma: no cover - nesting is limited before validation
        raise StudyFileError([Problem(source, 0, "", "nested too deeply")]) from None


def read_text(path: Path) -> str:
    """The text of a study file: a regular file of at most MAX_BYTES bytes of UTF-8."""
    source = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise StudyFileError([Problem(source, 0, "", "is a directory, not a study file")])
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device could block or never end
            raise StudyFileError(
                [Problem(source, 0, "", "is not a regular file (a pipe or device?); refused")]
            )
        if info.st_size > MAX_BYTES:
            raise StudyFileError(
                [
                    Problem(
                        source,
                        0,
                        "",
                        f"file is {info.st_size:,} bytes; the limit is {MAX_BYTES:,} bytes",
                    )
                ]
            )
        raw = _read_file(path, info.st_size)
    except FileNotFoundError:
        raise StudyFileError([Problem(source, 0, "", "no such file")]) from None
    except PermissionError:
        raise StudyFileError([Problem(source, 0, "", "permission denied")]) from None
    except OSError as exc:
        raise StudyFileError([Problem(source, 0, "", _os_reason(exc))]) from None
    try:
        return decode(raw)
    except YamlProblem as exc:
        raise StudyFileError([Problem(source, exc.line, "", exc.message)]) from None


def _read_file(path: Path, size: int) -> bytes:
    """At most MAX_BYTES + 1 bytes of the file (it may have grown since stat() gave
    ``size``), read until the end as ``path.open("rb").read(MAX_BYTES + 1)`` reads.

    Without Python's buffered reader: asked for MAX_BYTES + 1 bytes, it sets aside a
    megabyte for every file, which cost more than the rest of reading a study.  Here the
    first read asks for the size stat() gave, plus one byte to notice growth.
    """
    with path.open("rb", buffering=0) as handle:
        left = MAX_BYTES + 1
        chunks = []
        want = min(size + 1, left)
        while left > 0:
            chunk = handle.read(want)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = left
        return b"".join(chunks)  # one chunk: that very bytes object, not a copy


def _os_reason(exc: OSError) -> str:
    """An OS error in a few lowercase words, without repeating the file name."""
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def parse_study_bytes(raw: bytes, source: str = "<bytes>") -> Study:
    """Validate the raw bytes of a study file (UTF-8, a BOM allowed)."""
    try:
        text = decode(raw)
    except YamlProblem as exc:
        raise StudyFileError([Problem(source, exc.line, "", exc.message)]) from None
    return parse_study(text, source)


def load_study(path: str | os.PathLike[str]) -> Study:
    """Read and validate one study file."""
    path = Path(path)
    return parse_study(read_text(path), str(path))


def expand_inputs(inputs: list[Path]) -> list[Path | StudyFileError]:
    """Files as given, folders expanded to their study files (sorted, not recursive).

    A folder without study files, a path that does not exist or cannot be looked at
    (a name too long for the file system, say), or an empty name becomes a
    :class:`StudyFileError` in place so the caller can report it and go on.
    """
    expanded: list[Path | StudyFileError] = []
    for path in inputs:
        problem = input_problem(path)
        if problem is not None:
            expanded.append(problem)
            continue
        if not _is_dir(path):
            expanded.append(path)
            continue
        try:
            # not only regular files: a broken link or a pipe named *.yaml is
            # reported by load_study rather than silently left out
            found = sorted(
                p for p in path.iterdir() if p.suffix in STUDY_SUFFIXES and not _is_dir(p)
            )
        except OSError as exc:
            reason = exc.strerror or str(exc)
            expanded.append(StudyFileError([Problem(str(path), 0, "", reason)]))
            continue
        if not found:
            expanded.append(
                StudyFileError([Problem(str(path), 0, "", "folder holds no .yaml study files")])
            )
        expanded.extend(found)
    return expanded


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _os_error(path: str | Path, exc: OSError) -> StudyFileError:
    return StudyFileError([Problem(str(path), 0, "", _os_reason(exc))])


def input_problem(path: str | Path) -> StudyFileError | None:
    """Why an input name cannot be read at all (empty, missing, too long...), or None.

    ``""`` is refused rather than read as the current folder (pass the *text* given on
    the command line: ``Path("")`` is already ``.``).
    """
    if isinstance(path, str) and not path:
        return StudyFileError([Problem("''", 0, "", "empty file name; refused")])
    try:
        os.lstat(path)
    except FileNotFoundError:
        return StudyFileError([Problem(str(path), 0, "", "no such file")])
    except OSError as exc:  # ENAMETOOLONG, ELOOP, EACCES on a parent...
        return _os_error(path, exc)
    except ValueError:  # an embedded NUL
        return StudyFileError([Problem(str(path), 0, "", "file name holds a NUL; refused")])
    return None
