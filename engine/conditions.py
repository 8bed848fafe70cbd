"""Three-valued conditions on answers by dotted path.

A condition is a mapping ``{path: spec}`` (all must hold) or ``{"any": [condition, ...]}``
(one must); a spec is a list of allowed values, ``{"min": x}``, ``{"max": x}``,
``{"not": [values]}`` or ``{"known": true}`` (any answer).  An unknown answer makes a
condition undecided (``None``), never false: a question is dropped, or a finding given
up, only once an answer actually rules it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from thymoscope.engine.model_paths import bind

Condition = Mapping[str, Any]


def condition_fields(condition: Condition | None) -> set[str]:
    """Every path a condition looks at."""
    if not condition:
        return set()
    fields: set[str] = set()
    for key, spec in condition.items():
        if key == "any":
            for part in spec:
                fields |= condition_fields(part)
        else:
            fields.add(key)
    return fields


def holds(spec: Any, value: Any) -> bool:
    """Whether a known ``value`` meets one spec (a list value: any of its items)."""
    if isinstance(spec, list | tuple):
        if isinstance(value, list):
            return any(v in spec for v in value)
        return value in spec
    if isinstance(spec, Mapping):
        if spec.get("known") is True:
            return True
        if "min" in spec and not value >= spec["min"]:
            return False
        if "max" in spec and not value <= spec["max"]:
            return False
        return not ("not" in spec and value in spec["not"])
    return bool(value == spec)


def evaluate(
    condition: Condition | None, value_of: Callable[[str], Any], index: int | None = None
) -> bool | None:
    """True, False, or None when unknown answers leave it undecided.

    ``index`` binds the ``*`` of item paths (``subgroups.*.by``) to one list item.
    """
    if not condition:
        return True
    result: bool | None = True
    for key, spec in condition.items():
        if key == "any":
            outcomes = [evaluate(part, value_of, index) for part in spec]
            outcome = (
                True if True in outcomes else False if all(o is False for o in outcomes) else None
            )
        else:
            value = value_of(bind(key, index))
            outcome = None if value is None else holds(spec, value)
        if outcome is False:
            return False
        if outcome is None:
            result = None
    return result


def describe_condition(condition: Condition) -> str:
    """A condition in plain words, fields by their paths (``design.type is rct``).

    ``thymoscope ask`` words it with the fields' labels instead
    (``thymoscope.cli.ask_words.describe_condition``).
    """
    parts = []
    for key, spec in condition.items():
        if key == "any":
            parts.append("(" + " or ".join(describe_condition(c) for c in spec) + ")")
        elif isinstance(spec, list | tuple):
            parts.append(f"{key} is {' or '.join(str(s).lower() for s in spec)}")
        elif isinstance(spec, Mapping):
            if "min" in spec:
                parts.append(f"{key} >= {spec['min']}")
            if "max" in spec:
                parts.append(f"{key} <= {spec['max']}")
            if "not" in spec:
                parts.append(f"{key} is not {' or '.join(map(str, spec['not']))}")
    return " and ".join(parts)
