"""The `thymoscope` command line (typer). Each command lives in its own module.

Command modules import only typer and the standard library at the top; the engine,
the knowledge base and the renderers are imported inside the command functions, so
``thymoscope --version`` and ``--help`` start fast.

Exit status: 0 success, 2 bad input or usage, 1 internal fault (one line on stderr;
set THYMOSCOPE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

app = typer.Typer(
    name="thymoscope",
    help="Explain why Thymalfasin studies disagree. Research use on studies, not patients.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from thymoscope import __version__

        typer.echo(f"thymoscope {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Explain why Thymalfasin studies disagree. Research use on studies, not patients."""


def main() -> None:
    """Entry point: run the app; an unexpected exception is one line and exit status 1."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("thymoscope: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (`thymoscope ... | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("THYMOSCOPE_DEBUG") == "1":
            raise
        message = " ".join(str(exc).split()) or "no details"
        sys.stderr.write(f"thymoscope: internal error: {type(exc).__name__}: {message}\n")
        sys.exit(1)


from thymoscope.cli import ask as _ask  # noqa: E402
from thymoscope.cli import compare as _compare  # noqa: E402
from thymoscope.cli import demo as _demo  # noqa: E402
from thymoscope.cli import diagnose as _diagnose  # noqa: E402
from thymoscope.cli import init as _init  # noqa: E402
from thymoscope.cli import rules as _rules  # noqa: E402
from thymoscope.cli import schema as _schema  # noqa: E402

app.command("diagnose")(_diagnose.diagnose)
app.command("compare")(_compare.compare)
app.command("ask")(_ask.ask)
app.command("rules")(_rules.rules)
app.command("schema")(_schema.schema)
app.command("init")(_init.init)
app.command("demo")(_demo.demo)
app.command("review")(__import__("thymoscope.cli.review", fromlist=["review"]).review)
