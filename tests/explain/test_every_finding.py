"""`explain` on every finding of the catalogue: for the firing and the silent study of
each rule case of tests/kb/test_<factor>.py.

* a firing study: the finding is explained as raised by the case's rule, and each
  proposed change, applied to the study and diagnosed again independently, leaves the
  finding judged and not raised;
* a silent study (the case's one further change): the explanation of the case's rule
  names the field that change touched, as a failed condition, an unknown needed fact,
  the scope, or a change verified to make the rule fire again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from tests.kb.contracts import rule_cases, single_study_specs
from tests.kb.rulecase import RuleCase
from thymoscope.api import diagnose
from thymoscope.engine.explain import FIRED, NOT_TRIGGERED, Change, Explanation, with_changes
from thymoscope.engine.facts import study_data
from thymoscope.kb import knowledge
from thymoscope.kb.explanation_text import explanation_json, explanation_lines
from thymoscope.kb.explanations import explain, validate
from thymoscope.study.model import Study

CASES = [case for _, case in rule_cases()]
IDS = [case.id for case in CASES]


def leaf_paths(overrides: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from leaf_paths(value, f"{path}.")
        else:
            yield path


def status_in_report(study: Study, finding: str) -> str:
    return next(c.status for c in diagnose(study).checks if c.finding == finding)


def rendered(explanation: Explanation) -> str:
    json.dumps(explanation_json(explanation))  # JSON-ready
    return "\n".join(explanation_lines(explanation))


def test_every_finding_of_the_catalogue_has_a_case() -> None:
    assert {case.finding for case in CASES} == set(knowledge().catalogue)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_raised_finding_is_explained_with_changes_that_silence_it(case: RuleCase) -> None:
    study = Study.model_validate(case.fire_dict())
    explanation = explain(study, case.finding)
    assert explanation.status == FIRED == status_in_report(study, case.finding)
    assert any(a.rule == case.rule and a.fired for a in explanation.rules)
    proposals = (*explanation.silencing, *explanation.if_results_differed)
    for proposal in proposals:
        assert all(change.value is not None for change in proposal.changes)
        changed = with_changes(study_data(study), proposal.changes)
        assert changed is not None
        # a version 2 value makes the file version 2 (kb.explanations.validate says so)
        again = Study.model_validate(validate(changed))
        assert status_in_report(again, case.finding) == NOT_TRIGGERED, proposal
    assert case.finding in rendered(explanation)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_silent_rule_is_explained_by_the_field_that_silenced_it(case: RuleCase) -> None:
    study = Study.model_validate(case.silent_dict())
    explanation = explain(study, case.finding)
    assert explanation.status == status_in_report(study, case.finding)
    if case.finding_absent:
        assert explanation.status != FIRED
    account = next(a for a in explanation.rules if a.rule == case.rule)
    assert not account.fired
    named = {
        *(judged.path for judged in account.failed),
        *account.unknown,
        *(change.path for p in account.enabling for change in p.changes),
        *(() if account.in_scope else (explanation.scope_field,)),
    }
    touched = set(leaf_paths(case.silent))
    assert any(_within(path, t) for path in named for t in touched), (touched, named)
    text = rendered(explanation)
    if explanation.status != "not_applicable":
        assert case.rule in text


def _within(path: str, touched: str) -> bool:
    """``path`` (concrete) is the touched field or inside it (``subgroups.0.x`` is
    inside ``subgroups``)."""
    return path == touched or path.startswith(f"{touched}.")


SPECS = single_study_specs()
NEEDING = [case for case in CASES if SPECS[case.rule].needs]


@pytest.mark.parametrize("case", NEEDING, ids=[case.id for case in NEEDING])
def test_an_unknown_needed_fact_is_never_a_pass(case: RuleCase) -> None:
    """With a needed field of the case's rule left out, the finding cannot be judged:
    the explanation says so and names the field."""
    spec = SPECS[case.rule]
    data = study_data(Study.model_validate(case.fire_dict()))
    changed = with_changes(data, [Change(spec.needs[0], None)])
    assert changed is not None
    try:
        study = Study.model_validate(changed)
    except ValueError:
        pytest.skip("the study model needs that field once others are given")
    explanation = explain(study, case.finding)
    if explanation.status == "not_assessable":
        assert spec.needs[0] in explanation.unknown
        assert "not counted in its favour" in rendered(explanation)
    else:  # another rule of the finding still fires, or the finding is out of scope
        assert explanation.status in (FIRED, "not_applicable")
