"""The forest plot in `compare` (the two estimates) and `diagnose` (a study's strata)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cli.helpers import invoke, write_study
from tests.conftest import bundled_case_names
from thymoscope.report.comparison_schema import comparison_schema
from thymoscope.report.estimates_plot import pair_plot, study_strata_plot
from thymoscope.report.schema import report_schema


def case(name: str) -> Path:
    from importlib.resources import files

    return Path(str(files("thymoscope.kb.cases").joinpath(name)))


META = "sepsis-meta-analysis-11-rcts.yaml"
OPEN, BLIND = "sepsis-small-open-rct.yaml", "sepsis-large-double-blind-null.yaml"


def run(*args: Any) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def test_diagnosis_json_carries_the_strata_plot_and_follows_its_schema() -> None:
    document = json.loads(run("diagnose", case(META), "-f", "json"))
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    (study,) = document["studies"]
    plot = study["forest"]
    assert plot["log_scale"] is True and plot["measure"] == "odds_ratio"
    rows = [(r["kind"], r["label"], r["numbers"]) for r in plot["rows"]]
    assert rows == [
        ("study", "Lower-quality trials", "0.41 (0.24 to 0.68)"),
        ("study", "Higher-quality trials", "0.82 (0.65 to 1.03)"),
        ("pooled", "overall (as reported)", "0.73 (0.59 to 0.90)"),
    ]
    lower, higher, overall = plot["rows"]
    assert lower["x"] < overall["x"] < higher["x"]  # positions follow the estimates
    assert plot["null_x"] is not None and higher["x_high"] > plot["null_x"] > overall["x_high"]
    assert plot["favours"] == {"low": "favours thymalfasin", "high": "favours control"}


def test_a_study_without_two_strata_has_no_plot(tmp_path: Path) -> None:
    document = json.loads(run("diagnose", case(OPEN), "-f", "json"))
    assert document["studies"][0]["forest"] is None
    values = {
        "id": "x",
        "result.effect.measure": "odds_ratio",
        "subgroups.0.name": "only one",
        "subgroups.0.effect.measure": "odds_ratio",
        "subgroups.0.effect.estimate": 0.5,
        "subgroups.0.effect.ci_low": 0.3,
        "subgroups.0.effect.ci_high": 0.9,
    }
    assert study_strata_plot(values) is None
    # a ratio too extreme to draw: no plot rather than an axis reaching 1e-300
    extreme = {
        "subgroups.1.name": "extreme",
        "subgroups.1.effect.measure": "odds_ratio",
        "subgroups.1.effect.estimate": 1e-300,
        "subgroups.1.effect.ci_low": 1e-301,
        "subgroups.1.effect.ci_high": 1e-299,
    }
    assert study_strata_plot(values | extreme) is None
    assert study_strata_plot(values | extreme | {"subgroups.1.effect.estimate": 0.6,
                             "subgroups.1.effect.ci_low": 0.4,
                             "subgroups.1.effect.ci_high": 0.9}) is not None  # fmt: skip
    # a second stratum on another measure is not drawn on the same axis
    second = {
        "name": "hr",
        "effect.measure": "hazard_ratio",
        "effect.estimate": 0.7,
        "effect.ci_low": 0.5,
        "effect.ci_high": 0.9,
    }
    values |= {f"subgroups.1.{k}": v for k, v in second.items()}
    assert study_strata_plot(values) is None


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_diagnosis_shows_the_plot_in_every_format(fmt: str) -> None:
    out = run("diagnose", case(META), "-f", fmt)
    assert "Forest plot" in out
    if fmt == "html":
        assert out.count("<svg") == 1 and out.count('<rect class="study"') == 2
        assert re.search(r'<polygon class="diamond"', out)
        assert "0.82 (0.65 to 1.03)" in out
    else:
        assert "Higher-quality trials" in out and "■" in out and "◆" in out
        assert "← favours thymalfasin favours control →" in out
    if fmt == "markdown":
        assert "```text\n" in out and "| Higher-quality trials | 0.82 (0.65 to 1.03) |" in out


def test_comparison_plot_holds_the_two_estimates() -> None:
    document = json.loads(run("compare", case(OPEN), case(BLIND), "-f", "json"))
    jsonschema.Draft202012Validator(comparison_schema()).validate(document)
    (pair,) = document["comparisons"]
    plot = pair["forest"]
    assert [r["id"] for r in plot["rows"]] == [
        "sepsis-small-open-rct",
        "sepsis-large-double-blind-null",
    ]
    assert [r["numbers"] for r in plot["rows"]] == ["0.42 (0.19 to 0.93)", "0.90 (0.72 to 1.12)"]
    a, b = plot["rows"]
    assert a["x_high"] < plot["null_x"] < b["x_high"]  # A excludes no effect, B does not


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_comparison_shows_the_plot_in_every_format(fmt: str) -> None:
    out = run("compare", case(OPEN), case(BLIND), "-f", fmt)
    assert "Forest plot" in out
    assert ("<svg" in out) == (fmt == "html")
    assert "0.90 (0.72 to 1.12)" in out


def test_no_pair_plot_without_the_same_measure_and_cis() -> None:
    values = {
        "a.result.effect.measure": "odds_ratio",
        "a.result.effect.estimate": 0.5,
        "a.result.effect.ci_low": 0.3,
        "a.result.effect.ci_high": 0.8,
        "b.result.effect.measure": "risk_ratio",
        "b.result.effect.estimate": 0.9,
        "b.result.effect.ci_low": 0.7,
        "b.result.effect.ci_high": 1.1,
    }
    assert pair_plot(values, "a", "b") is None
    values["b.result.effect.measure"] = "odds_ratio"
    assert pair_plot(values, "a", "b") is not None
    values["b.result.effect.ci_low"] = None
    assert pair_plot(values, "a", "b") is None


def test_study_text_in_the_plot_is_escaped(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"'
    path = write_study(
        tmp_path,
        "s.yaml",
        subgroups=[
            {"name": hostile, "by": "other", "effect": {"measure": "odds_ratio", "estimate": 0.5,
                                                        "ci_low": 0.3, "ci_high": 0.9}},
            {"name": "[bold]b[/]", "by": "other", "effect": {"measure": "odds_ratio",
                                                            "estimate": 0.9, "ci_low": 0.6,
                                                            "ci_high": 1.3}},
        ],
    )  # fmt: skip
    html_out = run("diagnose", path, "-f", "html")
    assert "<script>" not in html_out and "&lt;script&gt;" in html_out
    text_out = run("diagnose", path)
    assert "[bold]b[/]" in text_out


def test_every_bundled_case_still_renders() -> None:
    for name in bundled_case_names():
        for fmt in ("text", "html"):
            run("diagnose", case(name), "-f", fmt)
