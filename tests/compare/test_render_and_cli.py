"""The comparison document, its four renderings and the `thymoscope compare` command."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.compare.helpers import pair
from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.app import app
from thymoscope.kb.comparison import bundled_case_path, bundled_pairs, compare_files
from thymoscope.report.comparison import comparison_report
from thymoscope.report.comparison_schema import comparison_schema
from thymoscope.report.render import FORMATS, render

NOTICE_START = RESEARCH_NOTICE[:30]


def _document() -> dict:
    case = bundled_pairs()["sepsis-small-vs-large"]
    comparison = compare_files(bundled_case_path(case.a), bundled_case_path(case.b))
    return comparison_report(
        [comparison], [], [{"id": case.id, "title": case.title, "note": case.note}]
    )


def test_document_shape_and_schema() -> None:
    document = _document()
    assert document["kind"] == "comparison"
    assert document["notice"] == RESEARCH_NOTICE
    jsonschema.validate(json.loads(json.dumps(document)), comparison_schema())
    part = document["comparisons"][0]
    assert part["verdict"] == "compatible"
    assert part["statistics"]["tested"] is True
    factors = {row["factor"]: row["status"] for row in part["factors"]}
    assert factors["study_quality"] == "differs"
    assert factors["dosing"] == "same"
    assert factors["results"] == "compatible"
    rows = {row["path"]: row for row in part["facts"]}
    assert rows["design.blinding"] == {
        "path": "design.blinding",
        "label": "Blinding",
        "a": "open",
        "b": "double",
        "a_text": "open label",
        "b_text": "double blind",
        "status": "differs",
    }


def test_unknown_fact_shows_as_cannot_compare() -> None:
    document = comparison_report(
        [pair(b={"population": {"immune_status": None, "suppression": []}})]
    )
    jsonschema.validate(json.loads(json.dumps(document)), comparison_schema())
    factors = {row["factor"]: row for row in document["comparisons"][0]["factors"]}
    assert factors["baseline_immunity"]["status"] == "unknown"
    assert factors["baseline_immunity"]["unknown"] == ["b.population.immune_status"]


def test_different_scales_document_says_why() -> None:
    document = comparison_report([pair(b={"result": {"effect": {"measure": "hazard_ratio"}}})])
    jsonschema.validate(json.loads(json.dumps(document)), comparison_schema())
    stats = document["comparisons"][0]["statistics"]
    assert stats["tested"] is False
    assert "different scales" in stats["reason"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_renders_in_every_format(fmt: str) -> None:
    out = render(_document(), fmt)
    assert NOTICE_START in out
    assert "sepsis-small-open-rct" in out and "sepsis-large-double-blind-null" in out
    if fmt != "json":
        assert "Blinding" in out and "double blind" in out  # the side-by-side table
        assert "0.0699" in out  # the between-estimate p-value
        assert "More credible on this" in out


def test_html_escapes_study_text() -> None:
    document = comparison_report([pair(b={"title": "<script>x</script>"})])
    assert "<script>x" not in render(document, "html")


runner = CliRunner()


def test_cli_bundled_pair_json() -> None:
    result = runner.invoke(app, ["compare", "--pair", "chb-end-vs-12-months", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["comparisons"][0]["differences"] == ["differs-in-endpoint-timing"]


def test_cli_files_and_output(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    a = bundled_case_path("sepsis-small-open-rct")
    b = bundled_case_path("sepsis-large-double-blind-null")
    result = runner.invoke(app, ["compare", str(a), str(b), "-f", "markdown", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# thymoscope compare")
    assert NOTICE_START in text


def test_cli_order_of_files_only_swaps_sides() -> None:
    a = str(bundled_case_path("sepsis-small-open-rct"))
    b = str(bundled_case_path("sepsis-large-double-blind-null"))
    one = json.loads(runner.invoke(app, ["compare", a, b, "-f", "json"]).stdout)
    two = json.loads(runner.invoke(app, ["compare", b, a, "-f", "json"]).stdout)
    first, second = one["comparisons"][0], two["comparisons"][0]
    assert sorted(first["finding_ids"]) == sorted(second["finding_ids"])
    flip = {"a": "b", "b": "a", None: None}
    for f, g in zip(
        sorted(first["findings"], key=lambda x: x["id"]),
        sorted(second["findings"], key=lambda x: x["id"]),
        strict=True,
    ):
        assert flip[f["favours"]] == g["favours"]
        assert f["favoured_id"] == g["favoured_id"]


def test_cli_pair_file(tmp_path: Path) -> None:
    for name in ("sepsis-small-open-rct", "sepsis-large-double-blind-null"):
        (tmp_path / f"{name}.yaml").write_text(bundled_case_path(name).read_text())
    pair_file = tmp_path / "mine.yaml"
    pair_file.write_text(
        "schema_version: 1\nid: mine\ntitle: Mine\n"
        "a: sepsis-small-open-rct.yaml\nb: sepsis-large-double-blind-null\n"
    )
    result = runner.invoke(app, ["compare", "--pair", str(pair_file), "-f", "json"])
    assert result.exit_code == 0, result.output
    part = json.loads(result.stdout)["comparisons"][0]
    assert part["pair"]["id"] == "mine"
    assert part["a"]["source"] == str(tmp_path / "sepsis-small-open-rct.yaml")


def test_cli_folder_compares_every_pair(tmp_path: Path) -> None:
    for name in (
        "sepsis-small-open-rct",
        "sepsis-large-double-blind-null",
        "chb-rct-end-of-therapy",
    ):
        (tmp_path / f"{name}.yaml").write_text(bundled_case_path(name).read_text())
    result = runner.invoke(app, ["compare", str(tmp_path), "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # the two sepsis studies; the two pairs across indications only on request
    assert len(document["comparisons"]) == 1
    assert document["skipped_across_indications"] == 2
    result = runner.invoke(app, ["compare", str(tmp_path), "--cross-indication", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["comparisons"]) == 3
    assert [g["indication"] for g in document["matrix"]] == ["sepsis", None]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare"], "compare needs two or more study files"),
        (["compare", "--pair", "no-such-pair"], "no-such-pair: no such bundled pair"),
        (["compare", "MISSING.yaml", "ALSO-MISSING.yaml"], "MISSING.yaml: no such file"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_invalid_study_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: bad\ntitle: Bad\nindication: flu\n")
    good = bundled_case_path("sepsis-small-open-rct")
    other = bundled_case_path("sepsis-large-double-blind-null")
    result = runner.invoke(app, ["compare", str(bad), str(good), str(other), "-f", "json"])
    assert result.exit_code == 2
    assert f"{bad}:4: indication:" in result.stderr
    assert len(json.loads(result.stdout)["comparisons"]) == 1  # the valid pair still compared


def test_cli_list_pairs() -> None:
    result = runner.invoke(app, ["compare", "--list-pairs"])
    assert result.exit_code == 0
    assert "sepsis-small-vs-large" in result.stdout
    # a utility listing, not a report: every stdout line is a pair (usability item 10)
    assert NOTICE_START not in result.stdout
    assert NOTICE_START in result.stderr
    ids = [line.split(":", 1)[0] for line in result.stdout.splitlines()]
    assert ids == list(bundled_pairs())


def test_cli_unknown_pair_says_did_you_mean() -> None:
    result = runner.invoke(app, ["compare", "--pair", "sepsis-small-vs-larg"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "did you mean 'sepsis-small-vs-large'?" in result.stderr


def test_cli_output_onto_a_folder_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", "--pair", "sepsis-small-vs-large", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"thymoscope: error: {tmp_path}: is a directory"


# --- structured statistics and more_credible in the JSON --------------------------------


@pytest.mark.parametrize("pair_id", sorted(bundled_pairs()))
def test_every_bundled_pair_validates_with_structured_statistics(pair_id: str) -> None:
    case = bundled_pairs()[pair_id]
    comparison = compare_files(bundled_case_path(case.a), bundled_case_path(case.b))
    document = json.loads(render(comparison_report([comparison]), "json"))
    jsonschema.validate(document, comparison_schema())
    part = document["comparisons"][0]
    stats = part["statistics"]
    assert stats["tested"] is (part["verdict"] != "not_tested")
    assert (stats["reason"] is None) is stats["tested"]
    assert stats["summary"]
    for finding in part["findings"]:
        assert finding["more_credible"] == finding["favours"]
        if finding["id"].startswith("results-"):
            assert {k: v for k, v in stats.items() if k in finding["statistics"]} == finding[
                "statistics"
            ]
        else:
            assert finding["statistics"] is None


def test_more_credible_is_null_where_credibility_is_not_at_stake() -> None:
    document = comparison_report([pair(b={"population": {"selected_by_biomarker": False}})])
    found = next(
        f
        for f in document["comparisons"][0]["findings"]
        if f["id"] == "differs-in-population-selection"
    )
    assert found["more_credible"] is None and found["expected_larger"] == "a"


def test_extreme_estimates_give_valid_json_and_a_reason() -> None:
    """Security review defect 3 through the comparison: no OverflowError, no NaN."""
    extreme = {"result": {"effect": {"estimate": 1e300, "ci_low": 1e299, "ci_high": 1e300}}}
    tiny = {"result": {"effect": {"estimate": 1e-310, "ci_low": 1e-310, "ci_high": 1e300}}}
    document = comparison_report([pair(a=extreme, b=tiny)])
    text = json.dumps(document, allow_nan=False)
    jsonschema.validate(json.loads(text), comparison_schema())
    stats = document["comparisons"][0]["statistics"]
    assert stats["tested"] is False and "too extreme" in stats["reason"]
    for fmt in FORMATS:
        render(document, fmt)


def test_additive_pair_renders_a_difference() -> None:
    md = {
        "result": {
            "effect": {
                "measure": "mean_difference",
                "estimate": -3.0,
                "ci_low": -5.0,
                "ci_high": -1.0,
            }
        }
    }
    other = {
        "result": {
            "effect": {
                "measure": "mean_difference",
                "estimate": -0.5,
                "ci_low": -1.5,
                "ci_high": 0.5,
            }
        }
    }
    document = comparison_report([pair(a=md, b=other)])
    jsonschema.validate(json.loads(json.dumps(document)), comparison_schema())
    assert document["comparisons"][0]["statistics"]["difference"] == pytest.approx(-2.5)
    for fmt in ("text", "markdown", "html"):
        assert "Difference A−B" in render(document, fmt)


def test_renderings_never_say_the_effects_are_the_same() -> None:
    for fmt in FORMATS:
        out = render(_document(), fmt)
        assert "only the significance differs" not in out
        assert "not the effects" not in out
        assert "difference not shown" in out.lower() or fmt == "json"
