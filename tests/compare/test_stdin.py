"""compare reads a study from standard input as diagnose does (``-``), once."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from thymoscope.cli.app import app
from thymoscope.kb.comparison import bundled_case_path

OPEN = bundled_case_path("sepsis-small-open-rct")
LARGE = bundled_case_path("sepsis-large-double-blind-null")


def test_dash_compares_the_study_on_stdin_with_a_file() -> None:
    result = CliRunner().invoke(
        app, ["compare", "-", str(LARGE), "-f", "json"], input=OPEN.read_bytes()
    )
    assert result.exit_code == 0, result.output
    [pair] = json.loads(result.stdout)["comparisons"]
    assert pair["a"]["source"] == "<stdin>"
    assert pair["a"]["id"] == "sepsis-small-open-rct"
    assert pair["b"]["id"] == "sepsis-large-double-blind-null"


def test_stdin_named_twice_is_read_once_and_said_so() -> None:
    result = CliRunner().invoke(app, ["compare", "-", "-"], input=OPEN.read_bytes())
    assert result.exit_code == 2
    assert "<stdin>: standard input can be read only once" in result.stderr
    assert result.stdout == ""


def test_a_bad_study_on_stdin_is_located() -> None:
    bad = b"schema_version: 1\nid: x\ntitle: t\nindication: sepsi\n"
    result = CliRunner().invoke(app, ["compare", "-", str(LARGE), str(OPEN)], input=bad)
    assert result.exit_code == 2  # the two files are still compared
    assert result.stderr.startswith("<stdin>:4: indication: ")
    assert "sepsis-small-open-rct" in result.stdout
