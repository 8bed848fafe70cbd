"""The structured values a rule passed to ``conclude``: what the texts are filled with."""

from __future__ import annotations

from typing import Any

from tests.conftest import make_study
from thymoscope.api import diagnose, diagnoser
from thymoscope.engine.diagnosis import Diagnosis, Finding


def concluded(data: dict[str, Any], finding_id: str) -> tuple[Finding, dict[str, Any]]:
    """The finding and the merged values of every conclusion for it (first value wins)."""
    diagnosis = diagnose(make_study(data))
    found = next((f for f in diagnosis.findings if f.id == finding_id), None)
    assert found is not None, f"{finding_id} missing; got {diagnosis.finding_ids()}"
    merged: dict[str, Any] = {}
    for conclusion in diagnoser().engine.conclusions:
        if conclusion.finding == finding_id:
            for key, value in conclusion.values:
                merged.setdefault(key, value)
    return found, merged


def diagnosed(data: dict[str, Any]) -> Diagnosis:
    return diagnose(make_study(data))


def text_of(found: Finding) -> str:
    return " ".join((found.title, found.explanation, *found.next_steps))
