"""Tail probabilities and quantiles of the normal, t and chi-square distributions.

Standard library only.  The t and chi-square tails go through the regularised
incomplete beta and gamma functions (continued fractions evaluated with the modified
Lentz method, as in Numerical Recipes §6.2 and §6.4); the normal distribution uses
``math.erfc`` and ``statistics.NormalDist``.  Accuracy: about 1e-13 relative
(checked against scipy in tests/review/test_distributions.py).
"""

from __future__ import annotations

import math
from statistics import NormalDist

_STANDARD = NormalDist()
_TINY = 1e-300
_EPS = 1e-15
_MAX_ITER = 100_000


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def normal_two_sided_p(z: float) -> float:
    """P(|Z| > |z|)."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def normal_quantile(p: float) -> float:
    """The ``p`` quantile of the standard normal distribution (0 < p < 1)."""
    return _STANDARD.inv_cdf(p)


def level_quantile(level: float) -> float:
    """Two-sided critical value for a confidence level in percent (95 -> 1.959964...)."""
    if not 0 < level < 100:
        raise ValueError(f"confidence level must lie in (0, 100), got {level}")
    return normal_quantile(1.0 - (1.0 - level / 100.0) / 2.0)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError("incomplete beta continued fraction did not converge")


def regularized_beta(a: float, b: float, x: float, complement: float | None = None) -> float:
    """I_x(a, b), the regularised incomplete beta function (a, b > 0, 0 <= x <= 1).

    ``complement`` is ``1 − x`` when the caller can compute it without cancellation
    (the t and F tails near their centre need this for full precision).
    """
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if not 0.0 <= x <= 1.0:
        raise ValueError("x must lie in [0, 1]")
    y = 1.0 - x if complement is None else complement
    if x == 0.0 or y == 0.0:
        return 0.0 if x == 0.0 else 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, y) / b


def regularized_gamma_upper(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a), the regularised upper incomplete gamma function."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x < 0:
        raise ValueError("x must be non-negative")
    if x == 0.0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        # series for the lower function P(a, x)
        term = 1.0 / a
        total = term
        ap = a
        for _ in range(_MAX_ITER):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * _EPS:
                return 1.0 - total * math.exp(log_front)
        raise ArithmeticError("incomplete gamma series did not converge")
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return math.exp(log_front) * h
    raise ArithmeticError("incomplete gamma continued fraction did not converge")


def chi2_sf(x: float, df: float) -> float:
    """P(X > x) for a chi-square X with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError("df must be positive")
    if x <= 0:
        return 1.0
    return regularized_gamma_upper(df / 2.0, x / 2.0)


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError("df must be positive")
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    t2 = t * t
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
    return tail if t >= 0 else 1.0 - tail


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| > |t|)."""
    return min(1.0, 2.0 * t_sf(abs(t), df))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t (bisection on the tail to 1e-13)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie in (0, 1)")
    if p == 0.5:
        return 0.0
    upper = 1.0 - p if p > 0.5 else p  # tail probability to reach
    low, high = 0.0, max(1.0, abs(normal_quantile(upper)))
    while t_sf(high, df) > upper:
        low, high = high, high * 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_sf(mid, df) > upper:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * max(1.0, high):
            break
    value = (low + high) / 2.0
    return value if p > 0.5 else -value


def t_level_quantile(level: float, df: float) -> float:
    """Two-sided t critical value for a confidence level in percent."""
    if not 0 < level < 100:
        raise ValueError(f"confidence level must lie in (0, 100), got {level}")
    return t_quantile(1.0 - (1.0 - level / 100.0) / 2.0, df)


def f_sf(f: float, df1: float, df2: float) -> float:
    """P(F > f) for Fisher's F with (df1, df2) degrees of freedom."""
    if df1 <= 0 or df2 <= 0:
        raise ValueError("degrees of freedom must be positive")
    if f <= 0:
        return 1.0
    scaled = df1 * f
    return regularized_beta(df2 / 2.0, df1 / 2.0, df2 / (df2 + scaled), scaled / (df2 + scaled))
