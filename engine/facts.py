"""Turn a validated study into working-memory facts.

Each section of the study becomes one fact whose keys are the section's fields,
nested mappings flattened with ``_`` (``effect.ci_low`` -> ``effect_ci_low``); each
list item of a list of sections (the subgroups) becomes one fact carrying its
``index``.  Unknown values are kept as ``None``, so rules can test for "unknown"
explicitly instead of silently failing to match.  Top-level scalars go into the
``Study`` fact.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from thymoscope.engine.experta_compat import Fact


class Study(Fact):  # type: ignore[misc]
    """Top-level fields: id, indication, cancer_type, follow-up, secondary endpoints."""


class Design(Fact):  # type: ignore[misc]
    pass


class Population(Fact):  # type: ignore[misc]
    pass


class Intervention(Fact):  # type: ignore[misc]
    pass


class PrimaryEndpoint(Fact):  # type: ignore[misc]
    pass


class Result(Fact):  # type: ignore[misc]
    pass


class Subgroup(Fact):  # type: ignore[misc]
    pass


SECTION_FACTS: dict[str, type[Fact]] = {
    "design": Design,
    "population": Population,
    "intervention": Intervention,
    "primary_endpoint": PrimaryEndpoint,
    "result": Result,
}
ITEM_FACTS: dict[str, type[Fact]] = {"subgroups": Subgroup}


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


def study_facts(study: BaseModel) -> list[Fact]:
    """The facts for one study, in a fixed order (the order never changes findings)."""
    return facts_from_data(study_data(study))


def facts_from_data(data: dict[str, Any]) -> list[Fact]:
    """:func:`study_facts` from already dumped :func:`study_data` (``data`` is not changed)."""
    facts: list[Fact] = []
    top: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTION_FACTS:
            fields: dict[str, Any] = {}
            _flatten_into(fields, "", value, "_")
            facts.append(SECTION_FACTS[key](**fields))
        elif key in ITEM_FACTS:
            for index, item in enumerate(value):
                fields = {"index": index}
                _flatten_into(fields, "", item, "_")
                facts.append(ITEM_FACTS[key](**fields))
        else:
            top[key] = _freeze(value)
    facts.insert(0, Study(**top))
    return facts
