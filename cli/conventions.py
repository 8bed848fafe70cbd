"""The conventions every command shares, applied once here rather than in each command.

* one error style: a usage error or a bad option value is one line,
  ``thymoscope: error: …`` (with "did you mean" for commands, options and choices),
  exit status 2 — never click's usage block or a pydantic "Value error, …";
* ``-h`` and ``--help`` everywhere; help without Python type names (metavars such as
  FILE, N, FORMAT), command summaries never cut off, examples in every epilog;
* ``--quiet``/``-q``, ``--verbose``/``-v`` and ``--color auto|always|never`` on every
  command (read through :data:`thymoscope.cli.output.SETTINGS`);
* ``-f md`` (and ``txt``) accepted for ``--format``; with ``-o FILE`` and no ``-f``, the
  format follows FILE's extension (``.html``, ``.md``, ``.json``, ``.csv``, ``.xlsx``,
  ``.txt``);
* shell completion of bundled case ids (``CASE`` arguments) and pair ids (``--pair``).

The classes plug into typer: ``typer.Typer(cls=ThymoscopeGroup)`` and
``app.command(cls=ThymoscopeCommand)``.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer
from typer._click.core import Context, Parameter, ParameterSource
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter, join_options
from typer._click.shell_completion import CompletionItem
from typer.core import TyperCommand, TyperGroup
from typer.core import TyperOption as Option
from typer.exceptions import Abort, Exit

from thymoscope.cli.coercion import quicken
from thymoscope.cli.output import (
    EXTENSION_FORMATS,
    FORMAT_ALIASES,
    SETTINGS,
    ColorChoice,
    error_line,
)

USAGE_STATUS = 2
FORMAT_OPTIONS = ("-f", "--format")
COMMON_OPTIONS = ("quiet", "verbose", "color")
_SHORT_METAVARS = 24  # choices longer than this are shown by their name (FORMAT)


# --------------------------------------------------------------------- error lines


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest candidate, or ``""`` (difflib)."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def _param_name(param: Parameter | None) -> str:
    if param is None:
        return "value"
    if isinstance(param, Option):
        return "/".join(sorted(param.opts, key=len))
    return param.metavar or (param.name or "argument").upper()


def _choices(param: Parameter) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice or not descriptor.choices:
        return []
    return [c.value if isinstance(c, Enum) else str(c) for c in descriptor.choices]


def _raw_value(exc: BadParameter) -> Any:
    """The value the user typed, from typer's pydantic error (its ``__cause__``)."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        found = errors()
        if found and "input" in found[0]:
            return found[0]["input"]
    return None


def _bad_value_message(exc: BadParameter) -> str:
    name = _param_name(exc.param)
    choices = _choices(exc.param) if exc.param is not None else []
    raw = _raw_value(exc)
    if choices and isinstance(raw, str):
        listed = ", ".join(choices)
        return f"{name}: '{raw}' is not one of {listed}{suggestion(raw, choices)}"
    message = " ".join(exc.message.split())
    for noise in ("Value error, ", "Assertion failed, "):
        message = message.replace(noise, "")
    message = message[:1].lower() + message[1:]
    if isinstance(raw, str) and raw not in message:
        message = f"'{raw}': {message}"
    return f"{name}: {message}"


def _option_names(ctx: Context | None) -> list[str]:
    if ctx is None:
        return []
    names = [o for p in ctx.command.get_params(ctx) if isinstance(p, Option) for o in p.opts]
    return names + [
        o for p in ctx.command.params if isinstance(p, Option) for o in p.secondary_opts
    ]


def usage_message(exc: ClickException) -> str:
    """The one-line message (no prefix) for a click error."""
    if isinstance(exc, NoSuchOption):
        hint = suggestion(exc.option_name, _option_names(exc.ctx))
        return f"no such option: {exc.option_name}{hint}"
    if isinstance(exc, MissingParameter):
        what = _param_name(exc.param)
        command = exc.ctx.command_path if exc.ctx is not None else "thymoscope"
        return f"missing {what} (see '{command} -h')"
    if isinstance(exc, BadParameter):
        return _bad_value_message(exc)
    message = " ".join(exc.format_message().split()).rstrip(".")
    return message[:1].lower() + message[1:]


def fail_usage(exc: ClickException) -> NoReturn:
    sys.stderr.write(error_line(usage_message(exc)) + "\n")
    sys.exit(USAGE_STATUS)


# ------------------------------------------------------------------------- help text


def metavar(param: Parameter, ctx: Context) -> str:
    """What a value of ``param`` looks like in help: FILE, N, text|markdown, …"""
    if param.metavar:
        return param.metavar
    choices = _choices(param)
    if choices:
        joined = "|".join(choices)
        return joined if len(joined) <= _SHORT_METAVARS else (param.name or "value").upper()
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and descriptor.is_path:
        return "PATH"
    annotation = getattr(descriptor, "annotation", None)
    if annotation is int or getattr(descriptor, "is_ranged", False):
        return "N"
    if annotation is float:
        return "NUMBER"
    return (param.name or "value").upper()


def _default_text(param: Parameter) -> str:
    default = param.default
    if isinstance(param, Option) and (param.is_flag or not param.show_default):
        return ""
    if default is None or callable(default) or default in ((), []):
        return ""
    value = default.value if isinstance(default, Enum) else default
    return f"  [default: {value}]"


def help_record(param: Parameter, ctx: Context) -> tuple[str, str] | None:
    """(names with metavar, help) for one parameter; None when hidden."""
    if getattr(param, "hidden", False):
        return None
    help_text = getattr(param, "help", None) or ""
    if isinstance(param, Option):
        names = join_options(param.opts)[0]
        if param.secondary_opts:
            names += " / " + join_options(param.secondary_opts)[0]
        if not param.is_flag and not param.count:
            names += " " + metavar(param, ctx)
        return names, help_text + _default_text(param)
    shown = metavar(param, ctx)
    if param.nargs == -1 and not shown.endswith("..."):
        shown += "..."
    return shown, help_text


def first_sentence(text: str) -> str:
    """The summary line of a command's help: its first sentence, whole."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    return paragraph


# ---------------------------------------------------------------------- completion


def bundled_case_ids() -> list[str]:
    """The ids of the bundled study cases (their file names without .yaml)."""
    from importlib import resources

    folder = resources.files("thymoscope.kb.cases")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def bundled_pair_ids() -> list[str]:
    from importlib import resources

    folder = resources.files("thymoscope.kb.cases.pairs")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _completer(ids: Callable[[], list[str]]) -> Callable[..., list[CompletionItem]]:
    def complete(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(i) for i in ids() if i.startswith(incomplete)]

    return complete


COMPLETERS: dict[str, Callable[..., list[CompletionItem]]] = {
    "case": _completer(bundled_case_ids),
    "pair": _completer(bundled_pair_ids),
    # `demo NAME...`: a case or a pair
    "names": _completer(lambda: [*bundled_case_ids(), *bundled_pair_ids()]),
}


# ----------------------------------------------------------------------- the classes


def _common(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Say nothing on stderr but errors.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say more on stderr (what is read).")
    ] = False,
    color: Annotated[
        ColorChoice,
        typer.Option(
            "--color",
            metavar="WHEN",
            help="Colour: auto (a terminal; NO_COLOR, FORCE_COLOR apply), always, never.",
            show_default=False,
        ),
    ] = ColorChoice.auto,
) -> None:
    """The options every command has (only their declarations are used)."""


def _common_options(taken: set[str]) -> list[Parameter]:
    """--quiet, --verbose and --color, as typer builds them (-q/-v left out if taken)."""
    from typer.main import _get_param
    from typer.utils import get_params_from_function

    params: list[Parameter] = []
    for meta in get_params_from_function(_common).values():
        param = _get_param(meta)
        if isinstance(param, Option) and set(param.opts) & taken:
            param.opts = [o for o in param.opts if o not in taken]
        params.append(param)
    return params


def _rewrite_format_alias(args: list[str]) -> list[str]:
    """``-f md`` / ``--format=md`` / ``-fmd`` → ``markdown`` (also ``txt`` → ``text``)."""
    out: list[str] = []
    expect_value = False
    for arg in args:
        if arg == "--":
            out.extend(args[len(out) :])
            return out
        if expect_value:
            out.append(FORMAT_ALIASES.get(arg.lower(), arg))
            expect_value = False
            continue
        if arg in FORMAT_OPTIONS:
            expect_value = True
        elif arg.startswith("--format="):
            value = arg.split("=", 1)[1]
            arg = "--format=" + FORMAT_ALIASES.get(value.lower(), value)
        elif arg.startswith("-f") and not arg.startswith("--") and len(arg) > 2:
            arg = "-f" + FORMAT_ALIASES.get(arg[2:].lower(), arg[2:])
        out.append(arg)
    return out


class ThymoscopeCommand(TyperCommand):
    """A typer command with the shared conventions (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = {o for p in self.params if isinstance(p, Option) for o in p.opts}
        self.params.extend(_common_options(taken))
        for param in self.params:
            complete = COMPLETERS.get(param.name or "")
            if complete is not None and getattr(param, "_custom_shell_complete", None) is None:
                param._custom_shell_complete = complete

    def get_params(self, ctx: Context) -> list[Parameter]:
        params = super().get_params(ctx)
        quicken(params)  # values checked without a pydantic adapter each (cli/coercion.py)
        return params

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if any(p.name == "fmt" for p in self.params):
            args = _rewrite_format_alias(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Context) -> Any:
        SETTINGS.quiet = bool(ctx.params.pop("quiet", False))
        SETTINGS.verbose = bool(ctx.params.pop("verbose", False)) and not SETTINGS.quiet
        SETTINGS.color = ColorChoice(ctx.params.pop("color", ColorChoice.auto))
        self._format_from_extension(ctx)
        return super().invoke(ctx)

    def _format_from_extension(self, ctx: Context) -> None:
        """``-o report.html`` without ``-f``: the format named by the extension."""
        output = ctx.params.get("output")
        if output is None or "fmt" not in ctx.params:
            return
        if ctx.get_parameter_source("fmt") is not ParameterSource.DEFAULT:
            return
        suffix = os.path.splitext(os.fspath(output))[1].lower()
        wanted = EXTENSION_FORMATS.get(suffix)
        if wanted is None:
            return
        param = next(p for p in self.params if p.name == "fmt")
        descriptor = param.type_descriptor  # type: ignore[attr-defined]
        members = {c.value: c for c in descriptor.choices or ()}
        if wanted not in members:
            raise UsageError(
                f"{self.name} cannot write {suffix} files; choose -f "
                + "|".join(members)
                + " for the output",
                ctx,
            )
        ctx.params["fmt"] = members[wanted]

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces))

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar or "[OPTIONS]"]
        for param in self.get_params(ctx):
            if isinstance(param, Option):
                continue
            shown = metavar(param, ctx) + ("..." if param.nargs == -1 else "")
            pieces.append(shown if param.required else f"[{shown}]")
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        records = [(p, help_record(p, ctx)) for p in self.get_params(ctx)]
        arguments = [r for p, r in records if r is not None and not isinstance(p, Option)]
        options = [r for p, r in records if r is not None and isinstance(p, Option)]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments, col_max=22)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options, col_max=22)

    def format_epilog(self, ctx: Context, formatter: HelpFormatter) -> None:
        if not self.epilog:
            return
        with formatter.section("Examples"):
            for line in self.epilog.strip().splitlines():
                formatter.write_text(line) if line.strip() else formatter.write_paragraph()


class ThymoscopeGroup(TyperGroup):
    """The root command: one-line errors, whole summaries, "did you mean" for commands."""

    def get_params(self, ctx: Context) -> list[Parameter]:
        params = super().get_params(ctx)
        quicken(params)  # values checked without a pydantic adapter each (cli/coercion.py)
        return params

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            status = super().main(
                args, prog_name or "thymoscope", complete_var, False, windows_expand_args, **extra
            )
        except NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except ClickException as exc:
            fail_usage(exc)
        except Abort:
            sys.stderr.write(error_line("aborted") + "\n")
            sys.exit(1)
        except Exit as exc:  # pragma: no cover - returned, not raised, in this mode
            sys.exit(exc.exit_code)
        sys.exit(status if isinstance(status, int) else 0)

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            visible = [n for n, c in self.commands.items() if not c.hidden]
            raise UsageError(f"no such command '{name}'{suggestion(name, visible)}", ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [
            (name, first_sentence(command.help or command.short_help or ""))
            for name, command in self.commands.items()
            if not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows, col_max=12)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        options = [r for p in self.get_params(ctx) if (r := help_record(p, ctx)) is not None]
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options, col_max=22)
        self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: Context, formatter: HelpFormatter) -> None:
        ThymoscopeCommand.format_epilog(self, ctx, formatter)  # type: ignore[arg-type]


def completion_script(shell: str, prog_name: str = "thymoscope") -> str:
    """The completion script for ``shell`` (bash, zsh or fish), from typer."""
    from typer._completion_shared import get_completion_script

    complete_var = "_{}_COMPLETE".format(prog_name.replace("-", "_").upper())
    return get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell)
