"""The one-pass reader of plain documents (issue 14) reads exactly what the careful
two-pass reading reads (same data, same types, same line of every key), remembers no
value across documents that could differ, and leaves everything else to the careful
path, up to the exact depth and size limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from thymoscope.study import yaml_source
from thymoscope.study.yaml_source import (
    MAX_DEPTH,
    MAX_NODES,
    YamlProblem,
    _Builder,
    _check_events,
    _plain_document,
    parse_yaml,
)


def careful(text: str) -> tuple[Any, dict[Any, int]]:
    builder = _Builder(_check_events(text))
    found, data = builder.document()
    assert found
    return data, builder.lines


def typed(value: Any) -> Any:
    """The value with every scalar's type beside it (``1 == 1.0 == True`` otherwise)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, repr(value))


names = st.from_regex(r"[a-z<>][a-z_0-9 ]{0,8}", fullmatch=True)
scalars = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.sampled_from(["1", "1.0", "true", "null", "010", "1:30", "1e5", "~", "", "0x1f", "-.inf"]),
    st.text(max_size=12),  # any characters: YAML escapes some, a few are refused
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=20,
)
documents = st.dictionaries(names, values, min_size=1, max_size=6)
styles = st.sampled_from([None, '"', "'", "|"])


@settings(max_examples=200, deadline=None)
@given(documents, st.sampled_from([None, True, False]), styles)
def test_the_one_pass_reads_what_the_careful_path_reads(
    data: dict[str, Any], flow: bool | None, style: str | None
) -> None:
    try:
        text = yaml.safe_dump(
            data, default_flow_style=flow, default_style=style, sort_keys=False, width=40
        )
    except yaml.YAMLError:
        return
    plain = _plain_document(text)
    try:
        expected, lines = careful(text)
    except (YamlProblem, yaml.YAMLError):
        assert plain is None  # refused values are the careful path's to report
        return
    if plain is not None:
        assert typed(plain.data) == typed(expected)
        assert plain.lines == lines


@pytest.mark.parametrize(
    "first, second",
    [
        ('a: "1"\nb: 1\n', {"a": "1", "b": 1}),
        ("a: 1\nb: '1'\n", {"a": 1, "b": "1"}),
        ('a: true\nb: "true"\nc: True\n', {"a": True, "b": "true", "c": True}),
        ("a: 1.0\nb: 1\nc: '1.0'\n", {"a": 1.0, "b": 1, "c": "1.0"}),
        ("a: 2024-01-02\nb: '2024-01-02'\n", {"a": dt.date(2024, 1, 2), "b": "2024-01-02"}),
    ],
)
def test_a_text_read_before_is_read_again_by_its_own_style(first: str, second: Any) -> None:
    for _ in range(2):  # the second time from the memo
        document = parse_yaml(first)
        assert typed(document.data) == typed(second)


def test_the_memo_stays_bounded() -> None:
    for start in range(0, yaml_source._MEMO_ENTRIES + 100, 5000):
        parse_yaml("\n".join(f"k{n}: {n}" for n in range(start, start + 5000)) + "\n")
    assert len(yaml_source._PLAIN_MEMO) <= yaml_source._MEMO_ENTRIES


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: !!str 1\n",  # a tag
        'a: "\\e[31m"\n',  # an escape bringing in a control character
        "a: 1:30\n",  # a base-60 number
        "a: 010\n",  # an octal number
        "a: 1\na: 2\n",  # a duplicate key
        "1: a\n",  # a key that is not text
        "? [a]\n: b\n",  # a list as a key
        "a: 1\n---\nb: 2\n",  # two documents
        "- a\n",  # not a mapping
        "a: [1, *x]\n",  # an alias to nothing
        "a: {b: 1, b: 2}\n",  # a duplicate key, deeper
        "a:\n  - b: 1\n    b: 2\n",
    ],
)
def test_anything_not_plain_is_left_to_the_careful_path(text: str) -> None:
    assert _plain_document(text) is None


def _nested(depth: int) -> str:
    """A document whose collections are nested ``depth`` deep (the top mapping counts)."""
    return "a: " + "[" * (depth - 1) + "1" + "]" * (depth - 1) + "\n"


def test_the_depth_limit_is_the_careful_paths() -> None:
    assert _plain_document(_nested(MAX_DEPTH)) is not None
    careful(_nested(MAX_DEPTH))
    assert _plain_document(_nested(MAX_DEPTH + 1)) is None
    with pytest.raises(YamlProblem, match="nested deeper"):
        parse_yaml(_nested(MAX_DEPTH + 1))


def _nodes(count: int) -> str:
    """A document of exactly ``count`` values and keys (the top mapping counts)."""
    items = count - 3  # the top mapping, its key and its list
    return "a: [" + ", ".join("1" for _ in range(items)) + "]\n"


def test_the_size_limit_is_the_careful_paths() -> None:
    assert _plain_document(_nodes(MAX_NODES)) is not None
    careful(_nodes(MAX_NODES))
    assert _plain_document(_nodes(MAX_NODES + 1)) is None
    with pytest.raises(YamlProblem, match="more than"):
        parse_yaml(_nodes(MAX_NODES + 1))


def test_unsafe_raw_characters_are_refused_in_text_that_is_not_ascii() -> None:
    with pytest.raises(YamlProblem, match="U\\+202E"):
        parse_yaml("a: x\u202ey\n")
    assert parse_yaml("a: \u00e9\n").data == {"a": "\u00e9"}


def test_the_lines_of_a_plain_document_are_worked_out_when_first_asked_for() -> None:
    text = "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: 2\n"
    document = parse_yaml(text)
    assert document._lines is None  # not yet: most documents never need them
    assert document.line_of(("b", "d", 0, "e")) == 5
    assert document.line_of(("b", "c", 1)) == 3
    assert document.line_of(("nowhere",)) == 1
    assert document.lines == careful(text)[1]
    assert document._text is None  # the text is let go once the lines are known


def test_a_problem_in_a_plain_study_is_on_its_line() -> None:
    from thymoscope.study.loader import StudyFileError, parse_study

    text = "schema_version: 1\nid: x\ntitle: A study\nindication: sepsi\n"
    with pytest.raises(StudyFileError) as caught:
        parse_study(text, "s.yaml")
    assert str(caught.value).startswith("s.yaml:4: indication:")
