"""`thymoscope init [PATH]`: start a study file from a commented template.

The template (``templates/study-template.yaml.j2``) is itself a valid study, an
invented example; its comments list the allowed values, taken from the vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def study_template() -> str:
    """The commented template study file, as text."""
    from thymoscope import RESEARCH_NOTICE
    from thymoscope.report.render import environment
    from thymoscope.study import vocabulary
    from thymoscope.study.model import SCHEMA_VERSION

    def choices(name: str) -> str:
        return " | ".join(member.value for member in getattr(vocabulary, name))

    template = environment().get_template("study-template.yaml.j2")
    text: str = template.render(
        choices=choices, notice=RESEARCH_NOTICE, schema_version=SCHEMA_VERSION
    )
    return text


def init(
    path: Annotated[
        Path | None,
        typer.Argument(help="File to create (default: print the template to stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a commented template study file to fill in."""
    from thymoscope import RESEARCH_NOTICE
    from thymoscope.cli.output import OutputError, refuse, write_atomic, write_stdout

    text = study_template()
    if path is None:
        write_stdout(text)
        return
    if (path.exists() or path.is_symlink()) and not force:
        typer.echo(f"thymoscope: {path}: already exists (use --force to overwrite it)", err=True)
        raise typer.Exit(2)
    try:
        write_atomic(path, text)
    except OutputError as exc:
        raise refuse(exc) from None
    typer.echo(f"Wrote {path}. Replace the example values, then run: thymoscope diagnose {path}")
    typer.echo(RESEARCH_NOTICE)
