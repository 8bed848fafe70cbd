"""Reading effect estimates: where the null lies and whether an interval excludes it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, cast

from thymoscope.kb.thresholds import ALPHA

RATIO_MEASURES = frozenset({"odds_ratio", "risk_ratio", "hazard_ratio"})


def null_value(measure: str | None) -> float:
    return 1.0 if measure in RATIO_MEASURES else 0.0


def excludes_null(measure: Any, ci_low: Any, ci_high: Any, p_value: Any = None) -> bool | None:
    """True/False when the interval (or, failing that, the p-value) tells; None if unknown."""
    if measure is not None and ci_low is not None and ci_high is not None:
        null = null_value(measure)
        return not (ci_low <= null <= ci_high)
    if p_value is not None:
        return bool(p_value < ALPHA)
    return None


def includes_null(measure: Any, ci_low: Any, ci_high: Any) -> bool:
    if measure is None or ci_low is None or ci_high is None:
        return False
    return bool(ci_low <= null_value(measure) <= ci_high)


def effect_text(measure: Any, estimate: Any, ci_low: Any, ci_high: Any) -> str:
    """'OR 0.41 (95% CI 0.24–0.68)' style text for explanations."""
    short = {
        "odds_ratio": "OR",
        "risk_ratio": "RR",
        "hazard_ratio": "HR",
        "mean_difference": "MD",
        "risk_difference": "RD",
    }.get(measure, str(measure))
    if estimate is None:
        return "no estimate given"
    text = f"{short} {estimate:g}"
    if ci_low is not None and ci_high is not None:
        text += f" (95% CI {ci_low:g}–{ci_high:g})"
    return text


@dataclass(frozen=True)
class DifferenceTest:
    """Test of the difference between two independent ratio estimates.

    On the log scale, SE = (ln(upper) - ln(lower)) / (2 x 1.959964) for each 95% CI;
    z = (ln R1 - ln R2) / sqrt(SE1^2 + SE2^2); two-sided p from the standard normal
    (Altman & Bland, BMJ 2003;326:219, "Interaction revisited: the difference
    between two estimates").  The ratio of the estimates R1/R2 has the CI
    exp(ln(R1/R2) +/- 1.959964 x SE).
    """

    ratio: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float

    @property
    def text(self) -> str:
        return f"ratio {self.ratio:.2f} (95% CI {self.ci_low:.2f}–{self.ci_high:.2f})"


_Z95 = NormalDist().inv_cdf(0.975)


def difference_test(first: dict, second: dict) -> DifferenceTest | None:  # type: ignore[type-arg]
    """Altman–Bland test for two flattened effects (keys ``effect_*``); None if not possible."""
    measures = {first.get("effect_measure"), second.get("effect_measure")}
    if len(measures) != 1 or not measures <= RATIO_MEASURES:
        return None
    values = [
        (e.get("effect_estimate"), e.get("effect_ci_low"), e.get("effect_ci_high"))
        for e in (first, second)
    ]
    if any(v is None for triple in values for v in triple):
        return None
    (r1, l1, h1), (r2, l2, h2) = cast(list[tuple[float, float, float]], values)
    se1 = (math.log(h1) - math.log(l1)) / (2 * _Z95)
    se2 = (math.log(h2) - math.log(l2)) / (2 * _Z95)
    se = math.hypot(se1, se2)
    if se == 0:
        return None
    diff = math.log(r1) - math.log(r2)
    z = diff / se
    p = 2 * (1 - NormalDist().cdf(abs(z)))
    return DifferenceTest(
        ratio=math.exp(diff),
        ci_low=math.exp(diff - _Z95 * se),
        ci_high=math.exp(diff + _Z95 * se),
        z=z,
        p_value=p,
    )
