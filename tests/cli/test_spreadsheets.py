"""Spreadsheets in and out: an extraction sheet -> diagnose -> CSV and XLSX tables read
back with the csv module and openpyxl; `init --sheet`; errors naming sheet, row, column."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import entry_point, invoke
from thymoscope.report.spreadsheet import FINDING_COLUMNS, STUDY_COLUMNS
from thymoscope.study.loader import load_study
from thymoscope.study.sheet import write_sheet

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
NAMES = ("chb-rct-end-of-therapy", "sepsis-small-open-rct", "cancer-phase2-monotherapy")
COUNTS = ("major", "moderate", "minor", "info")


@pytest.fixture(params=["csv", "xlsx"])
def sheet(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / f"extraction.{request.param}"
    write_sheet([load_study(CASES / f"{name}.yaml") for name in NAMES], path)
    return path


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _xlsx_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    header = [str(c) for c in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _value(text: str) -> Any:
    """A CSV cell as the value it holds: a number where it reads as one (XLSX stores
    numbers, and gives 95.0 back as 95), else the text."""
    try:
        return float(text)
    except ValueError:
        return text


def _cell_value(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) else _value(_text(value))


def test_sheet_to_csv_and_xlsx_round_trip(sheet: Path, tmp_path: Path) -> None:
    report = invoke("diagnose", sheet, "-f", "json")
    assert report.exit_code == 0, report.stderr
    studies = json.loads(report.stdout)["studies"]
    assert [s["id"] for s in studies] == list(NAMES)

    as_csv, as_xlsx = tmp_path / "out.csv", tmp_path / "out.xlsx"
    for target in (as_csv, as_xlsx):
        done = invoke("diagnose", sheet, "-o", target)  # the format from the extension
        assert done.exit_code == 0, done.stderr
    csv_studies = _csv_rows(as_csv)
    csv_findings = _csv_rows(tmp_path / "out-findings.csv")
    xlsx_studies = _xlsx_rows(as_xlsx, "Studies")
    xlsx_findings = _xlsx_rows(as_xlsx, "Findings")

    assert list(csv_studies[0]) == list(STUDY_COLUMNS) == list(xlsx_studies[0])
    assert list(csv_findings[0]) == list(FINDING_COLUMNS) == list(xlsx_findings[0])
    for study, row, cells in zip(studies, csv_studies, xlsx_studies, strict=True):
        assert row["study_id"] == cells["study_id"] == study["id"]
        assert row["title"] == cells["title"] == study["title"]
        assert row["finding_ids"] == cells["finding_ids"] == "; ".join(study["ranked"])
        for severity in COUNTS:
            expected = study["severity_counts"].get(severity, 0)
            assert int(row[severity]) == cells[severity] == expected
        assert {k: _value(row[k]) for k in STUDY_COLUMNS} == {
            k: _cell_value(cells[k]) for k in STUDY_COLUMNS
        }
    ids = [(r["study_id"], r["finding_id"]) for r in csv_findings]
    assert ids == [(r["study_id"], r["finding_id"]) for r in xlsx_findings]
    assert ids == [(s["id"], f) for s in studies for f in s["ranked"]]
    for row, cells in zip(csv_findings, xlsx_findings, strict=True):
        assert {k: _value(row[k]) for k in FINDING_COLUMNS} == {
            k: _cell_value(cells[k]) for k in FINDING_COLUMNS
        }


def test_csv_to_stdout_is_the_study_table_without_a_byte_order_mark(sheet: Path) -> None:
    result = invoke("diagnose", sheet, "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.startswith("study_id,title,")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["study_id"] for r in rows] == list(NAMES)


def test_xlsx_to_a_pipe_is_a_workbook(sheet: Path) -> None:
    done = subprocess.run(  # stdout is a pipe here
        [str(entry_point()), "diagnose", str(sheet), "-f", "xlsx"],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"PK")  # a zip archive, as every .xlsx


def test_csv_output_never_overwrites_its_findings_input(tmp_path: Path) -> None:
    findings = tmp_path / "extraction-x-findings.csv"  # what -o extraction-x.csv also writes
    write_sheet([load_study(CASES / f"{NAMES[0]}.yaml")], findings)
    before = findings.read_bytes()
    result = invoke("diagnose", findings, "-o", tmp_path / "extraction-x.csv")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("refusing to overwrite an input file")
    assert findings.read_bytes() == before
    assert not (tmp_path / "extraction-x.csv").exists()


def test_sheet_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    write_sheet([load_study(CASES / f"{NAMES[0]}.yaml")], path)
    text = path.read_text(encoding="utf-8-sig").replace("chronic_hepatitis_b", "hepatitis_z")
    path.write_text(text, encoding="utf-8")
    result = invoke("diagnose", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}:2: indication: ")


def test_review_reads_an_extraction_sheet(sheet: Path) -> None:
    result = invoke("review", sheet, "-f", "json")
    assert result.exit_code in (0, 2), result.stderr
    document = json.loads(result.stdout)
    sources = [s.get("source", "") for o in document["outcomes"] for s in o["studies"]]
    assert sources and all(str(sheet) in source for source in sources)


def test_init_sheet_writes_a_template_that_diagnose_reads(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "extraction.xlsx"
    result = invoke("init", "--sheet", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"thymoscope: wrote {target}")
    book = load_workbook(target)
    studies = book["Studies"]
    header = [c.value for c in studies[1]]
    assert "indication" in header and "primary_endpoint.timing" in header
    assert studies.max_row == 2  # the header and one example row
    lists = [v for v in studies.data_validations.dataValidation if v.type == "list"]
    assert lists
    diagnosed = invoke("diagnose", target, "-f", "json")
    assert diagnosed.exit_code == 0, diagnosed.stderr
    assert len(json.loads(diagnosed.stdout)["studies"]) == 1


def test_init_sheet_refuses_other_names_and_existing_files(tmp_path: Path) -> None:
    wrong = invoke("init", "--sheet", tmp_path / "extraction.csv")
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("thymoscope: error: ")
    there = tmp_path / "there.xlsx"
    there.write_bytes(b"keep")
    again = invoke("init", "--sheet", there)
    assert again.exit_code == 2
    assert there.read_bytes() == b"keep"
