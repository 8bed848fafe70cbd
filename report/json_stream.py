"""The JSON report written piece by piece, as the studies are diagnosed.

``thymoscope diagnose -f json`` of a large folder must not hold every study's part in
memory.  The report document's ``studies`` list comes before ``errors`` and ``notice``,
so the text up to the first study (:meth:`JsonReportPieces.head`) is known before any
study is diagnosed, each study's part can be written as soon as it is ready
(:func:`study_part`, run in the batch's worker processes), and only the end
(:meth:`JsonReportPieces.tail`, with the input problems) waits for the last study.

The pieces joined are byte for byte the whole report rendered at once,
``json_safe(json.dumps(document, **JSON_OPTIONS)) + "\\n"`` (a test compares them): a
study's part is indented here for its place in the list, and the characters
``json_safe`` escapes are single characters inside strings, escaped the same in pieces
as in the whole.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from thymoscope.engine.diagnosis import Diagnosis, KnowledgeBase
from thymoscope.report.render import JSON_OPTIONS, json_safe

_SLOT = "\x00thymoscope-stream-studies\x00"
_INDENT = JSON_OPTIONS["indent"]
# A study sits two levels deep: the report's mapping, then its ``studies`` list.
STUDY_PREFIX = "\n" + " " * (2 * _INDENT)
# Between two studies' parts (json.dumps' item separator with an indent).
STUDY_SEPARATOR = "," + STUDY_PREFIX


def study_part(
    diagnosis: Diagnosis, knowledge: KnowledgeBase, **_options: Any
) -> tuple[str, dict[str, int]]:
    """(one study's part of the JSON report, ready to write; its findings by severity).

    A batch renderer (``engine.batch.map_paths``): it runs in the worker processes, so
    the parent only writes the text.
    """
    from thymoscope.report.document import study_document

    document = study_document(diagnosis, dict(knowledge.factor_titles))
    return json_safe(indented_json(document, STUDY_PREFIX)), dict(document["severity_counts"])


class _Unusual(Exception):
    """A value :func:`indented_json` leaves to ``json.dumps``."""


def indented_json(value: Any, newline: str = "\n") -> str:
    """``json.dumps(value, **JSON_OPTIONS)`` (indent 2, Unicode kept), each line break
    followed by ``newline``'s indentation: the text of ``value`` placed at that depth.

    The standard library indents in pure Python, through a generator per container;
    this builds the same text by direct recursion, about twice as fast.  Anything but
    plain JSON data (dicts with text keys, lists, tuples, text, numbers, booleans, None)
    goes to ``json.dumps`` itself, so the text is always exactly its text.
    """
    out: list[str] = []
    try:
        _encode(value, out, newline)
    except _Unusual:
        return json.dumps(value, **JSON_OPTIONS).replace("\n", newline)
    return "".join(out)


_STEP = " " * JSON_OPTIONS["indent"]
_CONSTANTS = {None: "null", True: "true", False: "false"}


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise _Unusual  # NaN and infinities: json.dumps' own spelling
    return float.__repr__(value)


def _scalar(value: Any) -> str | None:
    """The JSON text of a string, int, bool or None; None for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None or kind is bool:
        return _CONSTANTS[value]
    if kind is int:
        return int.__repr__(value)
    return None


def _encode(value: Any, out: list[str], newline: str) -> None:
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + _STEP
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            if type(item) is str:  # the common case, without a call per value
                out.append(separator + encode_basestring(key) + ": " + encode_basestring(item))
            else:
                out.append(separator + encode_basestring(key) + ": ")
                _encode(item, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + _STEP
        separator = "[" + inner
        for item in value:
            if type(item) is str:
                out.append(separator + encode_basestring(item))
            else:
                out.append(separator)
                _encode(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    elif kind is float:
        out.append(_float(value))
    else:
        raise _Unusual


class JsonReportPieces:
    """The report's text around its studies' parts (``document`` without studies)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def _split(self, errors: list[str]) -> tuple[str, str]:
        text = json.dumps({**self.document, "errors": errors, "studies": [_SLOT]}, **JSON_OPTIONS)
        slot = json.dumps(_SLOT, **JSON_OPTIONS)
        if text.count(slot) != 1:
            raise ValueError("the document already holds the stream placeholder")
        head, tail = text.split(slot)
        return json_safe(head), json_safe(tail) + "\n"

    def head(self) -> str:
        """The text before the first study (it does not depend on the input problems)."""
        return self._split([])[0]

    def tail(self, errors: list[str]) -> str:
        """The text after the last study, with the input problems, ending the report."""
        head, tail = self._split(errors)
        if head != self.head():  # pragma: no cover - errors come after the studies
            raise ValueError("the report's studies must come before its errors")
        return tail
