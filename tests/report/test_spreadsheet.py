"""Diagnoses as spreadsheets: sheet -> studies -> diagnose -> rows -> CSV/XLSX read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import make_study
from tests.study.test_sheet import bundled_studies, with_subgroups
from thymoscope.api import diagnose
from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.report.document import report_document
from thymoscope.report.spreadsheet import (
    FINDING_COLUMNS,
    NO_FINDING,
    STUDY_COLUMNS,
    csv_cell,
    diagnosis_rows,
    document_notes,
    findings_path,
    write_csv,
    write_csv_tables,
    write_xlsx,
)
from thymoscope.study.model import Study
from thymoscope.study.sheet import load_sheet, write_sheet


def diagnosed(studies: Sequence[Study]) -> tuple[dict[str, Any], list[Diagnosis]]:
    diagnoses = [diagnose(s) for s in studies]
    return report_document(diagnoses), diagnoses


def rows_of(studies: Sequence[Study]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    document, diagnoses = diagnosed(studies)
    return diagnosis_rows(document, {d.study_id: d.key_facts for d in diagnoses})


def csv_equal(cell: str, value: Any) -> bool:
    """A CSV cell read back by the csv module equals the value written."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == str(value).lower()
    if isinstance(value, int):
        return int(cell) == value
    if isinstance(value, float):
        return float(cell) == value
    return cell == value


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_xlsx(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def assert_same(expected: Sequence[Mapping[str, Any]], found: Sequence[Mapping[str, Any]]) -> None:
    assert len(found) == len(expected)
    for want, got in zip(expected, found, strict=True):
        assert set(got) == set(want)
        for column, value in want.items():
            assert got[column] == value, (column, value, got[column])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_to_diagnosis_to_spreadsheet_round_trip(tmp_path: Path, suffix: str) -> None:
    sheet = tmp_path / f"extraction{suffix}"
    write_sheet([*bundled_studies(), with_subgroups()], sheet)
    studies = load_sheet(sheet)
    study_rows, finding_rows = rows_of(studies)
    assert [r["study_id"] for r in study_rows] == [s.id for s in studies]
    assert sum(r["major"] + r["moderate"] + r["minor"] + r["info"] for r in study_rows) == len(
        finding_rows
    )
    out = tmp_path / f"report{suffix}"
    if suffix == ".csv":
        studies_file, findings_file = write_csv_tables(study_rows, finding_rows, out)
        assert findings_file == tmp_path / "report-findings.csv"
        for want, found in (
            (study_rows, read_csv(studies_file)),
            (finding_rows, read_csv(findings_file)),
        ):
            assert len(found) == len(want)
            for row, back in zip(want, found, strict=True):
                assert list(back) == list(row)
                assert all(csv_equal(back[c], v) for c, v in row.items()), (row, back)
    else:
        write_xlsx(study_rows, finding_rows, out)
        assert_same(study_rows, read_xlsx(out, "Studies"))
        assert_same(finding_rows, read_xlsx(out, "Findings"))


def test_study_rows_carry_verdict_effect_counts_and_ids() -> None:
    clean = make_study()  # the baseline: no rule fires
    flawed = make_study(
        id="open-small",
        design={"blinding": "open", "risk_of_bias": "high", "sample_size": 60, "centres": 1},
    )
    document, diagnoses = diagnosed([clean, flawed])
    study_rows, finding_rows = diagnosis_rows(
        document, {d.study_id: d.key_facts for d in diagnoses}
    )
    first, second = study_rows
    assert list(first) == list(STUDY_COLUMNS)
    assert first["verdict"] == NO_FINDING and first["finding_ids"] == ""
    assert (first["effect_measure"], first["effect_estimate"]) == ("odds_ratio", 0.7)
    assert (first["ci_low"], first["ci_high"], first["ci_level"], first["p_value"]) == (
        0.55,
        0.9,
        95.0,
        0.005,
    )
    flawed_doc = document["studies"][1]
    assert second["finding_ids"] == "; ".join(flawed_doc["ranked"])
    top = next(
        f for g in flawed_doc["groups"] for f in g["findings"] if f["id"] == flawed_doc["ranked"][0]
    )
    assert second["verdict"] == top["title"]
    assert {s: second[s] for s in ("major", "moderate", "minor", "info")} == flawed_doc[
        "severity_counts"
    ]
    assert [r["finding_id"] for r in finding_rows] == flawed_doc["ranked"]
    assert all(list(r) == list(FINDING_COLUMNS) for r in finding_rows)
    assert finding_rows[0]["rank"] == 1 and finding_rows[0]["study_id"] == "open-small"


def test_the_effect_is_read_from_the_document_when_it_has_one() -> None:
    document, _ = diagnosed([make_study()])
    # the document carries the study's effect (its 'effect' mapping and key facts) ...
    (row,), _ = diagnosis_rows(document)
    assert (row["effect_measure"], row["effect_estimate"]) == ("odds_ratio", 0.7)
    # ... the 'effect' mapping first, then the result.effect key facts
    study = document["studies"][0]
    study["effect"] = None
    study["key_facts"] = [f for f in study["key_facts"] if not f["path"].startswith("result.")]
    study["key_facts"].append(
        {"path": "result.effect", "value": {"measure": "risk_ratio", "estimate": 0.8}}
    )
    (row,), _ = diagnosis_rows(document)
    assert (row["effect_measure"], row["effect_estimate"]) == ("risk_ratio", 0.8)
    study["effect"] = {"measure": "hazard_ratio", "estimate": 1.2, "p_value": 0.3}
    (row,), _ = diagnosis_rows(document)
    assert (row["effect_measure"], row["effect_estimate"], row["p_value"]) == (
        "hazard_ratio",
        1.2,
        0.3,
    )


HOSTILE = ['=HYPERLINK("http://example.org","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_never_becomes_a_formula(tmp_path: Path, text: str) -> None:
    study_rows, finding_rows = rows_of([make_study(title=text)])
    assert study_rows[0]["title"] == text
    out = tmp_path / "r.csv"
    write_csv_tables(study_rows, finding_rows, out)
    (back,) = read_csv(out)
    assert back["title"] == "'" + text
    xlsx = tmp_path / "r.xlsx"
    write_xlsx(study_rows, finding_rows, xlsx, notes=[text])
    book = openpyxl.load_workbook(xlsx)
    cell = book["Studies"]["B2"]
    # XML keeps no carriage return: a lone CR is read back as a line feed
    assert cell.value == text.replace("\r", "\n") and cell.data_type == "s"
    assert book["About"]["A1"].data_type == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_numbers_stay_numbers_and_unknowns_stay_empty() -> None:
    assert csv_cell(-0.5) == "-0.5"
    assert csv_cell(None) == ""
    assert csv_cell(3) == "3"
    assert csv_cell(["a", "b"]) == "a; b"
    assert csv_cell("-0.5") == "'-0.5"  # text, not a number: guarded


def test_csv_to_a_stream_has_no_byte_order_mark_and_a_file_has_one(tmp_path: Path) -> None:
    rows, _ = rows_of([make_study()])
    stream = io.StringIO()
    write_csv(rows, stream, STUDY_COLUMNS)
    assert stream.getvalue().startswith("study_id,title,")
    write_csv([], tmp_path / "empty.csv", STUDY_COLUMNS)
    raw = (tmp_path / "empty.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstudy_id,") and raw.count(b"\r\n") == 1
    assert findings_path("out/x.csv") == Path("out/x-findings.csv")


def test_xlsx_to_a_binary_stream_and_about_sheet() -> None:
    document, _ = diagnosed([make_study()])
    rows = diagnosis_rows(document)
    buffer = io.BytesIO()
    write_xlsx(*rows, buffer, notes=document_notes(document))
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Studies", "Findings", "About"]
    about = [c.value for c in book["About"]["A"]]
    assert about[0].startswith("thymoscope ") and about[-1] == document["notice"]
