"""Subgroup analysis: pooled estimate per subgroup and two tests for subgroup differences.

* **separate tau²** (RevMan, R meta ``subgroup=``): each subgroup is pooled with its own
  tau²; the test is Q-between = Σ w_g (μ_g − μ̄)² with w_g = 1/SE_g², chi-square on
  G − 1 df;
* **common tau²** (metafor ``rma(yi, vi, mods = ~ factor(g))``): one mixed-effects model
  with a dummy per subgroup after the first; QM tests those coefficients, chi-square on
  G − 1 df (F under HKSJ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thymoscope.synthesis.distributions import chi2_sf
from thymoscope.synthesis.models import (
    MetaRegression,
    Method,
    ModelError,
    Pooled,
    meta_regression,
    pool,
)

CONVENTION_SEPARATE = (
    "test for subgroup differences with a separate tau² per subgroup (RevMan, meta)"
)
CONVENTION_COMMON = "QM with a common tau² (metafor mods = ~ factor(subgroup))"


@dataclass(frozen=True)
class SubgroupResult:
    level: str
    indices: tuple[int, ...]
    pooled: Pooled


@dataclass(frozen=True)
class SubgroupAnalysis:
    """Each subgroup's pooled estimate and both tests for subgroup differences."""

    groups: tuple[SubgroupResult, ...]
    q_between: float
    q_between_df: int
    q_between_p: float
    common_tau2: MetaRegression | None
    common_tau2_unavailable: str | None
    conventions: tuple[str, ...]


def subgroup_analysis(
    yi: Sequence[float],
    vi: Sequence[float],
    levels: Sequence[str],
    method: Method = "reml",
    hksj: bool = False,
    level: float = 95.0,
) -> SubgroupAnalysis:
    """Subgroups in order of first appearance of their level."""
    if len(levels) != len(yi):
        raise ModelError("one subgroup level per study")
    order: list[str] = []
    for value in levels:
        if value not in order:
            order.append(value)
    if len(order) < 2:
        raise ModelError("subgroup analysis needs at least two subgroups")
    groups = []
    for value in order:
        idx = tuple(i for i, lv in enumerate(levels) if lv == value)
        sub_y = [yi[i] for i in idx]
        sub_v = [vi[i] for i in idx]
        pooled = pool(sub_y, sub_v, method, hksj and len(idx) >= 2, level)
        groups.append(SubgroupResult(value, idx, pooled))
    weights = [1.0 / g.pooled.se**2 for g in groups]
    mean = sum(w * g.pooled.estimate for w, g in zip(weights, groups, strict=True)) / sum(weights)
    q_between = sum(
        w * (g.pooled.estimate - mean) ** 2 for w, g in zip(weights, groups, strict=True)
    )
    df = len(groups) - 1
    rows = [tuple([1.0] + [1.0 if lv == value else 0.0 for value in order[1:]]) for lv in levels]
    names = ["intercept"] + [f"{value} vs {order[0]}" for value in order[1:]]
    common: MetaRegression | None = None
    unavailable: str | None = None
    if len(yi) - len(order) >= 1:
        common = meta_regression(yi, vi, rows, names, method, hksj, level)
    else:
        unavailable = f"{len(yi)} studies cannot fit {len(order)} subgroup means with a common tau²"
    return SubgroupAnalysis(
        groups=tuple(groups),
        q_between=q_between,
        q_between_df=df,
        q_between_p=chi2_sf(q_between, df),
        common_tau2=common,
        common_tau2_unavailable=unavailable,
        conventions=(CONVENTION_SEPARATE, CONVENTION_COMMON),
    )
