"""The forest-plot layout and its three renderers."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from thymoscope.report.forest import forest_layout, markdown, svg, text_lines


def outcome(
    studies: list[tuple[str, float, float, float, float]],
    pooled: tuple[float, float, float] | None = (0.6, 0.45, 0.8),
    prediction: tuple[float, float] | None = (0.3, 1.2),
    scale: str = "log",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "label": "sepsis · mortality · odds ratio",
        "measure": "odds_ratio" if scale == "log" else "mean_difference",
        "scale": scale,
        "null_value": 1.0 if scale == "log" else 0.0,
        "favours": {"low": "favours thymalfasin", "high": "favours control"},
        "studies": [
            {"id": sid, "label": sid, "estimate": e, "ci_low": lo, "ci_high": hi, "weight": w}
            for sid, e, lo, hi, w in studies
        ],
        "pooled": None,
        "subgroups": None,
    }
    if pooled:
        doc["pooled"] = {
            "method": "reml",
            "k": len(studies),
            "estimate": pooled[0],
            "ci_low": pooled[1],
            "ci_high": pooled[2],
            "heterogeneity": {"i2": 50.0, "tau2": 0.1},
            "prediction": {"low": prediction[0], "high": prediction[1]} if prediction else None,
        }
    return doc


BASIC = [("a", 0.5, 0.3, 0.8, 40.0), ("b", 0.8, 0.6, 1.1, 60.0)]


def test_rows_are_placed_on_a_log_axis_with_the_null_line() -> None:
    layout = forest_layout(outcome(BASIC))
    kinds = [row.kind for row in layout.rows]
    assert kinds == ["study", "study", "pooled", "prediction"]
    a, b = layout.rows[:2]
    assert a.x is not None and b.x is not None and layout.null_x is not None
    assert a.x < b.x < layout.null_x
    # on a log axis equal ratios are equal distances: 0.5→1 as far as 1→2 would be
    assert layout.log_scale
    ticks = dict((label, x) for x, label in layout.ticks)
    assert "1" in ticks
    assert b.size == pytest.approx(1.0) and a.size == pytest.approx(math.sqrt(40 / 60))


def test_a_whisker_beyond_the_axis_is_clipped_with_an_arrow() -> None:
    layout = forest_layout(outcome([*BASIC, ("wide", 0.7, 0.001, 400.0, 1.0)]))
    wide = layout.rows[2]
    assert wide.clipped_low and wide.clipped_high
    assert wide.x_low == 0.0 and wide.x_high == 1.0
    lines = [line.text for line in text_lines(layout, 100)]
    assert "◀" in lines[2] and "▶" in lines[2]
    assert '<polygon class="arrow"' in svg(layout)


def test_linear_axis_for_differences() -> None:
    layout = forest_layout(
        outcome(
            [("a", -2.0, -4.0, 0.0, 50.0), ("b", 1.0, -1.0, 3.0, 50.0)],
            pooled=(-0.5, -2.0, 1.0),
            prediction=None,
            scale="identity",
        )
    )
    assert not layout.log_scale
    assert layout.rows[0].x is not None and layout.null_x is not None
    assert layout.rows[0].x < layout.null_x


def test_svg_is_well_formed_and_escapes_labels() -> None:
    doc = outcome([("<b>&", 0.5, 0.3, 0.8, 40.0), ("b", 0.8, 0.6, 1.1, 60.0)])
    doc["studies"][0]["label"] = "<script>alert(1)</script>"
    image = svg(forest_layout(doc))
    root = ET.fromstring(image)
    assert root.tag.endswith("svg")
    assert "<script>" not in image
    assert image.count('class="study"') == 2
    assert image.count('class="diamond"') == 1
    assert 'class="prediction"' in image
    assert "favours thymalfasin" in image


def test_text_plot_ascii_has_no_unicode() -> None:
    layout = forest_layout(outcome(BASIC))
    for line in text_lines(layout, 88, unicode=False):
        assert line.text.isascii()


def test_markdown_is_a_fenced_block() -> None:
    block = markdown(forest_layout(outcome(BASIC)))
    assert block.startswith("```text\n") and block.endswith("\n```")
    assert "0.50 (0.30 to 0.80)  40.0%" in block


def test_subgroup_blocks_with_their_test_line() -> None:
    doc = outcome(BASIC)
    pooled = dict(doc["pooled"])
    doc["subgroups"] = {
        "by": "design.blinding",
        "groups": [
            {"level": "open", "k": 1, "ids": ["a"], "pooled": {**pooled, "prediction": None}},
            {"level": "double", "k": 1, "ids": ["b"], "pooled": {**pooled, "prediction": None}},
        ],
        "separate_tau2": {"q": 3.2, "df": 1, "p_value": 0.07},
        "common_tau2": {"qm": 3.0, "df": 1, "p_value": 0.08},
    }
    layout = forest_layout(doc)
    kinds = [row.kind for row in layout.rows]
    assert kinds == [
        "heading", "study", "subgroup_pooled",
        "heading", "study", "subgroup_pooled",
        "pooled", "prediction", "test",
    ]  # fmt: skip
    assert "Q=3.20" in layout.rows[-1].label and "QM=3.00" in layout.rows[-1].label
