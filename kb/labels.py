"""Words for study fields and values (kb/labels.yaml), instead of field paths.

``primary_endpoint.timing = end_of_therapy`` reads "Endpoint read: at end of therapy".
Paths are the dotted paths of the study file; a subgroup field is written with its
index (``subgroups.0.name``, as in the JSON report) or with ``*`` (``subgroups.*.name``).

:func:`field_kinds` walks the study model, so the labels, the spreadsheet reader and
the tests agree on which fields exist and what each one holds.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from thymoscope.study import vocabulary
from thymoscope.study.model import Study

NOT_REPORTED = "not reported"
NONE_LISTED = "none"

Kind = Literal["text", "integer", "number", "flag", "choice", "section", "mapping"]

_INDEX = re.compile(r"(?<=^subgroups\.)\d+(?=\.|$)")


@dataclass(frozen=True)
class FieldKind:
    """What one study field holds.

    ``kind`` is the scalar kind (for a list, the kind of its items); ``choices`` is the
    closed list of a ``choice`` field; ``many`` marks a list; ``required`` a field the
    study cannot leave out.
    """

    path: str
    kind: Kind
    many: bool = False
    choices: type[StrEnum] | None = None
    required: bool = False


@dataclass(frozen=True)
class FieldLabel:
    """The words of one field (see the head of kb/labels.yaml)."""

    label: str
    unit: str | None = None
    unit_from: str | None = None
    yes: str = "yes"
    no: str = "no"
    values: str | None = None


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _scalar_kind(annotation: Any) -> tuple[Kind, type[StrEnum] | None]:
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return "choice", annotation
    if annotation is bool:
        return "flag", None
    if annotation is int or typing.get_origin(annotation) is Literal:
        return "integer", None
    if annotation is float:
        return "number", None
    if typing.get_origin(annotation) is dict:
        return "mapping", None
    return "text", None


def _walk(model: type[BaseModel], prefix: str, out: dict[str, FieldKind]) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = _unwrap(info.annotation)
        many = typing.get_origin(annotation) is list
        if many:
            annotation = _unwrap(typing.get_args(annotation)[0])
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out[path] = FieldKind(path, "section", many=many)
            _walk(annotation, f"{path}.*." if many else f"{path}.", out)
            continue
        kind, choices = _scalar_kind(annotation)
        out[path] = FieldKind(path, kind, many, choices, info.is_required())


@cache
def field_kinds() -> dict[str, FieldKind]:
    """Every field of the study model by generic path (``subgroups.*.name``), in model order."""
    out: dict[str, FieldKind] = {}
    _walk(Study, "", out)
    return out


def vocabularies() -> dict[str, type[StrEnum]]:
    """Every closed value list of the study vocabulary, by class name."""
    return {
        name: value
        for name, value in vars(vocabulary).items()
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
    }


def generic_path(path: str) -> str:
    """``subgroups.3.effect.estimate`` -> ``subgroups.*.effect.estimate``."""
    return _INDEX.sub("*", path)


@cache
def _labels() -> tuple[dict[str, FieldLabel], dict[str, dict[str, str]]]:
    text = resources.files("thymoscope.kb").joinpath("labels.yaml").read_text(encoding="utf-8")
    # libyaml's parser when present (as kb/catalogue.py): the same data, several times faster
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    fields: dict[str, FieldLabel] = {}
    for path, entry in data["fields"].items():
        if isinstance(entry, str):
            fields[path] = FieldLabel(entry)
        else:
            fields[path] = FieldLabel(
                label=entry["label"],
                unit=entry.get("unit"),
                unit_from=entry.get("unit_from"),
                yes=entry.get("yes", "yes"),
                no=entry.get("no", "no"),
                values=entry.get("values"),
            )
    values = {name: dict(members) for name, members in data["values"].items()}
    return fields, values


def labelled_fields() -> dict[str, FieldLabel]:
    """The field entries of kb/labels.yaml by generic path."""
    return dict(_labels()[0])


def value_labels(vocabulary_name: str) -> dict[str, str]:
    """The value labels of one closed list (by class name, e.g. ``EndpointTiming``)."""
    return dict(_labels()[1].get(vocabulary_name, {}))


def _entry(path: str) -> FieldLabel:
    generic = generic_path(path)
    fields = _labels()[0]
    if generic in fields:
        return fields[generic]
    if generic.startswith("covariates."):
        return FieldLabel(f"Covariate {path.split('.', 1)[1]}")
    raise KeyError(f"no label for study field {path!r}")


def field_label(path: str) -> str:
    """The words for a field: ``primary_endpoint.timing`` -> "Endpoint read".

    A subgroup field with its index reads "Subgroup 1: effect estimate" (indices count
    from 0 in paths and from 1 in words); ``subgroups.*.x`` reads "Subgroup: x".
    Raises ``KeyError`` for a path that is not a study field.
    """
    label = _entry(path).label
    match = re.match(r"^subgroups\.(\d+|\*)\.", path)
    if match:
        index = match.group(1)
        return f"Subgroup: {label}" if index == "*" else f"Subgroup {int(index) + 1}: {label}"
    return label


def _choices_of(path: str) -> type[StrEnum] | None:
    generic = generic_path(path)
    kind = field_kinds().get(generic)
    if kind is not None and kind.choices is not None:
        return kind.choices
    hint = _labels()[0].get(generic)
    if hint is not None and hint.values is not None:
        return vocabularies().get(hint.values)
    return None


def number_text(value: float) -> str:
    """A number as a reader writes it: 24 not 24.0, 1.6, 0.0004; no exponent for common sizes."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if 1e-4 <= abs(value) < 1e15 else repr(value)


def _one(path: str, value: Any, choices: type[StrEnum] | None) -> str:
    if isinstance(value, bool):
        entry = _entry(path)
        return entry.yes if value else entry.no
    if isinstance(value, int | float):
        return number_text(value)
    text = value.value if isinstance(value, StrEnum) else str(value)
    if choices is not None:
        return _labels()[1].get(choices.__name__, {}).get(text, text)
    return text


def value_label(path: str, value: Any) -> str:
    """The words for a field's value, without the field's label.

    ``None`` is "not reported"; an empty list "none"; a list its items' words joined
    by ", "; a closed-list value its label; a yes/no value the field's own wording;
    a number as written (24, 1.6), without its unit (see :func:`fact_sentence`).
    """
    if value is None:
        return NOT_REPORTED
    choices = _choices_of(path)
    if isinstance(value, list | tuple):
        if not value:
            return NONE_LISTED
        return ", ".join(_one(path, item, choices) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_one(path, v, None)}" for k, v in value.items()) or NONE_LISTED
    return _one(path, value, choices)


def fact_sentence(path: str, value: Any, facts: Mapping[str, Any] | None = None) -> str:
    """One line: the field's label and its value's words with the unit.

    ``fact_sentence("primary_endpoint.timing", "end_of_therapy")`` is
    "Endpoint read: at end of therapy"; ``fact_sentence("intervention.duration_weeks",
    24.0)`` is "Treatment duration: 24 weeks". A field whose unit is another field (the
    dose) takes it from ``facts`` (the study's values by dotted path) when given there:
    ``fact_sentence("intervention.dose", 1.6, {"intervention.dose_unit": "mg"})`` is
    "Dose: 1.6 mg".
    """
    words = value_label(path, value)
    entry = _entry(path)
    if isinstance(value, int | float) and not isinstance(value, bool):
        unit = entry.unit
        if entry.unit_from and facts is not None and facts.get(entry.unit_from) is not None:
            unit = value_label(entry.unit_from, facts[entry.unit_from])
        if unit == "%":
            words = f"{words}%"
        elif unit:
            words = f"{words} {_singular(unit) if value == 1 else unit}"
    return f"{field_label(path)}: {words}"


_SINGULAR = {"weeks": "week", "months": "month", "years": "year", "days": "day"}


def _singular(unit: str) -> str:
    """'1 week', not '1 weeks' (only the time units the labels use)."""
    return _SINGULAR.get(unit, unit)


def fact_sentences(facts: Mapping[str, Any], paths: Iterable[str] | None = None) -> list[str]:
    """One line per known fact (``facts``: a study's values by dotted path, e.g.
    ``Diagnosis.key_facts``), for ``paths`` in their order (default: every path in
    ``facts``). Unknown facts are left out; a unit field shown as another field's
    unit (the dose unit with the dose) is not repeated on its own line."""
    chosen = list(facts if paths is None else paths)
    shown_units = {
        entry.unit_from
        for path in chosen
        if facts.get(path) is not None
        and (entry := _labels()[0].get(generic_path(path))) is not None
        and entry.unit_from
    }
    return [
        fact_sentence(path, facts[path], facts)
        for path in chosen
        if facts.get(path) is not None and path not in shown_units
    ]
