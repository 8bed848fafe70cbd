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
    text = json.dumps(document, **JSON_OPTIONS).replace("\n", STUDY_PREFIX)
    return json_safe(text), dict(document["severity_counts"])


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
