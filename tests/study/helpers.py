"""Study-file texts for the model tests: a head, a body, and where a problem must point."""

from __future__ import annotations

import pytest

from thymoscope.study.loader import StudyFileError, parse_study
from thymoscope.study.model import Study

SOURCE = "study.yaml"


def head(indication: str = "sepsis", version: int = 2) -> str:
    return f"schema_version: {version}\nid: s\ntitle: A study\nindication: {indication}\n"


def accepted(body: str, indication: str = "sepsis", version: int = 2) -> Study:
    return parse_study(head(indication, version) + body, SOURCE)


def refused(body: str, indication: str = "sepsis", version: int = 2) -> str:
    """The one-line message for a refused study (fails if it is accepted or not one line)."""
    with pytest.raises(StudyFileError) as info:
        parse_study(head(indication, version) + body, SOURCE)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    assert len(info.value.problems) == 1, message
    return message


def line_of(body: str, needle: str, indication: str = "sepsis", version: int = 2) -> int:
    """The 1-based line of the first line holding ``needle`` in the full text."""
    lines = (head(indication, version) + body).splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)
