"""`thymoscope rules [ID]`: the knowledge base, finding by finding, with its rules (the
document is built by :mod:`thymoscope.report.rules`)."""

from __future__ import annotations

from typing import Annotated

import typer

from thymoscope.cli.output import Format, FormatOption


def rules(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A finding id (or a rule's name): show that one finding in full.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.text,
) -> None:
    """List the knowledge base, or show one finding: what its rules test, thresholds and
    their sources, texts, FAQ sections and the bundled cases that fire it.
    """
    from thymoscope.cli.output import terminal_style, write_stdout
    from thymoscope.report.render import render
    from thymoscope.report.rules import UnknownRule, finding_document, rules_document

    if name is None:
        document = rules_document()
    else:
        try:
            document = finding_document(name)
        except UnknownRule as exc:
            typer.echo(f"thymoscope: error: {exc}", err=True)
            raise typer.Exit(2) from None
    color, width = terminal_style()
    write_stdout(render(document, fmt.value, color=color and fmt is Format.text, width=width))
