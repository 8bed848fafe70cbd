"""Fuzz the loader and the engine: any input ends in a Study or a clean StudyFileError.

Five targets, each with a bounded example budget (scaled by THYMOSCOPE_FUZZ_EXAMPLES):

* raw bytes, of any kind;
* the bytes of a valid study file with bytes flipped, inserted or deleted;
* valid studies (tests/strategies.py) with keys deleted, renamed or added and values
  swapped for other types (NaN, huge numbers, dates, lists, mappings...), dumped as YAML;
* valid study text with hostile YAML lines spliced in (tags, anchors, tabs, documents);
* valid study text with values given explicit tags (``!!int ''``, ``!!bool 'maybe'``,
  verbatim ``!<tag:...>``...) or written as double-quoted YAML escapes (``\\e``,
  ``\\x9b``, ``\\0``, ``\\u202e``...): only ``!!str`` may pass, and no control or
  bidirectional character may reach a Study.

A clean outcome is a :class:`Study` that the engine diagnoses and the report renders
as JSON without raising, or a :class:`StudyFileError` whose problems are single lines
``SOURCE[:LINE]: message`` naming a line of the input.  The counts are printed by
tests/fuzz/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz._stats import record
from tests.strategies import study_dicts
from thymoscope.api import diagnose
from thymoscope.kb import knowledge
from thymoscope.report.document import study_document
from thymoscope.study.loader import StudyFileError, parse_study, parse_study_bytes
from thymoscope.study.model import Study

SCALE = float(os.environ.get("THYMOSCOPE_FUZZ_EXAMPLES", "1"))
SOURCE = "fuzz.yaml"
PROBLEM = re.compile(r"^fuzz\.yaml(?::(?P<line>\d+))?: (?P<message>\S[^\n]*)$")


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        derandomize=os.environ.get("THYMOSCOPE_FUZZ_RANDOM") is None,  # CI: reproducible
        database=None,
    )


def check_outcome(target: str, load: Any, line_count: int) -> None:
    """Run ``load()``; the outcome must be clean (see the module docstring)."""
    try:
        study = load()
    except StudyFileError as exc:
        assert exc.problems, "an error without problems"
        for problem in exc.problems:
            text = str(problem)
            match = PROBLEM.match(text)
            assert match, repr(text)
            assert 0 <= int(match["line"] or 0) <= line_count + 1, text
            assert len(text) < 600, text
        record(target, "error")
        return
    assert isinstance(study, Study)
    diagnosis = diagnose(study, SOURCE)
    json.dumps(study_document(diagnosis, dict(knowledge().factor_titles)), allow_nan=False)
    record(target, "study")


def _lines(data: bytes | str) -> int:
    return data.count(b"\n" if isinstance(data, bytes) else "\n") + 1


# --- raw bytes --------------------------------------------------------------------


@fuzz_settings(500)
@given(st.binary(max_size=4096))
def test_raw_bytes(raw: bytes) -> None:
    check_outcome("test_raw_bytes", lambda: parse_study_bytes(raw, SOURCE), _lines(raw))


def _valid_yaml(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(_valid_yaml(draw(study_dicts())))
    for _ in range(draw(st.integers(0, 8))):  # 0: the valid file itself
        if not raw:
            break
        at = draw(st.integers(0, len(raw) - 1))
        operation = draw(st.sampled_from(["flip", "insert", "delete", "duplicate"]))
        if operation == "flip":
            raw[at] = draw(st.integers(0, 255))
        elif operation == "insert":
            raw[at:at] = draw(
                st.sampled_from(
                    [
                        b"\t",
                        b"\x00",
                        b"\xff",
                        b"&a ",
                        b"*a",
                        b"!!",
                        b"[",
                        b"{",
                        b"- ",
                        b": ",
                        b"'",
                        b'"',
                        b"\n ",
                        b"\xef\xbb\xbf",
                        b"---\n",
                        b"? ",
                        b"%",
                    ]
                )
            )
        elif operation == "delete":
            del raw[at : at + draw(st.integers(1, 20))]
        else:
            end = min(len(raw), at + draw(st.integers(1, 200)))
            raw[at:at] = raw[at:end]
    return bytes(raw)


@fuzz_settings(200)
@given(mutated_bytes())
def test_mutated_study_bytes(raw: bytes) -> None:
    check_outcome("test_mutated_study_bytes", lambda: parse_study_bytes(raw, SOURCE), _lines(raw))


# --- structurally plausible studies -----------------------------------------------

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            0,
            -1,
            1e308,
            5e-324,
            "",
            " ",
            "1e309",
            "1.6",
            "yes",
            "null",
            "~",
            "rct",
            "sepsis",
            "double",
            "placebo",
        ]
    ),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.text(max_size=30),
    st.lists(st.integers(-5, 5) | st.text(max_size=5), max_size=4),
    st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), max_size=3),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_studies(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(study_dicts())
    for _ in range(draw(st.integers(0, 6))):  # 0: the valid study itself
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(data, path), path[-1]
        operation = draw(st.sampled_from(["delete", "replace", "rename", "add", "wrap"]))
        if operation == "delete":
            del parent[last]
        elif operation == "replace":
            parent[last] = draw(ODD_VALUES)
        elif operation == "wrap":
            parent[last] = draw(st.sampled_from([[parent[last]], {"value": parent[last]}]))
        elif operation == "rename" and isinstance(parent, dict):
            new = draw(
                st.sampled_from(
                    [
                        str(last).upper(),
                        f"{last}s",
                        str(last)[:-1] or "x",
                        str(last).replace("_", "-"),
                        "<<",
                    ]
                )
            )
            parent[new] = parent.pop(last)
        elif operation == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(ODD_VALUES)
    return data


@fuzz_settings(250)
@given(mutated_studies())
def test_mutated_studies(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    check_outcome("test_mutated_studies", lambda: parse_study(text, SOURCE), _lines(text))


HOSTILE_LINES = [
    "citation: !!python/object/apply:os.system ['echo never']",
    "design: !!python/object:builtins.dict {}",
    "x: &a [1, 2, 3]",
    "y: [*a, *a, *a]",
    "z: *nothing",
    "<<: {type: rct}",
    "\tdesign: {}",
    "---",
    "...",
    "%YAML 1.1",
    "? [complex, key]",
    ": value",
    "title: !!binary aGVsbG8=",
    "follow_up_months_after_therapy: .nan",
    "follow_up_months_after_therapy: 1:30:00",
    "design: {sample_size: 0777}",
    "design: {sample_size: 2024-02-30}",
    "intervention: {dose: " + "9" * 200 + "}",
    "subgroups: [" + ", ".join(["{name: s}"] * 250) + "]",
    "secondary_endpoints: [" + ", ".join(["hla_dr"] * 300) + "]",
    "id: " + "a" * 200,
    "  - dangling",
    'title: "unterminated',
    "title: 'ok'  # comment",
    "- list item",
]


@st.composite
def spliced_texts(draw: st.DrawFn) -> str:
    lines = yaml.safe_dump(draw(study_dicts()), sort_keys=False).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        line = draw(st.sampled_from(HOSTILE_LINES))
        indent = draw(st.sampled_from(["", "", "  ", "    "]))
        if draw(st.booleans()) and at < len(lines):
            lines[at] = indent + line
        else:
            lines.insert(at, indent + line)
    return "\n".join(lines) + "\n"


@fuzz_settings(200)
@given(spliced_texts())
def test_spliced_hostile_lines(text: str) -> None:
    check_outcome("test_spliced_hostile_lines", lambda: parse_study(text, SOURCE), _lines(text))


# --- explicit tags and YAML escapes -------------------------------------------------

CORE_TAGS = [
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!timestamp",
    "!!str",
    "!!binary",
    "!!merge",
    "!!value",
    "!<tag:yaml.org,2002:int>",
    "!<tag:yaml.org,2002:bool>",
    "!",
    "!local",
]
TAGGED_VALUES = [
    "''",
    "'-'",
    "'+'",
    "'maybe'",
    "nope",
    "'0x'",
    "'0x" + "f" * 300 + "'",
    "'0b'",
    '"010"',
    "'1:30'",
    "'x'",
    "'1e5'",
    "'.inf'",
    "'2024-13-45'",
    "'2024-01-01'",
    "'1_000'",
    "''''",
    "[]",
    "{}",
    "12",
]
ESCAPES = [
    "\\e",
    "\\x9b",
    "\\0",
    "\\u202e",
    "\\u2066",
    "\\a",
    "\\b",
    "\\r",
    "\\v",
    "\\f",
    "\\N",
    "\\L",
    "\\P",
    "\\_",
    "\\t",
    "\\x7f",
    "\\x1b[31m",
    "\\e]0;title\\a",
    "\\U0001F4AF",
    "\\ud800",
    "\\uFEFF",
    "\\\\",
    '\\"',
]
# what must never reach a Study: it would reach a terminal next
_UNSAFE_IN_STUDY = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@st.composite
def tagged_and_escaped_texts(draw: st.DrawFn) -> tuple[str, bool]:
    """A valid study with some values given an explicit tag, or written with escapes;
    and whether a tag that must be refused (any but ``!!str`` and ``!``) was used."""
    lines = yaml.safe_dump(draw(study_dicts()), sort_keys=False, width=10_000).splitlines()
    scalars = [
        i
        for i, line in enumerate(lines)
        if re.match(r"^ *[a-z_]+: \S", line) and not line.startswith("schema_version:")
    ]
    texts = [i for i, line in enumerate(lines) if re.match(r"^(title|citation): ", line)]
    refused = False
    # free-text fields half of the time, so that accepted studies are checked too
    where = st.sampled_from(texts) if texts and draw(st.booleans()) else st.sampled_from(scalars)
    for at in draw(st.lists(where, min_size=1, max_size=3, unique=True)):
        key = lines[at].split(":", 1)[0]
        if draw(st.booleans()):
            tag = draw(st.sampled_from([*CORE_TAGS, "!!str", "!!str", "!"]))
            refused = refused or tag not in ("!!str", "!")
            value = f"{tag} {draw(st.sampled_from(TAGGED_VALUES))}"
        else:
            benign = ["a", " ", "x1", "\\t", "\\\\", '\\"', "\\U0001F4AF", "[b]", ":100:"]
            parts = draw(st.lists(st.sampled_from([*ESCAPES, *benign]), max_size=6))
            value = '"x' + "".join(parts) + '"'
        lines[at] = f"{key}: {value}"
    return "\n".join(lines) + "\n", refused


@fuzz_settings(150)
@given(tagged_and_escaped_texts())
def test_explicit_tags_and_escapes(case: tuple[str, bool]) -> None:
    text, refused = case
    outcome: list[Study] = []

    def load() -> Study:
        study = parse_study(text, SOURCE)
        outcome.append(study)
        return study

    check_outcome("test_explicit_tags_and_escapes", load, _lines(text))
    for study in outcome:
        found = [s for s in _strings(study.model_dump(mode="json")) if _UNSAFE_IN_STUDY.search(s)]
        assert not found, found
    assert not (refused and outcome), "an explicit tag other than !!str got through"
