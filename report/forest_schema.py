"""Schema part for the forest plot of reported estimates in the diagnosis and comparison
documents (:mod:`thymoscope.report.estimates_plot`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


RowKind = Literal["study", "heading", "subgroup_pooled", "pooled", "prediction", "test"]


class Favours(_Strict):
    low: str
    high: str


class Tick(_Strict):
    x: float = Field(description="position on the plot's axis, 0 (left) to 1 (right)")
    label: str


class PlotRow(_Strict):
    kind: RowKind
    label: str
    id: str | None
    numbers: str = Field(description="the estimate and CI as printed")
    x: float | None
    x_low: float | None
    x_high: float | None
    clipped_low: bool
    clipped_high: bool
    size: float = Field(description="square side relative to the largest (0–1)")


class PlotLine(_Strict):
    kind: str
    text: str


class ForestPlot(_Strict):
    """Estimates as reported, laid out on one axis (log scale for ratios); nothing pooled."""

    title: str
    measure: str
    log_scale: bool
    null_x: float | None
    favours: Favours
    ticks: list[Tick]
    rows: list[PlotRow]
    lines: list[PlotLine] = Field(description="the plot as terminal text, 88 columns")
