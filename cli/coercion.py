"""Option and argument values checked without a pydantic ``TypeAdapter`` for each parameter.

typer 0.29 coerces every command-line value through a pydantic ``TypeAdapter`` that it
builds, one per parameter, while parsing; the first one imports the rest of pydantic
and typer's adapter module. For the kinds of values thymoscope's commands take (text,
lists of text, choices, paths, whole numbers) :class:`QuickCoercion` gives the result
those adapters give, with typer's own helpers (``coerce_cli_choice``,
``coerce_cli_path``), and hands every other value — and every value it would refuse —
to the coercion typer builds, so errors and their messages stay typer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from typer._click.core import Context, Parameter
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path, lenient_issubclass
from typer.core import _TyperParameter


class _Declined(Exception):
    """The value is for typer's own coercion (an unusual kind, or a value to refuse)."""


def _quick_value(descriptor: TypeDescriptor, value: Any, param: Any, ctx: Context) -> Any:
    """What typer's adapter would return for ``value``, or :class:`_Declined`."""
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if info.parser is not None or descriptor.file_annotation is not None:
        raise _Declined
    if descriptor.is_list:
        if descriptor.annotation != list[str] or not isinstance(value, list | tuple):
            raise _Declined
        if any(type(item) is not str for item in value):
            raise _Declined
        return list(value)
    if annotation is str or annotation is bool:
        if type(value) is not annotation:
            raise _Declined
        return value
    if lenient_issubclass(annotation, Enum):
        choices = tuple(annotation)
        try:
            return coerce_cli_choice(
                value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:
            raise _Declined from None
    if annotation is int and not info.clamp:
        return _whole_number(value, info.min, info.max)
    if annotation is float and type(value) is float and info.min is None and info.max is None:
        return value
    if descriptor.is_path:
        return _path(descriptor, value, param, ctx)
    raise _Declined


def _whole_number(value: Any, low: float | None, high: float | None) -> int:
    if type(value) is int:
        number = value
    elif type(value) is str and value.isascii() and value.isdigit() and value == str(int(value)):
        number = int(value)
    else:
        raise _Declined
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Declined
    return number


def _path(descriptor: TypeDescriptor, value: Any, param: Any, ctx: Context) -> Any:
    info = descriptor.parameter_info
    path_type = info.path_type
    if path_type is None and lenient_issubclass(descriptor.annotation, Path):
        path_type = descriptor.annotation
    if isinstance(path_type, type) and issubclass(path_type, Path) and type(value) is str:
        value = path_type(value)  # what pydantic's Path validation makes of text
    elif not (path_type in (None, str) and type(value) is str):
        raise _Declined
    try:
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
    except Exception:  # refused: typer says why, in its own words
        raise _Declined from None


@dataclass(frozen=True)
class QuickCoercion(RuntimeParam):
    """A parameter's coercion: the quick result when there is one, else typer's."""

    descriptor: TypeDescriptor
    _typer: list[RuntimeParam] = field(default_factory=list, compare=False, repr=False)

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        try:
            return _quick_value(self.descriptor, value, param, ctx)
        except _Declined:
            pass
        if not self._typer:
            self._typer.append(build_runtime_param(self.descriptor))
        return self._typer[0]._coerce_value(value, param=param, ctx=ctx)


def quicken(params: list[Parameter]) -> None:
    """Give each typer parameter in ``params`` a :class:`QuickCoercion` (once)."""
    for param in params:
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            descriptor = param.type_descriptor
            param._runtime_param = QuickCoercion(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
