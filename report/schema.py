"""The published JSON Schema of the report document (``thymoscope schema --report``).

pydantic models mirror :func:`thymoscope.report.document.report_document` field by
field; the schema is generated from them and carries ``REPORT_VERSION`` in its
``$id`` and as a constant ``report_version``. Tests validate real outputs against it,
so the document and the schema cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from thymoscope.report.document import REPORT_VERSION
from thymoscope.report.forest_schema import ForestPlot

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:thymoscope:report:v{REPORT_VERSION}"

Severity = Literal["major", "moderate", "minor", "info"]
CheckStatus = Literal["fired", "not_triggered", "not_applicable", "not_assessable"]
# A study value as cited: a scalar, a list of scalars, or null when unknown.
Scalar = str | int | float | bool | None
FactValue = Scalar | list[Scalar]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CitedFact(_Strict):
    """A study field (dotted path) and its value."""

    path: str = Field(min_length=1)
    value: FactValue


class EstimateData(_Strict):
    """One effect estimate as it entered a between-estimates test."""

    label: str = Field(description="the study id or subgroup name")
    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    ci_level: float | None = Field(description="level of the study's interval, percent")
    se: float | None = Field(description="standard error on the analysis scale (log for ratios)")
    text: str


class BetweenEstimates(_Strict):
    """Test of the difference between two estimates (Altman & Bland 2003), or why not."""

    tested: bool
    reason: str | None = Field(description="why no test was run (null when tested)")
    method: str
    measure: str | None
    scale: Literal["ratio", "difference"] | None = Field(
        description="ratio measures are compared on the log scale, differences on their own"
    )
    first: EstimateData | None
    second: EstimateData | None
    ratio: float | None = Field(description="first / second (ratio measures)")
    difference: float | None = Field(description="first - second (additive measures)")
    ci_low: float | None
    ci_high: float | None
    ci_level: float | None = Field(description="level of the contrast's interval, percent")
    z: float | None
    p_value: float | None = Field(description="two-sided")
    significant_difference: bool | None
    independent: bool | None = Field(
        description="false when the estimates may share data, null when that is unknown"
    )
    dependence: str | None = Field(description="why they may not be independent")
    warnings: list[str] = Field(description="numbers that do not add up, stated")
    summary: str = Field(description="what the test shows, and what it does not")


class Finding(_Strict):
    id: str = Field(min_length=1)
    title: str
    severity: Severity
    factor: str
    factor_title: str
    faq_sections: list[str] = Field(description="FAQ sections the finding rests on")
    explanation: str
    next_steps: list[str]
    evidence_note: str | None = Field(description="where the FAQ's support is thin")
    rules: list[str] = Field(min_length=1, description="rules (method names) that concluded it")
    facts: list[CitedFact] = Field(description="study facts the rules cited, with values")
    statistics: BetweenEstimates | None = Field(
        None, description="the between-estimates test behind the finding, if there is one"
    )


class Group(_Strict):
    """The findings of one factor, groups in troubleshooting order."""

    factor: str
    title: str
    findings: list[Finding] = Field(min_length=1)


class SeverityCounts(_Strict):
    major: int = Field(ge=0)
    moderate: int = Field(ge=0)
    minor: int = Field(ge=0)
    info: int = Field(ge=0)


class Check(_Strict):
    """What happened to one catalogue finding for this study."""

    finding: str
    factor: str
    status: CheckStatus
    unknown: list[str] = Field(description="unknown fields that kept it from being assessed")


class StudyEffect(_Strict):
    """The study's own effect on its primary endpoint (``result.effect``), as reported."""

    measure: str
    estimate: float | None = Field(description="null when only a p value is reported")
    ci_low: float | None
    ci_high: float | None
    ci_level: float | None = Field(description="level of the interval, percent")
    p_value: float | None
    se: float | None = Field(description="standard error on the analysis scale")
    text: str = Field(description="as printed: 'OR 0.73 (95% CI 0.59 to 0.90), p = 0.01'")


class Verdict(_Strict):
    """The short verdict each study's report opens with (the same words in every format)."""

    result: Literal["benefit", "no_significant_effect", "harm"] | None = Field(
        description="the study's primary result (result.primary)"
    )
    summary: str = Field(description="what the study showed, with its effect and CI")
    factors: str = Field(description="the findings most likely to explain a disagreement")
    leading: list[str] = Field(max_length=2, description="ids of those findings, most severe first")
    text: str = Field(description="summary and factors: the quotable verdict")


class StudyReport(_Strict):
    id: str
    title: str
    source: str | None
    indication: str
    verdict: Verdict
    effect: StudyEffect | None = Field(description="null when the study reports no effect")
    key_facts: list[CitedFact]
    subgroup_names: list[str] = Field(
        description="the study's subgroups by index (subgroups.0 first), for the reports' words"
    )
    finding_ids: list[str] = Field(description="in troubleshooting order")
    ranked: list[str] = Field(description="finding ids, most severe first")
    groups: list[Group]
    severity_counts: SeverityCounts
    checks: list[Check]
    forest: ForestPlot | None = Field(
        None, description="the study's strata and overall estimate as reported, if 2+ strata"
    )


class Report(_Strict):
    """A thymoscope diagnosis report: one part per study, plus the input errors."""

    report_version: Literal[2]  # REPORT_VERSION (a type needs the literal value)
    kind: Literal["diagnosis"]
    generator: str
    studies: list[StudyReport]
    errors: list[str] = Field(description="one line per problem: FILE:LINE: FIELD: message")
    notice: str


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the report document."""
    from thymoscope import RESEARCH_NOTICE

    schema = Report.model_json_schema()
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "$comment": RESEARCH_NOTICE,
        **schema,
        "title": f"thymoscope report, version {REPORT_VERSION}",
    }
