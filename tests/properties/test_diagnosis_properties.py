"""Properties of diagnosis over generated valid studies (tests/strategies.py)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_core import to_jsonable_python

from tests.strategies import studies
from thymoscope.api import diagnose, diagnoser
from thymoscope.engine.diagnosis import SEVERITY_ORDER, Diagnosis
from thymoscope.engine.facts import study_values
from thymoscope.kb import knowledge
from thymoscope.kb.facts import study_facts
from thymoscope.study.model import Study

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
UNRENDERED = re.compile(r"\{\{|\{%|%\}|\}\}")
PYTHON_NONE = re.compile(r"\bNone\b(?! of)")  # a leaked None value, not "None of ..."


def normalised(value: Any) -> Any:
    """A model value as engine/facts.study_values holds it: JSON values, lists as tuples."""
    plain = to_jsonable_python(value)
    return tuple(plain) if isinstance(plain, list) else plain


def snapshot(diagnosis: Diagnosis) -> tuple[Any, ...]:
    return (diagnosis.findings, diagnosis.checks, diagnosis.key_facts)


@PROPERTY_SETTINGS
@given(studies())
def test_valid_studies_never_crash_the_engine(study: Study) -> None:
    diagnosis = diagnose(study)
    assert diagnosis.study_id == study.id
    assert len(diagnosis.checks) == len(knowledge().catalogue)


@PROPERTY_SETTINGS
@given(studies())
def test_diagnosis_is_deterministic(study: Study) -> None:
    assert snapshot(diagnose(study)) == snapshot(diagnose(study))


@PROPERTY_SETTINGS
@given(studies(), st.randoms(use_true_random=False))
def test_fact_declaration_order_does_not_matter(study: Study, rnd: Any) -> None:
    facts = study_facts(study)
    rnd.shuffle(facts)
    assert snapshot(diagnoser().diagnose(study, facts=facts)) == snapshot(diagnose(study))


@PROPERTY_SETTINGS
@given(studies())
def test_every_cited_fact_is_in_the_study(study: Study) -> None:
    values = study_values(study)
    for finding in diagnose(study).findings:
        assert finding.facts, f"{finding.id} cites nothing"
        for fact in finding.facts:
            assert fact.path in values
            assert fact.value == normalised(study.value_at(fact.path)), fact.path


@PROPERTY_SETTINGS
@given(studies())
def test_every_finding_is_complete(study: Study) -> None:
    catalogue = knowledge().catalogue
    diagnosis = diagnose(study)
    for finding in diagnosis.findings:
        assert finding.id in catalogue
        assert finding.title.strip() and finding.explanation.strip()
        assert finding.next_steps and all(step.strip() for step in finding.next_steps)
        assert finding.faq and all(section in {"1", "2", "3", "4"} for section in finding.faq)
        assert finding.severity in SEVERITY_ORDER
        assert finding.factor in knowledge().factor_order
        assert finding.rules
        for text in (finding.explanation, *finding.next_steps):
            assert not UNRENDERED.search(text), text
            assert not PYTHON_NONE.search(text), text
        spec = catalogue[finding.id]
        assert not spec.applies_to or diagnosis.indication in spec.applies_to
    assert len(set(diagnosis.finding_ids())) == len(diagnosis.findings)


@PROPERTY_SETTINGS
@given(studies())
def test_checks_agree_with_findings(study: Study) -> None:
    diagnosis = diagnose(study)
    fired = {c.finding for c in diagnosis.checks if c.status == "fired"}
    assert fired == set(diagnosis.finding_ids())
    for check in diagnosis.checks:
        assert check.status in {"fired", "not_triggered", "not_applicable", "not_assessable"}
        assert (check.status == "not_assessable") == bool(check.unknown)
