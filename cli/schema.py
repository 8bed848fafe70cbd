"""`thymoscope schema [--report | --comparison | --review]`: JSON Schema of inputs or outputs."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from thymoscope.cli.output import OutputOption


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
    review: Annotated[
        bool, typer.Option("--review", help="The schema of `review --format json` output.")
    ] = False,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of the study file (or, with --report, of the JSON report)."""
    from thymoscope.cli.output import OutputError, emit, fail, is_stdout, note, refuse, shown

    if report + comparison + review > 1:
        raise fail("choose one of --report, --comparison and --review")
    if review:
        from thymoscope.synthesis.schema import review_schema

        document = review_schema()
    elif comparison:
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
        raise refuse(exc) from None
    if output is not None and not is_stdout(output):
        note(f"wrote the schema to {shown(output)}")
