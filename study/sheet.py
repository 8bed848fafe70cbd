"""Extraction sheets: studies as rows of a CSV or XLSX file, one row per study.

Columns are named by the dotted study fields (``primary_endpoint.timing``) or by their
labels from kb/labels.yaml ("Endpoint read"), in any order and any case. In a sheet:

* subgroups are numbered from 1: ``subgroups.1.name``, ``subgroups.2.effect.estimate``
  (or "Subgroup 1: name");
* covariates are columns ``covariates.NAME``;
* an empty cell is unknown; a list is written ``a; b``, and ``none`` is the empty list;
* a closed-list cell takes the value (``end_of_therapy``) or its label ("at end of
  therapy"); a yes/no cell takes ``yes``/``no``/``true``/``false``;
* ``schema_version`` may be left out: a sheet is read as version 2;
* in CSV, a cell ``'=x`` (or ``'+``, ``'-``, ``'@``) reads as ``=x``: the apostrophe is
  the formula guard that spreadsheet exports, and thymoscope's own CSV, put in front;
* XLSX formulas are read as their last computed values (a formula never computed is
  an empty cell); the header is row 1 of the sheet "Studies" (or the first sheet).

Every row is validated by the study model. A problem reads
``FILE:SHEET:ROW: COLUMN: message`` (CSV files have no sheet: ``FILE:ROW: COLUMN:
message``); rows are counted as a spreadsheet program shows them (the header is row 1)
and COLUMN is the header as written in the sheet. Problems are
:class:`~thymoscope.study.loader.StudyFileError` like those of study files.

openpyxl is imported only for XLSX files.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thymoscope.kb.labels import (
    FieldKind,
    field_kinds,
    field_label,
    generic_path,
    number_text,
    value_labels,
)
from thymoscope.study.loader import Problem, StudyFileError, capped, problems_from_validation
from thymoscope.study.model import SCHEMA_VERSION, Study
from thymoscope.study.sheet_paths import SHEET_SUFFIXES
from thymoscope.study.yaml_source import one_line, shown

MAX_SHEET_BYTES = 20_000_000
MAX_ROWS = 10_000
MAX_COLUMNS = 2_000
TEMPLATE_SUBGROUPS = 2
STUDIES_SHEET = "Studies"
LIST_SEPARATOR = "; "
EMPTY_LIST = "none"
EXAMPLE_CASE = "chb-rct-12-months-after.yaml"

_YES = frozenset({"yes", "true", "y"})
_NO = frozenset({"no", "false", "n"})
_SUBGROUP_PATH = re.compile(r"^subgroups\.(\d+)\.(.+)$")
_SUBGROUP_LABEL = re.compile(r"^subgroup\s+(\d+)\s*:\s*(.+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _CellError(Exception):
    pass


@dataclass(frozen=True)
class _Column:
    header: str  # as written in the sheet
    path: str  # model path: subgroups indexed from 0 (``subgroups.0.name``)
    kind: FieldKind


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _leaf_kinds() -> dict[str, FieldKind]:
    return {p: k for p, k in field_kinds().items() if k.kind not in ("section", "mapping")}


@cache
def _known_headers() -> tuple[dict[str, str], dict[str, str]]:
    """(study fields, subgroup fields): lowercased dotted paths and labels -> generic path.

    Subgroup fields are known by their own part (``effect.estimate``, "effect estimate").
    """
    known: dict[str, str] = {}
    subgroup: dict[str, str] = {}
    for path in _leaf_kinds():
        if path.startswith("subgroups.*."):
            subgroup[_key(path.removeprefix("subgroups.*."))] = path
            subgroup[_key(field_label(path).removeprefix("Subgroup: "))] = path
        else:
            known[_key(path)] = path
            known[_key(field_label(path))] = path
    return known, subgroup


def _resolve(header: str) -> str:
    """The model path of a column header (subgroups from 0); raises :class:`_CellError`."""
    text = " ".join(header.split())
    key = _key(text)
    known, subgroup = _known_headers()
    if key.startswith("covariates.") or key.startswith("covariate "):
        name = text.split(".", 1)[1] if key.startswith("covariates.") else text.split(" ", 1)[1]
        return f"covariates.{name.strip()}"
    match = _SUBGROUP_PATH.match(text) or _SUBGROUP_LABEL.match(key)
    if match:
        number, rest = int(match.group(1)), match.group(2)
        generic = subgroup.get(_key(rest))
        if generic is None:
            raise _CellError(f"unknown subgroup field {shown(rest)}{_suggest(rest)}")
        if number < 1:
            raise _CellError("subgroups are numbered from 1 in a sheet (subgroups.1.name)")
        return generic.replace("*", str(number - 1), 1)
    if key in known:
        return known[key]
    if key in subgroup:
        raise _CellError("a subgroup column needs its number, e.g. subgroups.1.name")
    if key in {_key(p) for p, k in field_kinds().items() if k.kind == "section"}:
        raise _CellError(
            "is a group of fields; give one column per field, e.g. result.effect.estimate"
        )
    raise _CellError(f"unknown column{_suggest(text)}")


def _suggest(text: str) -> str:
    names = [p for p in _leaf_kinds() if not p.startswith("subgroups.")]
    names += [p.removeprefix("subgroups.*.") for p in _leaf_kinds() if p.startswith("subgroups.")]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def sheet_column(path: str) -> str:
    """The sheet column name of a model path: ``subgroups.0.name`` -> ``subgroups.1.name``."""
    match = _SUBGROUP_PATH.match(path)
    if match:
        return f"subgroups.{int(match.group(1)) + 1}.{match.group(2)}"
    return path


def sheet_columns(subgroups: int = TEMPLATE_SUBGROUPS) -> list[str]:
    """Every study field as a sheet column, in model order, with ``subgroups`` subgroups."""
    columns: list[str] = []
    for path in _leaf_kinds():
        if path.startswith("subgroups.*."):
            continue
        columns.append(path)
    for number in range(1, subgroups + 1):
        columns += [
            p.replace("*", str(number), 1) for p in _leaf_kinds() if p.startswith("subgroups.*.")
        ]
    return columns


# ------------------------------------------------------------------------- cells


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    return str(value).strip()


def _choice(kind: FieldKind, text: str) -> str:
    assert kind.choices is not None
    values = [m.value for m in kind.choices]
    labels = value_labels(kind.choices.__name__)
    key = _key(text)
    for value in values:
        if key in (value.casefold(), _key(value.replace("_", " ")), _key(labels.get(value, ""))):
            return value
    close = difflib.get_close_matches(text.lower(), values, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise _CellError(f"{shown(text)} is not allowed; {hint}expected one of {', '.join(values)}")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError(f"expected a whole number, got {shown(_text_of(value))}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    text = _text_of(value)
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        return int(text)
    except ValueError:
        raise _CellError(f"expected a whole number, got {shown(text)}") from None


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise _CellError(f"expected a number, got {shown(_text_of(value))}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text_of(value)
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise _CellError(
                f"expected a number (a point for decimals), got {shown(text)}"
            ) from None
    if not math.isfinite(number):
        raise _CellError(f"{shown(_text_of(value))} is not a finite number")
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text_of(value).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _CellError(f"expected yes or no, got {shown(_text_of(value))}")


def _scalar(kind: FieldKind, value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        raise _CellError(f"the cell holds a date ({value}); write it as text or a number")
    if kind.kind == "choice":
        return _choice(kind, _text_of(value))
    if kind.kind == "integer":
        return _integer(value)
    if kind.kind == "number":
        return _number(value)
    if kind.kind == "flag":
        return _flag(value)
    return _text_of(value)


def _covariate(value: Any) -> Any:
    if isinstance(value, bool):
        return _text_of(value)
    if isinstance(value, int | float):
        return value
    text = _text_of(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def cell_value(path: str, value: Any) -> Any:
    """The study-file value of one sheet cell for a model path (None: unknown).

    Raises ``ValueError`` with a one-line message for a cell that cannot be read.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if path.startswith("covariates."):
            return _covariate(value)
        kind = field_kinds()[generic_path(path)]
        if kind.many:
            text = _text_of(value)
            if text.casefold() == EMPTY_LIST:
                return []
            items = [part.strip() for part in text.split(";")]
            return [_scalar(kind, item) for item in items if item]
        return _scalar(kind, value)
    except _CellError as exc:
        raise ValueError(str(exc)) from None


# ------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Table:
    source: str  # "FILE" (CSV) or "FILE:SHEET" (XLSX)
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (row number as shown, cells)


def _decode_csv(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyFileError(
            [Problem(source, 0, "", f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8")]
        ) from None


def _csv_table(raw: bytes, source: str) -> _Table:
    text = _decode_csv(raw, source)
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    cells = [[_uncsv(c) for c in record] for record in records]
    if not cells:
        return _Table(source, [], [])
    return _Table(source, cells[0], list(enumerate(cells[1:], 2)))


def _uncsv(text: str) -> str:
    """Undo the CSV-injection guard: ``'=x`` written by thymoscope reads as ``=x``."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def _xlsx_table(path: Path, source: str, sheet: str | None) -> _Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        reason = "not an XLSX workbook" if not isinstance(exc, OSError) else str(exc.strerror)
        raise StudyFileError([Problem(source, 0, "", reason)]) from None
    try:
        names = book.sheetnames
        if sheet is None:
            sheet = STUDIES_SHEET if STUDIES_SHEET in names else names[0]
        if sheet not in names:
            raise StudyFileError(
                [Problem(source, 0, "", f"no sheet {shown(sheet)}; sheets: {', '.join(names)}")]
            )
        where = f"{source}:{sheet}"
        rows = book[sheet].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header: list[Any] = []
        body: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows, 1):
            if number == 1:
                header = list(values)
            elif number > MAX_ROWS + 1:
                raise StudyFileError(
                    [Problem(where, number, "", f"more than {MAX_ROWS:,} rows; split the sheet")]
                )
            else:
                body.append((number, list(values)))
        return _Table(where, header, body)
    finally:
        book.close()


def _table(path: Path, sheet: str | None) -> _Table:
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        raise StudyFileError([Problem(source, 0, "", "a sheet is a .csv or .xlsx file")])
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise StudyFileError([Problem(source, 0, "", "is not a regular file")])
    except FileNotFoundError:
        raise StudyFileError([Problem(source, 0, "", "no such file")]) from None
    except OSError as exc:
        raise StudyFileError([Problem(source, 0, "", str(exc.strerror))]) from None
    if size > MAX_SHEET_BYTES:
        raise StudyFileError(
            [Problem(source, 0, "", f"file is {size:,} bytes; the limit is {MAX_SHEET_BYTES:,}")]
        )
    if suffix == ".xlsx":
        return _xlsx_table(path, source, sheet)
    table = _csv_table(path.read_bytes(), source)
    if len(table.rows) > MAX_ROWS:
        raise StudyFileError([Problem(source, 0, "", f"more than {MAX_ROWS:,} rows")])
    return table


def _columns(table: _Table) -> list[_Column | None]:
    problems: list[Problem] = []
    columns: list[_Column | None] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(table.header):
        header = one_line(_text_of(raw)) if raw is not None else ""
        if not header:
            columns.append(None)
            if any(index < len(cells) and _filled(cells[index]) for _, cells in table.rows):
                problems.append(
                    Problem(table.source, 1, f"column {index + 1}", "has values but no header")
                )
            continue
        try:
            path = _resolve(header)
        except _CellError as exc:
            problems.append(Problem(table.source, 1, header, str(exc)))
            columns.append(None)
            continue
        if path in seen:
            problems.append(
                Problem(table.source, 1, header, f"same field as the column {shown(seen[path])}")
            )
            columns.append(None)
            continue
        seen[path] = header
        kind = (
            FieldKind(path, "text")
            if path.startswith("covariates.")
            else field_kinds()[generic_path(path)]
        )
        columns.append(_Column(header, path, kind))
    if not [c for c in columns if c is not None] and not problems:
        problems.append(Problem(table.source, 1, "", "no header row with study fields"))
    if problems:
        raise StudyFileError(capped(problems))
    return columns


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _row_study(
    table: _Table, columns: list[_Column | None], number: int, cells: list[Any]
) -> Study:
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    by_path: dict[str, str] = {}
    for column, value in zip(columns, cells, strict=False):
        if column is None:
            continue
        by_path[column.path] = column.header
        try:
            parsed = cell_value(column.path, value)
        except ValueError as exc:
            problems.append(Problem(table.source, number, column.header, str(exc)))
            continue
        if parsed is not None:
            _set(data, column.path, parsed)
    if problems:
        raise StudyFileError(capped(problems))
    order: list[int] = []
    if isinstance(data.get("subgroups"), dict):
        order = sorted(data["subgroups"], key=int)
        data["subgroups"] = [data["subgroups"][k] for k in order]
    data.setdefault("schema_version", SCHEMA_VERSION)
    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        found = problems_from_validation(exc, table.source, None)
        located = [_located(p, number, order, by_path) for p in found]
        raise StudyFileError(located) from None


def _located(problem: Problem, number: int, order: list[int], by_path: dict[str, str]) -> Problem:
    """A model problem placed at its row and the column as written in the sheet."""
    path = problem.field
    match = re.match(r"^subgroups\.(\d+)(.*)$", path)
    if match and int(match.group(1)) < len(order):
        path = f"subgroups.{order[int(match.group(1))]}{match.group(2)}"
    column = by_path.get(path) or sheet_column(path)
    return Problem(problem.source, number, column, problem.message)


def read_sheet(
    path: str | os.PathLike[str], sheet: str | None = None
) -> list[tuple[str, Study | StudyFileError]]:
    """Every study row of an extraction sheet: (where, study or its problems), in order.

    ``where`` is ``FILE:SHEET:ROW`` (``FILE:ROW`` for CSV), usable as the diagnosis
    source. Empty rows are skipped. A sheet that cannot be read at all (no such file,
    not a workbook, unknown columns) raises :class:`StudyFileError`. For XLSX, ``sheet``
    names the worksheet (default: "Studies" if present, else the first one).
    """
    table = _table(Path(path), sheet)
    columns = _columns(table)
    out: list[tuple[str, Study | StudyFileError]] = []
    for number, cells in table.rows:
        if not any(_filled(c) for c in cells):
            continue
        where = f"{table.source}:{number}"
        try:
            out.append((where, _row_study(table, columns, number, cells)))
        except StudyFileError as exc:
            out.append((where, exc))
    if not out:
        raise StudyFileError([Problem(table.source, 0, "", "the sheet holds no study rows")])
    return out


def load_sheet(path: str | os.PathLike[str], sheet: str | None = None) -> list[Study]:
    """Every study of an extraction sheet; raises one :class:`StudyFileError` listing the
    problems of every bad row."""
    studies: list[Study] = []
    problems: list[Problem] = []
    for _, result in read_sheet(path, sheet):
        if isinstance(result, StudyFileError):
            problems += result.problems
        else:
            studies.append(result)
    if problems:
        raise StudyFileError(capped(problems))
    return studies


# ------------------------------------------------------------------------- writing


def _flat(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, value in data.items():
        path = f"{prefix}{name}"
        if path == "subgroups":
            for index, item in enumerate(value):
                yield from _flat(item, f"subgroups.{index}.")
        elif isinstance(value, Mapping):
            yield from _flat(value, f"{path}.")
        else:
            yield path, value


def study_row(study: Study) -> dict[str, Any]:
    """One study as sheet cells by column name (subgroups from 1; lists ``a; b``; the
    empty list ``none``); unknown fields are left out."""
    row: dict[str, Any] = {}
    for path, value in _flat(study.model_dump(mode="json", exclude_none=True)):
        if isinstance(value, list):
            value = LIST_SEPARATOR.join(str(v) for v in value) if value else EMPTY_LIST
        row[sheet_column(path)] = value
    return row


def write_sheet(
    studies: Sequence[Study],
    path: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
) -> None:
    """Write studies as an extraction sheet (``.csv`` or ``.xlsx`` by suffix) that
    :func:`read_sheet` reads back to the same studies. ``columns`` default: every field,
    with as many subgroup columns as the studies need, and their covariates."""
    rows = [study_row(s) for s in studies]
    if columns is None:
        most = max((len(s.subgroups) for s in studies), default=0)
        columns = sheet_columns(most)
        extra = sorted({c for r in rows for c in r if c.startswith("covariates.")})
        columns = [*columns, *extra]
    if Path(path).suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = STUDIES_SHEET
        _write_rows(sheet, columns, rows)
        book.save(os.fspath(path))
        return
    from thymoscope.report.spreadsheet import write_csv

    write_csv(rows, path, columns)


def _write_rows(sheet: Any, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    from openpyxl.styles import Font

    for col, name in enumerate(columns, 1):
        sheet.cell(row=1, column=col, value=name).font = Font(bold=True)
    for number, row in enumerate(rows, 2):
        for col, name in enumerate(columns, 1):
            value = row.get(name)
            cell = sheet.cell(row=number, column=col)
            cell.value = value
            if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
                cell.data_type = "s"  # text stays text, never a formula
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"


def example_study() -> Study:
    """The bundled case used as the template's example row."""
    from thymoscope.study.loader import parse_study

    text = resources.files("thymoscope.kb.cases").joinpath(EXAMPLE_CASE).read_text("utf-8")
    return parse_study(text, EXAMPLE_CASE)


def template_xlsx(
    path: str | os.PathLike[str],
    example: Study | None = None,
    subgroups: int = TEMPLATE_SUBGROUPS,
) -> None:
    """Write an extraction-sheet template: sheet "Studies" with a header row of dotted
    field names (their labels as cell comments), one example row (a bundled case unless
    ``example`` is given) and drop-down lists of the allowed values of each closed-list
    and yes/no column; sheet "Fields" lists every column with its label and values; a
    hidden sheet "Lists" holds the drop-down values."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    study = example if example is not None else example_study()
    columns = sheet_columns(max(subgroups, len(study.subgroups)))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = STUDIES_SHEET
    _write_rows(sheet, columns, [study_row(study)])
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    fields = book.create_sheet("Fields")
    fields.append(["column", "label", "kind", "allowed values"])
    list_column: dict[str, str] = {}
    last_row = MAX_ROWS + 1
    for col, name in enumerate(columns, 1):
        kind = field_kinds()[generic_path(_model_path(name))]
        label = field_label(_model_path(name))
        sheet.cell(row=1, column=col).comment = Comment(label, "thymoscope")
        allowed = _allowed(kind)
        fields.append([name, label, _kind_words(kind), ", ".join(allowed)])
        if not allowed:
            continue
        key = kind.choices.__name__ if kind.choices is not None else "yes/no"
        if key not in list_column:
            letter = get_column_letter(len(list_column) + 1)
            lists.cell(row=1, column=len(list_column) + 1, value=key)
            for number, value in enumerate(allowed, 2):
                lists.cell(row=number, column=len(list_column) + 1, value=value)
            list_column[key] = (
                f"{quote_sheetname('Lists')}!${letter}$2:${letter}${len(allowed) + 1}"
            )
        check = DataValidation(type="list", formula1=list_column[key], allow_blank=True)
        if kind.many:
            check.showErrorMessage = False  # "a; b" must stay possible
            check.prompt = "one or more, separated by '; '"
            check.showInputMessage = True
        else:
            check.showErrorMessage = True
            check.errorTitle = "Not an allowed value"
            check.error = f"Choose one of the allowed values of {name} from the list."
        letter = get_column_letter(col)
        check.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(check)
    for col, name in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(col)].width = max(len(name) + 2, 12)
    fields.column_dimensions["A"].width = 40
    fields.column_dimensions["B"].width = 50
    book.save(os.fspath(path))


def _model_path(column: str) -> str:
    match = _SUBGROUP_PATH.match(column)
    if match:
        return f"subgroups.{int(match.group(1)) - 1}.{match.group(2)}"
    return column


def _allowed(kind: FieldKind) -> list[str]:
    if kind.choices is not None:
        return [m.value for m in kind.choices]
    if kind.kind == "flag":
        return ["yes", "no"]
    return []


def _kind_words(kind: FieldKind) -> str:
    words = {
        "text": "text",
        "integer": "whole number",
        "number": "number",
        "flag": "yes or no",
        "choice": "one value from the list",
    }[kind.kind]
    if kind.path == "schema_version":
        return "1 or 2 (an empty cell reads as 2)"
    if kind.many:
        return "list: values separated by '; ' ('none' for an empty list)"
    return words + (" (required)" if kind.required else "")
