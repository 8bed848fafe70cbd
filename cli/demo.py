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
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Cases, pairs or review sets to walk through (names, study ids or files); "
            "omit to list them (with --html or --handout: the whole course).",
            show_default=False,
        ),
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="Folder of your own study files to use instead."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every case, pair and review set, in turn.")
    ] = False,
    auto: Annotated[bool, typer.Option("--auto", help="Advance by itself after --delay.")] = False,
    delay: Annotated[
        float,
        typer.Option("--delay", callback=_finite_delay, help="Seconds per step with --auto."),
    ] = 8.0,
    no_pause: Annotated[
        bool, typer.Option("--no-pause", help="Print every step without waiting.")
    ] = False,
    quiz: Annotated[
        bool, typer.Option("--quiz", help="Ask questions before each answer is shown.")
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record",
            help="With --quiz: add the answers and the score to this CSV file "
            "(appended; earlier records are kept).",
        ),
    ] = None,
    student: Annotated[
        str, typer.Option("--student", help="Name or id written with --record.")
    ] = "",
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write the slides as one HTML page (- for stdout)."),
    ] = None,
    handout: Annotated[
        Path | None,
        typer.Option("--handout", help="Write a printable handout (HTML) with answer lines."),
    ] = None,
    answer_key: Annotated[
        Path | None,
        typer.Option(
            "--answer-key",
            help="Write the handout's answer key to this file instead of its last pages.",
        ),
    ] = None,
) -> None:
    """Walk a class through cases, pairs and review sets: the facts, then each finding."""
    from thymoscope.cli.demo_session import DemoRequest, run_demo

    run_demo(
        DemoRequest(
            names=list(names or ()),
            cases=cases,
            everything=everything,
            auto=auto,
            delay=delay,
            no_pause=no_pause,
            quiz=quiz,
            record=record,
            student=student,
            html=html,
            handout=handout,
            answer_key=answer_key,
        )
    )
