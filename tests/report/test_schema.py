"""The published report schema: real reports validate, broken ones do not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.report.helpers import EVIDENCE_NOTE, WITH_FINDINGS, document
from thymoscope.report.document import REPORT_VERSION, report_document
from thymoscope.report.render import render
from thymoscope.report.schema import SCHEMA_ID, report_schema

VALIDATOR = jsonschema.Draft202012Validator


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    result = report_schema()
    VALIDATOR.check_schema(result)
    return result


def _errors(schema: dict[str, Any], doc: Any) -> list[str]:
    return [e.message for e in VALIDATOR(schema).iter_errors(doc)]


def test_schema_is_versioned(schema: dict[str, Any]) -> None:
    assert schema["$schema"].endswith("/draft/2020-12/schema")
    assert schema["$id"] == SCHEMA_ID and SCHEMA_ID.endswith(f"v{REPORT_VERSION}")
    assert schema["properties"]["report_version"]["const"] == REPORT_VERSION


@pytest.mark.parametrize(
    "overrides",
    [(WITH_FINDINGS,), (EVIDENCE_NOTE,), ({},), (WITH_FINDINGS, EVIDENCE_NOTE, {}), ()],
    ids=["findings", "evidence-note", "no-finding", "several", "none"],
)
def test_json_output_validates(
    schema: dict[str, Any], overrides: tuple[dict[str, Any], ...]
) -> None:
    doc = document(*overrides, errors=("x.yaml:3: design.type: bad",))
    assert _errors(schema, json.loads(render(doc, "json"))) == []


def test_bundled_cases_validate(schema: dict[str, Any], bundled_cases: dict[str, Path]) -> None:
    from thymoscope.api import diagnose_file

    if not bundled_cases:
        pytest.skip("no bundled cases yet")
    doc = report_document([diagnose_file(p) for p in bundled_cases.values()])
    assert _errors(schema, json.loads(render(doc, "json"))) == []


def _broken(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    finding = lambda d: d["studies"][0]["groups"][0]["findings"][0]  # noqa: E731
    cases = []
    for name, change in [
        ("severity", lambda d: finding(d).update(severity="catastrophic")),
        ("missing rules", lambda d: finding(d).pop("rules")),
        ("extra key", lambda d: d["studies"][0].update(surprise=1)),
        ("status", lambda d: d["studies"][0]["checks"][0].update(status="maybe")),
        ("version", lambda d: d.update(report_version=REPORT_VERSION + 1)),
        ("kind", lambda d: d.update(kind="other")),
        ("count", lambda d: d["studies"][0]["severity_counts"].update(major=-1)),
        ("fact value", lambda d: finding(d)["facts"][0].update(value={"a": 1})),
    ]:
        broken = copy.deepcopy(doc)
        change(broken)
        cases.append((name, broken))
    return cases


def test_schema_rejects_broken_documents(schema: dict[str, Any]) -> None:
    doc = document(WITH_FINDINGS)
    for name, broken in _broken(doc):
        assert _errors(schema, broken), name
