"""``json_safe``'s shortcut (issue 14): a text printable but for its line feeds is
returned as it is, without the regular expression's pass.  That is exact only because
every character the expression escapes is non-printable; both are checked here."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from thymoscope.report.render import _UNSAFE, JSON_OPTIONS, json_safe


def generic_json_safe(text: str) -> str:
    """The way it was: always the regular expression."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def test_every_escaped_character_is_non_printable() -> None:
    every = "".join(map(chr, range(0x110000)))
    escaped = _UNSAFE.findall(every)
    assert escaped  # the expression still escapes something
    assert not [c for c in escaped if c.isprintable() or c == "\n"]


@given(st.text())
def test_any_text_as_before(text: str) -> None:
    assert json_safe(text) == generic_json_safe(text)


@given(st.text(alphabet=st.sampled_from("ab \n\t\x1b\x7f\x85\u202e\u2028\u061c─–é")))
def test_texts_near_the_edge_as_before(text: str) -> None:
    assert json_safe(text) == generic_json_safe(text)


@given(st.recursive(st.text() | st.integers() | st.none(), st.lists, max_leaves=8))
def test_json_documents_as_before(data: object) -> None:
    text = json.dumps(data, **JSON_OPTIONS)
    assert json_safe(text) == generic_json_safe(text)
