"""Turn pair comparisons into the comparison document (``"kind": "comparison"``).

Plain data, like :mod:`thymoscope.report.document`: the JSON output *is* this document,
and the ``comparison.<format>.j2`` templates render it (``report.render.render``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from thymoscope import RESEARCH_NOTICE, __version__
from thymoscope.engine.diagnosis import SEVERITY_ORDER
from thymoscope.engine.pairs import DIFFERS, SAME, UNKNOWN, PairComparison, compare_values
from thymoscope.report.document import (
    REPORT_VERSION,
    check_document,
    finding_document,
    plain_value,
)
from thymoscope.report.estimates_plot import pair_plot

# The side-by-side table: the facts the pair rules read, in troubleshooting order.
SIDE_BY_SIDE_PATHS = (
    "indication",
    "cancer_type",
    "design.type",
    "design.blinding",
    "design.comparator",
    "design.allocation_concealment",
    "design.risk_of_bias",
    "design.sample_size",
    "design.centres",
    "design.trials",
    "population.immune_status",
    "population.selected_by_biomarker",
    "population.median_age",
    "population.liver_fibrosis",
    "population.hbeag",
    "intervention.role",
    "intervention.combined_with",
    "intervention.dose",
    "intervention.dose_unit",
    "intervention.route",
    "intervention.frequency",
    "intervention.duration_weeks",
    "primary_endpoint.kind",
    "primary_endpoint.timing",
    "primary_endpoint.months_after_therapy",
    "follow_up_months_after_therapy",
    "secondary_endpoints",
    "result.primary",
    "result.effect.measure",
    "result.effect.estimate",
    "result.effect.ci_low",
    "result.effect.ci_high",
    "result.effect.p_value",
    "result.immune_markers_improved",
)

# The factor "results" gets a verdict instead of differs/same/unknown.
RESULT_VERDICTS = {
    "results-conflict": "conflict",
    "results-statistically-compatible": "compatible",
    "results-not-testable": "not_tested",
}
# Per-finding values the document shows as structured fields. ``more_credible`` is the
# side more credible on the finding's factor (``favours`` is its version-1 name).
VERDICT_KEYS = ("favours", "favoured_id", "expected_larger", "larger_id")


def side_by_side(comparison: PairComparison) -> list[dict[str, Any]]:
    """The two studies' facts in rows: path, a, b, status (same / differs / unknown)."""
    values = comparison.values
    rows = []
    for path in SIDE_BY_SIDE_PATHS:
        a, b = values.get(f"a.{path}"), values.get(f"b.{path}")
        if a is None and b is None:
            continue
        rows.append(
            {"path": path, "a": plain_value(a), "b": plain_value(b), "status": compare_values(a, b)}
        )
    return rows


RESULT_FINDINGS = tuple(RESULT_VERDICTS)


def statistics(comparison: PairComparison) -> dict[str, Any]:
    """The between-estimates test of the pair as the result rule concluded it.

    The rule passes the test's document (``kb.effects.BetweenEstimates.document``) as
    ``statistics``; the texts of the two effects and whether only one of them excluded
    no effect are added for the report.
    """
    for finding_id in RESULT_FINDINGS:
        d = comparison.details.get(finding_id)
        if d and d.get("statistics") is not None:
            return {
                **d["statistics"],
                "a_effect": d.get("a_effect"),
                "b_effect": d.get("b_effect"),
                "significance_differs": d.get("significance_differs"),
            }
    from thymoscope.kb.effects import pair_test  # no result rule fired: test here

    return {
        **pair_test(comparison.values).document(),
        "a_effect": None,
        "b_effect": None,
        "significance_differs": None,
    }


def factor_rows(
    comparison: PairComparison, factor_titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per factor: differs / same / unknown (``results``: conflict / compatible / not_tested)."""
    fired = {f.id: f for f in comparison.findings}
    rows = []
    for factor, title in factor_titles.items():
        checks = [c for c in comparison.checks if c.factor == factor]
        ids = [c.finding for c in checks if c.status == "fired"]
        unknown = sorted({p for c in checks if c.status == "not_assessable" for p in c.unknown})
        if factor == "results":
            status = next((RESULT_VERDICTS[i] for i in ids if i in RESULT_VERDICTS), "not_tested")
        elif ids:
            status = DIFFERS
        elif unknown:
            status = UNKNOWN
        else:
            status = SAME
        severities = [fired[i].severity for i in ids]
        rows.append(
            {
                "factor": factor,
                "title": title,
                "status": status,
                "findings": ids,
                "severity": min(severities, key=SEVERITY_ORDER.index) if severities else None,
                "unknown": unknown,
            }
        )
    return rows


def comparison_document(
    comparison: PairComparison,
    factor_titles: Mapping[str, str],
    pair: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One pair's part of the comparison document."""
    findings = []
    for finding in comparison.findings:
        entry = finding_document(finding, dict(factor_titles))
        details = comparison.details.get(finding.id, {})
        entry.update({key: details.get(key) for key in VERDICT_KEYS})
        entry["more_credible"] = details.get("favours")
        entry["statistics"] = details.get("statistics")
        findings.append(entry)
    stats = statistics(comparison)
    return {
        "pair": dict(pair) if pair else None,
        "a": {"id": comparison.a_id, "title": comparison.a_title, "source": comparison.a_source},
        "b": {"id": comparison.b_id, "title": comparison.b_title, "source": comparison.b_source},
        "verdict": next(
            (v for k, v in RESULT_VERDICTS.items() if k in comparison.details), "not_tested"
        ),
        "statistics": stats,
        "factors": factor_rows(comparison, factor_titles),
        "finding_ids": [f["id"] for f in findings],
        "differences": [f["id"] for f in findings if f["id"].startswith("differs-in-")],
        "findings": findings,
        "facts": side_by_side(comparison),
        "checks": [check_document(c) for c in comparison.checks],
        "forest": pair_plot(comparison.values, comparison.a_id, comparison.b_id),
    }


def comparison_report(
    comparisons: Sequence[PairComparison],
    errors: Sequence[str] = (),
    pairs: Sequence[Mapping[str, Any] | None] | None = None,
    factor_titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The whole comparison document for one or more pairs (plus input errors)."""
    if factor_titles is None:
        from thymoscope.kb.comparison import pair_factor_titles

        factor_titles = pair_factor_titles()
    labels = list(pairs) if pairs is not None else [None] * len(comparisons)
    return {
        "report_version": REPORT_VERSION,
        "kind": "comparison",
        "generator": f"thymoscope {__version__}",
        "comparisons": [
            comparison_document(c, factor_titles, label)
            for c, label in zip(comparisons, labels, strict=True)
        ],
        "errors": list(errors),
        "notice": RESEARCH_NOTICE,
    }
