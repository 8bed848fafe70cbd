"""Inverse-variance fixed-effect and random-effects models and meta-regression.

Formulas follow metafor's ``rma.uni`` (R/rma.uni.r) so that numbers match it:

* fixed effect: weights ``1/vi``;
* random effects: weights ``1/(vi + tau²)``, tau² by REML (default; Fisher scoring from
  the Hedges estimate, step-halving to keep tau² ≥ 0, stopping when the change is below
  1e-5, at most 100 iterations; where metafor would then stop with "did not
  converge", the root of the REML score is found by bisection instead),
  DerSimonian–Laird (method of moments, truncated at 0) or Paule–Mandel (generalised
  Q equal to its degrees of freedom, 0 when Q(0) < k − p);
* Q (QE): the inverse-variance weighted residual sum of squares, chi-square on k − p df;
* I² = 100·tau²/(tau² + ṽ) and H² = 1 + tau²/ṽ with the "typical" within-study
  variance ṽ = (k − p)/tr(P) (for k studies without moderators
  ṽ = (k − 1)·Σw/((Σw)² − Σw²)); for the fixed-effect model I² = max(0, (Q − df)/Q)
  and H² = Q/df;
* tests and CIs: z (normal) by default; with ``hksj`` the Hartung–Knapp–Sidik–Jonkman
  variant (metafor ``test="knha"``): the variance of the estimates is multiplied by
  the weighted residual mean square (not truncated at 1) and t on k − p df is used;
* prediction interval (metafor ``predict()`` default): estimate ± crit·√(SE² + tau²)
  with crit the normal quantile (t on k − p df under HKSJ);
* meta-regression: QM is the Wald test of all coefficients but the intercept (chi-square,
  or F under HKSJ), QE the residual heterogeneity, R² = max(0, (tau²₀ − tau²)/tau²₀)
  with tau²₀ from the model without moderators (0 when tau²₀ = 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul
from typing import Literal

from thymoscope.errors import ThymoscopeError
from thymoscope.synthesis.distributions import (
    chi2_sf,
    f_sf,
    level_quantile,
    normal_two_sided_p,
    t_level_quantile,
    t_two_sided_p,
)
from thymoscope.synthesis.linalg import invert, mat_mul, mat_vec, trace_product, weighted_cross

Method = Literal["fe", "reml", "dl", "pm"]
Tau2Algorithm = Literal["none", "moments", "fisher_scoring", "score_bisection", "q_root"]
METHODS: tuple[Method, ...] = ("reml", "dl", "pm", "fe")
METHOD_NAMES: dict[str, str] = {
    "fe": "inverse-variance fixed effect",
    "reml": "random effects, tau² by restricted maximum likelihood (REML)",
    "dl": "random effects, tau² by DerSimonian–Laird",
    "pm": "random effects, tau² by Paule–Mandel",
}
REML_THRESHOLD = 1e-5
REML_MAX_ITER = 100

CONVENTION_I2 = "I² = 100·tau²/(tau² + typical within-study variance) (metafor, RevMan Web)"
CONVENTION_I2_FE = "I² = max(0, (Q − df)/Q) for the fixed-effect model"
CONVENTION_TAU2_TRUNCATED = "tau² truncated at 0"
CONVENTION_PI = "prediction interval: estimate ± z·√(SE² + tau²) (metafor predict() default)"
CONVENTION_PI_HKSJ = "prediction interval: estimate ± t(k−p)·√(SE² + tau²) (HKSJ)"
CONVENTION_HKSJ = "Hartung–Knapp–Sidik–Jonkman CI: t on k−p df, variance scaled, no truncation"
CONVENTION_REML_FALLBACK = (
    "REML tau² by bisection on the score: Fisher scoring did not settle in 100 iterations"
)
CONVENTION_Z = "Wald z-test and normal-quantile CI"


class ModelError(ThymoscopeError, ValueError):
    """The data cannot be fitted (too few studies, non-positive variances ...)."""


@dataclass(frozen=True)
class Interval:
    """A confidence or prediction interval on the analysis scale."""

    low: float
    high: float
    level: float
    distribution: Literal["normal", "t"]
    df: int | None


@dataclass(frozen=True)
class Heterogeneity:
    """Q, tau², I² and H² of a fitted model (metafor's definitions)."""

    q: float
    df: int
    p_value: float
    tau2: float
    tau: float
    i2: float
    h2: float
    typical_within_variance: float
    tau2_method: Method


@dataclass(frozen=True)
class Pooled:
    """A pooled estimate (intercept-only model)."""

    k: int
    method: Method
    estimate: float
    se: float
    ci: Interval
    statistic: float
    test: Literal["z", "t"]
    p_value: float
    prediction: Interval | None
    heterogeneity: Heterogeneity
    weights: tuple[float, ...]
    iterations: int
    tau2_algorithm: Tau2Algorithm
    hksj: bool
    conventions: tuple[str, ...]


@dataclass(frozen=True)
class Coefficient:
    name: str
    estimate: float
    se: float
    statistic: float
    p_value: float
    ci: Interval


@dataclass(frozen=True)
class MetaRegression:
    """A mixed-effects meta-regression (or a subgroup model with a common tau²)."""

    k: int
    p: int
    method: Method
    coefficients: tuple[Coefficient, ...]
    qm: float
    qm_df: int
    qm_p: float
    qm_distribution: Literal["chi2", "F"]
    qe: float
    qe_df: int
    qe_p: float
    tau2: float
    i2: float
    h2: float
    r2: float | None
    hksj: bool
    conventions: tuple[str, ...]


@dataclass(frozen=True)
class _Fit:
    beta: list[float]
    vb: list[list[float]]
    weights: list[float]
    tau2: float
    iterations: int
    algorithm: Tau2Algorithm
    s2w: float


def _check(yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]]) -> None:
    if len(yi) != len(vi) or len(yi) != len(rows):
        raise ModelError("yi, vi and the model matrix differ in length")
    if len(yi) < 1:
        raise ModelError("no studies to pool")
    if len(yi) <= len(rows[0]) - 1:
        raise ModelError("fewer studies than model coefficients")
    for y, v in zip(yi, vi, strict=True):
        if not (math.isfinite(y) and math.isfinite(v)):
            raise ModelError("effect sizes and variances must be finite")
        if v <= 0:
            raise ModelError("sampling variances must be > 0")


def _wls(
    yi: Sequence[float], rows: Sequence[tuple[float, ...]], weights: Sequence[float]
) -> tuple[list[float], list[list[float]], list[float]]:
    """(beta, (X'WX)^-1, residuals) of a weighted least-squares fit."""
    rows_l = list(rows)
    inv = invert(weighted_cross(rows_l, list(weights)))
    p = len(rows_l[0])
    xwy = [0.0] * p
    for row, w, y in zip(rows_l, weights, yi, strict=True):
        for j in range(p):
            xwy[j] += w * row[j] * y
    beta = mat_vec(inv, xwy)
    residuals = [
        y - sum(b * x for b, x in zip(beta, row, strict=True))
        for y, row in zip(yi, rows_l, strict=True)
    ]
    return beta, inv, residuals


def _trace_p(
    rows: Sequence[tuple[float, ...]], weights: Sequence[float], inv: list[list[float]]
) -> float:
    """tr(P) with P = W − W X (X'WX)⁻¹ X' W."""
    w2 = [w * w for w in weights]
    return sum(weights) - trace_product(inv, weighted_cross(list(rows), w2))


def _tau2_dl(yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]]) -> float:
    k, p = len(yi), len(rows[0])
    weights = [1.0 / v for v in vi]
    _, inv, res = _wls(yi, rows, weights)
    rss = sum(w * r * r for w, r in zip(weights, res, strict=True))
    return max(0.0, (rss - (k - p)) / _trace_p(rows, weights, inv))


def _tau2_he(yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]]) -> float:
    """Hedges' estimator (metafor's starting value for REML)."""
    k, p = len(yi), len(rows[0])
    ones = [1.0] * k
    _, inv, res = _wls(yi, rows, ones)
    rss = sum(r * r for r in res)
    tr_pv = sum(vi) - trace_product(inv, weighted_cross(list(rows), list(vi)))
    return (rss - tr_pv) / (k - p)


def _generalised_q(
    yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]], tau2: float
) -> float:
    weights = [1.0 / (v + tau2) for v in vi]
    _, _, res = _wls(yi, rows, weights)
    return sum(w * r * r for w, r in zip(weights, res, strict=True))


def _tau2_pm(yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]]) -> float:
    k, p = len(yi), len(rows[0])
    target = k - p
    if target <= 0 or _generalised_q(yi, vi, rows, 0.0) < target:
        return 0.0
    low, high = 0.0, max(1.0, max(vi))
    while _generalised_q(yi, vi, rows, high) > target:
        low, high = high, high * 4.0
        if high > 1e12:
            raise ModelError("Paule–Mandel tau² did not converge")
    for _ in range(200):
        mid = (low + high) / 2.0
        if _generalised_q(yi, vi, rows, mid) > target:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


def _reml_score(
    yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]], tau2: float
) -> tuple[float, float]:
    """(y'PPy − tr(P), tr(PP)) at ``tau2``: twice the REML score and its information."""
    weights = [1.0 / (v + tau2) for v in vi]
    w2 = [w * w for w in weights]
    w3 = [w * v for w, v in zip(w2, weights, strict=True)]
    _, inv, res = _wls(yi, rows, weights)
    b_mat = weighted_cross(list(rows), w2)
    c_mat = weighted_cross(list(rows), w3)
    # P y = W (y − X beta), so y'PPy = Σ (w r)²
    ypp_y = sum((w * r) ** 2 for w, r in zip(weights, res, strict=True))
    tr_p = sum(weights) - trace_product(inv, b_mat)
    inv_b = mat_mul(inv, b_mat)
    tr_pp = sum(w2) - 2.0 * trace_product(inv, c_mat) + trace_product(inv_b, inv_b)
    return ypp_y - tr_p, tr_pp


def _reml_bisection(
    yi: Sequence[float], vi: Sequence[float], rows: Sequence[tuple[float, ...]]
) -> tuple[float, int]:
    """Root of the REML score by bisection (0 when the score is ≤ 0 at tau² = 0)."""
    if _reml_score(yi, vi, rows, 0.0)[0] <= 0:
        return 0.0, 1
    low, high = 0.0, max(1.0, max(vi))
    steps = 0
    while _reml_score(yi, vi, rows, high)[0] > 0:
        low, high = high, high * 4.0
        steps += 1
        if high > 1e12:
            raise ModelError("REML tau² did not converge")
    while high - low > 1e-10 * max(1.0, high):
        mid = (low + high) / 2.0
        steps += 1
        if _reml_score(yi, vi, rows, mid)[0] > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0, steps


def _tau2_reml(
    yi: Sequence[float],
    vi: Sequence[float],
    rows: Sequence[tuple[float, ...]],
    start: float | None = None,
) -> tuple[float, int, Tau2Algorithm]:
    """REML tau² by Fisher scoring as metafor; bisection on the score if that stalls."""
    k, p = len(yi), len(rows[0])
    if k - p <= 0:
        return 0.0, 0, "fisher_scoring"
    tau2 = max(0.0, _tau2_he(yi, vi, rows) if start is None else start)
    for iteration in range(1, REML_MAX_ITER + 1):
        score, information = _reml_score(yi, vi, rows, tau2)
        adj = score / information
        while tau2 + adj < 0.0:
            adj /= 2.0
        old = tau2
        tau2 = tau2 + adj
        if abs(old - tau2) <= REML_THRESHOLD:
            return tau2, iteration, "fisher_scoring"
    tau2, steps = _reml_bisection(yi, vi, rows)
    return tau2, REML_MAX_ITER + steps, "score_bisection"


def _intercept_only(rows: Sequence[tuple[float, ...]]) -> bool:
    return len(rows[0]) == 1 and all(row[0] == 1.0 for row in rows)


def _weighted_residual_sums(
    yi: Sequence[float], weights: Sequence[float]
) -> tuple[float, float, float, float]:
    """(Σw, weighted mean, Σw², Σw²(y − mean)²) for an intercept-only model."""
    sw = sum(weights)
    mean = sum(map(mul, weights, yi)) / sw
    w2 = list(map(mul, weights, weights))
    residuals = [y - mean for y in yi]
    return sw, mean, sum(w2), sum(map(mul, w2, map(mul, residuals, residuals)))


def _fast_reml(
    yi: Sequence[float], vi: Sequence[float], start: float | None
) -> tuple[float, int, Tau2Algorithm]:
    """REML for an intercept-only model with the same Fisher scoring, on sums (O(k))."""
    k = len(yi)
    if k < 2:
        return 0.0, 0, "fisher_scoring"
    if start is None:
        mean = sum(yi) / k
        rss = sum((y - mean) ** 2 for y in yi)
        start = (rss - (sum(vi) - sum(vi) / k)) / (k - 1)  # Hedges
    tau2 = max(0.0, start)
    for iteration in range(1, REML_MAX_ITER + 1):
        weights = [1.0 / (v + tau2) for v in vi]
        sw, _, sw2, ypp_y = _weighted_residual_sums(yi, weights)
        sw3 = sum(w * w * w for w in weights)
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2
        adj = (ypp_y - tr_p) / tr_pp
        while tau2 + adj < 0.0:
            adj /= 2.0
        old = tau2
        tau2 = tau2 + adj
        if abs(old - tau2) <= REML_THRESHOLD:
            return tau2, iteration, "fisher_scoring"
    rows = [(1.0,)] * k
    tau2, steps = _reml_bisection(yi, vi, rows)
    return tau2, REML_MAX_ITER + steps, "score_bisection"


def _fast_pm(yi: Sequence[float], vi: Sequence[float]) -> float:
    """Paule–Mandel for an intercept-only model: safeguarded Newton on Q(tau²) − (k − 1).

    dQ/dtau² = −Σ w²(y − μ)²; a step leaving the bracket is replaced by bisection.
    """
    k = len(yi)
    target = k - 1

    def q_and_slope(tau2: float) -> tuple[float, float]:
        weights = [1.0 / (v + tau2) for v in vi]
        sw = sum(weights)
        mean = sum(map(mul, weights, yi)) / sw
        residuals = [y - mean for y in yi]
        wr = list(map(mul, weights, residuals))
        return sum(map(mul, wr, residuals)) - target, -sum(map(mul, wr, wr))

    f0, slope = q_and_slope(0.0)
    if target <= 0 or f0 < 0:
        return 0.0
    low, high = 0.0, math.inf
    tau2, f = 0.0, f0
    for _ in range(200):
        step = -f / slope if slope < 0 else math.inf
        candidate = tau2 + step
        if not candidate < high:
            candidate = (low + high) / 2.0 if math.isfinite(high) else max(2.0 * tau2, 1.0)
        tau2 = candidate
        f, slope = q_and_slope(tau2)
        if f > 0:
            low = tau2
        else:
            high = tau2
        if abs(f) < 1e-12 * max(1.0, target) or (high - low) < 1e-12 * max(1.0, tau2):
            return tau2
    raise ModelError("Paule–Mandel tau² did not converge")


def estimate_tau2(
    yi: Sequence[float],
    vi: Sequence[float],
    rows: Sequence[tuple[float, ...]],
    method: Method,
    start: float | None = None,
) -> tuple[float, int, Tau2Algorithm]:
    """(tau², iterations, algorithm) for ``method``; tau² truncated at 0."""
    if method == "fe":
        return 0.0, 0, "none"
    if _intercept_only(rows):
        if method == "dl":
            weights = [1.0 / v for v in vi]
            sw, mean, sw2, _ = _weighted_residual_sums(yi, weights)
            residuals = [y - mean for y in yi]
            q = sum(map(mul, weights, map(mul, residuals, residuals)))
            return max(0.0, (q - (len(yi) - 1)) / (sw - sw2 / sw)), 0, "moments"
        if method == "reml":
            return _fast_reml(yi, vi, start)
        if method == "pm":
            return _fast_pm(yi, vi), 0, "q_root"
    if method == "dl":
        return _tau2_dl(yi, vi, rows), 0, "moments"
    if method == "pm":
        return _tau2_pm(yi, vi, rows), 0, "q_root"
    return _tau2_reml(yi, vi, rows, start)


def _fit(
    yi: Sequence[float],
    vi: Sequence[float],
    rows: Sequence[tuple[float, ...]],
    method: Method,
    hksj: bool,
    start: float | None = None,
) -> _Fit:
    _check(yi, vi, rows)
    k, p = len(yi), len(rows[0])
    tau2, iterations, algorithm = estimate_tau2(yi, vi, rows, method, start)
    weights = [1.0 / (v + tau2) for v in vi]
    beta, inv, res = _wls(yi, rows, weights)
    s2w = 1.0
    if hksj:
        if k - p < 1:
            raise ModelError("HKSJ needs more studies than coefficients")
        rss = sum(w * r * r for w, r in zip(weights, res, strict=True))
        s2w = 0.0 if rss <= 2.220446049250313e-16 else rss / (k - p)
        inv = [[s2w * x for x in row] for row in inv]
    return _Fit(beta, inv, weights, tau2, iterations, algorithm, s2w)


def _heterogeneity(
    yi: Sequence[float],
    vi: Sequence[float],
    rows: Sequence[tuple[float, ...]],
    tau2: float,
    method: Method,
) -> Heterogeneity:
    k, p = len(yi), len(rows[0])
    df = k - p
    fe_weights = [1.0 / v for v in vi]
    _, inv, res = _wls(yi, rows, fe_weights)
    q = sum(w * r * r for w, r in zip(fe_weights, res, strict=True))
    q_p = chi2_sf(q, df) if df > 0 else 1.0
    tr_p = _trace_p(rows, fe_weights, inv)
    return _heterogeneity_from(q, df, q_p, tr_p, tau2, method)


def _heterogeneity_from(
    q: float, df: int, q_p: float, tr_p: float, tau2: float, method: Method
) -> Heterogeneity:
    """I² and H² as metafor defines them, from Q and the trace of the projection.

    The typical within-study variance is df / tr(P); under a fixed-effect model I² and H²
    come from Q itself."""
    vt = df / tr_p if df > 0 and tr_p > 0 else 0.0
    if method == "fe":
        i2 = max(0.0, 100.0 * (q - df) / q) if df > 0 and q > 0 else 0.0
        h2 = q / df if df > 0 else 1.0
    else:
        i2 = 100.0 * tau2 / (vt + tau2) if vt + tau2 > 0 else 0.0
        h2 = tau2 / vt + 1.0 if vt > 0 else 1.0
    return Heterogeneity(q, df, q_p, tau2, math.sqrt(tau2), i2, h2, vt, method)


def _intercept_heterogeneity(
    yi: Sequence[float], vi: Sequence[float], tau2: float, method: Method
) -> Heterogeneity:
    """:func:`_heterogeneity` for an intercept-only model, on sums (O(k))."""
    k = len(yi)
    df = k - 1
    fe_weights = [1.0 / v for v in vi]
    sw, _, sw2, _ = _weighted_residual_sums(yi, fe_weights)
    mean = sum(map(mul, fe_weights, yi)) / sw
    residuals = [y - mean for y in yi]
    q = sum(map(mul, fe_weights, map(mul, residuals, residuals)))
    q_p = chi2_sf(q, df) if df > 0 else 1.0
    tr_p = sw - sw2 / sw
    return _heterogeneity_from(q, df, q_p, tr_p, tau2, method)


def _critical(
    level: float, hksj: bool, df: int
) -> tuple[float, Literal["normal", "t"], int | None]:
    if hksj:
        return t_level_quantile(level, df), "t", df
    return level_quantile(level), "normal", None


def pool(
    yi: Sequence[float],
    vi: Sequence[float],
    method: Method = "reml",
    hksj: bool = False,
    level: float = 95.0,
    tau2_start: float | None = None,
) -> Pooled:
    """Pool effects ``yi`` with sampling variances ``vi`` (analysis scale)."""
    if hksj and method == "fe":
        raise ModelError("HKSJ applies to random-effects models only")
    rows = [(1.0,)] * len(yi)
    _check(yi, vi, rows)
    k = len(yi)
    tau2, iterations, algorithm = estimate_tau2(yi, vi, rows, method, tau2_start)
    weights = [1.0 / (v + tau2) for v in vi]
    sw = sum(weights)
    estimate = sum(map(mul, weights, yi)) / sw
    variance = 1.0 / sw
    if hksj:
        if k < 2:
            raise ModelError("HKSJ needs at least two studies")
        residuals = [y - estimate for y in yi]
        rss = sum(map(mul, weights, map(mul, residuals, residuals)))
        variance *= 0.0 if rss <= 2.220446049250313e-16 else rss / (k - 1)
    fit = _Fit([estimate], [[variance]], weights, tau2, iterations, algorithm, 1.0)
    se = math.sqrt(variance)
    crit, distribution, df = _critical(level, hksj, k - 1)
    statistic = estimate / se if se > 0 else math.copysign(math.inf, estimate)
    p_value = t_two_sided_p(statistic, k - 1) if hksj else normal_two_sided_p(statistic)
    ci = Interval(estimate - crit * se, estimate + crit * se, level, distribution, df)
    prediction = None
    if method != "fe" and k >= 2:
        pi_se = math.sqrt(se * se + fit.tau2)
        prediction = Interval(
            estimate - crit * pi_se, estimate + crit * pi_se, level, distribution, df
        )
    total = sum(fit.weights)
    conventions = [METHOD_NAMES[method], CONVENTION_HKSJ if hksj else CONVENTION_Z]
    if fit.algorithm == "score_bisection":
        conventions.append(CONVENTION_REML_FALLBACK)
    if method == "fe":
        conventions.append(CONVENTION_I2_FE)
    else:
        conventions += [CONVENTION_TAU2_TRUNCATED, CONVENTION_I2]
        conventions.append(CONVENTION_PI_HKSJ if hksj else CONVENTION_PI)
    return Pooled(
        k=k,
        method=method,
        estimate=estimate,
        se=se,
        ci=ci,
        statistic=statistic,
        test="t" if hksj else "z",
        p_value=p_value,
        prediction=prediction,
        heterogeneity=_intercept_heterogeneity(yi, vi, fit.tau2, method),
        weights=tuple(100.0 * w / total for w in fit.weights),
        iterations=fit.iterations,
        tau2_algorithm=fit.algorithm,
        hksj=hksj,
        conventions=tuple(conventions),
    )


def meta_regression(
    yi: Sequence[float],
    vi: Sequence[float],
    rows: Sequence[tuple[float, ...]],
    names: Sequence[str],
    method: Method = "reml",
    hksj: bool = False,
    level: float = 95.0,
) -> MetaRegression:
    """Mixed-effects meta-regression; ``rows`` include the intercept column first."""
    if hksj and method == "fe":
        raise ModelError("HKSJ applies to random-effects models only")
    if len(names) != len(rows[0]):
        raise ModelError("one name per model coefficient")
    k, p = len(yi), len(rows[0])
    if k - p < 1:
        raise ModelError(f"{k} studies cannot fit {p} coefficients with residual heterogeneity")
    fit = _fit(yi, vi, rows, method, hksj)
    crit, distribution, df = _critical(level, hksj, k - p)
    coefficients = []
    for j, name in enumerate(names):
        se = math.sqrt(fit.vb[j][j])
        stat = fit.beta[j] / se if se > 0 else math.copysign(math.inf, fit.beta[j])
        pval = t_two_sided_p(stat, k - p) if hksj else normal_two_sided_p(stat)
        ci = Interval(fit.beta[j] - crit * se, fit.beta[j] + crit * se, level, distribution, df)
        coefficients.append(Coefficient(name, fit.beta[j], se, stat, pval, ci))
    # QM: Wald test of every coefficient after the intercept
    sub = list(range(1, p))
    m = len(sub)
    if m:
        vb_sub = invert([[fit.vb[i][j] for j in sub] for i in sub])
        b_sub = [fit.beta[i] for i in sub]
        qm = sum(b_sub[i] * vb_sub[i][j] * b_sub[j] for i in range(m) for j in range(m))
    else:
        qm = 0.0
    if hksj:
        qm = qm / m if m else 0.0
        qm_p = f_sf(qm, m, k - p) if m else 1.0
    else:
        qm_p = chi2_sf(qm, m) if m else 1.0
    het = _heterogeneity(yi, vi, rows, fit.tau2, method)
    r2: float | None = None
    if method != "fe":
        tau2_0, _, _ = estimate_tau2(yi, vi, [(1.0,)] * k, method)
        r2 = 0.0 if tau2_0 == 0 else max(0.0, 100.0 * (tau2_0 - fit.tau2) / tau2_0)
    conventions = [
        METHOD_NAMES[method],
        CONVENTION_HKSJ if hksj else CONVENTION_Z,
        "QM: Wald test of the moderator coefficients" + (" (F test, HKSJ)" if hksj else ""),
        "QE: inverse-variance weighted residual heterogeneity",
        "R² = (tau² without moderators − tau²)/(tau² without moderators), at least 0",
    ]
    return MetaRegression(
        k=k,
        p=p,
        method=method,
        coefficients=tuple(coefficients),
        qm=qm,
        qm_df=m,
        qm_p=qm_p,
        qm_distribution="F" if hksj else "chi2",
        qe=het.q,
        qe_df=het.df,
        qe_p=het.p_value,
        tau2=fit.tau2,
        i2=het.i2,
        h2=het.h2,
        r2=r2,
        hksj=hksj,
        conventions=tuple(conventions),
    )
