"""The Python API: diagnose a study, or many study files on every core, with the bundled
knowledge base (the engine itself is domain-free and is given it here)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from thymoscope.engine import batch
from thymoscope.engine.core import Diagnoser
from thymoscope.engine.diagnosis import Diagnosis, KnowledgeBase
from thymoscope.study.loader import StudyFileError, load_study
from thymoscope.study.model import Study

Paths = Sequence[str | os.PathLike[str]]


def default_knowledge() -> KnowledgeBase:
    """The bundled Thymalfasin knowledge base (loaded once per process)."""
    from thymoscope.kb import knowledge

    return knowledge()


@cache
def diagnoser() -> Diagnoser:
    """The process-wide diagnoser; its rule network is built once (shared with batches)."""
    return batch.diagnoser_for(default_knowledge)


def diagnose(study: Study, source: str | None = None) -> Diagnosis:
    return diagnoser().diagnose(study, source)


def diagnose_file(path: str | os.PathLike[str]) -> Diagnosis:
    return diagnose(load_study(path), str(path))


# --- batches (see thymoscope.engine.batch) -----------------------------------------------


def study_dict(diagnosis: Diagnosis, knowledge: KnowledgeBase) -> dict[str, Any]:
    """One study's report part: ``report.document.study_document`` (plain data)."""
    from thymoscope.report.document import study_document

    return study_document(diagnosis, dict(knowledge.factor_titles))


def study_json(diagnosis: Diagnosis, knowledge: KnowledgeBase, **dump_options: Any) -> str:
    """One study's report part as JSON text."""
    return json.dumps(study_dict(diagnosis, knowledge), **dump_options)


def diagnose_paths(paths: Paths, jobs: int | None = None) -> list[Diagnosis | StudyFileError]:
    """Every study file diagnosed, in input order; a bad file is its StudyFileError."""
    return list(batch.map_paths(paths, jobs, default_knowledge))


def diagnose_to_documents(
    paths: Paths, jobs: int | None = None
) -> Iterator[dict[str, Any] | StudyFileError]:
    """Each study's report part as plain data (built in the workers), in input order.

    For a whole report: ``doc = report_document([], errors)``, then
    ``doc["studies"] = documents``; this equals ``report_document(diagnoses, errors)``.
    """
    return batch.map_paths(paths, jobs, default_knowledge, study_dict)


def diagnose_to_json(
    paths: Paths, jobs: int | None = None, **dump_options: Any
) -> Iterator[str | StudyFileError]:
    """Each study's report part as JSON text (rendered in the workers), in input order.

    ``dump_options`` go to :func:`json.dumps` (e.g. ``indent=2``, ``ensure_ascii=False``).
    """
    return batch.map_paths(paths, jobs, default_knowledge, study_json, **dump_options)
