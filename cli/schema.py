"""`thymoscope schema [--report | --comparison]`: JSON Schema of the study file or outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer


def study_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the study file, from the pydantic model."""
    from thymoscope import RESEARCH_NOTICE
    from thymoscope.study.model import SCHEMA_VERSION, Study

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:thymoscope:study:v{SCHEMA_VERSION}",
        "$comment": RESEARCH_NOTICE,
        **Study.model_json_schema(),
    }


def schema(
    report: Annotated[
        bool,
        typer.Option("--report", help="The schema of the JSON report instead of the study file."),
    ] = False,
    comparison: Annotated[
        bool,
        typer.Option("--comparison", help="The schema of `compare --format json` output."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of the study file (or, with --report, of the JSON report)."""
    from thymoscope.cli.output import OutputError, emit

    if report and comparison:
        typer.echo("thymoscope: choose one of --report and --comparison", err=True)
        raise typer.Exit(2)
    if comparison:
        from thymoscope.report.comparison_schema import comparison_schema

        document = comparison_schema()
    elif report:
        from thymoscope.report.schema import report_schema

        document = report_schema()
    else:
        document = study_schema()
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        emit(text, output)
    except OutputError as exc:
        typer.echo(f"thymoscope: {exc}", err=True)
        raise typer.Exit(2) from None
