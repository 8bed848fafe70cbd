"""Rules over a body of studies (`thymoscope review`): why do these studies disagree?

The rules run in experta over body-level facts (:mod:`thymoscope.kb.body_facts`), one
engine run per outcome, and record findings with stable ids; the texts, FAQ sections
and next steps are in :data:`BODY_FINDINGS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thymoscope.engine.experta_compat import MATCH, NOT, TEST, Fact, KnowledgeEngine, Rule
from thymoscope.kb.body_facts import (
    CREDIBLE_STUDIES,
    EGGER_P,
    MIN_PER_SUBGROUP,
    BodyFacts,
)


class Body(Fact):
    """k, i2, q_p, heterogeneous, pooled_excludes_null, pi_includes_null, mixed, pooled"""


class Split(Fact):
    """factor, title, field, p, alpha, min_k, partition, levels, explains"""


class Quality(Fact):
    """higher, lower, higher_excludes_null, lower_excludes_null, higher_k, lower_k"""


class Influence(Fact):
    """study, text"""


class Standout(Fact):
    """The most influential study and what sets it apart (kb.body_facts.Standout)."""


class SmallStudies(Fact):
    """p"""


@dataclass(frozen=True)
class BodyFinding:
    id: str
    factor: str | None
    rule: str
    title: str
    explanation: str
    faq: tuple[str, ...]
    next_steps: tuple[str, ...]
    facts: tuple[tuple[str, Any], ...]


# FAQ sections of a factor named by ``heterogeneity-explained`` (FAQ 1 names every factor;
# 2 is sepsis trial quality, 3 hepatitis B endpoint timing, 4 cancer therapy role)
FACTOR_FAQ: dict[str, tuple[str, ...]] = {
    "study_quality": ("1", "2"),
    "endpoint_timing": ("1", "3"),
    "therapy_role": ("1", "4"),
}

BODY_FINDINGS: dict[str, dict[str, Any]] = {
    "pooled-effect-rests-on-weaker-studies": {
        "title": "The pooled benefit rests on the weaker studies",
        "explanation": (
            "All studies together give {pooled}, but the {higher_k} studies at low risk of "
            "bias give {higher} while the {lower_k} at higher risk give {lower}."
        ),
        "faq": ("2",),
        "next_steps": (
            "Base conclusions on the studies at low risk of bias.",
            "Design the next trial double-blind with concealed allocation.",
        ),
    },
    "heterogeneity-explained": {
        "title": "{title} accounts for the disagreement",
        "explanation": (
            'Split by the factor "{title}", the subgroups differ beyond chance '
            "(Q-between p = {p:.3g}, "
            "below {alpha:.3g}: 0.05 divided by the {tried} factors tried) and each "
            "subgroup has at least {min_per} studies."
        ),
        "faq": ("1", "2"),
        "next_steps": (
            "Check that the split was planned before the results were seen (ICEMAN).",
            "Compare only studies on the same side of this factor.",
        ),
    },
    "heterogeneity-unexplained": {
        "title": "The studies disagree and no factor tried explains it",
        "explanation": ("Heterogeneity is present (I² = {i2:.0f}%, Q p = {q_p:.3g}) but {why}."),
        "faq": ("1",),
        "next_steps": (
            "Record the factors that are unknown in the study files (baseline immunity, "
            "endpoint timing, risk of bias) and review again.",
        ),
    },
    "factors-confounded": {
        "title": "{title_a} and {title_b} travel together",
        "explanation": (
            '"{title_a}" and "{title_b}" split the studies into the same groups, so a '
            "difference between these groups cannot be credited to either factor."
        ),
        "faq": ("1", "2"),
        "next_steps": ("Look for studies that differ in one factor but not the other.",),
    },
    "too-few-studies": {
        "title": "Too few studies to explain the disagreement",
        "explanation": (
            "{k} studies: subgroup explanations need at least {credible} studies per "
            "characteristic and {min_per} per subgroup (Cochrane Handbook §10.11.5.1), "
            "so any factor named here is a hypothesis, not an explanation."
        ),
        "faq": ("2",),
        "next_steps": ("Treat factor splits as hypotheses for a new, adequately sized study.",),
    },
    "disagreement-consistent-with-chance": {
        "title": "The studies differ in significance, not in effect",
        "explanation": (
            "{significant} of the {k} studies reach statistical significance and the others "
            "do not, yet their effects are compatible (Q p = {q_p:.3g}, I² = {i2:.0f}%)."
        ),
        "faq": ("1",),
        "next_steps": ("Read the pooled estimate rather than counting significant studies.",),
    },
    "prediction-interval-includes-no-effect": {
        "title": "A new study could find no effect",
        "explanation": (
            "The pooled estimate {pooled} excludes no effect, but the prediction interval "
            "for a new study includes it."
        ),
        "faq": ("1",),
        "next_steps": ("Report the prediction interval next to the pooled estimate.",),
    },
    "small-study-effects": {
        "title": "Smaller studies report different effects",
        "explanation": (
            "Egger's regression test suggests funnel-plot asymmetry (p = {p:.3g}): "
            "small-study effects, possibly publication bias."
        ),
        "faq": ("2",),
        "next_steps": ("Weigh the largest studies; search for unpublished studies.",),
    },
    "single-study-drives-result": {
        "title": "One study decides the conclusion",
        "explanation": (
            "Without {study} the pooled estimate becomes {text}, on the other side of the "
            "line of no effect."
        ),
        "faq": ("2",),
        "next_steps": ("Read that study's design and risk of bias before relying on the result.",),
    },
    "influential-study-stands-apart": {
        "title": "The most influential study is also one that stands apart",
        "explanation": (
            "Leaving out {study} ({weight:.0f}% of the weight) moves the pooled estimate more "
            "than leaving out any other study (without it: {text}). It is also {traits}. "
            "The pooled result leans on a study that differs from the others in this way, "
            "and one study cannot show which of its traits, if any, changes the effect."
        ),
        "faq": ("2",),
        "next_steps": (
            "Report the pooled estimate with and without that study.",
            "Check whether the trait that sets it apart is the factor that explains the "
            "disagreement, in studies that share it.",
        ),
    },
}


class BodyRules(KnowledgeEngine):  # type: ignore[misc]
    """Body-level rules; each firing appends to ``self.found``."""

    def __init__(self, tried: int) -> None:
        super().__init__()
        self.tried = tried
        self.found: list[tuple[str, str, str | None, dict[str, Any]]] = []

    def _conclude(self, finding: str, rule: str, factor: str | None, **facts: Any) -> None:
        self.found.append((finding, rule, factor, facts))

    @Rule(Split(factor=MATCH.factor, title=MATCH.title, field=MATCH.field, p=MATCH.p,
                alpha=MATCH.alpha, min_k=MATCH.min_k),
          TEST(lambda p, alpha, min_k: p < alpha and min_k >= MIN_PER_SUBGROUP))  # fmt: skip
    def factor_explains_heterogeneity(
        self, factor: str, title: str, field: str, p: float, alpha: float, min_k: int
    ) -> None:
        self._conclude(
            "heterogeneity-explained", "factor_explains_heterogeneity", factor,
            title=title, field=field, p=p, alpha=alpha, tried=self.tried,
            min_per=MIN_PER_SUBGROUP,
        )  # fmt: skip

    @Rule(Body(heterogeneous=True, i2=MATCH.i2, q_p=MATCH.q_p),
          NOT(Split(explains=True)))  # fmt: skip
    def heterogeneity_without_explanation(self, i2: float, q_p: float) -> None:
        why = (
            f"none of the {self.tried} factors tried splits the studies beyond chance after "
            "adjusting for multiplicity"
            if self.tried
            else "the study files record none of the factors thymoscope can try"
        )
        self._conclude(
            "heterogeneity-unexplained", "heterogeneity_without_explanation", None,
            i2=i2, q_p=q_p, tried=self.tried, why=why,
        )  # fmt: skip

    @Rule(Split(field=MATCH.field_a, title=MATCH.title_a, partition=MATCH.partition),
          Split(field=MATCH.field_b, title=MATCH.title_b, partition=MATCH.partition),
          TEST(lambda field_a, field_b: field_a < field_b))  # fmt: skip
    def factors_travel_together(
        self, field_a: str, title_a: str, field_b: str, title_b: str, partition: Any
    ) -> None:
        self._conclude(
            "factors-confounded", "factors_travel_together", None,
            field_a=field_a, title_a=title_a, field_b=field_b, title_b=title_b,
        )  # fmt: skip

    @Rule(Body(k=MATCH.k), Split(),
          TEST(lambda k: k < CREDIBLE_STUDIES))  # fmt: skip
    def too_few_studies_for_factors(self, k: int) -> None:
        self._conclude(
            "too-few-studies", "too_few_studies_for_factors", None,
            k=k, credible=CREDIBLE_STUDIES, min_per=MIN_PER_SUBGROUP,
        )  # fmt: skip

    @Rule(Body(pooled_excludes_null=True, pooled=MATCH.pooled),
          Quality(higher_excludes_null=False, lower_excludes_null=True, higher=MATCH.higher,
                  lower=MATCH.lower, higher_k=MATCH.higher_k, lower_k=MATCH.lower_k))  # fmt: skip
    def benefit_only_in_weaker_studies(
        self, pooled: str, higher: str, lower: str, higher_k: int, lower_k: int
    ) -> None:
        self._conclude(
            "pooled-effect-rests-on-weaker-studies", "benefit_only_in_weaker_studies",
            "study_quality", pooled=pooled, higher=higher, lower=lower,
            higher_k=higher_k, lower_k=lower_k,
        )  # fmt: skip

    @Rule(Body(mixed=True, heterogeneous=False, k=MATCH.k, significant=MATCH.significant,
               q_p=MATCH.q_p, i2=MATCH.i2))  # fmt: skip
    def significance_differs_effects_agree(
        self, k: int, significant: int, q_p: float, i2: float
    ) -> None:
        self._conclude(
            "disagreement-consistent-with-chance", "significance_differs_effects_agree",
            None, k=k, significant=significant, q_p=q_p, i2=i2,
        )  # fmt: skip

    @Rule(Body(pooled_excludes_null=True, pi_includes_null=True, pooled=MATCH.pooled))
    def prediction_interval_crosses_null(self, pooled: str) -> None:
        self._conclude(
            "prediction-interval-includes-no-effect", "prediction_interval_crosses_null",
            None, pooled=pooled,
        )  # fmt: skip

    @Rule(Standout(study=MATCH.study, weight=MATCH.weight, text=MATCH.text, traits=MATCH.traits),
          TEST(lambda traits: bool(traits)))  # fmt: skip
    def influential_study_stands_apart(
        self, study: str, weight: float, text: str, traits: str
    ) -> None:
        self._conclude(
            "influential-study-stands-apart", "influential_study_stands_apart", None,
            study=study, weight=weight, text=text, traits=traits,
        )  # fmt: skip

    @Rule(SmallStudies(p=MATCH.p), TEST(lambda p: p < EGGER_P))
    def funnel_asymmetry(self, p: float) -> None:
        self._conclude("small-study-effects", "funnel_asymmetry", None, p=p)

    @Rule(Influence(study=MATCH.study, text=MATCH.text))
    def one_study_flips_conclusion(self, study: str, text: str) -> None:
        self._conclude(
            "single-study-drives-result", "one_study_flips_conclusion", None,
            study=study, text=text,
        )  # fmt: skip


def _traits(alone_in: tuple[str, ...], flagged: tuple[str, ...]) -> str:
    """'the only study with "Blinding: open label"', then what its own diagnosis rates as
    major (shared or not, so it is reported, never counted as setting it apart); '' when no
    level of a candidate factor sets it apart."""
    if not alone_in:
        return ""
    text = "the only study with " + " and with ".join(alone_in)
    if flagged:
        text += "; its own diagnosis rates as major: " + ", ".join(f'"{t}"' for t in flagged)
    return text


def body_findings(facts: BodyFacts) -> list[BodyFinding]:
    """Run the body rules over one outcome's facts."""
    engine = BodyRules(tried=len(facts.splits))
    engine.reset()
    engine.declare(
        Body(
            k=facts.k,
            i2=facts.i2,
            q_p=facts.q_p,
            heterogeneous=facts.heterogeneous,
            pooled_excludes_null=facts.pooled_excludes_null,
            pi_includes_null=facts.pi_includes_null,
            mixed=0 < facts.significant_studies < facts.k,
            significant=facts.significant_studies,
            pooled=facts.pooled_text,
        )
    )
    for split in facts.splits:
        explains = split.p_value < split.alpha and split.min_level_k >= MIN_PER_SUBGROUP
        engine.declare(
            Split(
                factor=split.factor,
                title=split.title,
                field=split.field,
                p=split.p_value,
                alpha=split.alpha,
                min_k=split.min_level_k,
                partition=split.partition,
                explains=explains,
            )
        )
    if facts.quality is not None:
        q = facts.quality
        engine.declare(
            Quality(
                higher=q.higher_text,
                lower=q.lower_text,
                higher_excludes_null=q.higher_excludes_null,
                lower_excludes_null=q.lower_excludes_null,
                higher_k=q.higher_k,
                lower_k=q.lower_k,
            )
        )
    for item in facts.influential:
        engine.declare(Influence(study=item.study, text=item.text))
    if facts.standout is not None:
        engine.declare(
            Standout(
                study=facts.standout.study,
                weight=facts.standout.weight,
                text=facts.standout.text,
                traits=_traits(facts.standout.alone_in, facts.standout.flagged),
            )
        )
    if facts.egger_p is not None:
        engine.declare(SmallStudies(p=facts.egger_p))
    engine.run()
    out = []
    seen: set[tuple[str, str | None, str]] = set()
    order = list(BODY_FINDINGS)
    found = sorted(engine.found, key=lambda item: (order.index(item[0]), str(item[3])))
    for finding, rule, factor, values in found:
        spec = BODY_FINDINGS[finding]
        key = (finding, factor, str(sorted(values.items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(
            BodyFinding(
                id=finding,
                factor=factor,
                rule=rule,
                title=spec["title"].format(**values),
                explanation=spec["explanation"].format(**values),
                faq=FACTOR_FAQ.get(factor or "", spec["faq"])
                if finding == "heterogeneity-explained"
                else spec["faq"],
                next_steps=spec["next_steps"],
                facts=tuple(sorted(values.items())),
            )
        )
    return out
