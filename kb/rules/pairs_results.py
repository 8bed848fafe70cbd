"""Pair rules: do the two results really differ? (FAQ 2: significance is not effect)

The two primary estimates are tested against each other (Altman & Bland, BMJ
2003;326:219; see :func:`thymoscope.kb.effects.pair_test`) only when they are estimates
of the same outcome on the same measure. A significant test says the estimates differ
by more than chance easily explains; a non-significant one says a difference was not
shown, which is not evidence that the effects are the same. When the two may share
data (a meta-analysis and a trial it may have pooled) that is said, and pooling is
never suggested. When no test is run the reason is stated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thymoscope.engine.experta_compat import AS, TEST, Rule
from thymoscope.engine.pairs import both_sides
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.effects import BetweenEstimates, effect_text, pair_test
from thymoscope.kb.facts import Design, PrimaryEndpoint, Result, Study
from thymoscope.kb.rules.pairs_factors import verdict
from thymoscope.kb.thresholds import ALPHA

Fact = dict[str, Any]
EFFECT_FIELDS = ("measure", "estimate", "ci_low", "ci_high")
OUTCOME_FIELDS = ("indication", "primary_endpoint.kind", "primary_endpoint.counted_event")
# Everything the test reads, on both sides (what the result rules declare).
READS = both_sides(
    "result.primary",
    "design.type",
    *OUTCOME_FIELDS,
    *(f"result.effect.{k}" for k in (*EFFECT_FIELDS, "ci_level", "se")),
)


def _effect(result: Mapping[str, Any]) -> str:
    return effect_text(
        result.get("effect_measure"),
        result.get("effect_estimate"),
        result.get("effect_ci_low"),
        result.get("effect_ci_high"),
        result.get("effect_ci_level"),
    )


def _verdict(test: BetweenEstimates) -> str:
    if not test.tested:
        return "results-not-testable"
    return "results-conflict" if test.significant else "results-statistically-compatible"


def _known(values: Mapping[str, Any], paths: Any) -> list[str]:
    return [p for p in paths if values.get(p) is not None]


def _side_values(side: str, *facts: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`pair_test` reads, from one side's Study, Design, PrimaryEndpoint and
    Result facts (fact keys flatten nested fields with ``_``)."""
    study, design, endpoint, result = facts
    out = {
        f"{side}.id": study.get("id"),
        f"{side}.indication": study.get("indication"),
        f"{side}.design.type": design.get("type"),
        f"{side}.primary_endpoint.kind": endpoint.get("kind"),
        f"{side}.primary_endpoint.counted_event": endpoint.get("counted_event"),
    }
    for key, value in result.items():
        if key.startswith("effect_"):  # fact fields are keyword names, always strings
            out[f"{side}.result.effect.{key.removeprefix('effect_')}"] = value
    return out


def pair_result_test(
    sa: Any, sb: Any, da: Any, db: Any, ea: Any, eb: Any, ra: Any, rb: Any
) -> BetweenEstimates:
    """The between-estimates test of the pair whose facts the rule matched."""
    return pair_test({**_side_values("a", sa, da, ea, ra), **_side_values("b", sb, db, eb, rb)})


def _pattern(finding: str) -> tuple[Any, ...]:
    """The facts of both sides, and the test's verdict being ``finding``."""
    return (
        AS.sa << Study(side="a"),
        AS.sb << Study(side="b"),
        AS.da << Design(side="a"),
        AS.db << Design(side="b"),
        AS.ea << PrimaryEndpoint(side="a"),
        AS.eb << PrimaryEndpoint(side="b"),
        AS.ra << Result(side="a"),
        AS.rb << Result(side="b"),
        TEST(
            lambda sa, sb, da, db, ea, eb, ra, rb: (
                _verdict(pair_result_test(sa, sb, da, db, ea, eb, ra, rb)) == finding
            )
        ),
    )


class PairResultRules(RuleSet):
    def _conclude_result(self, finding: str, facts: tuple[Any, ...]) -> None:
        test = pair_result_test(*facts)
        ra, rb = facts[6], facts[7]
        ids = verdict(self, None, None)
        cites = ["a.result.primary", "b.result.primary"]
        cites += _known(self.values, (f"{s}.{f}" for s in "ab" for f in OUTCOME_FIELDS))
        if test.tested:
            cites += [f"{s}.result.effect.{k}" for s in "ab" for k in EFFECT_FIELDS]
            cites += _known(self.values, (f"{s}.design.type" for s in "ab"))
        else:
            cites += _known(self.values, (f"{s}.result.effect.measure" for s in "ab"))
        level = 100 * (1 - ALPHA)
        significant = [
            ids[f"{side}_id"]
            for side, e in zip("ab", (test.first, test.second), strict=True)
            if e is not None and e.significant()
        ]
        self.conclude(
            finding,
            *cites,
            statistics=test.document(),
            summary=test.summary,
            reason=test.reason,
            different_outcomes=test.reason is not None and "different outcomes" in test.reason,
            warnings=list(test.warnings),
            independent=test.independent,
            dependence=test.dependence,
            a_primary=ra.get("primary"),
            b_primary=rb.get("primary"),
            a_effect=_effect(ra),
            b_effect=_effect(rb),
            significant=significant,
            not_significant=[i for i in (ids["a_id"], ids["b_id"]) if i not in significant],
            significance_differs=test.tested and len(significant) == 1,
            level=f"{level:g}",
            **ids,
        )

    @concludes("results-conflict", reads=READS)
    @Rule(*_pattern("results-conflict"))
    def estimates_differ_significantly(
        self, sa: Fact, sb: Fact, da: Fact, db: Fact, ea: Fact, eb: Fact, ra: Fact, rb: Fact
    ) -> None:
        self._conclude_result("results-conflict", (sa, sb, da, db, ea, eb, ra, rb))

    @concludes("results-statistically-compatible", reads=READS)
    @Rule(*_pattern("results-statistically-compatible"))
    def estimates_statistically_compatible(
        self, sa: Fact, sb: Fact, da: Fact, db: Fact, ea: Fact, eb: Fact, ra: Fact, rb: Fact
    ) -> None:
        self._conclude_result("results-statistically-compatible", (sa, sb, da, db, ea, eb, ra, rb))

    @concludes("results-not-testable", reads=READS)
    @Rule(*_pattern("results-not-testable"))
    def estimates_not_testable(
        self, sa: Fact, sb: Fact, da: Fact, db: Fact, ea: Fact, eb: Fact, ra: Fact, rb: Fact
    ) -> None:
        self._conclude_result("results-not-testable", (sa, sb, da, db, ea, eb, ra, rb))
