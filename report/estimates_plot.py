"""Forest plots of reported estimates, for ``diagnose`` (a study's strata) and ``compare``
(the two studies' estimates), laid out by :func:`thymoscope.report.forest.forest_layout`.

Nothing is pooled here: the rows are the estimates and confidence intervals as the study
files report them, drawn on the axis the review uses (log scale for ratios).  The result
is plain data for the report document — the layout (positions on a 0–1 axis, ticks,
favours labels) for the HTML template's SVG and the terminal lines at
:data:`TEXT_WIDTH` columns for the text and Markdown templates — so every format draws
the same layout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from thymoscope.report.forest import ForestLayout, forest_layout, text_lines

TEXT_WIDTH = 88
RATIO_RANGE = (1e-6, 1e6)  # ratios drawn; beyond, the estimate is shown in words only
DIFFERENCE_LIMIT = 1e12
RATIO_MEASURES = frozenset({"odds_ratio", "risk_ratio", "hazard_ratio"})
UNFAVOURABLE_KINDS = frozenset({"mortality", "complications"})
FAVOURABLE_KINDS = frozenset({"virological_response", "tumour_response"})


def favours(counted_event: Any, kind: Any) -> dict[str, str]:
    """Axis labels from the counted event (or the endpoint kind when unambiguous)."""
    event = counted_event or (
        "unfavourable"
        if kind in UNFAVOURABLE_KINDS
        else "favourable"
        if kind in FAVOURABLE_KINDS
        else None
    )
    if event == "unfavourable":
        return {"low": "favours thymalfasin", "high": "favours control"}
    if event == "favourable":
        return {"low": "favours control", "high": "favours thymalfasin"}
    return {"low": "lower with thymalfasin", "high": "higher with thymalfasin"}


def _estimate(values: Mapping[str, Any], prefix: str) -> tuple[str, float, float, float] | None:
    """(measure, estimate, CI low, CI high) at ``prefix`` (e.g. ``result.effect.``), if given."""
    got = [values.get(prefix + key) for key in ("measure", "estimate", "ci_low", "ci_high")]
    measure, estimate, low, high = got
    if measure is None or estimate is None or low is None or high is None:
        return None
    numbers = (float(estimate), float(low), float(high))
    if not all(math.isfinite(v) for v in numbers):
        return None
    if str(measure) in RATIO_MEASURES:
        if not all(RATIO_RANGE[0] <= v <= RATIO_RANGE[1] for v in numbers):
            return None  # nothing to see on an axis spanning such ratios
    elif max(abs(v) for v in numbers) > DIFFERENCE_LIMIT:
        return None
    return str(measure), *numbers


def _document(layout: ForestLayout, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    by_label = {r["label"]: r for r in rows}
    return {
        "title": layout.title,
        "measure": layout.measure,
        "log_scale": layout.log_scale,
        "null_x": layout.null_x,
        "favours": {"low": layout.favours[0], "high": layout.favours[1]},
        "ticks": [{"x": x, "label": label} for x, label in layout.ticks],
        "rows": [
            {
                "kind": row.kind,
                "label": row.label,
                "id": by_label.get(row.label, {}).get("id"),
                "numbers": row.numbers,
                "x": row.x,
                "x_low": row.x_low,
                "x_high": row.x_high,
                "clipped_low": row.clipped_low,
                "clipped_high": row.clipped_high,
                "size": row.size,
            }
            for row in layout.rows
        ],
        "lines": [
            {"kind": line.kind, "text": line.text} for line in text_lines(layout, TEXT_WIDTH)
        ],
    }


def estimates_plot(
    title: str,
    measure: str,
    rows: Sequence[Mapping[str, Any]],
    favour_labels: Mapping[str, str],
    overall: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The plot of reported estimates (``rows``: label, id, estimate, ci_low, ci_high)."""
    ratio = measure in RATIO_MEASURES
    outcome = {
        "label": title,
        "measure": measure,
        "scale": "log" if ratio else "identity",
        "null_value": 1.0 if ratio else 0.0,
        "favours": dict(favour_labels),
        "studies": [{**r, "weight": None} for r in rows],
        "overall": overall,
        "pooled": None,
        "subgroups": None,
    }
    return _document(forest_layout(outcome), rows)


def study_strata_plot(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """A study's strata (subgroups with an estimate and CI on the primary measure) and its
    overall result; None with fewer than two such strata."""
    main = _estimate(values, "result.effect.")
    rows = []
    index = 0
    while f"subgroups.{index}.name" in values:
        found = _estimate(values, f"subgroups.{index}.effect.")
        if found is not None and (main is None or found[0] == main[0]):
            measure, estimate, low, high = found
            by = values.get(f"subgroups.{index}.by")
            name = str(values[f"subgroups.{index}.name"])
            rows.append(
                {
                    "label": name,
                    "id": f"{by}: {name}" if by else name,
                    "measure": measure,
                    "estimate": estimate,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        index += 1
    if len(rows) < 2 or len({r["measure"] for r in rows}) != 1:
        return None
    measure = str(rows[0]["measure"])
    overall = None
    if main is not None:
        overall = {
            "label": "overall (as reported)",
            "estimate": main[1],
            "ci_low": main[2],
            "ci_high": main[3],
        }
    kind, event = values.get("primary_endpoint.kind"), values.get("primary_endpoint.counted_event")
    title = f"{values.get('id')}: strata ({measure.replace('_', ' ')})"
    return estimates_plot(title, measure, rows, favours(event, kind), overall)


def pair_plot(values: Mapping[str, Any], a_id: str, b_id: str) -> dict[str, Any] | None:
    """The two studies' primary estimates on one axis; None unless both report an
    estimate with a CI on the same measure."""
    a, b = _estimate(values, "a.result.effect."), _estimate(values, "b.result.effect.")
    if a is None or b is None or a[0] != b[0]:
        return None
    measure = a[0]
    rows = [
        {"label": sid, "id": sid, "estimate": e[1], "ci_low": e[2], "ci_high": e[3]}
        for sid, e in ((a_id, a), (b_id, b))
    ]
    sides = [
        favours(values.get(f"{side}.primary_endpoint.counted_event"),
                values.get(f"{side}.primary_endpoint.kind"))
        for side in ("a", "b")
    ]  # fmt: skip
    labels = sides[0] if sides[0] == sides[1] else favours(None, None)
    return estimates_plot(f"{a_id} vs {b_id} ({measure.replace('_', ' ')})", measure, rows, labels)
