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
from thymoscope.report.schema import (
    SCHEMA_DIALECT,
    BetweenEstimates,
    Check,
    FactValue,
    Finding,
    Severity,
    _Strict,
)

SCHEMA_ID = f"urn:thymoscope:comparison:v{REPORT_VERSION}"

Side = Literal["a", "b"]
FactorStatus = Literal["differs", "same", "unknown", "conflict", "compatible", "not_tested"]
Outcome = Literal["estimates_differ", "significance_only", "difference_not_shown", "not_tested"]


class PairLabel(_Strict):
    """The bundled pair or pair file the comparison came from."""

    id: str
    title: str
    note: str | None


class StudyRef(_Strict):
    id: str
    title: str
    source: str | None = Field(
        description="the file (or sheet row) read; a bundled case reads 'bundled case ID'"
    )
    indication: str | None


class Statistics(BetweenEstimates):
    """The test of the difference between the two primary estimates, or why there is none.

    ``first`` is study a and ``second`` study b; the test runs only for estimates of the
    same outcome (indication, endpoint kind, direction of the counted event) on the
    same measure.
    """

    a_effect: str | None = Field(description="study a's estimate as text")
    b_effect: str | None = Field(description="study b's estimate as text")
    significance_differs: bool | None = Field(
        description="one estimate excludes no effect and the other does not"
    )


class FactorRow(_Strict):
    factor: str
    title: str
    status: FactorStatus
    findings: list[str]
    severity: Severity | None
    unknown: list[str] = Field(description="side-prefixed fields that are unknown")
    unknown_words: list[str] = Field(description="the same fields in words ('B: Dose')")


class PairFinding(Finding):
    more_credible: Side | None = Field(
        description="the study more credible on this factor; null: neither, or cannot tell"
    )
    favours: Side | None = Field(description="same as more_credible (version-1 name)")
    favoured_id: str | None
    expected_larger: Side | None = Field(
        description="the study the difference is expected to give the larger benefit"
    )
    larger_id: str | None


class SideBySide(_Strict):
    path: str
    label: str = Field(description="the field in words")
    a: FactValue
    b: FactValue
    a_text: str = Field(description="study a's value in words, with its unit")
    b_text: str = Field(description="study b's value in words, with its unit")
    status: Literal["same", "differs", "unknown"]


class PairReport(_Strict):
    pair: PairLabel | None
    a: StudyRef
    b: StudyRef
    verdict: Literal["conflict", "compatible", "not_tested"]
    outcome: Outcome = Field(
        description=(
            "estimates_differ: the test of the difference gave p < 0.05; significance_only: "
            "a difference was not shown, but only one estimate excludes no effect; "
            "difference_not_shown: a difference was not shown; not_tested: no test"
        )
    )
    untested_because: str | None = Field(
        description=(
            "when not tested, why in brief: 'different outcomes', 'outcome unclear', "
            "'no estimate', 'different measures' (null: another reason, see "
            "statistics.reason)"
        )
    )
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


class MatrixStudy(StudyRef):
    key: str = Field(description="S1, S2...: the study's short name in the matrix")


class MatrixPair(_Strict):
    number: int = Field(description="the pair's place in comparisons, from 1")
    a: str = Field(description="study a's key")
    b: str = Field(description="study b's key")
    outcome: Outcome
    untested_because: str | None = Field(description="as in the pair's report")
    independent: bool | None = Field(
        description="whether the two estimates come from different participants (null: unknown)"
    )
    factors_differing: list[str]
    factors_unknown: list[str] = Field(
        description="factors that cannot be compared: a needed fact is not reported"
    )
    major: int = Field(description="how many of the differing factors are major")


class MatrixGroup(_Strict):
    indication: str | None = Field(description="shared indication; null: across indications")
    label: str
    studies: list[MatrixStudy]
    pairs: list[MatrixPair]


class ComparisonReport(_Strict):
    """A thymoscope comparison: one part per pair of studies, plus the input errors."""

    report_version: Literal[2]  # REPORT_VERSION (a type needs the literal value)
    kind: Literal["comparison"]
    generator: str
    brief: bool = Field(description="the text renderings show the matrix only")
    matrix: list[MatrixGroup] = Field(description="the pairs grouped by shared indication")
    skipped_across_indications: int = Field(
        description="pairs of studies of different indications that were not compared"
    )
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
