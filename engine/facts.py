"""Turn a validated record (a pydantic model) into dotted values and working-memory facts.

Which fact class each part becomes is the knowledge base's business (a
:class:`FactLayout`): each *section* becomes one fact whose keys are its fields, nested
mappings flattened with ``_`` (``effect.ci_low`` -> ``effect_ci_low``); each item of a
list of *items* becomes one fact carrying its ``index``; the remaining top-level values
go into one *top* fact.  Unknown values are kept as ``None``, so rules can test for
"unknown" explicitly instead of silently failing to match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from thymoscope.engine.experta_compat import Fact


@dataclass(frozen=True)
class FactLayout:
    """Which fact class each part of a study becomes (the knowledge base gives it)."""

    top: type[Fact]  # the top-level scalars, in one fact
    sections: Mapping[str, type[Fact]] = field(default_factory=dict)  # one fact each
    items: Mapping[str, type[Fact]] = field(default_factory=dict)  # one fact per item


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _flatten_into(out: dict[str, Any], prefix: str, data: dict[str, Any], sep: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{sep}{key}" if prefix else key
        if isinstance(value, dict):
            _flatten_into(out, name, value, sep)
        else:
            out[name] = _freeze(value)


def flatten(data: dict[str, Any], sep: str = ".") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists of mappings are indexed."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                _flatten_into(out, f"{key}{sep}{index}", item, sep)
        elif isinstance(value, dict):
            _flatten_into(out, key, value, sep)
        else:
            out[key] = _freeze(value)
    return out


def study_data(study: BaseModel) -> dict[str, Any]:
    """The study as plain JSON-compatible data (dump it once, derive values and facts)."""
    return study.model_dump(mode="json")


def study_values(study: BaseModel) -> dict[str, Any]:
    """Every field of the study by dotted path, enums as their plain values."""
    return flatten(study_data(study))


# Values experta's ``freeze`` does not keep as they are (it freezes them into copies).
_UNFROZEN = (dict, list, set)


def _fact(kind: type[Fact], fields: dict[str, Any]) -> Fact:
    """``kind(**fields)``.  experta sets each field through ``Fact.__setitem__``, which
    passes the value through ``freeze`` (a dispatch per value); the values here are
    already frozen (scalars and tuples: ``freeze`` keeps them as they are), so they are
    stored at once; anything else takes experta's way."""
    if any(isinstance(value, _UNFROZEN) for value in fields.values()):
        return kind(**fields)
    fact = kind()
    dict.update(fact, fields)
    return fact


def facts_from_data(data: dict[str, Any], layout: FactLayout) -> list[Fact]:
    """The facts of already dumped :func:`study_data`, in a fixed order (the order
    never changes findings); ``data`` is not changed."""
    facts: list[Fact] = []
    top: dict[str, Any] = {}
    for key, value in data.items():
        if key in layout.sections:
            fields: dict[str, Any] = {}
            _flatten_into(fields, "", value, "_")
            facts.append(_fact(layout.sections[key], fields))
        elif key in layout.items:
            for index, item in enumerate(value):
                fields = {"index": index}
                _flatten_into(fields, "", item, "_")
                facts.append(_fact(layout.items[key], fields))
        else:
            top[key] = _freeze(value)
    facts.insert(0, _fact(layout.top, top))
    return facts
