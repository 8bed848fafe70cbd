"""Pair rules: are the two results really in conflict? (FAQ 2: significance is not effect)

When both studies give a ratio estimate with a 95% CI on the same scale, the
difference between them is tested (Altman & Bland, BMJ 2003;326:219; see
:func:`thymoscope.kb.effects.difference_test`).  A significant difference is a real
conflict; otherwise the results are compatible, and a "conflict" between a significant
and a non-significant study is only a difference in significance.  When no test is
possible the reason is stated (different scales, a missing interval, a non-ratio measure).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thymoscope.engine.experta_compat import AS, TEST, Rule
from thymoscope.engine.pairs import both_sides
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.effects import RATIO_MEASURES, difference_test, effect_text, excludes_null
from thymoscope.kb.facts import Result
from thymoscope.kb.rules.pairs_factors import verdict
from thymoscope.kb.thresholds import ALPHA

MEASURE_NAMES = {
    "odds_ratio": "an odds ratio",
    "risk_ratio": "a risk ratio",
    "hazard_ratio": "a hazard ratio",
    "mean_difference": "a mean difference",
    "risk_difference": "a risk difference",
}
EFFECT_KEYS = ("effect_measure", "effect_estimate", "effect_ci_low", "effect_ci_high")
# The same fields as study paths (what the rules read and cite).
EFFECT_PATHS = tuple(f"result.effect.{key.removeprefix('effect_')}" for key in EFFECT_KEYS)


def has_interval(result: Mapping[str, Any]) -> bool:
    return all(result.get(k) is not None for k in EFFECT_KEYS)


def no_test_reason(
    ra: Mapping[str, Any], rb: Mapping[str, Any], a_id: str, b_id: str
) -> str | None:
    """Why the two estimates cannot be tested against each other (None: they can)."""
    missing = [i for i, r in ((a_id, ra), (b_id, rb)) if not has_interval(r)]
    if missing:
        return (
            f"{' and '.join(missing)} {'reports' if len(missing) == 1 else 'report'} "
            "no effect estimate with a 95% confidence interval"
        )
    ma, mb = ra["effect_measure"], rb["effect_measure"]
    if ma != mb:
        return (
            f"{a_id} reports {MEASURE_NAMES.get(ma, ma)} and {b_id} "
            f"{MEASURE_NAMES.get(mb, mb)}: the estimates are on different scales, so "
            "their ratio has no meaning and only the factors can be compared"
        )
    if ma not in RATIO_MEASURES:
        return (
            f"both report {MEASURE_NAMES.get(ma, ma)}; the between-estimate test here "
            "works on ratio measures (log scale) only"
        )
    return None


def _test_p(ra: Mapping[str, Any], rb: Mapping[str, Any]) -> float | None:
    if not (has_interval(ra) and has_interval(rb)):
        return None
    test = difference_test(dict(ra), dict(rb))
    return None if test is None else test.p_value


def _effect(result: Mapping[str, Any]) -> str:
    return effect_text(
        result.get("effect_measure"),
        result.get("effect_estimate"),
        result.get("effect_ci_low"),
        result.get("effect_ci_high"),
    )


class PairResultRules(RuleSet):
    def _conclude_test(self, finding: str, ra: Any, rb: Any) -> None:
        test = difference_test(dict(ra), dict(rb))
        assert test is not None  # the rule's TEST checked it
        sig_a = excludes_null(ra["effect_measure"], ra["effect_ci_low"], ra["effect_ci_high"])
        sig_b = excludes_null(rb["effect_measure"], rb["effect_ci_low"], rb["effect_ci_high"])
        ids = verdict(self, None, None)
        significant = [i for i, s in ((ids["a_id"], sig_a), (ids["b_id"], sig_b)) if s]
        self.conclude(
            finding,
            *(
                f"{s}.result.effect.{k}"
                for s in "ab"
                for k in ("measure", "estimate", "ci_low", "ci_high")
            ),
            measure=ra["effect_measure"],
            a_effect=_effect(ra),
            b_effect=_effect(rb),
            ratio=test.ratio,
            ci_low=test.ci_low,
            ci_high=test.ci_high,
            z=test.z,
            p_value=test.p_value,
            alpha=ALPHA,
            significant=significant,
            significance_differs=len(significant) == 1,
            **ids,
        )

    @concludes("results-conflict", reads=both_sides(*EFFECT_PATHS))
    @Rule(
        AS.ra << Result(side="a"),
        AS.rb << Result(side="b"),
        TEST(lambda ra, rb: (p := _test_p(ra, rb)) is not None and p < ALPHA),
    )
    def estimates_differ_significantly(self, ra: dict[str, Any], rb: dict[str, Any]) -> None:
        self._conclude_test("results-conflict", ra, rb)

    @concludes("results-statistically-compatible", reads=both_sides(*EFFECT_PATHS))
    @Rule(
        AS.ra << Result(side="a"),
        AS.rb << Result(side="b"),
        TEST(lambda ra, rb: (p := _test_p(ra, rb)) is not None and p >= ALPHA),
    )
    def estimates_statistically_compatible(self, ra: dict[str, Any], rb: dict[str, Any]) -> None:
        self._conclude_test("results-statistically-compatible", ra, rb)

    @concludes("results-not-testable", reads=both_sides("result.primary", *EFFECT_PATHS))
    @Rule(
        AS.ra << Result(side="a"),
        AS.rb << Result(side="b"),
        TEST(lambda ra, rb: _test_p(ra, rb) is None),
    )
    def estimates_not_testable(self, ra: dict[str, Any], rb: dict[str, Any]) -> None:
        ids = verdict(self, None, None)
        reason = no_test_reason(ra, rb, ids["a_id"], ids["b_id"])
        cites = [
            f"{s}.result.effect.measure"
            for s in "ab"
            if self.values.get(f"{s}.result.effect.measure") is not None
        ]
        self.conclude(
            "results-not-testable",
            "a.result.primary",
            "b.result.primary",
            *cites,
            reason=reason or "the estimates cannot be tested against each other",
            a_primary=ra.get("primary"),
            b_primary=rb.get("primary"),
            a_effect=_effect(ra),
            b_effect=_effect(rb),
            **ids,
        )
