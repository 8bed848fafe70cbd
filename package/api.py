"""The Python API: load a study and diagnose it with the bundled knowledge base."""

from __future__ import annotations

import os
from functools import cache

from thymoscope.engine.core import Diagnoser
from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.study.loader import load_study
from thymoscope.study.model import Study


@cache
def diagnoser() -> Diagnoser:
    """The process-wide diagnoser; its rule network is built once (shared with batches)."""
    from thymoscope.engine.batch import DEFAULT_KNOWLEDGE, diagnoser_for

    return diagnoser_for(DEFAULT_KNOWLEDGE)


def diagnose(study: Study, source: str | None = None) -> Diagnosis:
    return diagnoser().diagnose(study, source)


def diagnose_file(path: str | os.PathLike[str]) -> Diagnosis:
    return diagnose(load_study(path), str(path))
