"""Turn a validated record (a pydantic model) into dotted values and working-memory facts.

Which fact class each part becomes is the knowledge base's business (a
:class:`FactLayout`): each *section* becomes one fact whose keys are its fields, nested
mappings flattened with ``_`` (``effect.ci_low`` -> ``effect_ci_low``); each item of a
list of *items* becomes one fact carrying its ``index``; the remaining top-level values
go into one *top* fact.  Unknown values are kept as ``None``, so rules can test for
"unknown" explicitly instead of silently failing to match.

Throughput (issue 14): this runs for every study, twice over the same data (the dotted
values, then the facts), so each value costs as little as it can: a scalar (the common
case) is recognised by its type alone, without isinstance checks or a call, and a fact
is filled at once, experta's ``__setitem__`` (and its ``freeze``) kept for the values it
would copy (a mapping such as the covariates).  tests/perf/test_facts_shortcuts.py
compares both with the generic way.
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


# Types a dumped study's scalars have: never a mapping or a list, kept as they are.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _flatten_into(out: dict[str, Any], prefix: str, data: dict[str, Any], sep: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{sep}{key}" if prefix else key
        if type(value) in _SCALARS:  # the common case: no isinstance checks, no call
            out[name] = value
        elif isinstance(value, dict):
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


# Types experta's ``freeze`` keeps as they are (scalars and tuples; it copies mappings,
# lists and sets into frozen ones), checked without an isinstance per value.
_FROZEN = frozenset({*_SCALARS, tuple})


def _fact(kind: type[Fact], fields: dict[str, Any]) -> Fact:
    """``kind(**fields)``.  experta sets each field through ``Fact.__setitem__``, which
    passes the value through ``freeze`` (a dispatch per value); the values here are
    mostly already frozen (scalars and tuples: ``freeze`` keeps them as they are), so
    those are stored at once, and only the others (a mapping such as the covariates)
    go through experta's ``__setitem__`` (and ``freeze``), in the same order."""
    fact = kind()
    if _FROZEN.issuperset(map(type, fields.values())):
        dict.update(fact, fields)
        return fact
    for name, value in fields.items():
        if type(value) in _FROZEN:
            dict.__setitem__(fact, name, value)
        else:
            fact[name] = value  # experta's __setitem__: freeze, as kind(**fields) does
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
