"""Leave-one-out analysis and Egger's regression test for funnel-plot asymmetry.

Leave-one-out refits the same model (method, HKSJ) without each study in turn, as
metafor ``leave1out()``.  Egger's test is metafor ``regtest()``'s default: the
standard error as a moderator in the same random-effects model, a z-test of its
coefficient; the intercept is the "limit estimate" as the SE goes to 0.  It is run only
with at least ``EGGER_MIN_STUDIES`` studies (Cochrane Handbook §13.3.5.4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from thymoscope.synthesis.models import (
    Coefficient,
    Method,
    ModelError,
    Pooled,
    meta_regression,
    pool,
)

EGGER_MIN_STUDIES = 10
LEAVE_ONE_OUT_MIN_STUDIES = 3


@dataclass(frozen=True)
class LeaveOneOut:
    omitted: int
    pooled: Pooled


@dataclass(frozen=True)
class EggerTest:
    k: int
    method: Method
    slope: Coefficient
    limit_estimate: Coefficient
    statistic: float
    p_value: float
    conventions: tuple[str, ...]


def leave_one_out(
    yi: Sequence[float],
    vi: Sequence[float],
    method: Method = "reml",
    hksj: bool = False,
    level: float = 95.0,
) -> tuple[LeaveOneOut, ...]:
    """The model refitted without each study (index order)."""
    k = len(yi)
    if k < LEAVE_ONE_OUT_MIN_STUDIES:
        raise ModelError(f"leave-one-out needs at least {LEAVE_ONE_OUT_MIN_STUDIES} studies")
    out = []
    for i in range(k):
        sub_y = [y for j, y in enumerate(yi) if j != i]
        sub_v = [v for j, v in enumerate(vi) if j != i]
        out.append(LeaveOneOut(i, pool(sub_y, sub_v, method, hksj, level)))
    return tuple(out)


def egger_test(
    yi: Sequence[float],
    vi: Sequence[float],
    method: Method = "reml",
    hksj: bool = False,
    level: float = 95.0,
) -> EggerTest | None:
    """metafor ``regtest()`` default; ``None`` with fewer than 10 studies."""
    k = len(yi)
    if k < EGGER_MIN_STUDIES:
        return None
    rows = [(1.0, math.sqrt(v)) for v in vi]
    fit = meta_regression(yi, vi, rows, ("limit estimate", "sei"), method, hksj, level)
    limit, slope = fit.coefficients
    return EggerTest(
        k=k,
        method=method,
        slope=slope,
        limit_estimate=limit,
        statistic=slope.statistic,
        p_value=slope.p_value,
        conventions=(
            "Egger's test: standard error as moderator in the same model (metafor regtest())",
            f"run only with at least {EGGER_MIN_STUDIES} studies",
        ),
    )
