"""Fixtures for the classroom demo tests: teaching cases kept with the tests, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from thymoscope.cli.demo import demo

CASES = Path(__file__).resolve().parent / "cases"
REPO = Path(__file__).resolve().parents[2]


def run_demo(*args: str, input: str | None = None) -> Result:
    """Invoke ``thymoscope demo ARGS`` in-process (the command function itself)."""
    app = typer.Typer(pretty_exceptions_enable=False)
    app.command("demo")(demo)

    @app.callback()
    def _group() -> None:  # keeps `demo` a sub-command, as in the full CLI
        pass

    return CliRunner().invoke(app, ["demo", *args], input=input)


@pytest.fixture(name="cases_dir")
def _cases_dir() -> Path:
    return CASES
