"""Dotted paths into a pydantic model: field types, and answers by path <-> nested data.

An interview keeps its answers flat, by dotted path (``result.effect.estimate``; a list
item by its index, ``subgroups.2.by``; ``*`` in a pattern stands for any index).  These
helpers find the annotation of the field a path names, turn nested data into answers by
path and back (a list of mappings is answered by its length, a "count"), and unwrap the
model's validation errors into (path, message).  Nothing here knows which model it is.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter

from thymoscope.errors import ThymoscopeError

MAX_ITEMS = 50  # the most list items a user may type (a loaded file may hold more)
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# A model validator that names the field it is about raises a custom error of this type
# with ``ctx = {"field": <dotted path below the model>, "message": <text>}``.
FIELD_PROBLEM = "field_problem"


class ResumeError(ThymoscopeError, ValueError):
    """Saved answers that cannot be resumed (a key that is no field name, a forged skip
    mark); ``path`` is where, as a tuple of keys and list indexes, for a line number."""

    def __init__(
        self, path: tuple[str | int, ...], message: str, in_skip_mark: bool = False
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.in_skip_mark = in_skip_mark  # the problem is the skip mark, not a key


# ---------------------------------------------------------------- paths


def pattern_of(path: str) -> str:
    """``subgroups.2.by`` -> ``subgroups.*.by``."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def item_index(path: str) -> int | None:
    for part in path.split("."):
        if part.isdigit():
            return int(part)
    return None


def bind(path: str, index: int | None) -> str:
    """``subgroups.*.by`` with index 2 -> ``subgroups.2.by`` (unchanged without an index)."""
    return path if index is None else path.replace("*", str(index))


def key_path(path: str) -> tuple[str | int, ...]:
    """``subgroups.2.by`` -> ``("subgroups", 2, "by")`` (for a line number in a file)."""
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


# ---------------------------------------------------------------- annotations


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def base_type(annotation: Any) -> Any:
    """The type inside ``X | None`` and ``Annotated[X, ...]``."""
    annotation = _strip_optional(annotation)
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = _strip_optional(typing.get_args(annotation)[0])
    return annotation


def field_annotation(model: type[BaseModel], path: str) -> Any:
    """The annotation (with its constraints) of the field at a dotted path."""
    node: Any = model
    annotation: Any = None
    for part in path.split("."):
        if part.isdigit() or part == "*":
            base = base_type(annotation)
            if typing.get_origin(base) is not list:
                raise KeyError(path)
            annotation = typing.get_args(base)[0]
            node = base_type(annotation)
            continue
        if not (isinstance(node, type) and issubclass(node, BaseModel)):
            raise KeyError(path)
        info = node.model_fields.get(part)
        if info is None:
            raise KeyError(path)
        annotation = info.annotation
        if info.metadata:
            annotation = typing.Annotated[(annotation, *info.metadata)]
        node = base_type(annotation)
    return annotation


def adapter(model: type[BaseModel], path: str) -> TypeAdapter[Any]:
    return TypeAdapter(field_annotation(model, pattern_of(path)))


def is_count(path: str, model: type[BaseModel]) -> bool:
    """Whether the field at ``path`` is a list of models (answered by how many)."""
    try:
        base = base_type(field_annotation(model, pattern_of(path)))
    except KeyError:
        return False
    if typing.get_origin(base) is not list:
        return False
    item = base_type(typing.get_args(base)[0])
    return isinstance(item, type) and issubclass(item, BaseModel)


def max_items(model: type[BaseModel], path: str) -> int:
    """The most items the model allows in the list at ``path`` (MAX_ITEMS if no limit)."""
    try:
        annotation = _strip_optional(field_annotation(model, pattern_of(path)))
    except KeyError:
        return MAX_ITEMS
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in typing.get_args(annotation)[1:]:
            limit = getattr(meta, "max_length", None)
            if isinstance(limit, int):
                return max(limit, MAX_ITEMS)
    return MAX_ITEMS


# ---------------------------------------------------------------- validation errors


def error_message(error: Mapping[str, Any]) -> str:
    """The one-line message of a pydantic error (a field problem's own text)."""
    if error["type"] == FIELD_PROBLEM:
        return str(error["ctx"]["message"])
    return str(error["msg"])


def error_path(error: Mapping[str, Any]) -> str:
    """The dotted path a pydantic error is about (a field problem: the field it names)."""
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    if error["type"] == FIELD_PROBLEM:
        loc += error["ctx"]["field"].split(".")
    return ".".join(loc)


# ---------------------------------------------------------------- data <-> answers


def check_field_names(data: Any, where: tuple[str | int, ...] = ()) -> None:
    """Raise :class:`ResumeError` for a key that could not be a field name.

    Dotted paths are built from keys, so a key such as ``subgroups.*.name`` or ``0``
    would address some other answer; such a file is refused, not guessed at.
    """
    if isinstance(data, Mapping):
        for key, value in data.items():
            if not isinstance(key, str) or not FIELD_NAME.match(key):
                raise ResumeError((*where, str(key)), f"key {key!r} is not a field name; refused")
            check_field_names(value, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            check_field_names(item, (*where, index))


def answers_from_data(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested data -> answers by dotted path; a list of mappings gives a count."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, Mapping):
            out.update(answers_from_data(value, path + "."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            out[path] = len(value)
            for index, item in enumerate(value):
                out.update(answers_from_data(item, f"{path}.{index}."))
        else:
            out[path] = value
    return out


def _ordered(data: Any, model: Any) -> Any:
    """Mappings in the model's field order (so saved files read like hand-written ones)."""
    model = base_type(model)
    if isinstance(data, list):
        item = typing.get_args(model)[0] if typing.get_origin(model) is list else None
        return [_ordered(v, item) for v in data]
    if not isinstance(data, dict) or not (isinstance(model, type) and issubclass(model, BaseModel)):
        return data
    fields = model.model_fields
    keys = sorted(data, key=lambda k: list(fields).index(k) if k in fields else len(fields))
    return {k: _ordered(data[k], fields[k].annotation if k in fields else None) for k in keys}


def _put(data: Any, parts: Sequence[str], value: Any) -> None:
    node = data
    for position, part in enumerate(parts[:-1]):
        if part.isdigit():
            node = node[int(part)]
            continue
        if part not in node or not isinstance(node[part], (dict, list)):
            node[part] = [] if parts[position + 1].isdigit() else {}
        node = node[part]
    last = parts[-1]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


def data_from_answers(
    answers: Mapping[str, Any], model: type[BaseModel], fixed: Mapping[str, Any]
) -> dict[str, Any]:
    """Answers by dotted path -> nested data in the model's field order, ``fixed`` added."""
    data: dict[str, Any] = dict(fixed)
    counts = {p: v for p, v in answers.items() if is_count(p, model)}
    for path, count in counts.items():
        _put(data, path.split("."), [{} for _ in range(count)])
    for path, value in answers.items():
        if path in counts:
            continue
        index = item_index(path)
        if index is not None:
            head = path.split(".")[0]
            if index >= counts.get(head, 0):
                continue
        _put(data, path.split("."), value)
    ordered: dict[str, Any] = _ordered(data, model)
    return ordered
