"""Where command output goes: stdout, or a file written atomically.

``write_atomic`` writes a temporary file next to the target and renames it over the
target (``os.replace``), so a reader never sees half a report and a failed run leaves
the old file as it was. It refuses to write onto one of the command's input files.
Only a regular file or a new name is ever replaced: a pipe or a character device
(``/dev/null``, a terminal) is opened and written to, anything else is refused.
``-o -`` is standard output. Text is always written as valid UTF-8 (a file name that
is not valid UTF-8 is shown with ``\\xNN`` escapes).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from thymoscope.errors import ThymoscopeError
from thymoscope.report.render import DEFAULT_WIDTH, shown_name


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class ExportFormat(StrEnum):
    """The report formats and the spreadsheet ones (``diagnose``, ``review``)."""

    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


SPREADSHEET_FORMATS = frozenset({"csv", "xlsx"})
# `-o FILE` without `-f`: the format follows FILE's extension (cli.conventions)
EXTENSION_FORMATS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
}
FORMAT_ALIASES = {"md": "markdown", "txt": "text", "htm": "html"}

FORMAT_HELP = "Output format (md = markdown); default: from the -o extension, else text."
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help=FORMAT_HELP, case_sensitive=False, show_default=False),
]
ExportFormatOption = Annotated[
    ExportFormat,
    typer.Option("--format", "-f", help=FORMAT_HELP, case_sensitive=False, show_default=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE (atomically) instead of stdout; - is stdout.",
    ),
]


class ColorChoice(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


@dataclass
class Settings:
    """The options every command has (set by ``cli.conventions`` for each command)."""

    quiet: bool = False
    verbose: bool = False
    color: ColorChoice = ColorChoice.auto


SETTINGS = Settings()


def error_line(message: str) -> str:
    """The one error style: ``thymoscope: error: message``."""
    return f"thymoscope: error: {message}"


def note(message: str) -> None:
    """A confirmation on stderr (``wrote … to FILE``), unless ``--quiet``."""
    if not SETTINGS.quiet:
        typer.echo(f"thymoscope: {message}", err=True)


def detail(message: str) -> None:
    """A line on stderr only with ``--verbose``."""
    if SETTINGS.verbose:
        typer.echo(f"thymoscope: {message}", err=True)


class OutputError(ThymoscopeError):
    """The output cannot go where it was asked to; the message is one line."""


STDOUT_NAME = "-"  # `-o -`: standard output
MAX_NAME_BYTES = 255  # the longest file name most file systems take
_TEMP_NAME_BYTES = 200  # of the target's name kept in the temporary file's name


# ``path`` as text that is valid UTF-8, undecodable bytes shown as ``\xNN`` (the one
# helper for this, shared with the study loader's problem lines).
shown = shown_name


def valid_utf8(text: str) -> str:
    """``text`` with any lone surrogate replaced by U+FFFD, so it encodes to valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", "\ufffd", text)
    return text


def is_stdout(path: str | os.PathLike[str] | None) -> bool:
    """Whether an ``--output`` value means standard output (``-o -``)."""
    return path is None or os.fspath(path) == STDOUT_NAME


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


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


def _is_special(info: os.stat_result) -> bool:
    """A pipe or a character device (``/dev/null``, a terminal): written to directly."""
    return stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)


def check_target(
    path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """The real file ``path`` names, after checking it can be an output file.

    A regular file or a new name is fine (it will be replaced atomically), and so is a
    pipe or a character device (written to directly, never replaced). Raises
    :class:`OutputError` when ``path`` is one of ``inputs``, a folder, anything else
    that is not a regular file (a socket, a block device), a name that is too long,
    or when its folder does not exist.
    """
    target = Path(path)
    name = shown(target)
    real = Path(os.path.realpath(target))  # write through a symlink, keep the link
    if _is_input(real, inputs):
        raise OutputError(f"{name}: refusing to overwrite an input file")
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:  # name too long, a loop of links, no permission, ...
        raise OutputError(f"{name}: {_reason(exc)}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{name}: is a directory")
        if not stat.S_ISREG(info.st_mode) and not _is_special(info):
            raise OutputError(f"{name}: is not a regular file, a pipe or a terminal; refused")
        return real
    if len(os.fsencode(real.name)) > MAX_NAME_BYTES:
        raise OutputError(f"{name}: file name is longer than {MAX_NAME_BYTES} bytes")
    if not os.path.isdir(real.parent):
        raise OutputError(f"{name}: folder {shown(real.parent)} does not exist")
    return real


def input_files(inputs: Iterable[Path]) -> list[Path]:
    """The inputs and, for folders, the study files in them (none may be the output)."""
    from thymoscope.study.loader import STUDY_SUFFIXES

    candidates = [*inputs]
    for item in list(candidates):
        if os.path.isdir(item):  # False for any error (a name too long, a loop)
            with contextlib.suppress(OSError):  # reported when the inputs are expanded
                candidates.extend(p for p in item.iterdir() if p.suffix in STUDY_SUFFIXES)
    return candidates


def refuse(exc: OutputError) -> typer.Exit:
    """Report an output problem as one line; the caller raises the returned exit (2)."""
    typer.echo(error_line(str(exc)), err=True)
    return typer.Exit(2)


def fail(message: str) -> typer.Exit:
    """Report bad input as one error line; the caller raises the returned exit (2)."""
    typer.echo(error_line(message), err=True)
    return typer.Exit(2)


def output_style(output: Path | None, fmt: str) -> tuple[bool, int]:
    """(colour?, wrap width): colour only for text to stdout, never in a file."""
    color, width = terminal_style() if is_stdout(output) else (False, DEFAULT_WIDTH)
    return color and fmt == Format.text.value, width


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(real: Path) -> bytes:
    """``.NAME.`` with NAME cut so that the temporary name stays a legal file name."""
    return b"." + os.fsencode(real.name)[:_TEMP_NAME_BYTES] + b"."


def _encoded(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else valid_utf8(text).encode("utf-8")


def _open_direct(path: str | os.PathLike[str]) -> Any:
    """The pipe or device ``path`` opened for writing (never replaced), or None when it
    turns out to be a regular file (it changed since it was checked)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"{shown(path)}: cannot write: {_reason(exc)}") from None
    if not _is_special(os.fstat(fd)):
        os.close(fd)
        return None
    return os.fdopen(fd, "wb")


def write_direct(path: str | os.PathLike[str], text: str | bytes) -> bool:
    """Write ``text`` into the pipe or device ``path`` (opened, never replaced).

    Returns False, having written nothing, if ``path`` turns out to be a regular file
    (it changed since it was checked): the caller then writes it atomically.
    """
    handle = _open_direct(path)
    if handle is None:
        return False
    with handle:
        try:
            handle.write(_encoded(text))
            handle.flush()
        except OSError as exc:
            raise OutputError(f"{shown(path)}: cannot write: {_reason(exc)}") from None
    return True


class AtomicOutput:
    """A file written piece by piece and put in place only when complete.

    The pieces go to a temporary file beside ``path`` (opened at the first write), which
    replaces ``path`` atomically on :meth:`commit`; a pipe or character device is written
    to directly instead (never replaced).  Leaving the ``with`` block by an exception, or
    :meth:`discard`, removes the temporary file and leaves ``path`` untouched.  Raises
    :class:`OutputError` with a one-line message on any problem; never onto one of
    ``inputs``.
    """

    def __init__(
        self, path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
    ) -> None:
        self.path = path
        self.real = check_target(path, inputs)
        self._handle: Any = None
        self._temp: bytes | None = None
        self._mode = 0

    def _open(self) -> None:
        with contextlib.suppress(OSError):
            if _is_special(os.stat(self.path)):
                self._handle = _open_direct(self.path)
                if self._handle is not None:
                    return
        try:
            self._mode = self.real.stat().st_mode & 0o7777  # keep an existing file's mode
        except OSError:
            self._mode = 0o666 & ~_umask()
        try:
            fd, self._temp = tempfile.mkstemp(
                prefix=_temp_prefix(self.real), suffix=b".tmp", dir=os.fsencode(self.real.parent)
            )
        except OSError as exc:
            raise OutputError(f"{shown(self.path)}: cannot write: {_reason(exc)}") from None
        self._handle = os.fdopen(fd, "wb")

    def write(self, text: str | bytes) -> None:
        """Add ``text`` (UTF-8; bytes as they are)."""
        if self._handle is None:
            self._open()
        try:
            self._handle.write(_encoded(text))
        except OSError as exc:
            raise OutputError(f"{shown(self.path)}: cannot write: {_reason(exc)}") from None

    def commit(self) -> None:
        """Put the written file in place (an empty file if nothing was written)."""
        if self._handle is None:
            self._open()
        handle, temp = self._handle, self._temp
        try:
            handle.flush()
            if temp is None:  # a pipe or device
                handle.close()
                return
            os.fsync(handle.fileno())
            handle.close()
            os.chmod(temp, self._mode)
            with contextlib.suppress(FileNotFoundError):  # it may have changed since the check
                if not stat.S_ISREG(os.lstat(self.real).st_mode):
                    raise OutputError(
                        f"{shown(self.path)}: changed into a special file; not replaced"
                    )
            os.replace(temp, self.real)
            self._temp = None
        except OSError as exc:
            raise OutputError(f"{shown(self.path)}: cannot write: {_reason(exc)}") from None
        finally:
            self.discard()

    def discard(self) -> None:
        """Close, and remove the temporary file if it is still there."""
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
        if self._temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
            self._temp = None

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        self.discard()


def write_atomic(
    path: str | os.PathLike[str],
    text: str | bytes,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Write ``text`` (UTF-8; bytes as they are) to ``path`` atomically; never onto one
    of ``inputs``.

    A pipe or character device is written to directly instead (never replaced).
    Raises :class:`OutputError` with a one-line message if it cannot.
    """
    with AtomicOutput(path, inputs) as out:
        out.write(text)
        out.commit()


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so that the final flush at exit cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


CLOSED_STDOUT = "standard output is closed"


class ClosedStdout:
    """Stands in for ``sys.stdout`` when the process started with it closed (``>&-``).

    Python then sets ``sys.stdout`` to None, and click, typer and rich quietly print
    nothing; writing to this raises :class:`OutputError` instead, so a command with
    something to say ends with one line and status 2 (a command that writes only to
    ``-o FILE`` never writes here and is unaffected).
    """

    encoding = "utf-8"
    errors = "strict"
    closed = False

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # what a text stream does (click probes with b"")
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            raise OutputError(CLOSED_STDOUT)
        return 0

    def flush(self) -> None:
        return None

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(CLOSED_STDOUT)


def stand_in_for_closed_stdout() -> None:
    """Set ``sys.stdout`` to a :class:`ClosedStdout` if standard output is closed."""
    if sys.stdout is None:
        sys.stdout = ClosedStdout()


def write_stdout(text: str, hint: str = "use -o FILE") -> None:
    """``text`` to standard output; a problem with it is an :class:`OutputError`.

    A reader that went away (``| head``) raises :class:`BrokenPipeError`, which the
    entry point turns into a quiet exit.  ``hint`` ends the message when standard
    output is closed (``""``: none).
    """
    stream = sys.stdout
    if stream is None or isinstance(stream, ClosedStdout):  # started with `>&-`
        raise OutputError(f"{CLOSED_STDOUT}; {hint}" if hint else CLOSED_STDOUT)
    try:
        stream.write(valid_utf8(text))
        stream.flush()
    except BrokenPipeError:
        raise
    except UnicodeEncodeError:
        raise OutputError(
            f"standard output cannot show this report in its encoding ({stream.encoding}); "
            "set PYTHONIOENCODING=utf-8 or use -o FILE"
        ) from None
    except (OSError, ValueError) as exc:  # full disk, closed descriptor, closed stream
        _silence_stdout()
        reason = _reason(exc) if isinstance(exc, OSError) else "closed"
        raise OutputError(f"standard output: cannot write: {reason}") from None


def emit(
    text: str, output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """``text`` to ``output`` (atomically; ``-`` or None: standard output)."""
    if is_stdout(output):
        write_stdout(text)
    else:
        assert output is not None
        write_atomic(output, text, inputs)


def wants_color(tty: bool) -> bool:
    """``--color always|never``, else FORCE_COLOR (set, not ``0``) turns colour on,
    NO_COLOR (https://no-color.org) or TERM=dumb off, and otherwise a terminal on."""
    if SETTINGS.color is not ColorChoice.auto:
        return SETTINGS.color is ColorChoice.always
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force not in ("", "0", "false"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return tty


def terminal_style() -> tuple[bool, int]:
    """(colour?, wrap width) for text written to stdout.

    Colour as :func:`wants_color` says; width follows the terminal, capped for
    readability.
    """
    tty = sys.stdout is not None and sys.stdout.isatty()
    color = wants_color(tty)
    width = DEFAULT_WIDTH
    if tty:
        columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        width = max(40, min(columns - 1, 100))
    return color, width
