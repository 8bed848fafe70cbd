"""`compare` at scale (usability review items 12, 13, 26; issue 12 items 5 and 7).

Built from the review's examples: compare printed install paths (site-packages/...) for
bundled cases; `compare DIR` on the bundled cases gave 45 pairs in 7,715 lines with no
matrix and with pairs across indications; the side-by-side table did not show which
rows differ; the text table was fixed at about 100 columns.
"""

from __future__ import annotations

import csv
import json
import re
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from thymoscope.cli.app import app
from thymoscope.cli.compare import compare_inputs
from thymoscope.kb.comparison import bundled_case_path
from thymoscope.report.comparison import comparison_report
from thymoscope.report.comparison_schema import comparison_schema
from thymoscope.report.render import render
from thymoscope.study.loader import load_study
from thymoscope.study.sheet import write_sheet

runner = CliRunner()
CASES = Path(str(files("thymoscope.kb.cases")))
CASE_COUNT = len(list(CASES.glob("*.yaml")))
INSTALL_ROOT = str(CASES.parent.parent)  # .../site-packages/thymoscope or the checkout


def _text(paths: list[Path], width: int, *, brief: bool = False, across: bool = False) -> str:
    comparisons, labels, problems, _, skipped = compare_inputs(paths, [], across)
    document = comparison_report(
        comparisons, problems, labels, skipped_across_indications=skipped, brief=brief
    )
    return render(document, "text", width=width)


def test_bundled_cases_are_named_as_such_never_by_install_path() -> None:
    for args in (
        ["compare", "--pair", "sepsis-small-vs-large"],
        ["compare", str(bundled_case_path("sepsis-small-open-rct")), str(CASES)],
    ):
        for fmt in ("text", "json", "html", "markdown"):
            result = runner.invoke(app, [*args, "-f", fmt])
            assert result.exit_code == 0, result.output
            assert INSTALL_ROOT not in result.stdout, fmt
            assert "site-packages" not in result.stdout
            assert "bundled case sepsis-small-open-rct" in result.stdout
    document = json.loads(
        runner.invoke(app, ["compare", "--pair", "sepsis-small-vs-large", "-f", "json"]).stdout
    )
    assert document["comparisons"][0]["a"]["source"] == "bundled case sepsis-small-open-rct"


def test_a_copied_case_keeps_its_own_path(tmp_path: Path) -> None:
    for name in ("sepsis-small-open-rct", "sepsis-large-double-blind-null"):
        (tmp_path / f"{name}.yaml").write_text(bundled_case_path(name).read_text())
    result = runner.invoke(app, ["compare", str(tmp_path), "-f", "json"])
    sources = {c["a"]["source"] for c in json.loads(result.stdout)["comparisons"]}
    assert sources == {str(tmp_path / "sepsis-large-double-blind-null.yaml")}


def test_folder_of_bundled_cases_opens_with_a_matrix_grouped_by_indication() -> None:
    result = runner.invoke(app, ["compare", str(CASES), "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    groups = document["matrix"]
    assert [g["indication"] for g in groups] == ["cancer", "chronic_hepatitis_b", "sepsis"]
    pairs = [p for g in groups for p in g["pairs"]]
    # every pair in the matrix is one detailed comparison, numbered in reading order
    assert [p["number"] for p in pairs] == list(range(1, len(document["comparisons"]) + 1))
    for group in groups:
        for p in group["pairs"]:
            part = document["comparisons"][p["number"] - 1]
            assert part["a"]["indication"] == part["b"]["indication"] == group["indication"]
            assert p["outcome"] == part["outcome"]
    total = CASE_COUNT * (CASE_COUNT - 1) // 2
    assert len(pairs) + document["skipped_across_indications"] == total
    assert document["skipped_across_indications"] > 0


@pytest.mark.parametrize("extra", [[], ["--cross-indication", "--brief"]])
def test_matrix_document_validates_against_the_published_schema(extra: list[str]) -> None:
    result = runner.invoke(app, ["compare", str(CASES), *extra, "-f", "json"])
    jsonschema.validate(json.loads(result.stdout), comparison_schema())


def test_cross_indication_pairs_only_on_request() -> None:
    result = runner.invoke(app, ["compare", str(CASES), "--cross-indication", "-f", "json"])
    document = json.loads(result.stdout)
    assert len(document["comparisons"]) == CASE_COUNT * (CASE_COUNT - 1) // 2
    assert document["skipped_across_indications"] == 0
    assert document["matrix"][-1]["indication"] is None
    assert document["matrix"][-1]["label"] == "Across indications"


def test_two_studies_of_different_indications_say_how_to_compare_them() -> None:
    a, b = bundled_case_path("sepsis-small-open-rct"), bundled_case_path("chb-rct-end-of-therapy")
    result = runner.invoke(app, ["compare", str(a), str(b)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "--cross-indication" in result.stderr
    assert runner.invoke(app, ["compare", str(a), str(b), "--cross-indication"]).exit_code == 0


def test_brief_is_the_matrix_only_and_short() -> None:
    brief = runner.invoke(app, ["compare", str(CASES), "--cross-indication", "--brief"])
    full = runner.invoke(app, ["compare", str(CASES), "--cross-indication"])
    assert brief.exit_code == full.exit_code == 0
    pairs = CASE_COUNT * (CASE_COUNT - 1) // 2
    lines = brief.stdout.count("\n")
    # a line per pair and per study, headings and the legend: nothing per finding
    assert lines < pairs + 3 * CASE_COUNT + 40, brief.stdout
    assert "What differs" not in brief.stdout and "Side by side" not in brief.stdout
    assert full.stdout.count("\n") > 10 * lines
    assert "Pairs by indication" in brief.stdout and "Research use only" in brief.stdout


def test_default_folder_report_is_far_shorter_than_the_review_found() -> None:
    """The review: 45 pairs, 7,715 lines. Without pairs across indications the bundled
    folder gives a dozen pairs; the matrix comes first."""
    text = runner.invoke(app, ["compare", str(CASES)]).stdout
    assert text.count("\n") < 7715 / 3
    assert text.index("Pairs by indication") < text.index("Pair 1 ·")


@pytest.mark.parametrize("width", [60, 72, 100])
def test_text_holds_at_the_terminal_width(width: int) -> None:
    """The matrix and a pair's tables fit ``width`` columns; the findings, forest plot and
    closing notice are shared parts of every report, laid out by their own templates."""
    matrix = _text([CASES], width, brief=True, across=True)
    pair = _text(
        [CASES / "sepsis-small-open-rct.yaml", CASES / "sepsis-meta-analysis-11-rcts.yaml"], width
    )
    pair = pair[: pair.index("What differs, and what it means")]
    forest = ("◀", "├", "┤", "┴", "favours", "Forest plot")
    lines = matrix.splitlines()[:-1] + [
        line for line in pair.splitlines() if not any(s in line for s in forest)
    ]
    assert [line for line in lines if len(line) > width] == []
    assert any(len(line) > width - 10 for line in lines)  # and uses the width it has


def test_matrix_words_never_call_compatible_effects_the_same() -> None:
    text = _text([CASES], 60, brief=True)
    assert "difference not shown" in text and "only significance differs" in text
    lowered = " ".join(text.lower().split())
    assert "not evidence that the effects are the same" in lowered
    rest = lowered.replace("not evidence that the effects are the same", "")
    for claim in ("effects are the same", "no difference between", "the effects agree"):
        assert claim not in rest


def test_meta_analysis_and_trial_pair_is_marked_as_possibly_sharing_participants() -> None:
    text = _text(
        [
            CASES / "sepsis-meta-analysis-11-rcts.yaml",
            CASES / "sepsis-small-open-rct.yaml",
            CASES / "sepsis-large-double-blind-null.yaml",
        ],
        80,
        brief=True,
    )
    marked = [line for line in text.splitlines() if re.search(r"\bS\d+–S\d+\b", line)]
    assert len(marked) == 3
    assert sum("*" in line for line in marked) == 2  # the meta-analysis with each trial
    assert "may share participants" in text


def test_side_by_side_highlights_the_rows_that_differ() -> None:
    args = ["compare", "--pair", "sepsis-small-vs-large"]
    html = runner.invoke(app, [*args, "-f", "html"]).stdout
    rows = re.findall(
        r'<tr class="status-(\w+)"><td class="mark">[^<]*</td><td title="([^"]+)"', html
    )
    status = dict((path, s) for s, path in rows)
    assert status["design.blinding"] == "differs"
    assert status["intervention.dose"] == "same"
    assert "tr.status-differs td { background" in html
    markdown = runner.invoke(app, [*args, "-f", "markdown"]).stdout
    assert "| **≠ Blinding** | **open label** | **double blind** | **differs** |" in markdown
    assert "| Dose | 1.6 mg | 1.6 mg | same |" in markdown
    text = runner.invoke(app, args).stdout
    assert re.search(r"^  ≠ Blinding\b", text, re.M)
    # the facts alike are summed up in one paragraph, not a row each
    same = " ".join(text[text.index("Same in both:") :].split())
    assert "Dose: 1.6 mg;" in same
    assert not re.search(r"^  . Dose\b", text, re.M)


def _sheet(tmp_path: Path, suffix: str, names: list[str]) -> Path:
    path = tmp_path / f"extraction{suffix}"
    write_sheet([load_study(bundled_case_path(n)) for n in names], path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_extraction_sheet_is_compared_row_by_row(tmp_path: Path, suffix: str) -> None:
    names = [
        "sepsis-small-open-rct",
        "sepsis-large-double-blind-null",
        "sepsis-meta-analysis-11-rcts",
    ]
    sheet = _sheet(tmp_path, suffix, names)
    result = runner.invoke(app, ["compare", str(sheet), "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["comparisons"]) == 3
    sources = {c["a"]["source"] for c in document["comparisons"]}
    assert all(s.startswith(str(sheet)) for s in sources)
    direct = runner.invoke(
        app, ["compare", *(str(bundled_case_path(n)) for n in names), "-f", "json"]
    )
    verdicts = sorted((c["a"]["id"], c["b"]["id"], c["outcome"]) for c in document["comparisons"])
    expected = sorted(
        (c["a"]["id"], c["b"]["id"], c["outcome"]) for c in json.loads(direct.stdout)["comparisons"]
    )
    assert verdicts == expected


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bad_sheet_cell_names_file_sheet_row_and_column(tmp_path: Path, suffix: str) -> None:
    names = [
        "sepsis-small-open-rct",
        "sepsis-large-double-blind-null",
        "sepsis-meta-analysis-11-rcts",
    ]
    sheet = _sheet(tmp_path, suffix, names)
    if suffix == ".csv":
        with sheet.open(newline="") as handle:
            rows = list(csv.reader(handle))
        rows[2][rows[0].index("design.blinding")] = "half"
        with sheet.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        where = f"{sheet}:3"
    else:
        from openpyxl import load_workbook

        book = load_workbook(sheet)
        studies = book["Studies"]
        header = [cell.value for cell in studies[1]]
        studies.cell(row=3, column=header.index("design.blinding") + 1, value="half")
        book.save(sheet)
        where = f"{sheet}:Studies:3"
    result = runner.invoke(app, ["compare", str(sheet)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{where}: design.blinding:")
    # the two good rows are still compared
    assert "thymoscope compare · 1 pair" in result.stdout


def test_matrix_counts_factors_that_cannot_be_compared() -> None:
    """A pair with nothing found differing but facts unreported must not read as alike."""
    document = json.loads(
        runner.invoke(
            app,
            [
                "compare",
                str(CASES / "sepsis-meta-analysis-11-rcts.yaml"),
                str(CASES / "sepsis-small-open-rct.yaml"),
                "-f",
                "json",
            ],
        ).stdout
    )
    entry = document["matrix"][0]["pairs"][0]
    part = document["comparisons"][0]
    unknown = [f["factor"] for f in part["factors"] if f["status"] == "unknown"]
    assert entry["factors_unknown"] == unknown and unknown
    therapy = next(f for f in part["factors"] if f["factor"] == "therapy_role")
    assert therapy["unknown_words"] == ["A: Role of thymalfasin"]
    text = _text(
        [
            CASES / "sepsis-meta-analysis-11-rcts.yaml",
            CASES / "sepsis-small-open-rct.yaml",
            CASES / "sepsis-large-double-blind-null.yaml",
        ],
        60,
        brief=True,
    )
    row = next(line for line in text.splitlines() if "S1–S2" in line)
    assert row.split()[-1] == str(len(unknown))
