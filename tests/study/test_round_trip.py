"""Reading a study and writing it back changes nothing (bundled cases and generated ones)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from tests.strategies import study_dicts
from thymoscope.api import diagnose
from thymoscope.engine.facts import flatten
from thymoscope.study.loader import parse_study
from thymoscope.study.model import Study, quality_level

CASES = sorted(p for p in files("thymoscope.kb.cases").iterdir() if p.name.endswith(".yaml"))


def _written_back(study: Study) -> Study:
    """The study dumped as a user would save it (plain YAML) and read again."""
    text = yaml.safe_dump(study.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    return parse_study(text, "written-back.yaml")


def _as_read(path: str, value: Any, data: dict[str, Any]) -> Any:
    """What the model makes of a raw value: only study-quality levels are normalised."""
    parts = path.split(".")
    if parts[0] == "subgroups" and parts[-1] == "level":
        subgroup = data["subgroups"][int(parts[1])]
        if subgroup.get("by") == "study_quality":
            normalised = quality_level(value)
            assert normalised is not None, (path, value)
            return normalised.value
    return value


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bundled_case_round_trip(case) -> None:  # type: ignore[no-untyped-def]
    text = case.read_text(encoding="utf-8")
    study = parse_study(text, case.name)
    again = _written_back(study)
    assert again == study
    assert Study.model_validate(study.model_dump()) == study
    assert diagnose(again).finding_ids() == diagnose(study).finding_ids()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bundled_case_values_are_kept_as_written(case) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    values = flatten(
        parse_study(case.read_text(encoding="utf-8"), case.name).model_dump(mode="json")
    )
    for path, raw in flatten(data).items():
        assert values[path] == _as_read(path, raw, data), path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(study_dicts())
def test_generated_study_round_trip(data: dict[str, Any]) -> None:
    study = Study.model_validate(data)
    assert _written_back(study) == study
    assert _written_back(study).schema_version == data["schema_version"]
