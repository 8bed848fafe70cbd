"""Leave-one-out analysis and Egger's regression test for funnel-plot asymmetry.

Leave-one-out refits the same model (method, HKSJ) without each study in turn, as
metafor ``leave1out()``.  To stay fast on large bodies (1,000 studies: a million terms
per refit otherwise), each refit works on power sums Σwᵃ, Σwᵃy, Σwᵃy² of the full-data
weights, from which the leave-one-out sums at any nearby tau² follow by a convergent
series (w/(1 + wδ) expanded in wδ, used only while max w·|δ| ≤ 0.2, else the refit is
done directly).  REML refits start from the full-data tau² (metafor restarts from the
Hedges estimate); both stop when tau² changes by less than 1e-5.

Egger's test is metafor ``regtest()``'s default: the standard error as a moderator in
the same random-effects model, a z-test of its coefficient; the intercept is the
"limit estimate" as the SE goes to 0.  It is run only with at least
``EGGER_MIN_STUDIES`` studies (Cochrane Handbook §13.3.5.4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul
from typing import Literal

from thymoscope.synthesis.distributions import (
    chi2_sf,
    level_quantile,
    normal_two_sided_p,
    t_level_quantile,
    t_two_sided_p,
)
from thymoscope.synthesis.models import (
    REML_MAX_ITER,
    REML_THRESHOLD,
    Coefficient,
    Heterogeneity,
    Interval,
    Method,
    ModelError,
    meta_regression,
    pool,
)

EGGER_MIN_STUDIES = 10
LEAVE_ONE_OUT_MIN_STUDIES = 3


@dataclass(frozen=True)
class LeaveOneOut:
    """The model without study ``omitted`` (index into the body)."""

    omitted: int
    estimate: float
    se: float
    ci: Interval
    p_value: float
    prediction: Interval | None
    heterogeneity: Heterogeneity
    direct: bool  # refitted directly rather than through the power-sum series


@dataclass(frozen=True)
class EggerTest:
    k: int
    method: Method
    slope: Coefficient
    limit_estimate: Coefficient
    statistic: float
    p_value: float
    conventions: tuple[str, ...]


SERIES_TERMS = 20
SERIES_LIMIT = 0.2


class _PowerSums:
    """Σ wᵃ, Σ wᵃ y, Σ wᵃ y² for a = 0 .. SERIES_TERMS + 3 at weights w = 1/(v + T)."""

    def __init__(self, yi: Sequence[float], vi: Sequence[float], tau2: float) -> None:
        self.tau2 = tau2
        self.weights = [1.0 / (v + tau2) for v in vi]
        self.max_weight = max(self.weights)
        self.yi = list(yi)
        self.vi = list(vi)
        top = SERIES_TERMS + 4
        self.a: list[float] = []
        self.b: list[float] = []
        self.c: list[float] = []
        powers = [1.0] * len(vi)
        y2 = [y * y for y in yi]
        for _ in range(top):
            self.a.append(sum(powers))
            self.b.append(sum(map(mul, powers, yi)))
            self.c.append(sum(map(mul, powers, y2)))
            powers = list(map(mul, powers, self.weights))
        self.binom = [
            [math.comb(m + n - 1, n) if m > 0 else 0 for n in range(SERIES_TERMS + 1)]
            for m in range(4)
        ]

    def without(self, i: int) -> tuple[list[float], list[float], list[float]]:
        w, y = self.weights[i], self.yi[i]
        a, b, c = [], [], []
        power = 1.0
        for j in range(len(self.a)):
            a.append(self.a[j] - power)
            b.append(self.b[j] - power * y)
            c.append(self.c[j] - power * y * y)
            power *= w
        return a, b, c

    def coefficients(self, delta: float) -> list[list[float]]:
        """Series coefficients C(m+n−1, n)·(−δ)ⁿ for m = 1, 2, 3, as few terms as the
        accuracy needs ((max w·|δ|)ⁿ below 1e-15)."""
        x = self.max_weight * abs(delta)
        terms = SERIES_TERMS if x > 0.0 else 0
        if 0.0 < x < 1.0:
            terms = min(SERIES_TERMS, max(1, math.ceil(-15.0 / math.log10(x))))
        powers = [(-delta) ** n for n in range(terms + 1)]
        return [list(map(mul, self.binom[m][: terms + 1], powers)) for m in range(4)]

    @staticmethod
    def series(sums: list[float], m: int, coefficients: list[list[float]]) -> float:
        """Σ f·wᵐ/(1 + wδ)ᵐ from the power sums of f (m ≥ 1)."""
        row = coefficients[m]
        return float(sum(map(mul, row, sums[m : m + len(row)])))


def _loo_from_sums(
    sums: _PowerSums,
    i: int,
    k: int,
    method: Method,
    hksj: bool,
    level: float,
    fe_sums: tuple[float, float, float, float],
) -> LeaveOneOut | None:
    """The refit without study ``i`` through the series; ``None`` when out of range."""
    a, b, c = sums.without(i)
    if a[3] <= 1e-6 * sums.a[3]:
        return None  # study i dominates the power sums: subtracting it would lose digits
    k1 = k - 1
    # fixed-effect quantities at weights 1/v, exact, from their own leave-one-out sums
    s0, s1, s2, s_sq = fe_sums
    wi = 1.0 / sums.vi[i]
    yi = sums.yi[i]
    f0, f1, f2 = s0 - wi, s1 - wi * yi, s2 - wi * yi * yi
    f_sq = s_sq - wi * wi
    q = max(0.0, f2 - f1 * f1 / f0)
    tr_p = f0 - f_sq / f0
    vt = (k1 - 1) / tr_p if k1 > 1 and tr_p > 0 else 0.0
    if method == "fe":
        tau2 = 0.0
    elif method == "dl":
        tau2 = max(0.0, (q - (k1 - 1)) / tr_p)
    else:  # reml: Fisher scoring from the full-data tau²
        tau2 = sums.tau2
        for _ in range(REML_MAX_ITER):
            delta = tau2 - sums.tau2
            if sums.max_weight * abs(delta) > SERIES_LIMIT:
                return None
            co = sums.coefficients(delta)
            sw = sums.series(a, 1, co)
            sw2 = sums.series(a, 2, co)
            sw3 = sums.series(a, 3, co)
            mu = sums.series(b, 1, co) / sw
            ypp_y = sums.series(c, 2, co) - 2 * mu * sums.series(b, 2, co) + mu * mu * sw2
            adj = (ypp_y - (sw - sw2 / sw)) / (sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2)
            while tau2 + adj < 0.0:
                adj /= 2.0
            old = tau2
            tau2 += adj
            if abs(old - tau2) <= REML_THRESHOLD:
                break
        else:
            return None
    delta = tau2 - sums.tau2
    if method == "fe":
        sw, swy = f0, f1
        swy2 = f2
    else:
        if sums.max_weight * abs(delta) > SERIES_LIMIT:
            return None
        co = sums.coefficients(delta)
        sw = sums.series(a, 1, co)
        swy = sums.series(b, 1, co)
        swy2 = sums.series(c, 1, co)
    estimate = swy / sw
    variance = 1.0 / sw
    dist: Literal["normal", "t"] = "normal"
    df: int | None = None
    if hksj:
        rss = max(0.0, swy2 - 2 * estimate * swy + estimate * estimate * sw)
        variance *= 0.0 if rss <= 2.220446049250313e-16 else rss / (k1 - 1)
        crit, dist, df = t_level_quantile(level, k1 - 1), "t", k1 - 1
    else:
        crit = level_quantile(level)
    se = math.sqrt(variance)
    stat = estimate / se if se > 0 else math.copysign(math.inf, estimate)
    p_value = t_two_sided_p(stat, k1 - 1) if hksj else normal_two_sided_p(stat)
    ci = Interval(estimate - crit * se, estimate + crit * se, level, dist, df)
    prediction = None
    if method != "fe":
        pi_se = math.sqrt(variance + tau2)
        prediction = Interval(estimate - crit * pi_se, estimate + crit * pi_se, level, dist, df)
    if method == "fe":
        i2 = max(0.0, 100.0 * (q - (k1 - 1)) / q) if k1 > 1 and q > 0 else 0.0
        h2 = q / (k1 - 1) if k1 > 1 else 1.0
    else:
        i2 = 100.0 * tau2 / (vt + tau2) if vt + tau2 > 0 else 0.0
        h2 = tau2 / vt + 1.0 if vt > 0 else 1.0
    het = Heterogeneity(q, k1 - 1, chi2_sf(q, k1 - 1), tau2, math.sqrt(tau2), i2, h2, vt, method)
    return LeaveOneOut(i, estimate, se, ci, p_value, prediction, het, False)


def _direct(
    i: int, yi: Sequence[float], vi: Sequence[float], method: Method, hksj: bool, level: float
) -> LeaveOneOut:
    sub_y = [y for j, y in enumerate(yi) if j != i]
    sub_v = [v for j, v in enumerate(vi) if j != i]
    fit = pool(sub_y, sub_v, method, hksj, level)
    return LeaveOneOut(
        i, fit.estimate, fit.se, fit.ci, fit.p_value, fit.prediction, fit.heterogeneity, True
    )


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
    if method == "pm":
        return tuple(_direct(i, yi, vi, method, hksj, level) for i in range(k))
    full = pool(yi, vi, method, hksj, level)
    sums = _PowerSums(yi, vi, full.heterogeneity.tau2)
    fe_w = [1.0 / v for v in vi]
    fe_sums = (
        sum(fe_w),
        sum(map(mul, fe_w, yi)),
        sum(w * y * y for w, y in zip(fe_w, yi, strict=True)),
        sum(w * w for w in fe_w),
    )
    out = []
    for i in range(k):
        fast = _loo_from_sums(sums, i, k, method, hksj, level, fe_sums)
        out.append(fast if fast is not None else _direct(i, yi, vi, method, hksj, level))
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
