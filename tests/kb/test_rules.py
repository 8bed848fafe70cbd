"""Generic tests run for every rule case of tests/kb/test_<factor>.py (see conftest.py).

* the case's study makes its rule fire, and one further change silences it;
* the firing study satisfies the rule's declaration (``@concludes``): its values are
  inside ``when`` and ``applies_to``, the rule concludes the declared finding, and it
  cites only fields it declares it reads;
* each value outside ``when`` (and each scope outside ``applies_to``) silences the rule.
"""

from __future__ import annotations

from typing import Any

from tests.kb.contracts import KNOWN_GAPS, conclusions, fire_data, single_study_specs, with_value
from tests.kb.rulecase import RuleCase, check_fires, check_silent
from thymoscope.engine.facts import flatten
from thymoscope.engine.questionnaire import evaluate, pattern_of
from thymoscope.engine.rules import finding_when, rule_specs
from thymoscope.kb import knowledge
from thymoscope.kb.comparison import bundled_case_path, bundled_pairs, compare_files, pair_knowledge

SPECS = single_study_specs()


def test_rule_fires(rule_case: RuleCase) -> None:
    check_fires(rule_case)


def test_rule_stays_silent(rule_case: RuleCase) -> None:
    check_silent(rule_case)


def test_firing_case_satisfies_the_declaration(rule_case: RuleCase) -> None:
    spec = SPECS[rule_case.rule]
    data = fire_data(rule_case)
    values = flatten(data)
    when = finding_when([spec]) or {}
    checked = {k: v for k, v in when.items() if (spec.rule, k) not in KNOWN_GAPS}
    assert evaluate(checked, values.get) is True, {k: values.get(k) for k in checked}
    if spec.applies_to:
        assert values[knowledge().scope_field] in spec.applies_to
    fired = [c for c in conclusions(data) if c.rule == spec.rule]
    assert fired, f"{spec.rule} did not fire"
    for conclusion in fired:
        assert conclusion.finding == spec.finding
        undeclared = {p for p in conclusion.cites if pattern_of(p) not in spec.reads}
        assert not undeclared, f"{spec.rule} cites {sorted(undeclared)}, not declared in reads"


def test_value_outside_the_declaration_silences_the_rule(
    silencing: tuple[RuleCase, str, Any],
) -> None:
    case, path, value = silencing
    data = fire_data(case)
    assert any(c.rule == case.rule for c in conclusions(data)), "the firing case must fire"
    fired = {c.rule for c in conclusions(with_value(data, path, value))}
    assert case.rule not in fired, f"{case.rule} still fires with {path} = {value!r}"


def test_every_rule_has_a_case_and_a_declaration() -> None:
    from tests.kb.contracts import rule_cases

    assert {case.rule for _, case in rule_cases()} == set(SPECS)


def test_catalogues_and_declarations_agree() -> None:
    for kb in (knowledge(), pair_knowledge()):
        declared = {spec.finding for spec in rule_specs(kb.rule_sets)}
        assert declared == set(kb.catalogue), "a finding no rule concludes, or vice versa"


def test_pair_rules_cite_only_what_they_read() -> None:
    reads = {spec.rule: spec.reads for spec in rule_specs(pair_knowledge().rule_sets)}
    seen = set()
    for pair in bundled_pairs().values():
        for a, b in ((pair.a, pair.b), (pair.b, pair.a)):
            comparison = compare_files(bundled_case_path(a), bundled_case_path(b))
            for finding in comparison.findings:
                for fact in finding.facts:
                    assert any(fact.path in reads[rule] for rule in finding.rules), (
                        finding.id,
                        fact.path,
                    )
                seen.update(finding.rules)
    assert seen, "no bundled pair fires a pair rule"
