"""docs/api-tour.ipynb runs: its code cells, in order, in one namespace, with plain exec
(no Jupyter needed), each showing something, and the reports showing a forest plot."""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).parents[2] / "docs" / "api-tour.ipynb"


def code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def run_cell(source: str, namespace: dict[str, Any]) -> tuple[Any, str]:
    """(value of the last expression, printed text), as a notebook cell shows them."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(tree, "<cell>", "exec"), namespace)
        value = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    return value, printed.getvalue()


def shown(value: Any, printed: str) -> str:
    """What a notebook would display for the cell."""
    if value is None:
        return printed
    if hasattr(value, "_repr_html_"):
        return str(value._repr_html_())
    return printed + repr(value)


@pytest.fixture(scope="module")
def outputs() -> list[tuple[Any, str]]:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    results = []
    for source in code_cells(NOTEBOOK):
        value, printed = run_cell(source, namespace)
        results.append((source, shown(value, printed)))
    return results


def test_the_notebook_has_code_cells_and_no_stored_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(code) >= 8
    assert all(c["outputs"] == [] for c in code)


def test_every_cell_shows_something(outputs: list[tuple[str, str]]) -> None:
    empty = [source for source, output in outputs if not output.strip()]
    assert empty == []


def test_reports_shown_in_cells_carry_their_forest_plot(outputs: list[tuple[str, str]]) -> None:
    reports = [output for _, output in outputs if 'class="thymoscope-report"' in output]
    assert len(reports) == 3  # the diagnosis, the pair, the review
    assert all("<svg" in report for report in reports)


def test_the_changed_dict_loses_the_unselected_population_finding(
    outputs: list[tuple[str, str]],
) -> None:
    (output,) = [output for source, output in outputs if "selected_by_biomarker" in source]
    assert output == "['high-risk-of-bias']"


def test_the_dict_error_cell_shows_the_located_problem(outputs: list[tuple[str, str]]) -> None:
    (output,) = [output for source, output in outputs if "half_blind" in source]
    assert "design.blinding" in output
    assert "half_blind" in output


def test_run_cell_returns_the_last_expression_and_the_printed_text() -> None:
    namespace: dict[str, Any] = {}
    assert run_cell("x = 2\nprint('hi')\nx * 3", namespace) == (6, "hi\n")
    assert run_cell("y = x + 1", namespace) == (None, "")
    assert namespace["y"] == 3
