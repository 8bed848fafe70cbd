"""The questions in kb/questions.yaml against the rules and the study model."""

from __future__ import annotations

import random
import typing
from enum import Enum
from importlib.resources import files

import pytest
from hypothesis import given, settings
from pydantic import BaseModel

from tests.strategies import studies
from thymoscope.api import diagnose, diagnose_file
from thymoscope.engine.questionnaire import (
    AnswerError,
    Interview,
    _base,
    evaluate,
    field_annotation,
    pattern_of,
)
from thymoscope.kb.questions import question_bank
from thymoscope.study.model import Study

BANK = question_bank()
QUESTION_FIELDS = {q.field for q in BANK.questions}
CASES = sorted(p for p in files("thymoscope.kb.cases").iterdir() if p.name.endswith(".yaml"))
NUMBERS = ["1", "0.8", "1.6", "3.2", "0.5", "12", "26", "150", "60", "0.03", "2", "0"]


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    leaves = []
    for name, info in model.model_fields.items():
        base = _base(info.annotation)
        if typing.get_origin(base) is list:
            item = _base(typing.get_args(base)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                leaves += _leaf_fields(item, f"{prefix}{name}.*.")
                continue
        if isinstance(base, type) and issubclass(base, BaseModel):
            leaves += _leaf_fields(base, f"{prefix}{name}.")
        else:
            leaves.append(prefix + name)
    return leaves


def _covered(path: str) -> bool:
    return path in QUESTION_FIELDS or any(
        path == key or path.startswith(key + ".") for key in BANK.not_asked
    )


def test_every_field_a_rule_reads_can_be_asked() -> None:
    for reader in BANK.readers:
        for path in (*reader.reads, *reader.gates()):
            assert path in QUESTION_FIELDS, f"{reader.finding} reads {path}, which no question asks"


def test_every_study_field_is_asked_or_deliberately_not_asked() -> None:
    for path in _leaf_fields(Study):
        assert _covered(path), f"{path}: neither a question nor listed under not_asked"
    for path, reason in BANK.not_asked.items():
        assert path not in QUESTION_FIELDS and reason.strip(), path


def test_choices_are_the_study_model_values() -> None:
    for question in BANK.questions:
        if question.kind == "count":
            continue
        base = _base(field_annotation(Study, question.field))
        if question.kind == "multi":
            base = _base(typing.get_args(base)[0])
        if question.kind in ("choice", "multi"):
            assert isinstance(base, type) and issubclass(base, Enum), question.field
            assert list(question.values) == [m.value for m in base], question.field
        else:
            assert not question.answers, question.field


def _random_walk(rng: random.Random) -> set[str]:
    interview = Interview(BANK)
    asked: set[str] = set()
    for _ in range(200):
        step = interview.next()
        if step is None:
            break
        question, path = step
        asked.add(question.field)
        if question.kind in ("choice", "multi"):
            options = list(question.values)
        elif question.kind == "boolean":
            options = ["yes", "no"]
        elif question.kind == "count":
            options = ["0", "1", "2"]
        elif question.kind in ("number", "integer"):
            options = list(NUMBERS)
        else:
            options = ["low", "high", "x"]
        rng.shuffle(options)
        if rng.random() < 0.15:
            options.insert(0, "skip")
        for raw in options:
            try:
                if raw == "skip":
                    interview.skip(path)
                else:
                    interview.answer(path, raw)
                break
            except AnswerError:
                continue
        else:
            try:
                interview.skip(path)
            except AnswerError:
                break
    return asked


def test_every_question_is_reachable() -> None:
    rng = random.Random(20261124)
    reached: set[str] = set()
    for _ in range(400):
        reached |= _random_walk(rng)
        if reached == QUESTION_FIELDS:
            break
    assert QUESTION_FIELDS - reached == set()


def _check_finding_is_reachable(diagnosis, values: dict) -> None:  # type: ignore[no-untyped-def]
    """A fired finding was not pruned by its `when`, and read only fields it declares."""
    readers = {r.finding: r for r in BANK.readers}
    for finding in diagnosis.findings:
        reader = readers[finding.id]
        assert evaluate(reader.when, values.get) is not False, finding.id
        for fact in finding.facts:
            assert pattern_of(fact.path) in reader.reads, (finding.id, fact.path)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_when_conditions_never_prune_a_bundled_finding(case) -> None:  # type: ignore[no-untyped-def]
    diagnosis = diagnose_file(case)
    _check_finding_is_reachable(diagnosis, diagnosis.key_facts)


@settings(max_examples=100, deadline=None)
@given(studies())
def test_when_conditions_never_prune_a_finding(study: Study) -> None:
    diagnosis = diagnose(study)
    _check_finding_is_reachable(diagnosis, diagnosis.key_facts)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_answering_from_a_bundled_case_reaches_its_findings(case) -> None:  # type: ignore[no-untyped-def]
    """Give each asked question the case's own value: the interview ends in its findings."""
    import yaml

    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    full, _ = Interview.from_data(BANK, data)
    interview = Interview(BANK)
    while (step := interview.next()) is not None:
        _question, path = step
        value = full.answers.get(path)
        if value is None:
            interview.skip(path)
            continue
        if isinstance(value, list):
            raw = ", ".join(value) or "none"
        elif isinstance(value, bool):
            raw = "yes" if value else "no"
        else:
            raw = str(value)
        interview.answer(path, raw)
    assert diagnose(interview.study()).finding_ids() == diagnose_file(case).finding_ids()
