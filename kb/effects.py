"""Reading effect estimates: where the null lies, whether an interval excludes it, and
whether two estimates differ (Altman & Bland, BMJ 2003;326:219).

The between-estimates test is run only when it means something: both estimates are of
the same outcome (same indication, same endpoint kind, same direction of the counted
event) and on the same measure. Ratio measures are compared on the log scale (ratio of
the two estimates), mean and risk differences on their own scale (difference of the
differences). Each standard error comes from the study's ``se`` when given, else from
its confidence interval at the interval's own level (``ci_level``, default 95%). Every
number stays finite: estimates too extreme to compare give a reason, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from statistics import NormalDist
from typing import Any, TypeGuard

from thymoscope.kb.thresholds import ALPHA, ESTIMATE_POSITION_TOLERANCE, HIGHER_QUALITY_LEVELS

RATIO_MEASURES = frozenset({"odds_ratio", "risk_ratio", "hazard_ratio"})
ADDITIVE_MEASURES = frozenset({"mean_difference", "risk_difference"})
DEFAULT_CI_LEVEL = 95.0
METHOD = "Altman & Bland 2003: z test of the difference between two estimates"

MEASURE_SHORT = {
    "odds_ratio": "OR",
    "risk_ratio": "RR",
    "hazard_ratio": "HR",
    "mean_difference": "MD",
    "risk_difference": "RD",
}
MEASURE_NAMES = {
    "odds_ratio": "an odds ratio",
    "risk_ratio": "a risk ratio",
    "hazard_ratio": "a hazard ratio",
    "mean_difference": "a mean difference",
    "risk_difference": "a risk difference",
}

# The endpoint kinds whose counted event is unambiguous. Survival, complications,
# severity scores and the rest are not inferred: a "survival" hazard ratio is usually
# the hazard of death, but not always, so the study file has to say.
COUNTED_EVENT_BY_KIND = {
    "mortality": "unfavourable",
    "virological_response": "favourable",
    "tumour_response": "favourable",
}

# Beyond this, exp() of a log ratio leaves the range of finite, non-zero doubles.
_MAX_LOG = 700.0


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


def _level_text(level: Any) -> str:
    return f"{level:g}%" if isinstance(level, (int, float)) else "95%"


def effect_text(
    measure: Any, estimate: Any, ci_low: Any, ci_high: Any, ci_level: Any = None
) -> str:
    """'OR 0.41 (95% CI 0.24–0.68)' style text for explanations."""
    short = MEASURE_SHORT.get(measure, str(measure))
    if estimate is None:
        return "no estimate given"
    text = f"{short} {estimate:g}"
    if ci_low is not None and ci_high is not None:
        text += f" ({_level_text(ci_level)} CI {ci_low:g}–{ci_high:g})"
    return text


def counted_event(values: Mapping[str, Any], prefix: str = "") -> str | None:
    """``favourable`` / ``unfavourable`` / None: what the primary endpoint counts.

    ``values`` are study values by dotted path (``prefix`` ``"a."`` for one side of a
    pair). The study's own ``primary_endpoint.counted_event`` wins; otherwise only the
    unambiguous kinds are inferred (:data:`COUNTED_EVENT_BY_KIND`); else unknown.
    """
    explicit = values.get(f"{prefix}primary_endpoint.counted_event")
    if explicit is not None:
        return str(explicit)
    return COUNTED_EVENT_BY_KIND.get(str(values.get(f"{prefix}primary_endpoint.kind")))


def z_for_level(level: float) -> float:
    """The standard normal quantile of a two-sided ``level``% interval (95 -> 1.96)."""
    return NormalDist().inv_cdf(0.5 + level / 200)


def number(value: float | None) -> str:
    """Two decimals for everyday sizes, three significant digits beyond them."""
    if value is None:
        return "unknown"
    if value == 0 or 0.01 <= abs(value) < 10_000:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _last_digit(value: float) -> float:
    """One unit in the last reported decimal place of ``value`` (0.66 -> 0.01)."""
    try:
        exponent = Decimal(repr(float(value))).as_tuple().exponent
    except (InvalidOperation, ValueError):
        return 0.0
    if not isinstance(exponent, int):
        return 0.0
    return float(10.0**exponent) if -320 < exponent < 300 else 0.0


@dataclass(frozen=True)
class Estimate:
    """One effect estimate as a study reports it (a ratio or an additive measure)."""

    measure: str
    estimate: float
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float = DEFAULT_CI_LEVEL
    se: float | None = None
    p_value: float | None = None
    label: str = ""

    @classmethod
    def read(cls, fields: Mapping[str, Any], prefix: str, label: str = "") -> Estimate | None:
        """The estimate under ``prefix`` (``"effect_"`` in a fact, ``"result.effect."`` in
        dotted study values); None when the measure or the estimate is missing."""
        measure, estimate = fields.get(f"{prefix}measure"), fields.get(f"{prefix}estimate")
        if measure is None or not _is_number(estimate):
            return None
        level = fields.get(f"{prefix}ci_level")
        low, high, se = (fields.get(f"{prefix}{k}") for k in ("ci_low", "ci_high", "se"))
        return cls(
            measure=str(measure),
            estimate=float(estimate),
            ci_low=float(low) if _is_number(low) else None,
            ci_high=float(high) if _is_number(high) else None,
            ci_level=float(level) if _is_number(level) else DEFAULT_CI_LEVEL,
            se=float(se) if _is_number(se) else None,
            p_value=fields.get(f"{prefix}p_value"),
            label=label,
        )

    @property
    def scale(self) -> str | None:
        if self.measure in RATIO_MEASURES:
            return "ratio"
        if self.measure in ADDITIVE_MEASURES:
            return "difference"
        return None

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    @property
    def text(self) -> str:
        return effect_text(self.measure, self.estimate, self.ci_low, self.ci_high, self.ci_level)

    def analysis_value(self, value: float) -> float | None:
        """``value`` on the analysis scale (log for ratios); None if it has none."""
        if not math.isfinite(value):
            return None
        if self.scale == "ratio":
            return math.log(value) if value > 0 else None
        return value if self.scale == "difference" else None

    def theta(self) -> float | None:
        """The estimate on the analysis scale."""
        return self.analysis_value(self.estimate)

    def standard_error(self) -> tuple[float | None, str | None]:
        """``(se, None)`` on the analysis scale, or ``(None, why not)``."""
        if self.se is not None:
            ok = math.isfinite(self.se) and self.se > 0
            return (self.se, None) if ok else (None, "its standard error is not a positive number")
        if not self.has_interval:
            return None, "no confidence interval or standard error is given"
        if not 0 < self.ci_level < 100:
            return None, f"its interval level {self.ci_level:g}% is not between 0 and 100"
        assert self.ci_low is not None and self.ci_high is not None
        low, high = self.analysis_value(self.ci_low), self.analysis_value(self.ci_high)
        if low is None or high is None:
            return None, "its interval limits are not usable on the analysis scale"
        width = high - low
        if not math.isfinite(width):
            return None, "its interval is too wide to compute with"
        se = width / (2 * z_for_level(self.ci_level))
        if not se > 0:
            return None, "its interval has zero width, so it gives no standard error"
        return se, None

    def significant(self, alpha: float = ALPHA) -> bool | None:
        """Whether a two-sided test against no effect would give p < ``alpha``."""
        theta, (se, _) = self.theta(), self.standard_error()
        if theta is None or se is None:
            return None
        return bool(abs(theta) / se > z_for_level(100 * (1 - alpha)))

    def position_warning(self) -> str | None:
        """A sentence when the estimate is not where its interval puts it, else None.

        A ratio's estimate should sit at the geometric mean of its limits, an additive
        one at the midpoint; the offset is allowed rounding of the reported digits plus
        :data:`ESTIMATE_POSITION_TOLERANCE` of the interval's half-width.
        """
        if not self.has_interval or self.scale is None:
            return None
        assert self.ci_low is not None and self.ci_high is not None
        low, high, theta = (
            self.analysis_value(v) for v in (self.ci_low, self.ci_high, self.estimate)
        )
        if low is None or high is None or theta is None:
            return None
        half = (high - low) / 2
        centre = low + half
        if not (math.isfinite(half) and half > 0 and math.isfinite(centre)):
            return None
        units = [_last_digit(v) / 2 for v in (self.estimate, self.ci_low, self.ci_high)]
        if self.scale == "ratio":  # d ln(x) = dx / x
            units = [
                u / v
                for u, v in zip(units, (self.estimate, self.ci_low, self.ci_high), strict=True)
            ]
        rounding = units[0] + (units[1] + units[2]) / 2
        offset = abs(theta - centre)
        if not math.isfinite(rounding) or offset <= rounding + ESTIMATE_POSITION_TOLERANCE * half:
            return None
        expected = math.exp(centre) if self.scale == "ratio" else centre
        where = "geometric mean" if self.scale == "ratio" else "midpoint"
        name = f"{self.label}: " if self.label else ""
        return (
            f"{name}{self.text} is not where its interval puts it: the {where} of the limits "
            f"is {expected:.3g}, and {self.estimate:g} lies {offset / half:.0%} of the "
            "half-width away from it; check the numbers against the paper"
        )

    def document(self) -> dict[str, Any]:
        """JSON-ready data of the estimate."""
        se, _ = self.standard_error()
        return {
            "label": self.label,
            "measure": self.measure,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "ci_level": self.ci_level if self.has_interval else None,
            "se": se,
            "text": self.text,
        }


_Context = tuple[bool | None, str | None]  # (independent, dependence)


@dataclass(frozen=True)
class BetweenEstimates:
    """The test of the difference between two estimates, or why it was not run.

    ``contrast`` is the ratio first/second (ratio measures) or the difference
    first - second (additive measures), with its ``ci_level``% interval; ``z`` and
    ``p_value`` are two-sided. ``independent`` is False when the estimates may share
    data (the test assumes they do not), None when that cannot be told.
    """

    tested: bool
    reason: str | None = None
    first: Estimate | None = None
    second: Estimate | None = None
    measure: str | None = None
    scale: str | None = None
    contrast: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float = 100 * (1 - ALPHA)
    z: float | None = None
    p_value: float | None = None
    independent: bool | None = None
    dependence: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def ratio(self) -> float | None:
        return self.contrast if self.scale == "ratio" else None

    @property
    def difference(self) -> float | None:
        return self.contrast if self.scale == "difference" else None

    @property
    def significant(self) -> bool | None:
        return None if self.p_value is None else self.p_value < ALPHA

    @property
    def text(self) -> str:
        """'ratio 0.50 (95% CI 0.28–0.88)' or 'difference of the differences -3.1 (…)'."""
        if self.contrast is None:
            return "not tested"
        name = "ratio" if self.scale == "ratio" else "difference of the differences"
        return (
            f"{name} {number(self.contrast)} ({self.ci_level:g}% CI "
            f"{number(self.ci_low)}–{number(self.ci_high)})"
        )

    @property
    def summary(self) -> str:
        """One sentence on what the test shows, and what it does not."""
        if not self.tested:
            return f"No test of the difference between the estimates: {self.reason}."
        assert self.p_value is not None
        if self.significant:
            core = (
                "The difference between the estimates is larger than chance alone would "
                f"easily explain: {self.text}, p = {self.p_value:.2g}."
            )
        else:
            name = "ratio" if self.scale == "ratio" else "difference"
            core = (
                f"A difference between the estimates was not shown: {self.text}, "
                f"p = {self.p_value:.2g}. That is not evidence that the effects are the "
                f"same: the data are compatible with a {name} anywhere from "
                f"{number(self.ci_low)} to {number(self.ci_high)}."
            )
        if self.independent is False:
            core += (
                f" The test assumes independent estimates, which may not hold: {self.dependence}."
            )
        return core

    def document(self) -> dict[str, Any]:
        """JSON-ready data of the test (the report schemas mirror these keys)."""
        return {
            "tested": self.tested,
            "reason": self.reason,
            "method": METHOD,
            "measure": self.measure,
            "scale": self.scale,
            "first": None if self.first is None else self.first.document(),
            "second": None if self.second is None else self.second.document(),
            "ratio": self.ratio,
            "difference": self.difference,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "ci_level": self.ci_level if self.tested else None,
            "z": self.z,
            "p_value": self.p_value,
            "significant_difference": self.significant,
            "independent": self.independent,
            "dependence": self.dependence,
            "warnings": list(self.warnings),
            "summary": self.summary,
        }


def _not_tested(
    reason: str, first: Estimate | None, second: Estimate | None, context: _Context
) -> BetweenEstimates:
    return BetweenEstimates(
        tested=False,
        reason=reason,
        first=first,
        second=second,
        independent=context[0],
        dependence=context[1],
    )


def between_estimates(
    first: Estimate | None,
    second: Estimate | None,
    *,
    labels: Sequence[str] = ("the first estimate", "the second estimate"),
    outcome_problem: str | None = None,
    independent: bool | None = True,
    dependence: str | None = None,
) -> BetweenEstimates:
    """Test first against second, or say why not (see the module docstring).

    ``outcome_problem`` is the reason the two are not estimates of the same outcome
    (None: they are); ``independent``/``dependence`` say whether they may share data.
    """
    context = (independent, dependence)
    if outcome_problem is not None:
        return _not_tested(outcome_problem, first, second, context)
    missing = [name for name, e in zip(labels, (first, second), strict=True) if e is None]
    if missing:
        verb = "reports" if len(missing) == 1 else "report"
        return _not_tested(
            f"{' and '.join(missing)} {verb} no effect estimate", first, second, context
        )
    assert first is not None and second is not None
    if first.measure != second.measure:
        return _not_tested(
            f"{labels[0]} reports {MEASURE_NAMES.get(first.measure, first.measure)} and "
            f"{labels[1]} {MEASURE_NAMES.get(second.measure, second.measure)}: the estimates "
            "are on different scales, so neither their ratio nor their difference has a meaning",
            first,
            second,
            context,
        )
    if first.scale is None:
        return _not_tested(
            f"the measure {first.measure} has no known analysis scale", first, second, context
        )
    errors = []
    for name, estimate in zip(labels, (first, second), strict=True):
        se, why = estimate.standard_error()
        if se is None:
            errors.append(f"for {name}, {why}")
    if errors:
        return _not_tested("; ".join(errors), first, second, context)
    (se1, _), (se2, _) = first.standard_error(), second.standard_error()
    theta1, theta2 = first.theta(), second.theta()
    assert se1 is not None and se2 is not None
    if theta1 is None or theta2 is None:
        return _not_tested(
            "an estimate is not usable on the analysis scale", first, second, context
        )
    diff, se = theta1 - theta2, math.hypot(se1, se2)
    level = 100 * (1 - ALPHA)
    half = z_for_level(level) * se
    numbers = (diff, se, diff - half, diff + half)
    limit = _MAX_LOG if first.scale == "ratio" else math.inf
    # se > 0 here: each standard error is positive (standard_error), so is their hypot
    if not all(math.isfinite(v) and abs(v) < limit for v in numbers):
        return _not_tested(
            "the estimates are too extreme for their difference to be computed reliably",
            first,
            second,
            context,
        )
    z = diff / se
    p = math.erfc(abs(z) / math.sqrt(2))
    back = math.exp if first.scale == "ratio" else float
    warnings = tuple(w for w in (first.position_warning(), second.position_warning()) if w)
    return BetweenEstimates(
        tested=True,
        first=first,
        second=second,
        measure=first.measure,
        scale=first.scale,
        contrast=back(diff),
        ci_low=back(diff - half),
        ci_high=back(diff + half),
        ci_level=level,
        z=z,
        p_value=p,
        warnings=warnings,
        independent=independent,
        dependence=dependence,
    )


def difference_test(first: Mapping[str, Any], second: Mapping[str, Any]) -> BetweenEstimates | None:
    """The test for two flattened effects (keys ``effect_*``, as in a fact); None if the
    test cannot be run (the reason is in :func:`between_estimates`)."""
    result = between_estimates(Estimate.read(first, "effect_"), Estimate.read(second, "effect_"))
    return result if result.tested else None


# --- the pair and strata tests ------------------------------------------------------

_NAMES = {
    "sepsis": "sepsis",
    "chronic_hepatitis_b": "chronic hepatitis B",
    "cancer": "cancer",
    "other": "another indication",
}


def _pretty(value: Any) -> str:
    return str(value).replace("_", " ")


def outcome_problem(values: Mapping[str, Any], ids: Sequence[str]) -> str | None:
    """Why the two sides' primary estimates are not of the same outcome (None: they are).

    Same indication, same endpoint kind and the same direction of the counted event are
    all required; an unknown one is a reason too (unknown is never "the same").
    """
    a_id, b_id = ids
    ind = [values.get(f"{s}.indication") for s in "ab"]
    if ind[0] != ind[1]:
        names = [_NAMES.get(str(i), str(i)) for i in ind]
        return (
            f"they are estimates of different outcomes ({a_id} in {names[0]}, {b_id} in "
            f"{names[1]}), so the numbers cannot be set against each other"
        )
    kinds = [values.get(f"{s}.primary_endpoint.kind") for s in "ab"]
    unknown = [i for i, k in zip(ids, kinds, strict=True) if k is None]
    if unknown:
        return (
            f"the kind of primary endpoint of {' and '.join(unknown)} is not given "
            "(primary_endpoint.kind), so it cannot be confirmed that both estimates measure "
            "the same outcome"
        )
    if kinds[0] != kinds[1]:
        return (
            f"they are estimates of different outcomes ({a_id}: {_pretty(kinds[0])}, "
            f"{b_id}: {_pretty(kinds[1])}), so the numbers cannot be set against each other"
        )
    events = [counted_event(values, f"{s}.") for s in "ab"]
    unknown = [i for i, e in zip(ids, events, strict=True) if e is None]
    if unknown:
        return (
            f"whether {' and '.join(unknown)} {'counts' if len(unknown) == 1 else 'count'} a "
            f"favourable or an unfavourable event ({_pretty(kinds[0])}) is not given "
            "(primary_endpoint.counted_event), so the two estimates may point in opposite "
            "directions"
        )
    if events[0] != events[1]:
        return (
            f"{a_id} counts a {events[0]} event and {b_id} a {events[1]} one, so the same "
            "benefit appears as a ratio below 1 in one and above 1 in the other"
        )
    return None


def dependence(values: Mapping[str, Any], ids: Sequence[str]) -> tuple[bool | None, str | None]:
    """``(independent, why not)`` for the two sides' estimates of the same outcome."""
    a_id, b_id = ids
    types = [values.get(f"{s}.design.type") for s in "ab"]
    if a_id == b_id:
        return False, "both sides are the same study"
    meta = [t == "meta_analysis" for t in types]
    if all(meta):
        return False, (
            f"{a_id} and {b_id} are both meta-analyses of the same outcome and may pool some "
            "of the same trials"
        )
    if any(meta):
        pooled, trial = (a_id, b_id) if meta[0] else (b_id, a_id)
        return False, (
            f"{pooled} is a meta-analysis and {trial} may be one of the trials it pooled, "
            "in which case the two share participants"
        )
    unknown = [i for i, t in zip(ids, types, strict=True) if t is None]
    if unknown:
        return None, (
            f"the design of {' and '.join(unknown)} is not given (design.type), so whether "
            "one estimate contains the other cannot be told"
        )
    return True, None


def pair_test(values: Mapping[str, Any]) -> BetweenEstimates:
    """The between-estimates test of a pair's primary results (values prefixed a./b.)."""
    ids = (str(values.get("a.id")), str(values.get("b.id")))
    first = Estimate.read(values, "a.result.effect.", ids[0])
    second = Estimate.read(values, "b.result.effect.", ids[1])
    problem = outcome_problem(values, ids)
    if problem is not None:  # independence is a question only for the same outcome
        return between_estimates(
            first, second, labels=ids, outcome_problem=problem, independent=None
        )
    independent, why = dependence(values, ids)
    return between_estimates(first, second, labels=ids, independent=independent, dependence=why)


def strata_test(values: Mapping[str, Any], first: int, second: int) -> BetweenEstimates:
    """The test between two subgroups (strata) of one study, by subgroup index.

    Strata of one study hold different trials or participants, so they are independent;
    the outcome is the study's own.
    """
    labels = [
        str(values.get(f"subgroups.{i}.name") or f"subgroup {i + 1}") for i in (first, second)
    ]
    return between_estimates(
        Estimate.read(values, f"subgroups.{first}.effect.", labels[0]),
        Estimate.read(values, f"subgroups.{second}.effect.", labels[1]),
        labels=labels,
    )


# Findings whose report part carries the strata test, with the finding's cited strata.
STRATA_FINDINGS = frozenset({"quality-subgroups-disagree"})


def finding_statistics(
    finding_id: str, cited: Sequence[str], values: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The structured between-strata test behind a finding (None for other findings).

    The two strata are the subgroups the finding cites, lower-quality first (by the
    subgroup ``level``), so the contrast reads "lower / higher quality".
    """
    if finding_id not in STRATA_FINDINGS:
        return None
    indices = sorted({int(p.split(".")[1]) for p in cited if p.startswith("subgroups.")})
    if len(indices) != 2:
        return None
    indices.sort(key=lambda i: str(values.get(f"subgroups.{i}.level")) in HIGHER_QUALITY_LEVELS)
    return strata_test(values, indices[0], indices[1]).document()
