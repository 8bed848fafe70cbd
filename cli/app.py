"""The `thymoscope` command line (typer). Each command lives in its own module.

Command modules import only typer and the standard library at the top; the engine,
the knowledge base and the renderers are imported inside the command functions, so
``thymoscope --version`` and ``--help`` start fast. A command's module is imported (and
its options built by typer) only when that command runs or is listed (:data:`COMMANDS`),
and option values are checked without a pydantic adapter each (cli/coercion.py).

Exit status: 0 success, 2 bad input or usage (one line, ``thymoscope: error: …``),
1 internal fault (one line on stderr; set THYMOSCOPE_DEBUG=1 for the traceback);
4 when ``diagnose --fail-on SEVERITY`` found a finding at or above SEVERITY; 141 when
the reader of standard output went away (``thymoscope ... | head``: quietly, the
status a shell reports for a tool ended by SIGPIPE); 130 after SIGINT (Ctrl-C) and
143 after SIGTERM to a command that stops its worker processes (``diagnose``), as
shells report for a process ended by that signal.

Garbage collection: a command allocates a few hundred thousand objects that live until
the process ends (modules, the study model's validators, the rule network); with
CPython's default threshold the collector walks them again and again while they are
made, and once more at exit. :func:`main` raises the threshold of the young generation
(cycles are still collected, only in larger steps, so memory stays flat in a batch) and
has what is alive frozen at exit, so the last collection skips it.
Together they cut what a cold ``thymoscope diagnose CASE -f json`` adds to the import of
its dependencies from 643 to 553 M instructions (valgrind's callgrind), and by more in
time, as a collection stalls on memory (benchmarks/RESULTS.md).
"""

# No `from __future__ import annotations` here: typer would then evaluate every
# annotation string at start-up, which a cold `thymoscope diagnose` pays for.
import atexit
import contextlib
import gc
import os
import signal
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Annotated, Any, NoReturn

import typer
from typer._click.core import Command

from thymoscope.cli.conventions import ThymoscopeCommand, ThymoscopeGroup
from thymoscope.cli.examples import EXAMPLES
from thymoscope.cli.output import OutputError, error_line

BROKEN_PIPE_STATUS = 128 + signal.SIGPIPE

# name: the module of thymoscope.cli defining a function of that name, in the order of
# `thymoscope --help`. A command's module is imported, and its options built, only when
# the command is used (or listed by --help or completion): see _Commands.
COMMANDS = (
    "diagnose",
    "compare",
    "review",
    "ask",
    "explain",
    "rules",
    "schema",
    "init",
    "demo",
    "completion",
)


def _build(name: str) -> Command:
    """The click command of ``name``, as ``app.command(name, ...)`` would make it."""
    from importlib import import_module

    from typer.main import get_command_from_info
    from typer.models import CommandInfo

    function = getattr(import_module(f"thymoscope.cli.{name}"), name)
    info = CommandInfo(name, cls=ThymoscopeCommand, callback=function, epilog=EXAMPLES[name])
    return get_command_from_info(
        info,
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )


class _Commands(MutableMapping[str, Command]):
    """The root's commands by name; each one is built on first access.

    Names, ``in`` and ``len`` cost nothing; ``items()`` and ``values()`` build them all.
    """

    def __init__(self, built: Mapping[str, Command]) -> None:
        self._built = dict(built)
        self._names = [*COMMANDS, *(n for n in built if n not in COMMANDS)]

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


class _Root(ThymoscopeGroup):
    """The ``thymoscope`` group, its commands built when used (see _Commands)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)


app = typer.Typer(
    name="thymoscope",
    cls=_Root,
    help="Explain why Thymalfasin studies disagree. Research use on studies, not patients.",
    epilog=EXAMPLES["thymoscope"],
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        from thymoscope import __version__
        from thymoscope.cli.output import write_stdout

        # closed or full standard output: OutputError, one line and status 2 (see main)
        write_stdout(f"thymoscope {__version__}\n", hint="")
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


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; raised in the main thread so that cleanup runs.

    A BaseException, like KeyboardInterrupt, so no ``except Exception`` swallows it; not
    a KeyboardInterrupt, which click would turn into "Aborted!" and exit status 1.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` inside the block (main thread only).

    Without it SIGTERM ends the process at once, leaving worker processes behind.
    """
    try:
        previous = {
            s: signal.signal(s, _raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)
        }
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stdout_to_devnull() -> None:
    """Point descriptor 1 at /dev/null so that the flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _reader_went_away() -> bool:
    """Whether click caught a broken pipe: it then wraps stdout and exits with 1.

    Checked by the wrapper's name: typer may carry its own copy of click.
    """
    return type(sys.stdout).__name__ == "PacifyFlushWrapper"


# New container objects between two collections of the young generation (CPython: 700).
YOUNG_GENERATION_THRESHOLD = 50_000


def main() -> None:
    """Entry point: run the app; an unexpected exception is one line and exit status 1.

    The young generation is collected in larger steps from here on, and when the
    interpreter exits, what is still alive is frozen first, so the collection at exit
    skips it (see the module docstring). A caller that goes on after ``main`` (a test)
    keeps the larger steps but has nothing frozen until its own exit.
    """
    from thymoscope.cli.output import stand_in_for_closed_stdout

    # not undone on return: lowering the threshold then sets off a full collection at once
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
    atexit.unregister(gc.freeze)  # once, however often main runs in one process
    atexit.register(gc.freeze)
    stand_in_for_closed_stdout()  # `>&-`: printing is an OutputError, not silence
    _run_app()


def _run_app() -> None:
    try:
        app()
    except SystemExit as exc:
        if exc.code == 1 and _reader_went_away():
            _stdout_to_devnull()
            sys.exit(BROKEN_PIPE_STATUS)
        raise
    except Interrupted as exc:
        sys.stderr.write(f"thymoscope: interrupted ({exc})\n")
        sys.exit(128 + exc.signum)
    except KeyboardInterrupt:
        sys.stderr.write("thymoscope: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (`thymoscope ... | head`): stop quietly
        _stdout_to_devnull()
        sys.exit(BROKEN_PIPE_STATUS)
    except OutputError as exc:  # a command that did not catch it: still one line, status 2
        sys.stderr.write(error_line(str(exc)) + "\n")
        sys.exit(2)
    except UnicodeEncodeError as exc:
        if not _narrow_stdout():
            _internal_error(exc)
        encoding = sys.stdout.encoding
        sys.stderr.write(
            error_line(
                f"standard output cannot show this text in its encoding ({encoding}); "
                "set PYTHONIOENCODING=utf-8"
            )
            + "\n"
        )
        sys.exit(2)
    except Exception as exc:
        _internal_error(exc)


def _narrow_stdout() -> bool:
    """Whether standard output has an encoding that cannot show every character."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    if not isinstance(encoding, str):
        return False
    try:
        return codecs.lookup(encoding).name not in ("utf-8", "utf-16", "utf-32")
    except LookupError:
        return False


def _internal_error(exc: Exception) -> NoReturn:
    if os.environ.get("THYMOSCOPE_DEBUG") == "1":
        raise exc
    message = " ".join(str(exc).split()) or "no details"
    sys.stderr.write(f"thymoscope: internal error: {type(exc).__name__}: {message}\n")
    sys.exit(1)
