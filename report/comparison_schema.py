"""The published JSON Schema of the comparison document (``"kind": "comparison"``).

pydantic models mirror :func:`thymoscope.report.comparison.comparison_report` field by
field and reuse the diagnosis report's parts (:mod:`thymoscope.report.schema`); tests
validate real outputs against the generated schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from thymoscope.report.document import REPORT_VERSION
from thymoscope.report.forest_schema import ForestPlot
from thymoscope.report.schema import SCHEMA_DIALECT, Check, FactValue, Finding, Severity, _Strict

SCHEMA_ID = f"urn:thymoscope:comparison:v{REPORT_VERSION}"

Side = Literal["a", "b"]
FactorStatus = Literal["differs", "same", "unknown", "conflict", "compatible", "not_tested"]


class PairLabel(_Strict):
    """The bundled pair or pair file the comparison came from."""

    id: str
    title: str
    note: str | None


class StudyRef(_Strict):
    id: str
    title: str
    source: str | None


class Statistics(_Strict):
    """The test of the difference between the two estimates, or why there is none."""

    tested: bool
    reason: str | None = Field(description="why no test was done (null when tested)")
    method: str | None = None
    measure: str | None = None
    a_effect: str | None = None
    b_effect: str | None = None
    ratio: float | None = Field(None, description="estimate of a / estimate of b")
    ci_low: float | None = None
    ci_high: float | None = None
    z: float | None = None
    p_value: float | None = None
    significant_difference: bool | None = None
    significance_differs: bool | None = Field(
        None, description="one estimate excludes no effect and the other does not"
    )


class FactorRow(_Strict):
    factor: str
    title: str
    status: FactorStatus
    findings: list[str]
    severity: Severity | None
    unknown: list[str] = Field(description="side-prefixed fields that are unknown")


class PairFinding(Finding):
    favours: Side | None = Field(description="the study more credible on this factor")
    favoured_id: str | None
    expected_larger: Side | None = Field(
        description="the study the difference is expected to give the larger benefit"
    )
    larger_id: str | None


class SideBySide(_Strict):
    path: str
    a: FactValue
    b: FactValue
    status: Literal["same", "differs", "unknown"]


class PairReport(_Strict):
    pair: PairLabel | None
    a: StudyRef
    b: StudyRef
    verdict: Literal["conflict", "compatible", "not_tested"]
    statistics: Statistics
    factors: list[FactorRow]
    finding_ids: list[str]
    differences: list[str] = Field(description="the differs-in-* finding ids")
    findings: list[PairFinding]
    facts: list[SideBySide]
    checks: list[Check]
    forest: ForestPlot | None = Field(
        None, description="the two primary estimates as reported (same measure, with CIs)"
    )


class ComparisonReport(_Strict):
    """A thymoscope comparison: one part per pair of studies, plus the input errors."""

    report_version: Literal[1]  # REPORT_VERSION (a type needs the literal value)
    kind: Literal["comparison"]
    generator: str
    comparisons: list[PairReport]
    errors: list[str] = Field(description="one line per problem: FILE:LINE: FIELD: message")
    notice: str


def comparison_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the comparison document."""
    from thymoscope import RESEARCH_NOTICE

    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "$comment": RESEARCH_NOTICE,
        **ComparisonReport.model_json_schema(),
        "title": f"thymoscope comparison, version {REPORT_VERSION}",
    }
