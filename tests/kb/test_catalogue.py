"""The catalogue, the rules and the rule tests agree with each other and with the spec."""

from __future__ import annotations

import re
from importlib import import_module
from importlib.resources import files
from pathlib import Path

import pytest

from thymoscope.engine.experta_compat import Rule
from thymoscope.engine.rules import rule_specs
from thymoscope.kb import knowledge
from thymoscope.kb.rules import RULE_SETS

# The ids that /work/shared/spec/findings.md makes a contract (its table, in order).
SPEC_IDS = (
    "immunocompetent-population",
    "immune-status-unknown",
    "cancer-monotherapy",
    "adjuvant-benefit-plausible",
    "chb-monotherapy",
    "dose-outside-usual-range",
    "regimen-differs-from-reference",
    "low-dose-advanced-fibrosis",
    "end-of-therapy-endpoint",
    "follow-up-too-short",
    "high-risk-of-bias",
    "imprecise-result",
    "quality-subgroups-disagree",
    "unselected-sepsis-population",
    "low-credibility-subgroup-claim",
    "immune-endpoints-missing",
    "biological-activity-without-clinical-benefit",
)
SPEC_FILE = Path("/work/shared/spec/findings.md")
FACTORS = (
    "baseline_immunity",
    "therapy_role",
    "dosing",
    "endpoint_timing",
    "study_quality",
    "population_heterogeneity",
    "biological_endpoints",
)
RULE_TEST_MODULES = [f"tests.kb.test_{factor}" for factor in FACTORS]


def concluded_ids() -> dict[str, set[str]]:
    """finding id -> the rule methods of RULE_SETS declared (``@concludes``) to conclude it."""
    found: dict[str, set[str]] = {}
    for spec in rule_specs(RULE_SETS):
        found.setdefault(spec.finding, set()).add(spec.rule)
    return found


def rule_names() -> set[str]:
    return {
        name
        for rules in RULE_SETS
        for name, value in vars(rules).items()
        if isinstance(value, Rule)
    }


def test_every_catalogue_id_is_concluded_by_a_rule() -> None:
    concluded = concluded_ids()
    catalogue = set(knowledge().catalogue)
    assert catalogue - set(concluded) == set()
    assert set(concluded) - catalogue == set(), "rules conclude ids missing from findings.yaml"


def test_spec_ids_are_in_the_catalogue() -> None:
    assert set(SPEC_IDS) <= set(knowledge().catalogue)


@pytest.mark.skipif(not SPEC_FILE.exists(), reason="spec folder not available")
def test_spec_table_matches_the_embedded_list() -> None:
    table_ids = re.findall(r"^\| `([a-z0-9-]+)` \|", SPEC_FILE.read_text(), flags=re.M)
    assert tuple(table_ids) == SPEC_IDS
    for line in SPEC_FILE.read_text().splitlines():
        match = re.match(r"^\| `([a-z0-9-]+)` \| (\w+) \|", line)
        if match:
            assert knowledge().catalogue[match[1]].factor == match[2]


def test_catalogue_factors_follow_the_faq_order() -> None:
    assert knowledge().factor_order == FACTORS
    assert {spec.factor for spec in knowledge().catalogue.values()} == set(FACTORS)


def test_every_rule_method_is_a_rule_and_has_a_fire_and_silent_case() -> None:
    tested = {case.rule for module in RULE_TEST_MODULES for case in import_module(module).CASES}
    assert rule_names() == tested
    methods = {
        name
        for rules in RULE_SETS
        for name, value in vars(rules).items()
        if callable(value) and not name.startswith("_")
    }
    assert methods == rule_names(), "a public method of a rule set is not a @Rule"


def test_one_rule_module_and_one_test_module_per_factor() -> None:
    modules = {cls.__module__.rsplit(".", 1)[1] for cls in RULE_SETS}
    assert modules == set(FACTORS)
    here = Path(__file__).parent
    assert {p.stem.removeprefix("test_") for p in here.glob("test_*.py")} >= set(FACTORS)


def test_thin_claims_carry_evidence_notes() -> None:
    catalogue = knowledge().catalogue
    for finding_id in (
        "low-dose-advanced-fibrosis",
        "cancer-monotherapy",
        "adjuvant-benefit-plausible",
    ):
        assert catalogue[finding_id].evidence_note, finding_id
    assert "retrospective" in catalogue["adjuvant-benefit-plausible"].evidence_note
    assert "3-year" in catalogue["adjuvant-benefit-plausible"].evidence_note


KB_TEXTS = ("findings.yaml", "comparison.yaml", "questions.yaml", "labels.yaml")
# "patients" is accepted as a unit of a typed answer ("1,100 patients"); it is input.
UNIT_LINE = re.compile(r"^\s*(units:|#)")  # typed-answer units; comments print nowhere


@pytest.mark.parametrize("name", KB_TEXTS)
def test_kb_texts_speak_of_participants_not_patients(name: str) -> None:
    """thymoscope interprets studies: its texts count participants of a study and never
    speak of patients (the finding once titled "Sepsis patients not selected ...")."""
    text = files("thymoscope.kb").joinpath(name).read_text(encoding="utf-8")
    offending = [
        line.strip()
        for line in text.splitlines()
        if re.search(r"\bpatients?\b", line, re.IGNORECASE) and not UNIT_LINE.match(line)
    ]
    assert offending == []
