"""One rule network per scope value: the rules that can fire for it, nothing else.

:class:`~thymoscope.engine.core.Diagnoser` runs a study on a network built from the
unrestricted rules and the rules whose ``applies_to`` names the study's scope value; a
value no rule names gets every rule.  These tests check the selection against the
declarations and that every network concludes exactly what the full network does.
"""

from __future__ import annotations

import importlib.util
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import bundled_case_names
from tests.strategies import studies
from thymoscope.engine.core import Diagnoser, DiagnosticEngine
from thymoscope.engine.diagnosis import Conclusion
from thymoscope.engine.facts import flatten, study_data
from thymoscope.engine.rules import RuleError, rule_specs
from thymoscope.kb import knowledge
from thymoscope.study.loader import parse_study

GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def _rule_names(diagnoser: Diagnoser, scope: Any) -> set[str]:
    return {rule.__name__ for rule in diagnoser.engine_for(scope).get_rules()}


def _named_scopes() -> list[str]:
    specs = rule_specs(knowledge().rule_sets)
    return sorted({value for spec in specs for value in spec.applies_to})


def _key(conclusions: list[Conclusion]) -> list[tuple[Any, ...]]:
    return sorted((c.finding, c.rule, c.cites, repr(c.values), c.severity) for c in conclusions)


def test_some_rules_are_restricted_to_scope_values() -> None:
    # the mechanism is only exercised while the knowledge base restricts some rules
    assert _named_scopes()


def test_each_scope_engine_holds_exactly_the_rules_that_apply() -> None:
    diagnoser = Diagnoser(knowledge())
    specs = rule_specs(knowledge().rule_sets)
    for scope in _named_scopes():
        expected = {s.rule for s in specs if not s.applies_to or scope in s.applies_to}
        assert _rule_names(diagnoser, scope) == expected
        assert diagnoser.rules_for(scope) == expected
        assert len(diagnoser.engine_for(scope).get_rules()) == len(expected)


def test_a_scope_value_no_rule_names_gets_every_rule() -> None:
    diagnoser = Diagnoser(knowledge())
    every = {spec.rule for spec in rule_specs(knowledge().rule_sets)}
    assert len(every) > max(len(diagnoser.rules_for(s) or ()) for s in _named_scopes())
    for scope in ("a value no rule names", None, 3, ["sepsis"]):
        assert diagnoser.rules_for(scope) is None
        assert _rule_names(diagnoser, scope) == every
    # every unnamed value shares the one full network
    assert diagnoser.engine_for("another unnamed value") is diagnoser.engine_for(None)


def test_engines_are_built_on_first_use_only() -> None:
    diagnoser = Diagnoser(knowledge())
    assert diagnoser._engines == {}
    name = bundled_case_names()[0]
    text = files("thymoscope.kb.cases").joinpath(name).read_text(encoding="utf-8")
    study = parse_study(text, name)
    diagnosis = diagnoser.diagnose(study)
    assert len(diagnoser._engines) == 1
    assert diagnoser.engine is diagnoser.engine_for(diagnosis.indication)
    assert diagnoser.engine.conclusions  # what the last study concluded, on its engine


def _same_as_full_network(diagnoser: Diagnoser, study: Any) -> None:
    data = study_data(study)
    values = flatten(data)
    facts = knowledge().to_facts(data)
    scope = data[knowledge().scope_field]
    scoped = diagnoser.engine_for(scope).evaluate(facts, values)
    full = diagnoser.engine_for(None).evaluate(knowledge().to_facts(data), values)
    assert _key(scoped) == _key(full)


def test_scope_engines_conclude_what_the_full_network_does_on_bundled_cases() -> None:
    diagnoser = Diagnoser(knowledge())
    root = files("thymoscope.kb.cases")
    for name in bundled_case_names():
        study = parse_study(root.joinpath(name).read_text(encoding="utf-8"), name)
        _same_as_full_network(diagnoser, study)


_DIAGNOSER = Diagnoser(knowledge())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_scope_engines_conclude_what_the_full_network_does(data: st.DataObject) -> None:
    indication = data.draw(st.sampled_from([None, *_named_scopes()]))
    _same_as_full_network(_DIAGNOSER, data.draw(studies(indication)))


def test_scope_engines_conclude_what_the_full_network_does_on_generated_studies(
    tmp_path: Path,
) -> None:
    spec = importlib.util.spec_from_file_location("thymoscope_bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    diagnoser = Diagnoser(knowledge())
    for kind, seed in (("full", 21), ("sparse", 22)):
        for path in generate.write_studies(tmp_path / kind, 60, seed=seed, kind=kind):
            _same_as_full_network(diagnoser, knowledge().load(path))


def test_each_engine_collects_activations_from_its_own_conflict_set_nodes() -> None:
    # experta keeps the conflict-set nodes of one matcher at a time (a shared size-1
    # cache); each engine pins its own, so switching engines neither walks the network
    # again nor sees another network's nodes
    diagnoser = Diagnoser(knowledge())
    for scope in [*_named_scopes(), None, *_named_scopes()]:
        engine = diagnoser.engine_for(scope)
        nodes = engine.matcher._get_conflict_set_nodes()
        assert {node.rule.__name__ for node in nodes} == _rule_names(diagnoser, scope)


def test_an_engine_refuses_rule_names_it_does_not_have() -> None:
    engine_class = type("KbEngine", (*knowledge().rule_sets, DiagnosticEngine), {})
    with pytest.raises(RuleError, match="no_such_rule"):
        engine_class({"no_such_rule"})
