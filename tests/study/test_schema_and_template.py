"""`thymoscope schema` and `thymoscope init` follow the model's version 2 fields."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import jsonschema
import pytest
import yaml

from thymoscope.cli.init import study_template
from thymoscope.cli.schema import study_schema
from thymoscope.study import vocabulary as v
from thymoscope.study.loader import parse_study
from thymoscope.study.model import SINCE_V2, Study, version_2_usage

CASES = sorted(p for p in files("thymoscope.kb.cases").iterdir() if p.name.endswith(".yaml"))
V2_FIELDS = {
    "Design": {"subgroups_tested"},
    "Population": {"alt_elevated", "hbv_dna_detectable", "sepsis_definition", "exclusions"},
    "Intervention": {"product", "sequence"},
    "PrimaryEndpoint": {"counted_event", "definition_reported"},
    "Effect": {"se"},
    "Result": {"arms"},
    "Subgroup": {"comparison"},
    "Study": {"immune_monitoring", "covariates"},
}
NEW_LISTS = [
    "SepsisDefinition",
    "Exclusion",
    "Product",
    "TherapySequence",
    "CountedEvent",
    "SubgroupComparison",
    "ImmuneMonitoring",
    "QualityLevel",
]


def _marked(properties: dict[str, Any]) -> set[str]:
    return {name for name, spec in properties.items() if spec.get("x-since-schema-version") == 2}


def test_schema_marks_exactly_the_version_2_fields() -> None:
    schema = study_schema()
    assert schema["$id"] == "urn:thymoscope:study:v2"
    assert schema["properties"]["schema_version"]["enum"] == [1, 2]
    for model, names in V2_FIELDS.items():
        properties = (
            schema["properties"] if model == "Study" else schema["$defs"][model]["properties"]
        )
        assert _marked(properties) == names, model
    marked_in_model = {
        name for name, info in Study.model_fields.items() if info.json_schema_extra == SINCE_V2
    }
    assert marked_in_model == V2_FIELDS["Study"]


def test_schema_lists_the_new_values() -> None:
    defs = study_schema()["$defs"]
    assert "same_background_therapy" in defs["Comparator"]["enum"]
    assert "time_to_event" in defs["EndpointTiming"]["enum"]
    assert {"surgery", "locoregional_therapy", "ulinastatin", "other"} <= set(
        defs["CombinedWith"]["enum"]
    )
    assert defs["Effect"]["properties"]["ci_level"]["anyOf"][0] == {
        "exclusiveMaximum": 100,
        "exclusiveMinimum": 50,
        "type": "number",
    }
    assert "estimate" not in defs["Effect"].get("required", [])
    assert defs["Arm"]["required"] == ["n"]
    covariates = study_schema()["properties"]["covariates"]["anyOf"][0]
    assert covariates["maxProperties"] == 50


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bundled_cases_validate_against_the_schema(case) -> None:  # type: ignore[no-untyped-def]
    jsonschema.validate(yaml.safe_load(case.read_text(encoding="utf-8")), study_schema())


def test_template_is_a_version_2_study_using_the_new_fields() -> None:
    text = study_template()
    jsonschema.validate(yaml.safe_load(text), study_schema())
    study = parse_study(text, "template.yaml")
    assert study.schema_version == 2 and version_2_usage(study) is not None
    assert study.result.arms is not None and study.covariates
    effect = study.result.effect
    assert effect is not None and effect.estimate is not None
    arms = study.result.arms
    assert arms.treatment.events is not None and arms.control.events is not None
    risk_ratio = (arms.treatment.events / arms.treatment.n) / (arms.control.events / arms.control.n)
    assert risk_ratio == pytest.approx(effect.estimate)  # the example's numbers agree


@pytest.mark.parametrize("name", NEW_LISTS)
def test_template_lists_the_new_value_lists(name: str) -> None:
    assert " | ".join(m.value for m in getattr(v, name)) in study_template()


def test_template_names_every_new_field() -> None:
    text = study_template()
    for names in V2_FIELDS.values():
        for name in names:
            assert f"{name}:" in text, name
    assert "ci_level:" in text and "time_to_event" in text and "same_background_therapy" in text
