"""Extraction sheets (CSV, XLSX) read into studies, with located one-line errors."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import bundled_case_names, make_study
from thymoscope.study.loader import StudyFileError, parse_study
from thymoscope.study.model import Study
from thymoscope.study.sheet import (
    cell_value,
    load_sheet,
    read_sheet,
    sheet_columns,
    study_row,
    template_xlsx,
    write_sheet,
)


def bundled_studies() -> list[Study]:
    root = files("thymoscope.kb.cases")
    return [parse_study(root.joinpath(n).read_text("utf-8"), n) for n in bundled_case_names()]


def with_subgroups() -> Study:
    return make_study(
        schema_version=2,
        covariates={"mean_age": 61.5, "region": "Asia", "centres_in_china": 3},
        population={"exclusions": [], "sepsis_definition": "sepsis_3"},
        subgroups=[
            {
                "name": "Higher-quality trials",
                "by": "study_quality",
                "level": "low risk of bias",
                "trials": 4,
                "effect": {"measure": "risk_ratio", "estimate": 0.9, "ci_low": 0.7, "ci_high": 1.2},
            },
            {
                "name": "Older",
                "by": "age",
                "level": "over 65",
                "effect": {"measure": "risk_ratio", "p_value": 0.04},
            },
        ],
    )


def write_csv_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx_rows(path: Path, rows: list[list[Any]], title: str = "Studies") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def problem_lines(path: Path, **options: Any) -> list[str]:
    with pytest.raises(StudyFileError) as info:
        load_sheet(path, **options)
    lines = str(info.value).splitlines()
    assert lines and all("\n" not in line for line in lines)
    return lines


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_studies_written_as_a_sheet_read_back_equal(tmp_path: Path, suffix: str) -> None:
    studies = [*bundled_studies(), with_subgroups()]
    path = tmp_path / f"studies{suffix}"
    write_sheet(studies, path)
    assert load_sheet(path) == studies


def test_columns_by_label_values_by_label_lists_and_none(tmp_path: Path) -> None:
    path = write_csv_text(
        tmp_path / "s.csv",
        "Study id,Title,Indication,Endpoint read,Given together with,Role of thymalfasin,"
        "Excluded by the protocol,Subgroup 1: name,subgroup 1: grouped by,Blinding\n"
        "s1,A trial,sepsis,at end of therapy,standard care; ulinastatin,adjuvant,none,"
        "Older,age,\n",
    )
    (study,) = load_sheet(path)
    assert study.schema_version == 2  # a sheet is read as version 2
    assert study.primary_endpoint.timing is not None
    assert study.primary_endpoint.timing.value == "end_of_therapy"
    assert [c.value for c in study.intervention.combined_with or []] == [
        "standard_of_care",
        "ulinastatin",
    ]
    assert study.population.exclusions == []  # 'none' is the empty list
    assert study.design.blinding is None  # an empty cell is unknown
    assert study.subgroups[0].name == "Older"


def test_semicolon_separated_csv_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(
        "id;title;indication;design.sample_size\ns;T;cancer;1,100\n".encode("utf-8-sig")
    )
    (study,) = load_sheet(path)
    assert study.design.sample_size == 1100


def test_a_bad_cell_names_file_row_and_column_csv(tmp_path: Path) -> None:
    path = write_csv_text(
        tmp_path / "s.csv",
        "id,title,indication,design.blinding\nok,A,sepsis,open\nbad,B,sepsis,triple\n",
    )
    assert problem_lines(path) == [
        f"{path}:3: design.blinding: 'triple' is not allowed; expected one of open, single, double"
    ]
    # the good row is still read when rows are taken one by one
    results = read_sheet(path)
    assert isinstance(results[0][1], Study)
    assert results[1][0] == f"{path}:3" and isinstance(results[1][1], StudyFileError)


def test_a_bad_cell_names_file_sheet_row_and_column_xlsx(tmp_path: Path) -> None:
    path = write_xlsx_rows(
        tmp_path / "s.xlsx",
        [
            [
                "id",
                "title",
                "indication",
                "Sample size",
                "result.effect.measure",
                "result.effect.estimate",
                "result.effect.ci_low",
                "result.effect.ci_high",
            ],
            ["a", "A", "sepsis", "many", None, None, None, None],
            [None] * 8,
            ["b", "B", "sepsis", 100, "odds_ratio", 0.8, 0.9, 0.7],
        ],
    )
    lines = problem_lines(path)
    assert lines[0] == f"{path}:Studies:2: Sample size: expected a whole number, got 'many'"
    assert lines[1].startswith(f"{path}:Studies:4: result.effect.ci_low: ci_low 0.9 is above")


def test_model_errors_point_at_the_sheet_column_of_the_right_subgroup(tmp_path: Path) -> None:
    # only subgroup 2 is filled in: its problem must still name subgroups.2
    path = write_csv_text(
        tmp_path / "s.csv",
        "id,title,indication,subgroups.2.name,subgroups.2.by,Subgroup 2: level\n"
        "s,T,sepsis,Quality,study_quality,medium\n",
    )
    (line,) = problem_lines(path)
    assert line.startswith(f"{path}:2: Subgroup 2: level: 'medium' is not a study-quality level")


def test_a_missing_required_field_names_its_column(tmp_path: Path) -> None:
    path = write_csv_text(tmp_path / "s.csv", "id,indication\ns,sepsis\n")
    assert problem_lines(path) == [f"{path}:2: title: required field is missing"]


def test_header_problems_are_on_row_1_with_a_suggestion(tmp_path: Path) -> None:
    path = write_csv_text(
        tmp_path / "s.csv",
        "id,title,indication,design.blindng,subgroups.0.name,result.effect,Title\ns,T,sepsis,,,,\n",
    )
    lines = problem_lines(path)
    assert lines[0] == f"{path}:1: design.blindng: unknown column (did you mean 'design.blinding'?)"
    assert (
        lines[1] == f"{path}:1: subgroups.0.name: subgroups are numbered from 1 in a sheet "
        "(subgroups.1.name)"
    )
    assert lines[2].startswith(f"{path}:1: result.effect: is a group of fields")
    assert lines[3] == f"{path}:1: Title: same field as the column 'title'"


def test_a_date_cell_and_a_missing_sheet_in_xlsx(tmp_path: Path) -> None:
    import datetime as dt

    path = write_xlsx_rows(
        tmp_path / "s.xlsx",
        [["id", "title", "indication"], ["s", dt.date(2024, 1, 2), "sepsis"]],
        title="Extraction",
    )
    (line,) = problem_lines(path)
    assert line.startswith(f"{path}:Extraction:2: title: the cell holds a date")
    assert problem_lines(path, sheet="Nope") == [f"{path}: no sheet 'Nope'; sheets: Extraction"]


def test_files_that_are_not_sheets(tmp_path: Path) -> None:
    fake = tmp_path / "s.xlsx"
    fake.write_text("id,title\n")
    assert problem_lines(fake) == [f"{fake}: not an XLSX workbook"]
    assert problem_lines(tmp_path / "gone.csv") == [f"{tmp_path / 'gone.csv'}: no such file"]
    latin = tmp_path / "l.csv"
    latin.write_bytes(b"id,title,indication\ns,caf\xe9,sepsis\n")
    assert "not UTF-8" in problem_lines(latin)[0]
    empty = write_csv_text(tmp_path / "e.csv", "id,title,indication\n,,\n")
    assert problem_lines(empty) == [f"{empty}: the sheet holds no study rows"]


def test_formula_like_text_is_data_not_a_formula(tmp_path: Path) -> None:
    study = make_study(title='=HYPERLINK("http://example.org")', citation="-2+3")
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"s{suffix}"
        write_sheet([study], path)
        assert load_sheet(path) == [study]
    text = (tmp_path / "s.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-2+3" in text
    cell = openpyxl.load_workbook(tmp_path / "s.xlsx")["Studies"]["C2"]
    assert cell.data_type == "s"


def test_cell_values() -> None:
    assert cell_value("design.allocation_concealment", "Yes") is True
    assert cell_value("design.allocation_concealment", False) is False
    assert cell_value("intervention.dose", "1.6") == 1.6
    assert cell_value("design.sample_size", 120.0) == 120
    assert cell_value("primary_endpoint.timing", "End of therapy") == "end_of_therapy"
    assert cell_value("subgroups.0.by", "baseline immune status") == "immune_status"
    assert cell_value("covariates.n", "12") == 12
    assert cell_value("secondary_endpoints", "cd4;  SOFA score ;") == ["cd4", "sofa"]
    assert cell_value("design.type", "  ") is None
    with pytest.raises(ValueError, match="did you mean 'double'"):
        cell_value("design.blinding", "doubel")
    with pytest.raises(ValueError, match="expected yes or no"):
        cell_value("population.selected_by_biomarker", "maybe")


def test_template_has_header_one_example_row_and_drop_downs(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    template_xlsx(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Studies"]
    header = [c.value for c in sheet[1]]
    assert header == sheet_columns(2)
    assert sheet.max_row == 2
    assert book["Lists"].sheet_state == "hidden"
    checks = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    column = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(header, 1)}
    timing = checks[f"{column['primary_endpoint.timing']}2"]
    assert timing.type == "list" and timing.showErrorMessage
    lists = book["Lists"]
    ref = timing.formula1.split("!")[1].replace("$", "")
    values = [c.value for row in lists[ref] for c in row]
    assert values == ["end_of_therapy", "after_therapy", "time_to_event"]
    assert f"{column['design.allocation_concealment']}2" in checks  # yes/no columns too
    assert not checks[f"{column['secondary_endpoints']}2"].showErrorMessage  # 'a; b' allowed
    assert f"{column['title']}2" not in checks
    ((_, example),) = read_sheet(path)
    assert isinstance(example, Study)
    assert study_row(example)["id"] == sheet["B2"].value


def test_covariate_columns_and_their_errors(tmp_path: Path) -> None:
    path = write_csv_text(
        tmp_path / "s.csv",
        "id,title,indication,covariates.mean_age,Covariate region,covariates.Bad\n"
        "s,T,sepsis,61.5,Asia,\n"
        "t,T,sepsis,60,Europe,3\n",
    )
    results = read_sheet(path)
    first = results[0][1]
    assert isinstance(first, Study) and first.covariates == {"mean_age": 61.5, "region": "Asia"}
    error = results[1][1]
    assert isinstance(error, StudyFileError)
    assert str(error).startswith(f"{path}:3: covariates.Bad: 'Bad' is not a covariate name")


def test_a_version_1_row_using_a_version_2_field_is_told_so(tmp_path: Path) -> None:
    path = write_csv_text(
        tmp_path / "s.csv",
        "schema_version,id,title,indication,Product given\n1,s,T,sepsis,thymalfasin\n",
    )
    (line,) = problem_lines(path)
    assert line.startswith(f"{path}:2: Product given: the field 'product' was added")
