"""`thymoscope demo`: the command's options; the work is in :mod:`.demo_session`.

Kept apart so that registering the command does not import rich and the
walk-through machinery on every start of `thymoscope`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

MAX_DELAY = 3600.0  # seconds per step with --auto


def _finite_delay(value: float) -> float:
    """``--delay`` must be a number of seconds a class can wait: not inf, nan or negative."""
    if not math.isfinite(value) or not 0 <= value <= MAX_DELAY:
        raise typer.BadParameter(f"{value} is not a number of seconds from 0 to {MAX_DELAY:g}")
    return value


def demo(
    case: Annotated[
        str | None, typer.Argument(help="Case to walk through (name or study id); omit to list.")
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="Folder of your own study files to use instead."),
    ] = None,
    auto: Annotated[bool, typer.Option("--auto", help="Advance by itself after --delay.")] = False,
    delay: Annotated[
        float,
        typer.Option("--delay", callback=_finite_delay, help="Seconds per step with --auto."),
    ] = 8.0,
    no_pause: Annotated[
        bool, typer.Option("--no-pause", help="Print every step without waiting.")
    ] = False,
    quiz: Annotated[
        bool, typer.Option("--quiz", help="Ask which factor explains each finding first.")
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write the walk-through as HTML slides (- for stdout)."),
    ] = None,
) -> None:
    """Walk a class through a case: the facts, then each rule that fired and why."""
    from thymoscope.cli.demo_session import run_demo

    run_demo(case, cases, auto, delay, no_pause, quiz, html)
