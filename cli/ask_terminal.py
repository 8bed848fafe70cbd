"""Reading the answers of `thymoscope ask`: a modern prompt on a terminal, lines from a pipe.

On a terminal (standard input and output both), answers are read with prompt_toolkit
(imported only here, only then): line editing with the arrow keys, a history of this
session's answers (Up), the previous answer ready to edit or accept with Enter, and for
a closed list of values a menu that opens by itself, is walked with the arrow keys and
completed with Tab. Page Up goes back a question. A progress line sits at the foot of
the screen.

From a pipe, each line is one answer, echoed so the transcript reads as typed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import typer


class Stop(Exception):
    """The user stopped the interview (Ctrl-C, Ctrl-D, or the end of piped input)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class Ask:
    """One prompt: its text, the answer ready to edit (a previous one), the answer Enter
    gives when nothing is typed (shown greyed), the choices, the foot line."""

    prompt: str = "> "
    default: str = ""
    placeholder: str = ""
    choices: Sequence[tuple[str, str]] = ()
    multi: bool = False
    footer: str = ""


class LineReader(Protocol):
    interactive: bool

    def read(self, ask: Ask) -> str: ...


@dataclass
class PipedReader:
    """Answers from lines of standard input; the end of input stops with status 1."""

    interactive: bool = False

    def read(self, ask: Ask) -> str:
        typer.echo(ask.prompt, nl=False)
        try:
            line = input()
        except EOFError:
            typer.echo("")
            raise Stop(1, "end of input") from None
        except KeyboardInterrupt:
            typer.echo("")
            raise Stop(130, "interrupted") from None
        if not sys.stdin.isatty():
            typer.echo(line)  # piped answers appear in the transcript as if typed
        return line.strip()


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def completions(
    choices: Sequence[tuple[str, str]], text: str, multi: bool
) -> Iterable[tuple[str, int, str]]:
    """(value, start position, meaning) for the choices the text so far can still become."""
    word = text.rsplit(",", 1)[-1].lstrip() if multi else text.strip()
    key = _norm(word)
    for value, meaning in choices:
        if value.startswith(key) or _norm(meaning).startswith(key):
            yield value, -len(word), meaning


@dataclass
class TerminalReader:
    """prompt_toolkit on a terminal; Ctrl-C and Ctrl-D both stop with status 130."""

    interactive: bool = True
    _session: Any = field(default=None, init=False, repr=False)

    def _prompt_session(self) -> Any:
        if self._session is None:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory

            self._session = PromptSession(history=InMemoryHistory())
        return self._session

    def read(self, ask: Ask) -> str:
        from prompt_toolkit.completion import Completer, Completion
        from prompt_toolkit.key_binding import KeyBindings

        class ChoiceCompleter(Completer):
            def get_completions(self, document: Any, complete_event: Any) -> Any:
                for value, start, meaning in completions(
                    ask.choices, document.text_before_cursor, ask.multi
                ):
                    yield Completion(value, start_position=start, display_meta=meaning)

        session = self._prompt_session()
        completer = ChoiceCompleter() if ask.choices else None
        keys = KeyBindings()

        @keys.add("pageup")
        def _back(event: Any) -> None:  # 'back' without clearing an answer ready to edit
            event.app.exit(result="back")

        def open_menu() -> None:
            if completer is not None and not ask.default:
                session.default_buffer.start_completion(select_first=False)

        try:
            line: str = session.prompt(
                ask.prompt,
                default=ask.default,
                completer=completer,
                complete_while_typing=completer is not None,
                bottom_toolbar=ask.footer or None,
                placeholder=ask.placeholder or None,
                pre_run=open_menu,
                key_bindings=keys,
            )
        except EOFError:
            raise Stop(130, "Ctrl-D") from None
        except KeyboardInterrupt:
            raise Stop(130, "interrupted") from None
        return line.strip()


def reader_for_streams() -> LineReader:
    """The terminal prompt when standard input and output are a terminal, else lines."""
    stdin, stdout = sys.stdin, sys.stdout
    if stdin is not None and stdout is not None and stdin.isatty() and stdout.isatty():
        return TerminalReader()
    return PipedReader()
