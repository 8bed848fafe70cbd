"""Diagnoses as spreadsheet tables: one row per study, and one row per finding.

The rows come from the JSON report document (:func:`thymoscope.report.document.
report_document`), so a spreadsheet says what the JSON says.

CSV: two tables do not fit one CSV file that spreadsheet programs, R (``read.csv``,
``readr``) and pandas read as a table, so :func:`write_csv_tables` writes two files,
``X.csv`` (studies) and ``X-findings.csv`` (findings). :func:`write_csv` writes one table
to a path or a text stream (for ``-o -``: the study table). Files are UTF-8 with a byte
order mark so that Excel reads "mg/m²" and dashes correctly; streams carry no mark.
Lists in a cell are written ``a; b``.

XLSX (openpyxl, imported only here): sheets "Studies" and "Findings", plus "About" with
the generator, the research notice and any input errors.

No cell is ever a formula: text that a spreadsheet would run (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written as text. In CSV it gets a leading
apostrophe (the usual CSV-injection guard); in XLSX it is stored as a text cell.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

Row = dict[str, Any]

STUDY_COLUMNS = (
    "study_id",
    "title",
    "indication",
    "verdict",
    "effect_measure",
    "effect_estimate",
    "ci_low",
    "ci_high",
    "ci_level",
    "p_value",
    "major",
    "moderate",
    "minor",
    "info",
    "finding_ids",
)
FINDING_COLUMNS = (
    "study_id",
    "rank",
    "finding_id",
    "severity",
    "factor",
    "factor_title",
    "title",
    "faq_sections",
)
NO_FINDING = "no finding"
LIST_SEPARATOR = "; "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_EFFECT_KEYS = ("measure", "estimate", "ci_low", "ci_high", "ci_level", "p_value")


def _effect(study: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The study's own effect from the document (its ``effect`` mapping first, then
    ``result.effect`` key facts), else from ``extra`` (the study's values by dotted path)."""
    found: dict[str, Any] = {}
    effect = study.get("effect")
    if isinstance(effect, Mapping):
        found.update({k: effect.get(k) for k in _EFFECT_KEYS if effect.get(k) is not None})
    for fact in study.get("key_facts", ()):
        path = str(fact.get("path", ""))
        if path == "result.effect" and isinstance(fact.get("value"), Mapping):
            value = fact["value"]
            for key in _EFFECT_KEYS:
                if value.get(key) is not None:
                    found.setdefault(key, value[key])
        elif path.startswith("result.effect.") and fact.get("value") is not None:
            found.setdefault(path.rsplit(".", 1)[1], fact["value"])
    if not found and extra is not None:
        for key in _EFFECT_KEYS:
            value = extra.get(f"result.effect.{key}")
            if value is not None:
                found[key] = value
    return found


def diagnosis_rows(
    document: Mapping[str, Any],
    study_values: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[Row], list[Row]]:
    """(study rows, finding rows) of a diagnosis report document.

    A study row holds :data:`STUDY_COLUMNS`: id, title, indication, the verdict (the
    title of the most severe finding, or "no finding"), the study's own effect (measure,
    estimate, CI and its level, p) when it reports one, the number of findings of each
    severity and the finding ids (``a; b``, in ranked order). A finding row holds
    :data:`FINDING_COLUMNS`, one per finding, in ranked order within each study.

    The effect is read from the document; when the document carries none,
    ``study_values`` (study id -> the study's values by dotted path, e.g.
    ``Diagnosis.key_facts``) supplies it.
    """
    study_rows: list[Row] = []
    finding_rows: list[Row] = []
    for study in document.get("studies", ()):
        findings = {f["id"]: f for group in study.get("groups", ()) for f in group["findings"]}
        ranked = [findings[i] for i in study.get("ranked", ()) if i in findings]
        ranked += [f for i, f in findings.items() if i not in study.get("ranked", ())]
        extra = (study_values or {}).get(study["id"])
        effect = _effect(study, extra)
        counts = study.get("severity_counts", {})
        row: Row = {
            "study_id": study["id"],
            "title": study.get("title"),
            "indication": study.get("indication"),
            "verdict": ranked[0]["title"] if ranked else NO_FINDING,
            "effect_measure": effect.get("measure"),
            "effect_estimate": effect.get("estimate"),
            "ci_low": effect.get("ci_low"),
            "ci_high": effect.get("ci_high"),
            "ci_level": effect.get("ci_level"),
            "p_value": effect.get("p_value"),
            "major": counts.get("major", 0),
            "moderate": counts.get("moderate", 0),
            "minor": counts.get("minor", 0),
            "info": counts.get("info", 0),
            "finding_ids": LIST_SEPARATOR.join(f["id"] for f in ranked),
        }
        study_rows.append(row)
        for rank, finding in enumerate(ranked, 1):
            finding_rows.append(
                {
                    "study_id": study["id"],
                    "rank": rank,
                    "finding_id": finding["id"],
                    "severity": finding.get("severity"),
                    "factor": finding.get("factor"),
                    "factor_title": finding.get("factor_title"),
                    "title": finding.get("title"),
                    "faq_sections": LIST_SEPARATOR.join(
                        str(s) for s in finding.get("faq_sections", ())
                    ),
                }
            )
    return study_rows, finding_rows


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula."""
    return text.startswith(_FORMULA_STARTS)


def csv_cell(value: Any) -> str:
    """One CSV cell: empty for unknown, numbers as written, formula-like text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def write_csv(
    rows: Sequence[Mapping[str, Any]],
    target: str | os.PathLike[str] | IO[str],
    columns: Sequence[str] | None = None,
) -> None:
    """Write one table (a header row, then ``rows``) as CSV to a path or a text stream.

    ``columns`` fixes the header (default: the rows' keys in first-seen order); pass
    :data:`STUDY_COLUMNS` or :data:`FINDING_COLUMNS` so an empty table keeps its header.
    A path gets UTF-8 with a byte order mark (Excel); a stream is written as it is.
    """
    header = _columns(rows, columns)
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            _write_table(handle, header, rows)
    else:
        _write_table(target, header, rows)


def _write_table(handle: IO[str], header: list[str], rows: Sequence[Mapping[str, Any]]) -> None:
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in header])
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in header])


def findings_path(path: str | os.PathLike[str]) -> Path:
    """The findings file next to a study table: ``out/X.csv`` -> ``out/X-findings.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-findings{path.suffix or '.csv'}")


def write_csv_tables(
    study_rows: Sequence[Mapping[str, Any]],
    finding_rows: Sequence[Mapping[str, Any]],
    path: str | os.PathLike[str],
) -> tuple[Path, Path]:
    """Write ``X.csv`` (studies) and ``X-findings.csv`` (findings); returns both paths."""
    studies, findings = Path(path), findings_path(path)
    write_csv(study_rows, studies, STUDY_COLUMNS)
    write_csv(finding_rows, findings, FINDING_COLUMNS)
    return studies, findings


def _xlsx_value(value: Any) -> tuple[Any, bool]:
    """(cell value, must be stored as text)."""
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, str):
        return value, is_formula_like(value)
    return value, False


def _fill_sheet(sheet: Any, header: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for col, name in enumerate(header, 1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font = bold
    for row_number, row in enumerate(rows, 2):
        for col, name in enumerate(header, 1):
            value, as_text = _xlsx_value(row.get(name))
            cell = sheet.cell(row=row_number, column=col)
            cell.value = value
            if as_text:
                cell.data_type = "s"  # never "f": text that looks like a formula stays text
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for col, name in enumerate(header, 1):
        longest = max([len(name)] + [len(str(r.get(name) or "")) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(col)].width = min(max(longest + 2, 8), 60)


def write_xlsx(
    study_rows: Sequence[Mapping[str, Any]],
    finding_rows: Sequence[Mapping[str, Any]],
    target: str | os.PathLike[str] | IO[bytes],
    notes: Sequence[str] = (),
) -> None:
    """Write an XLSX workbook: sheets "Studies" and "Findings", and "About" (``notes``:
    e.g. the generator, the research notice and input errors, one per line)."""
    from openpyxl import Workbook

    book = Workbook()
    studies = book.active
    assert studies is not None
    studies.title = "Studies"
    _fill_sheet(studies, STUDY_COLUMNS, study_rows)
    _fill_sheet(book.create_sheet("Findings"), FINDING_COLUMNS, finding_rows)
    if notes:
        about = book.create_sheet("About")
        for number, line in enumerate(notes, 1):
            value, as_text = _xlsx_value(line)
            cell = about.cell(row=number, column=1)
            cell.value = value
            if as_text:
                cell.data_type = "s"
                cell.quotePrefix = True
        about.column_dimensions["A"].width = 100
    if isinstance(target, str | os.PathLike):
        book.save(os.fspath(target))
    else:
        buffer = io.BytesIO()
        book.save(buffer)
        target.write(buffer.getvalue())


def document_notes(document: Mapping[str, Any]) -> list[str]:
    """The "About" lines of a report document: generator, input errors, research notice."""
    lines = [str(document.get("generator", "thymoscope"))]
    lines += [f"error: {e}" for e in document.get("errors", ())]
    if document.get("notice"):
        lines.append(str(document["notice"]))
    return lines
