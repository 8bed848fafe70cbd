"""Forest plots: one layout, three renderers (inline SVG, terminal text, Markdown).

:func:`forest_layout` turns one outcome of a review document
(:mod:`thymoscope.synthesis.document`) into rows placed on a common axis: each study's
square (area ∝ weight) and CI, subgroup blocks with their pooled diamond, the overall
diamond, the prediction interval, the line of no effect, ticks (log axis for ratios)
and the "favours" labels.  Whiskers that leave the axis are clipped and end in an
arrow.  :func:`svg`, :func:`text_lines` and :func:`markdown` only draw that layout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

RowKind = Literal["study", "heading", "subgroup_pooled", "pooled", "prediction", "test"]
LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
UNWEIGHTED_SIZE = 0.6
LOG_TICKS_FINE = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


@dataclass(frozen=True)
class ForestRow:
    kind: RowKind
    label: str
    numbers: str
    weight: float | None
    x: float | None  # estimate on [0, 1]
    x_low: float | None
    x_high: float | None
    clipped_low: bool
    clipped_high: bool
    size: float  # 0..1, square side relative to the largest


@dataclass(frozen=True)
class ForestLayout:
    title: str
    rows: tuple[ForestRow, ...]
    ticks: tuple[tuple[float, str], ...]
    null_x: float | None
    log_scale: bool
    favours: tuple[str, str]
    measure: str


def fmt_number(value: float, log_scale: bool) -> str:
    if log_scale:
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return f"{value:.2f}"


def interval_text(estimate: float, low: float, high: float, log_scale: bool) -> str:
    return (
        f"{fmt_number(estimate, log_scale)} ({fmt_number(low, log_scale)} to "
        f"{fmt_number(high, log_scale)})"
    )


class _Axis:
    def __init__(self, low: float, high: float, log_scale: bool) -> None:
        self.log_scale = log_scale
        self.low = self._t(low)
        self.high = self._t(high)
        if self.high - self.low < 1e-9:
            self.low, self.high = self.low - 0.5, self.high + 0.5

    def _t(self, value: float) -> float:
        return math.log(value) if self.log_scale else value

    def place(self, value: float) -> tuple[float, bool, bool]:
        x = (self._t(value) - self.low) / (self.high - self.low)
        return min(max(x, 0.0), 1.0), x < 0.0, x > 1.0


def _ticks(axis: _Axis) -> tuple[tuple[float, str], ...]:
    if axis.log_scale:
        lo, hi = math.exp(axis.low), math.exp(axis.high)
        for candidates in (LOG_TICKS_FINE, LOG_TICKS):
            inside = [t for t in candidates if lo <= t <= hi]
            if 3 <= len(inside) <= 7:
                break
        else:
            inside = [t for t in LOG_TICKS if lo <= t <= hi]
        return tuple((axis.place(t)[0], f"{t:g}") for t in inside)
    span = axis.high - axis.low
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(axis.low / step) * step
    ticks = []
    value = first
    while value <= axis.high + 1e-12:
        ticks.append((axis.place(value)[0], f"{value:g}"))
        value += step
    return tuple(ticks)


def _range(outcome: Mapping[str, Any]) -> tuple[float, float]:
    """Axis ends: estimates, pooled CI and PI and the null value, then study CIs up to
    half the core span beyond it (the rest is clipped)."""
    ratio = outcome["scale"] == "log"
    t = math.log if ratio else (lambda v: v)
    core = [t(s["estimate"]) for s in outcome["studies"]]
    core.append(t(outcome["null_value"]))
    overall = outcome.get("overall")
    if overall:
        core += [t(overall["ci_low"]), t(overall["ci_high"])]
    pooled = outcome.get("pooled")
    if pooled:
        core += [t(pooled["ci_low"]), t(pooled["ci_high"])]
        if pooled.get("prediction"):
            core += [t(pooled["prediction"]["low"]), t(pooled["prediction"]["high"])]
    lo, hi = min(core), max(core)
    span = max(hi - lo, 0.2 if ratio else 1e-6 + abs(hi) * 0.2 or 1.0)
    lows = [t(s["ci_low"]) for s in outcome["studies"]]
    highs = [t(s["ci_high"]) for s in outcome["studies"]]
    lo = max(min([*lows, lo]), lo - 0.5 * span)
    hi = min(max([*highs, hi]), hi + 0.5 * span)
    pad = 0.04 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    back = math.exp if ratio else (lambda v: v)
    return back(lo), back(hi)


def _row(
    axis: _Axis,
    kind: RowKind,
    label: str,
    estimate: float | None,
    low: float | None,
    high: float | None,
    weight: float | None,
    max_weight: float,
    log_scale: bool,
) -> ForestRow:
    if estimate is None or low is None or high is None:
        return ForestRow(kind, label, "", weight, None, None, None, False, False, 0.0)
    x, _, _ = axis.place(estimate)
    x_low, clipped_low, _ = axis.place(low)
    x_high, _, clipped_high = axis.place(high)
    numbers = interval_text(estimate, low, high, log_scale)
    if kind == "prediction":
        numbers = f"({fmt_number(low, log_scale)} to {fmt_number(high, log_scale)})"
    if weight is not None:
        numbers += f"  {weight:.1f}%"
    if weight is None and kind == "study":
        size = UNWEIGHTED_SIZE  # reported estimates without weights: all alike
    else:
        size = math.sqrt(weight / max_weight) if weight and max_weight > 0 else 0.0
    return ForestRow(
        kind, label, numbers, weight, x, x_low, x_high, clipped_low, clipped_high, size
    )


def _pooled_rows(
    axis: _Axis, pooled: Mapping[str, Any], label: str, kind: RowKind, log_scale: bool
) -> list[ForestRow]:
    rows = [
        _row(
            axis,
            kind,
            label,
            pooled["estimate"],
            pooled["ci_low"],
            pooled["ci_high"],
            None,
            1.0,
            log_scale,
        )
    ]
    if kind == "pooled" and pooled.get("prediction"):
        pi = pooled["prediction"]
        rows.append(
            _row(
                axis,
                "prediction",
                "prediction interval",
                pooled["estimate"],
                pi["low"],
                pi["high"],
                None,
                1.0,
                log_scale,
            )
        )
    return rows


def forest_layout(outcome: Mapping[str, Any]) -> ForestLayout:
    """The forest plot of one outcome of a review document."""
    log_scale = outcome["scale"] == "log"
    axis = _Axis(*_range(outcome), log_scale)
    studies = outcome["studies"]
    max_weight = max((s["weight"] or 0.0 for s in studies), default=1.0) or 1.0
    by_id = {s["id"]: s for s in studies}

    def study_row(s: Mapping[str, Any]) -> ForestRow:
        return _row(
            axis,
            "study",
            s["label"],
            s["estimate"],
            s["ci_low"],
            s["ci_high"],
            s["weight"],
            max_weight,
            log_scale,
        )

    rows: list[ForestRow] = []
    subgroups = outcome.get("subgroups")
    if subgroups:
        placed: set[str] = set()
        for group in subgroups["groups"]:
            rows.append(
                _row(
                    axis,
                    "heading",
                    f"{subgroups['by']} = {group['level']}",
                    None,
                    None,
                    None,
                    None,
                    1.0,
                    log_scale,
                )
            )
            for sid in group["ids"]:
                rows.append(study_row(by_id[sid]))
                placed.add(sid)
            p = group["pooled"]
            het = p["heterogeneity"]
            rows += _pooled_rows(
                axis,
                p,
                f"subgroup (k={group['k']}, I²={het['i2']:.0f}%)",
                "subgroup_pooled",
                log_scale,
            )
        rest = [s for s in studies if s["id"] not in placed]
        if rest:
            rows.append(
                _row(
                    axis,
                    "heading",
                    f"{subgroups['by']} unknown",
                    None,
                    None,
                    None,
                    None,
                    1.0,
                    log_scale,
                )
            )
            rows += [study_row(s) for s in rest]
    else:
        rows += [study_row(s) for s in studies]
    overall = outcome.get("overall")  # an estimate reported for all (not pooled here)
    if overall:
        rows.append(
            _row(
                axis,
                "pooled",
                overall["label"],
                overall["estimate"],
                overall["ci_low"],
                overall["ci_high"],
                None,
                1.0,
                log_scale,
            )
        )
    pooled = outcome.get("pooled")
    if pooled:
        het = pooled["heterogeneity"]
        rows += _pooled_rows(
            axis,
            pooled,
            f"{pooled['method'].upper()} pooled (I²={het['i2']:.0f}%)",
            "pooled",
            log_scale,
        )
    if subgroups:
        sep = subgroups["separate_tau2"]
        line = f"subgroup differences: Q={sep['q']:.2f}, df={sep['df']}, p={sep['p_value']:.3g}"
        if subgroups.get("common_tau2"):
            common = subgroups["common_tau2"]
            line += f" (common tau²: QM={common['qm']:.2f}, p={common['p_value']:.3g})"
        rows.append(ForestRow("test", line, "", None, None, None, None, False, False, 0.0))
    null = outcome["null_value"]
    null_x, below, above = axis.place(null)
    return ForestLayout(
        title=outcome["label"],
        rows=tuple(rows),
        ticks=_ticks(axis),
        null_x=None if below or above else null_x,
        log_scale=log_scale,
        favours=(outcome["favours"]["low"], outcome["favours"]["high"]),
        measure=outcome["measure"],
    )


# --- SVG -------------------------------------------------------------------------------

SVG_LABEL_W = 250
SVG_PLOT_W = 320
SVG_NUM_W = 190
SVG_ROW_H = 20
SVG_TOP = 10


def _esc(value: str) -> str:
    import html  # only SVG needs it; loading its entity table slows every cold start

    return html.escape(value, quote=True)


def svg(layout: ForestLayout) -> str:
    """A self-contained inline SVG (no scripts, no external references)."""
    width = SVG_LABEL_W + SVG_PLOT_W + SVG_NUM_W
    height = SVG_TOP + SVG_ROW_H * len(layout.rows) + 60
    x0 = SVG_LABEL_W

    def px(x: float) -> float:
        return round(x0 + x * SVG_PLOT_W, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="forest" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{_esc("Forest plot: " + layout.title)}">',
        f"<title>{_esc('Forest plot: ' + layout.title)}</title>",
    ]
    bottom = SVG_TOP + SVG_ROW_H * len(layout.rows)
    if layout.null_x is not None:
        parts.append(
            f'<line class="null" x1="{px(layout.null_x)}" y1="{SVG_TOP}" '
            f'x2="{px(layout.null_x)}" y2="{bottom}" stroke="#555" stroke-dasharray="3,3"/>'
        )
    for i, row in enumerate(layout.rows):
        y = SVG_TOP + SVG_ROW_H * i + SVG_ROW_H / 2
        weight = "bold" if row.kind in ("heading", "pooled") else "normal"
        style = "italic" if row.kind in ("test", "prediction") else "normal"
        label = row.label if len(row.label) <= 38 else row.label[:37] + "…"
        parts.append(
            f'<text x="4" y="{y + 4}" font-size="12" font-weight="{weight}" '
            f'font-style="{style}">{_esc(label)}</text>'
        )
        if row.numbers:
            parts.append(
                f'<text x="{x0 + SVG_PLOT_W + 8}" y="{y + 4}" font-size="12">'
                f"{_esc(row.numbers)}</text>"
            )
        if row.x is None or row.x_low is None or row.x_high is None:
            continue
        if row.kind in ("pooled", "subgroup_pooled"):
            fill = "#1b4f72" if row.kind == "pooled" else "#5d6d7e"
            parts.append(
                f'<polygon class="diamond" points="{px(row.x_low)},{y} {px(row.x)},{y - 6} '
                f'{px(row.x_high)},{y} {px(row.x)},{y + 6}" fill="{fill}"/>'
            )
            continue
        if row.kind == "prediction":
            parts.append(
                f'<line class="prediction" x1="{px(row.x_low)}" y1="{y}" x2="{px(row.x_high)}" '
                f'y2="{y}" stroke="#b03a2e" stroke-width="3"/>'
            )
            continue
        parts.append(
            f'<line class="ci" x1="{px(row.x_low)}" y1="{y}" x2="{px(row.x_high)}" y2="{y}" '
            f'stroke="#000"/>'
        )
        if row.clipped_low:
            parts.append(
                f'<polygon class="arrow" points="{px(0)},{y} {px(0) + 6},{y - 4} '
                f'{px(0) + 6},{y + 4}"/>'
            )
        if row.clipped_high:
            parts.append(
                f'<polygon class="arrow" points="{px(1)},{y} {px(1) - 6},{y - 4} '
                f'{px(1) - 6},{y + 4}"/>'
            )
        side = round(4 + 10 * row.size, 1)
        parts.append(
            f'<rect class="study" x="{round(px(row.x) - side / 2, 1)}" '
            f'y="{round(y - side / 2, 1)}" width="{side}" height="{side}" fill="#000"/>'
        )
    parts.append(
        f'<line class="axis" x1="{x0}" y1="{bottom}" x2="{x0 + SVG_PLOT_W}" y2="{bottom}" '
        f'stroke="#000"/>'
    )
    for x, label in layout.ticks:
        parts.append(
            f'<line x1="{px(x)}" y1="{bottom}" x2="{px(x)}" y2="{bottom + 4}" stroke="#000"/>'
            f'<text x="{px(x)}" y="{bottom + 16}" font-size="11" text-anchor="middle">'
            f"{_esc(label)}</text>"
        )
    if layout.null_x is not None:
        left, right = layout.favours
        parts.append(
            f'<text x="{px(layout.null_x) - 6}" y="{bottom + 34}" font-size="11" '
            f'text-anchor="end">← {_esc(left)}</text>'
            f'<text x="{px(layout.null_x) + 6}" y="{bottom + 34}" font-size="11" '
            f'text-anchor="start">{_esc(right)} →</text>'
        )
    scale = "log scale" if layout.log_scale else "linear scale"
    parts.append(
        f'<text x="{x0 + SVG_PLOT_W / 2}" y="{bottom + 50}" font-size="10" '
        f'text-anchor="middle">{_esc(layout.measure.replace("_", " "))} ({scale})</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


# --- terminal text -----------------------------------------------------------------------

UNICODE_GLYPHS = {
    "whisker": "─",
    "low_end": "├",
    "high_end": "┤",
    "square": "■",
    "arrow_low": "◀",
    "arrow_high": "▶",
    "diamond": "◆",
    "diamond_edge": "◇",
    "prediction": "┄",
    "null": "│",
    "axis": "─",
    "tick": "┴",
}
ASCII_GLYPHS = {
    "whisker": "-",
    "low_end": "|",
    "high_end": "|",
    "square": "#",
    "arrow_low": "<",
    "arrow_high": ">",
    "diamond": "=",
    "diamond_edge": "<",
    "prediction": ".",
    "null": ":",
    "axis": "-",
    "tick": "+",
}


@dataclass(frozen=True)
class TextLine:
    kind: RowKind | Literal["axis", "favours"]
    text: str


def _cell(x: float, cols: int) -> int:
    return min(cols - 1, max(0, round(x * (cols - 1))))


def text_lines(layout: ForestLayout, width: int = 88, unicode: bool = True) -> list[TextLine]:
    """The plot as lines of text: label, plot area, numbers (and the weight)."""
    g = UNICODE_GLYPHS if unicode else ASCII_GLYPHS
    label_w = max(16, min(30, width // 3))
    num_w = 30
    cols = max(20, width - label_w - num_w - 2)
    null_col = _cell(layout.null_x, cols) if layout.null_x is not None else None
    out: list[TextLine] = []
    for row in layout.rows:
        label = row.label if len(row.label) <= label_w else row.label[: label_w - 1] + "…"
        if not unicode:
            label = label.encode("ascii", "replace").decode("ascii")
        if row.kind == "test":
            text = row.label if unicode else row.label.encode("ascii", "replace").decode()
            out.append(TextLine(row.kind, text))
            continue
        area = [" "] * cols
        if null_col is not None:
            area[null_col] = g["null"]
        if row.x is not None and row.x_low is not None and row.x_high is not None:
            lo, hi, mid = _cell(row.x_low, cols), _cell(row.x_high, cols), _cell(row.x, cols)
            if row.kind in ("pooled", "subgroup_pooled"):
                for c in range(lo, hi + 1):
                    area[c] = g["diamond"]
                if not unicode:
                    area[lo], area[hi] = "<", ">"
                    area[mid] = "O" if row.kind == "pooled" else "o"
            elif row.kind == "prediction":
                for c in range(lo, hi + 1):
                    area[c] = g["prediction"]
            else:
                for c in range(lo, hi + 1):
                    area[c] = g["whisker"]
                area[lo] = g["arrow_low"] if row.clipped_low else g["low_end"]
                area[hi] = g["arrow_high"] if row.clipped_high else g["high_end"]
                area[mid] = g["square"]
        numbers = row.numbers if unicode else row.numbers.replace("–", "-")
        out.append(TextLine(row.kind, f"{label:<{label_w}} {''.join(area)} {numbers}".rstrip()))
    axis = [g["axis"]] * cols
    labels = [" "] * cols
    for x, text in layout.ticks:
        c = _cell(x, cols)
        axis[c] = g["tick"]
        start = max(0, min(cols - len(text), c - len(text) // 2))
        if all(ch == " " for ch in labels[max(0, start - 1) : start + len(text) + 1]):
            labels[start : start + len(text)] = list(text)
    pad = " " * (label_w + 1)
    out.append(TextLine("axis", pad + "".join(axis)))
    out.append(TextLine("axis", (pad + "".join(labels)).rstrip()))
    if null_col is not None:
        left, right = layout.favours
        arrow_l, arrow_r = ("←", "→") if unicode else ("<-", "->")
        left_text = f"{arrow_l} {left}"
        start = max(0, null_col - len(left_text) - 1)
        line = " " * start + left_text + " " + f"{right} {arrow_r}"
        out.append(TextLine("favours", (pad + line).rstrip()))
    return out


# --- Markdown ----------------------------------------------------------------------------


def markdown(layout: ForestLayout, width: int = 88) -> str:
    """A fenced text plot (Unicode) — the table of numbers is written by the template."""
    body = "\n".join(line.text for line in text_lines(layout, width, unicode=True))
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}text\n{body}\n{fence}"


def study_table_rows(outcome: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """Rows of the accessible table: label, estimate with CI, weight."""
    log_scale = outcome["scale"] == "log"
    return [
        {
            "label": s["label"],
            "id": s["id"],
            "title": s.get("title", ""),
            "effect": interval_text(s["estimate"], s["ci_low"], s["ci_high"], log_scale),
            "weight": f"{s['weight']:.1f}%",
        }
        for s in outcome["studies"]
    ]
