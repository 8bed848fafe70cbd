"""Where command output goes: stdout, or a file written atomically.

``write_atomic`` writes a temporary file next to the target and renames it over the
target (``os.replace``), so a reader never sees half a report and a failed run leaves
the old file as it was. It refuses to write onto one of the command's input files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from thymoscope.report.render import DEFAULT_WIDTH


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
]


class OutputError(Exception):
    """The output cannot go where it was asked to; the message is one line."""


def _is_input(real: Path, inputs: Iterable[str | os.PathLike[str]]) -> bool:
    """Whether the output file ``real`` is one of ``inputs`` (also via links)."""
    try:
        target = real.stat()
    except OSError:  # no such file yet: only a missing input could share its name
        return any(os.path.realpath(item) == str(real) for item in inputs)
    for item in inputs:
        try:
            if os.path.samestat(target, os.stat(item)):
                return True
        except OSError:
            continue
    return False


def check_target(
    path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """The real file ``path`` names, after checking it can be an output file.

    Raises :class:`OutputError` when ``path`` is one of ``inputs``, is a folder, or
    its folder does not exist.
    """
    target = Path(path)
    real = Path(os.path.realpath(target))  # write through a symlink, keep the link
    if _is_input(real, inputs):
        raise OutputError(f"{target}: refusing to overwrite an input file")
    if real.is_dir():
        raise OutputError(f"{target}: is a directory")
    if not real.parent.is_dir():
        raise OutputError(f"{target}: folder {real.parent} does not exist")
    return real


def input_files(inputs: Iterable[Path]) -> list[Path]:
    """The inputs and, for folders, the study files in them (none may be the output)."""
    from thymoscope.study.loader import STUDY_SUFFIXES

    candidates = [*inputs]
    for item in list(candidates):
        if item.is_dir():
            with contextlib.suppress(OSError):  # reported when the inputs are expanded
                candidates.extend(p for p in item.iterdir() if p.suffix in STUDY_SUFFIXES)
    return candidates


def refuse(exc: OutputError) -> typer.Exit:
    """Report an output problem as one line; the caller raises the returned exit (2)."""
    typer.echo(f"thymoscope: {exc}", err=True)
    return typer.Exit(2)


def output_style(output: Path | None, fmt: Format) -> tuple[bool, int]:
    """(colour?, wrap width): colour only for text on a terminal, never in a file."""
    color, width = terminal_style() if output is None else (False, DEFAULT_WIDTH)
    return color and fmt is Format.text, width


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(
    path: str | os.PathLike[str], text: str, inputs: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; never onto one of ``inputs``.

    Raises :class:`OutputError` with a one-line message if it cannot.
    """
    real = check_target(path, inputs)
    try:
        mode = real.stat().st_mode & 0o7777  # keep an existing file's permissions
    except OSError:
        mode = 0o666 & ~_umask()
    temp_name = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, real)
        temp_name = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def emit(
    text: str, output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """``text`` to ``output`` (atomically) or, without one, to stdout."""
    if output is None:
        write_stdout(text)
    else:
        write_atomic(output, text, inputs)


def terminal_style() -> tuple[bool, int]:
    """(colour?, wrap width) for text written to stdout.

    Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)
    or TERM is ``dumb``; width follows the terminal, capped for readability.
    """
    tty = sys.stdout.isatty()
    color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = DEFAULT_WIDTH
    if tty:
        columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        width = max(40, min(columns - 1, 100))
    return color, width
