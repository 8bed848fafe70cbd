"""Parametrise the generic rule tests (tests/kb/test_rules.py) over every rule case.

Each tests/kb/test_<factor>.py holds only its ``CASES`` (and tests of its own); a test
that asks for ``rule_case`` runs once per case of every module, and one that asks for
``silencing`` once per (case, field, value outside the rule's declared ``when`` or
``applies_to``).
"""

from __future__ import annotations

import pytest

from tests.kb.contracts import KNOWN_GAPS, rule_cases, silencing_changes, single_study_specs


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rule_case" in metafunc.fixturenames:
        cases = rule_cases()
        metafunc.parametrize(
            "rule_case", [case for _, case in cases], ids=[case.id for _, case in cases]
        )
    if "silencing" in metafunc.fixturenames:
        specs = single_study_specs()
        params = []
        for _, case in rule_cases():
            for path, value in silencing_changes(specs[case.rule]):
                gap = KNOWN_GAPS.get((case.rule, path))
                marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
                params.append(
                    pytest.param((case, path, value), id=f"{case.id}:{path}={value}", marks=marks)
                )
        metafunc.parametrize("silencing", params)
