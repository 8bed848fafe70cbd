"""Effect sizes on the analysis scale, from counts, means, a CI or a standard error.

Conventions (each result names the ones it used):

* ratio measures (odds ratio, risk ratio, hazard ratio) are analysed on the natural-log
  scale; differences (risk difference, mean difference) on their own scale;
* counts with a zero cell: 0.5 is added to every cell of that study (all four cells,
  both arms), as metafor's ``escalc(add=1/2, to="only0")`` and RevMan do; studies
  without a zero cell are used as they are;
* the mean difference uses the pooled standard deviation (homoscedastic variance
  ``sp²·(1/n1 + 1/n0)``, metafor ``vtype="HO"``);
* a standard error from a confidence interval at level L%:
  ``(ln U − ln L) / (2·z)`` for ratios and ``(U − L) / (2·z)`` for differences, with
  ``z`` the two-sided normal critical value for L (1.959964 for 95%).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from thymoscope.errors import ThymoscopeError
from thymoscope.synthesis.distributions import level_quantile

Measure = Literal["odds_ratio", "risk_ratio", "hazard_ratio", "risk_difference", "mean_difference"]
Source = Literal["counts", "means", "ci", "se"]

RATIO_MEASURES: frozenset[str] = frozenset({"odds_ratio", "risk_ratio", "hazard_ratio"})
CONTINUITY_CORRECTION = 0.5

CONVENTION_ZERO_CELL = "0.5 added to every cell of a study with a zero cell"
CONVENTION_LOG_SCALE = "ratios analysed on the natural-log scale"
CONVENTION_POOLED_SD = "mean difference with the pooled standard deviation"
CONVENTION_SE_FROM_CI = (
    "SE from a CI: (ln U - ln L) / (2 z_level) for ratios, (U - L) / (2 z_level) for differences"
)


class EffectSizeError(ThymoscopeError, ValueError):
    """The numbers given cannot produce an effect size (the message says why)."""


@dataclass(frozen=True)
class EffectSize:
    """One study's effect on the analysis scale (log scale for ratios)."""

    measure: Measure
    yi: float
    vi: float
    source: Source
    continuity_correction: float = 0.0

    @property
    def se(self) -> float:
        return math.sqrt(self.vi)

    @property
    def log_scale(self) -> bool:
        return is_ratio(self.measure)


def is_ratio(measure: str) -> bool:
    return measure in RATIO_MEASURES


def to_analysis_scale(measure: str, value: float) -> float:
    """A reported estimate or CI end on the analysis scale (ln for ratios)."""
    if is_ratio(measure):
        if value <= 0:
            raise EffectSizeError(f"a {measure.replace('_', ' ')} must be > 0, got {value}")
        return math.log(value)
    return value


def from_analysis_scale(measure: str, value: float) -> float:
    """Back from the analysis scale (exp for ratios)."""
    return math.exp(value) if is_ratio(measure) else value


def from_counts(measure: Measure, events_t: int, n_t: int, events_c: int, n_c: int) -> EffectSize:
    """OR, RR or RD of treatment vs control from event counts per arm."""
    if measure not in ("odds_ratio", "risk_ratio", "risk_difference"):
        raise EffectSizeError(f"a {measure.replace('_', ' ')} cannot be computed from counts")
    for name, events, n in (("treatment", events_t, n_t), ("control", events_c, n_c)):
        if n < 1 or events < 0 or events > n:
            raise EffectSizeError(f"{name} arm: need 0 <= events <= n and n >= 1")
    a, b = float(events_t), float(n_t - events_t)
    c, d = float(events_c), float(n_c - events_c)
    add = CONTINUITY_CORRECTION if min(a, b, c, d) == 0 else 0.0
    a, b, c, d = a + add, b + add, c + add, d + add
    n1, n0 = a + b, c + d
    if measure == "odds_ratio":
        yi = math.log((a * d) / (b * c))
        vi = 1 / a + 1 / b + 1 / c + 1 / d
    elif measure == "risk_ratio":
        yi = math.log((a / n1) / (c / n0))
        vi = 1 / a - 1 / n1 + 1 / c - 1 / n0
    else:
        p1, p0 = a / n1, c / n0
        yi = p1 - p0
        vi = p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0
    if not vi > 0:
        raise EffectSizeError("the counts give no sampling variance")
    return EffectSize(measure, yi, vi, "counts", add)


def from_means(
    mean_t: float, sd_t: float, n_t: int, mean_c: float, sd_c: float, n_c: int
) -> EffectSize:
    """Mean difference (treatment − control) with the pooled-SD variance."""
    if sd_t <= 0 or sd_c <= 0:
        raise EffectSizeError("standard deviations must be > 0")
    if n_t < 1 or n_c < 1 or n_t + n_c <= 2:
        raise EffectSizeError("need at least three participants in all to pool the SD")
    pooled_var = ((n_t - 1) * sd_t**2 + (n_c - 1) * sd_c**2) / (n_t + n_c - 2)
    vi = pooled_var * (1 / n_t + 1 / n_c)
    return EffectSize("mean_difference", mean_t - mean_c, vi, "means")


def se_from_ci(measure: str, ci_low: float, ci_high: float, ci_level: float = 95.0) -> float:
    """Standard error on the analysis scale from a confidence interval at ``ci_level`` %."""
    low = to_analysis_scale(measure, ci_low)
    high = to_analysis_scale(measure, ci_high)
    if not high > low:
        raise EffectSizeError("the confidence interval has no width")
    return (high - low) / (2.0 * level_quantile(ci_level))


def from_estimate_ci(
    measure: Measure, estimate: float, ci_low: float, ci_high: float, ci_level: float = 95.0
) -> EffectSize:
    """An effect from a reported estimate and its confidence interval."""
    se = se_from_ci(measure, ci_low, ci_high, ci_level)
    return EffectSize(measure, to_analysis_scale(measure, estimate), se * se, "ci")


def from_estimate_se(measure: Measure, estimate: float, se: float) -> EffectSize:
    """An effect from a reported estimate and its SE (on the analysis scale)."""
    if not se > 0:
        raise EffectSizeError("the standard error must be > 0")
    return EffectSize(measure, to_analysis_scale(measure, estimate), se * se, "se")
