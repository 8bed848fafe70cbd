"""``flatten`` and the facts of a dumped study (issue 14: no isinstance or call per
scalar, experta's ``freeze`` only for what it would copy) give exactly what the plain
generic way gives: the values experta's own ``kind(**fields)`` would hold, in order."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from thymoscope.engine.experta_compat import Fact
from thymoscope.engine.facts import FactLayout, _fact, facts_from_data, flatten


def _generic_freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def generic_into(out: dict[str, Any], prefix: str, part: dict[str, Any], sep: str) -> None:
    """The way nested mappings were flattened before: isinstance for every value."""
    for key, value in part.items():
        name = f"{prefix}{sep}{key}" if prefix else key
        if isinstance(value, dict):
            generic_into(out, name, value, sep)
        else:
            out[name] = _generic_freeze(value)


def generic_flatten(data: dict[str, Any], sep: str = ".") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                generic_into(out, f"{key}{sep}{index}", item, sep)
        elif isinstance(value, dict):
            generic_into(out, key, value, sep)
        else:
            out[key] = _generic_freeze(value)
    return out


def section(part: dict[str, Any], **first: Any) -> dict[str, Any]:
    out = dict(first)
    generic_into(out, "", part, "_")
    return out


def typed(value: Any) -> Any:
    if isinstance(value, dict):
        return [type(value).__name__, [(k, typed(v)) for k, v in value.items()]]
    if isinstance(value, set | frozenset):  # equal sets may iterate in another order
        return [type(value).__name__, sorted(repr(typed(v)) for v in value)]
    if isinstance(value, list | tuple):
        return [type(value).__name__, [typed(v) for v in value]]
    return (type(value).__name__, repr(value))


names = st.sampled_from(["a", "b", "c", "d"])
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(names, inner, max_size=3)
        | st.dictionaries(names, inner, max_size=3).map(OrderedDict)
        | st.frozensets(scalars, max_size=2)
    ),
    max_leaves=12,
)
documents = st.dictionaries(names, values, max_size=5)


@given(documents)
def test_flatten_is_the_generic_flatten(data: dict[str, Any]) -> None:
    assert typed(flatten(data)) == typed(generic_flatten(data))
    assert typed(flatten(data, "_")) == typed(generic_flatten(data, "_"))


class Kind(Fact):  # type: ignore[misc]
    pass


@given(st.dictionaries(names, values, max_size=5))
def test_a_fact_holds_what_experta_would_store(fields: dict[str, Any]) -> None:
    ours, theirs = _fact(Kind, fields), Kind(**fields)
    assert type(ours) is Kind
    assert typed(dict(ours)) == typed(dict(theirs))


study = st.fixed_dictionaries(
    {"id": st.text(max_size=3), "design": st.dictionaries(names, values, max_size=3)},
    optional={
        "covariates": st.dictionaries(names, scalars, max_size=3),
        "subgroups": st.lists(st.dictionaries(names, values, max_size=3), max_size=3),
    },
)


@given(study)
def test_the_facts_are_experta_facts_of_the_same_values(data: dict[str, Any]) -> None:
    """Each fact is what experta's ``kind(**fields)`` makes of the generic flattening."""
    layout = FactLayout(top=Kind, sections={"design": Kind}, items={"subgroups": Kind})
    top: dict[str, Any] = {}
    expected = []
    for key, value in data.items():
        if key == "design":
            expected.append(Kind(**section(value)))
        elif key == "subgroups":
            for index, item in enumerate(value):
                expected.append(Kind(**section(item, index=index)))
        else:
            top[key] = _generic_freeze(value)
    expected.insert(0, Kind(**top))
    got = facts_from_data(data, layout)
    assert [typed(dict(f)) for f in got] == [typed(dict(f)) for f in expected]
