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
from thymoscope.kb.labels import NOT_REPORTED, fact_sentence, field_label, value_label
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


def _side_values(values: Mapping[str, Any], side: str) -> dict[str, Any]:
    prefix = f"{side}."
    return {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}


def _value_words(path: str, value: Any, facts: Mapping[str, Any]) -> str:
    """A value in words with its unit ("1.6 mg", "open label"); "not reported" if unknown."""
    if value is None:
        return NOT_REPORTED
    return fact_sentence(path, value, facts)[len(field_label(path)) + 2 :]


def side_by_side(comparison: PairComparison) -> list[dict[str, Any]]:
    """The two studies' facts in rows: path, its label, a, b (values and their words),
    status (same / differs / unknown)."""
    values = comparison.values
    facts = {side: _side_values(values, side) for side in ("a", "b")}
    rows = []
    for path in SIDE_BY_SIDE_PATHS:
        a, b = values.get(f"a.{path}"), values.get(f"b.{path}")
        if a is None and b is None:
            continue
        status = compare_values(a, b)
        rows.append(
            {
                "path": path,
                "label": field_label(path),
                "a": plain_value(a),
                "b": plain_value(b),
                "a_text": _value_words(path, a, facts["a"]),
                "b_text": _value_words(path, b, facts["b"]),
                "status": status,
            }
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


def _side_words(path: str) -> str:
    """``b.population.immune_status`` -> "B: Baseline immune status"."""
    side, _, field = path.partition(".")
    try:
        return f"{side.upper()}: {field_label(field)}"
    except KeyError:
        return path


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
                "unknown_words": [_side_words(path) for path in unknown],
            }
        )
    return rows


# The results of a pair in one phrase, for the matrix of pairs (``outcome``):
# estimates_differ       the test of the difference between the two estimates: p < alpha;
# significance_only      a difference was not shown, but one estimate excludes no effect
#                        and the other does not (a contrast of p-values, not of effects);
# difference_not_shown   a difference was not shown, and significance does not differ
#                        either (still not evidence that the effects are the same);
# not_tested             no test: different outcomes or measures, or an estimate missing.
OUTCOMES = ("estimates_differ", "significance_only", "difference_not_shown", "not_tested")
OUTCOME_BY_VERDICT = {"conflict": "estimates_differ", "not_tested": "not_tested"}


def untested_because(values: Mapping[str, Any]) -> str | None:
    """Why the two estimates could not be set against each other, in a word or two
    (the full reason is the statistics' ``reason``), checked in the order of
    :func:`thymoscope.kb.effects.between_estimates`: ``different outcomes``, ``outcome
    unclear`` (endpoint kind or direction of the counted event unknown or opposite),
    ``no estimate``, ``different measures``; None for any other reason."""
    from thymoscope.kb.effects import outcome_problem

    def differ(path: str) -> bool:
        a, b = values.get(f"a.{path}"), values.get(f"b.{path}")
        return a is not None and b is not None and a != b

    if outcome_problem(values, ("a", "b")) is not None:
        if differ("indication") or differ("primary_endpoint.kind"):
            return "different outcomes"
        return "outcome unclear"
    if any(values.get(f"{s}.result.effect.estimate") is None for s in "ab"):
        return "no estimate"
    if differ("result.effect.measure"):
        return "different measures"
    return None


def outcome(verdict: str, stats: Mapping[str, Any]) -> str:
    """The matrix phrase for a pair's verdict (see :data:`OUTCOMES`)."""
    if verdict in OUTCOME_BY_VERDICT:
        return OUTCOME_BY_VERDICT[verdict]
    return "significance_only" if stats.get("significance_differs") else "difference_not_shown"


def _study_ref(comparison: PairComparison, side: str) -> dict[str, Any]:
    indication = plain_value(comparison.values.get(f"{side}.indication"))
    return {
        "id": getattr(comparison, f"{side}_id"),
        "title": getattr(comparison, f"{side}_title"),
        "source": getattr(comparison, f"{side}_source"),
        "indication": indication,
    }


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
    verdict = next((v for k, v in RESULT_VERDICTS.items() if k in comparison.details), "not_tested")
    return {
        "pair": dict(pair) if pair else None,
        "a": _study_ref(comparison, "a"),
        "b": _study_ref(comparison, "b"),
        "verdict": verdict,
        "outcome": outcome(verdict, stats),
        "untested_because": (
            untested_because(comparison.values) if verdict == "not_tested" else None
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


def _study_key(ref: Mapping[str, Any]) -> tuple[str, str]:
    return (str(ref["id"]), str(ref["source"] or ""))


def _group_of(part: Mapping[str, Any]) -> str | None:
    """The indication both studies share, or None for a pair across indications."""
    a, b = part["a"]["indication"], part["b"]["indication"]
    return str(a) if a is not None and a == b else None


def pair_matrix(parts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The pairs grouped by the indication their studies share (pairs across indications
    last): per group its studies, keyed S1, S2... over the whole report, and one entry
    per pair with its number in ``comparisons`` (from 1), its outcome (:data:`OUTCOMES`)
    and how many factors differ."""
    keys: dict[tuple[str, str], str] = {}
    groups: dict[str | None, dict[str, Any]] = {}
    for number, part in enumerate(parts, start=1):
        indication = _group_of(part)
        group = groups.get(indication)
        if group is None:
            label = (
                value_label("indication", indication)
                if indication is not None
                else "Across indications"
            )
            group = groups[indication] = {
                "indication": indication,
                "label": label[:1].upper() + label[1:],
                "studies": [],
                "pairs": [],
            }
        sides = []
        for side in ("a", "b"):
            ref = part[side]
            key = keys.setdefault(_study_key(ref), f"S{len(keys) + 1}")
            if all(s["key"] != key for s in group["studies"]):
                group["studies"].append({"key": key, **ref})
            sides.append(key)
        differing = [f for f in part["factors"] if f["status"] == DIFFERS]
        group["pairs"].append(
            {
                "number": number,
                "a": sides[0],
                "b": sides[1],
                "outcome": part["outcome"],
                "untested_because": part["untested_because"],
                "independent": part["statistics"].get("independent"),
                "factors_differing": [f["factor"] for f in differing],
                "factors_unknown": [f["factor"] for f in part["factors"] if f["status"] == UNKNOWN],
                "major": sum(1 for f in differing if f["severity"] == "major"),
            }
        )
    ordered = [g for k, g in groups.items() if k is not None]
    return ordered + ([groups[None]] if None in groups else [])


def comparison_report(
    comparisons: Sequence[PairComparison],
    errors: Sequence[str] = (),
    pairs: Sequence[Mapping[str, Any] | None] | None = None,
    factor_titles: Mapping[str, str] | None = None,
    *,
    skipped_across_indications: int = 0,
    brief: bool = False,
) -> dict[str, Any]:
    """The whole comparison document for one or more pairs (plus input errors).

    Pairs are ordered by the indication their studies share (in order of first
    appearance; pairs across indications last), so the matrix of pairs numbers them in
    reading order. ``skipped_across_indications`` counts the pairs of studies of
    different indications the caller chose not to compare; ``brief`` asks the text,
    Markdown and HTML renderings for the matrix only (the JSON is always whole).
    """
    if factor_titles is None:
        from thymoscope.kb.comparison import pair_factor_titles

        factor_titles = pair_factor_titles()
    labels = list(pairs) if pairs is not None else [None] * len(comparisons)
    parts = [
        comparison_document(c, factor_titles, label)
        for c, label in zip(comparisons, labels, strict=True)
    ]
    first_seen: dict[str | None, int] = {}
    for part in parts:
        first_seen.setdefault(_group_of(part), len(first_seen))
    last = len(first_seen)
    parts.sort(key=lambda p: last if _group_of(p) is None else first_seen[_group_of(p)])
    return {
        "report_version": REPORT_VERSION,
        "kind": "comparison",
        "generator": f"thymoscope {__version__}",
        "brief": brief,
        "matrix": pair_matrix(parts),
        "skipped_across_indications": skipped_across_indications,
        "comparisons": parts,
        "errors": list(errors),
        "notice": RESEARCH_NOTICE,
    }
