"""The `thymoscope` command line (typer). Each command lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="thymoscope",
    help="Explain why Thymalfasin studies disagree. Research use on studies, not patients.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()
