"""`thymoscope review`: inputs, exclusions with reasons, formats, schema, exit status."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cli.helpers import invoke, write_bad, write_study
from tests.conftest import DELETE
from thymoscope.synthesis.schema import review_schema

TRIALS = [
    ("a.yaml", "open", 0.42, 0.19, 0.93),
    ("b.yaml", "double", 0.90, 0.72, 1.12),
    ("c.yaml", "open", 0.50, 0.30, 0.83),
    ("d.yaml", "double", 0.85, 0.66, 1.09),
]


def write_body(folder: Path) -> list[Path]:
    return [
        write_study(
            folder,
            name,
            design={"blinding": blinding},
            result={"effect": {"estimate": est, "ci_low": low, "ci_high": high, "p_value": DELETE}},
        )
        for name, blinding, est, low, high in TRIALS
    ]


def review_json(*args: Any) -> dict[str, Any]:
    result = invoke("review", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator(review_schema()).validate(document)
    return document


def test_a_folder_is_pooled_and_the_json_follows_its_schema(tmp_path: Path) -> None:
    write_body(tmp_path)
    document = review_json(tmp_path)
    (outcome,) = document["outcomes"]
    assert outcome["k"] == 4
    assert outcome["measure"] == "odds_ratio"
    assert outcome["favours"] == {"low": "favours thymalfasin", "high": "favours control"}
    pooled = outcome["pooled"]
    assert pooled["method"] == "reml"
    assert isinstance(pooled["heterogeneity"]["i2"], float)
    assert 0.42 < pooled["estimate"] < 0.9
    assert pooled["ci_low"] < pooled["estimate"] < pooled["ci_high"]
    assert math.isclose(sum(s["weight"] for s in outcome["studies"]), 100.0)
    assert [s["ci_as_reported"] for s in outcome["studies"]] == [True] * 4
    assert len(outcome["leave_one_out"]) == 4
    assert outcome["egger"] is None
    assert "Egger's test not run: fewer than 10 studies" in outcome["notes"]


def test_schema_command_prints_the_review_schema() -> None:
    result = invoke("schema", "--review")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$id"] == "urn:thymoscope:review:v1"
    assert invoke("schema", "--review", "--report").exit_code == 2


def test_method_and_hksj_options_reach_the_statistics(tmp_path: Path) -> None:
    write_body(tmp_path)
    reml = review_json(tmp_path)["outcomes"][0]["pooled"]
    dl = review_json(tmp_path, "--method", "dl", "--hksj")["outcomes"][0]["pooled"]
    assert dl["method"] == "dl"
    assert dl["test"] == "t" and dl["ci"]["distribution"] == "t" and dl["ci"]["df"] == 3
    assert reml["test"] == "z"


def test_subgroups_by_a_study_field_report_both_tests(tmp_path: Path) -> None:
    write_body(tmp_path)
    outcome = review_json(tmp_path, "--by", "design.blinding")["outcomes"][0]
    subgroups = outcome["subgroups"]
    assert [g["level"] for g in subgroups["groups"]] == ["open", "double"]
    assert subgroups["separate_tau2"]["df"] == 1
    assert subgroups["common_tau2"]["df"] == 1
    assert 0 <= subgroups["common_tau2"]["p_value"] <= 1


def test_an_unknown_field_for_by_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write_body(tmp_path)
    result = invoke("review", tmp_path, "--by", "design.blindng")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "design.blindng" in result.stderr


def test_meta_analysis_is_never_pooled_with_trials(tmp_path: Path) -> None:
    write_body(tmp_path)
    write_study(tmp_path, "meta.yaml", design={"type": "meta_analysis", "trials": 11})
    document = review_json(tmp_path)
    assert document["outcomes"][0]["k"] == 4
    (excluded,) = document["excluded"]
    assert excluded["id"] == "meta"
    assert "never pooled with trials" in excluded["reason"]


def test_meta_analysis_strata_are_read_as_a_body() -> None:
    from importlib.resources import files

    path = Path(str(files("thymoscope.kb.cases").joinpath("sepsis-meta-analysis-11-rcts.yaml")))
    document = review_json(path)
    (outcome,) = document["outcomes"]
    assert [s["estimate"] for s in outcome["studies"]] == [0.41, 0.82]
    het = outcome["pooled"]["heterogeneity"]
    # the FAQ's strata differ: Q-test on the two log ORs, p = 0.017 (as `compare` says)
    assert het["p_value"] == pytest.approx(0.017, abs=5e-4)
    reasons = {x["id"]: x["reason"] for x in document["excluded"]}
    assert (
        "stratum reports no effect"
        in reasons["sepsis-meta-analysis-11-rcts/Cancer or diabetes comorbidity"]
    )


def test_a_study_without_a_result_is_listed_with_its_reason(tmp_path: Path) -> None:
    write_body(tmp_path)
    write_study(tmp_path, "no-effect.yaml", result={"effect": DELETE})
    document = review_json(tmp_path)
    (excluded,) = document["excluded"]
    assert excluded["id"] == "no-effect"
    assert "result.effect" in excluded["reason"]


def test_outcomes_are_kept_apart_by_measure(tmp_path: Path) -> None:
    write_body(tmp_path)
    write_study(
        tmp_path,
        "hr.yaml",
        result={
            "effect": {"measure": "hazard_ratio", "estimate": 0.8, "ci_low": 0.6, "ci_high": 1.1}
        },
    )
    document = review_json(tmp_path)
    assert [o["k"] for o in document["outcomes"]] == [4, 1]
    single = document["outcomes"][1]
    assert single["measure"] == "hazard_ratio"
    assert single["pooled"] is None
    assert "a single study: nothing to pool" in single["notes"]


def test_an_invalid_file_is_reported_and_the_rest_reviewed(tmp_path: Path) -> None:
    write_body(tmp_path)
    write_bad(tmp_path)
    result = invoke("review", tmp_path, "-f", "json")
    assert result.exit_code == 2
    assert "bad.yaml:4: indication" in result.stderr
    document = json.loads(result.stdout)
    assert document["outcomes"][0]["k"] == 4
    assert len(document["errors"]) == 1


def test_text_output_has_the_plot_and_the_numbers(tmp_path: Path) -> None:
    write_body(tmp_path)
    result = invoke("review", tmp_path)
    assert result.exit_code == 0
    assert "◆" in result.stdout and "■" in result.stdout
    assert "0.42 (0.19 to 0.93)" in result.stdout
    assert "favours thymalfasin" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_ascii_fallback(tmp_path: Path) -> None:
    write_body(tmp_path)
    result = invoke("review", tmp_path, env={"THYMOSCOPE_ASCII": "1"})
    assert result.exit_code == 0
    # the plot: from the outcome's underline to the first blank line
    plot = result.stdout.split("═\n", 1)[1].split("\n\n")[0]
    assert plot.isascii()
    assert "#" in plot and "O" in plot and "<- favours thymalfasin" in plot


def test_markdown_output_has_a_fenced_plot_and_a_table(tmp_path: Path) -> None:
    write_body(tmp_path)
    result = invoke("review", tmp_path, "-f", "markdown")
    assert result.exit_code == 0
    assert "```text\n" in result.stdout
    assert "| Study | odds ratio (95% CI) | Weight |" in result.stdout


def test_html_output_is_an_inline_svg_with_an_accessible_table(tmp_path: Path) -> None:
    paths = write_body(tmp_path)
    text = (
        paths[0]
        .read_text(encoding="utf-8")
        .replace("title: ", "title: <script>alert(1)</script> ", 1)
    )
    paths[0].write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "review.html"
    out.parent.mkdir()
    result = invoke("review", tmp_path, "-f", "html", "-o", out)
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and 'role="img"' in page
    assert "<caption>Numbers behind the plot</caption>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
