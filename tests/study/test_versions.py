"""schema_version 1 files keep working; version 2 adds fields; mixing them gets one line."""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml

from tests.study.helpers import SOURCE, accepted, line_of, refused
from thymoscope.study.loader import parse_study
from thymoscope.study.model import SCHEMA_VERSION, SCHEMA_VERSIONS, version_2_usage

CASES = sorted(p for p in files("thymoscope.kb.cases").iterdir() if p.name.endswith(".yaml"))

# (body using one addition of version 2, text on its line, field the message names)
V2_ONLY = [
    ("design:\n  comparator: same_background_therapy\n", "comparator", "design.comparator"),
    ("design:\n  subgroups_tested: 3\n", "subgroups_tested", "design.subgroups_tested"),
    ("population:\n  sepsis_definition: sepsis_3\n", "sepsis_definition", None),
    ("population:\n  exclusions: []\n", "exclusions", None),
    ("intervention:\n  product: thymalfasin\n", "product", None),
    (
        "intervention:\n  role: adjuvant\n  combined_with: [standard_of_care, ulinastatin]\n",
        "combined_with",
        None,
    ),
    ("intervention:\n  sequence: neoadjuvant\n", "sequence", None),
    ("primary_endpoint:\n  timing: time_to_event\n", "timing", None),
    ("primary_endpoint:\n  counted_event: unfavourable\n", "counted_event", None),
    ("primary_endpoint:\n  definition_reported: false\n", "definition_reported", None),
    ("secondary_endpoints: [sofa, adverse_events]\n", "secondary_endpoints", None),
    (
        "result:\n  effect: {measure: odds_ratio, estimate: 1, ci_low: 0.5, ci_high: 2, "
        "ci_level: 90}\n",
        "effect",
        "result.effect.ci_level",
    ),
    (
        "result:\n  effect: {measure: odds_ratio, estimate: 1, se: 0.3}\n",
        "effect",
        "result.effect.se",
    ),
    (
        "result:\n  effect: {measure: odds_ratio, p_value: 0.3}\n",
        "effect",
        "result.effect.estimate",
    ),
    (
        "result:\n  arms:\n    treatment: {events: 1, n: 9}\n    control: {events: 2, n: 9}\n",
        "arms",
        "result.arms",
    ),
    (
        "subgroups:\n  - name: x\n    comparison: between_trial\n",
        "comparison",
        "subgroups.0.comparison",
    ),
    (
        "subgroups:\n  - name: x\n  - name: y\n    effect: {measure: risk_ratio, p_value: 0.04}\n",
        "effect",
        "subgroups.1.effect.estimate",
    ),
    ("immune_monitoring: serial\n", "immune_monitoring", "immune_monitoring"),
    ("covariates: {region: Europe}\n", "covariates", "covariates"),
]


def test_versions() -> None:
    assert SCHEMA_VERSIONS == (1, 2) and SCHEMA_VERSION == 2


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_bundled_case_is_version_1_and_still_valid(case) -> None:  # type: ignore[no-untyped-def]
    text = case.read_text(encoding="utf-8")
    assert yaml.safe_load(text)["schema_version"] == 1
    study = parse_study(text, case.name)
    assert study.schema_version == 1 and version_2_usage(study) is None


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_bundled_case_is_also_valid_as_version_2(case) -> None:  # type: ignore[no-untyped-def]
    text = case.read_text(encoding="utf-8").replace("schema_version: 1", "schema_version: 2", 1)
    as_1 = parse_study(case.read_text(encoding="utf-8"), case.name)
    as_2 = parse_study(text, case.name)
    assert as_2.model_dump(exclude={"schema_version"}) == as_1.model_dump(
        exclude={"schema_version"}
    )


@pytest.mark.parametrize(
    ("body", "at", "field"), V2_ONLY, ids=[b[1] + str(i) for i, b in enumerate(V2_ONLY)]
)
def test_a_version_2_addition_in_a_version_1_file(body: str, at: str, field: str | None) -> None:
    indication = "cancer" if "sequence" in body or "time_to_event" in body else "sepsis"
    accepted(body, indication, version=2)
    message = refused(body, indication, version=1)
    line = line_of(body, at, indication, version=1)
    assert message.startswith(f"{SOURCE}:{line}: {field or ''}"), message
    assert message.endswith("was added in schema_version 2; set schema_version: 2"), message


def test_a_version_1_file_may_state_the_95_percent_level() -> None:
    body = (
        "result:\n  effect: {measure: odds_ratio, estimate: 1, ci_low: 0.5, ci_high: 2, "
        "ci_level: 95}\n"
    )
    study = accepted(body, version=1)
    assert study.result.effect is not None and study.result.effect.ci_level == 95


def test_the_message_names_what_was_added() -> None:
    message = refused("design:\n  comparator: same_background_therapy\n", version=1)
    assert "the value 'same_background_therapy'" in message
    message = refused("immune_monitoring: none\n", version=1)
    assert "the field 'immune_monitoring'" in message
    message = refused("result:\n  effect: {measure: odds_ratio, p_value: 0.3}\n", version=1)
    assert "an effect without an estimate" in message


def test_a_study_quality_level_is_read_the_same_in_both_versions() -> None:
    body = "subgroups:\n  - name: x\n    by: study_quality\n    level: low risk of bias\n"
    assert accepted(body, version=1).subgroups[0].level == "higher_quality"
    assert accepted(body, version=2).subgroups[0].level == "higher_quality"
