"""``indented_json`` is exactly ``json.dumps(value, **JSON_OPTIONS)``, placed at a depth."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thymoscope.report.json_stream import STUDY_PREFIX, indented_json
from thymoscope.report.render import JSON_OPTIONS

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
data = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(data)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, **JSON_OPTIONS)
    expected = json.dumps(value, **JSON_OPTIONS).replace("\n", STUDY_PREFIX)
    assert indented_json(value, STUDY_PREFIX) == expected


class Colour(StrEnum):
    red = "red"


@pytest.mark.parametrize(
    "value",
    [
        {"a": [], "b": {}, "c": [[]], "d": [{}]},
        {"nan": float("nan"), "inf": [float("inf"), -float("inf")]},
        {1: "int key", None: "none key", 2.5: "float key"},
        {"enum": Colour.red, Colour.red: 1, "big": 10**30, "neg": -0.0},
        ["\x1b[31m", "\u202e", "é", '"quoted"\\'],
    ],
)
def test_edges_fall_back_or_match(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, **JSON_OPTIONS)


def test_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        indented_json({"x": object()})
