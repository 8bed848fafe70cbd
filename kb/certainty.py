"""Certainty of a body of evidence, GRADE-style, for one pooled outcome of ``review``.

The rating starts from the design of the pooled studies (randomised trials: high; any
non-randomised study: low) and is downgraded one level (two when very serious) per domain:

* **risk of bias** — the share of the random-effects weight carried by studies at high,
  some-concerns or unclear risk of bias, each study judged as the per-study rule
  ``high-risk-of-bias`` judges it (``design.risk_of_bias`` when recorded, otherwise the
  same design flaws: not randomised, open label, no control, no concealed allocation,
  small single-centre); and the body finding ``pooled-effect-rests-on-weaker-studies``;
* **inconsistency** — the body finding ``heterogeneity-unexplained`` (I², Q) and a
  prediction interval that crosses no effect while the pooled CI does not; heterogeneity
  that a factor credibly explains (``heterogeneity-explained``) is not downgraded;
* **imprecision** — a pooled CI that includes no effect, or spans both appreciable benefit
  and appreciable harm (ratios 0.75 and 1.25, the GRADE handbook's default thresholds);
  otherwise fewer participants than the optimal information size, a heuristic;
* **indirectness** — studies of another thymic product (``intervention.product``) carrying
  a quarter of the weight or more, or an immunological (surrogate) endpoint;
* **publication bias** — the body finding ``small-study-effects`` (Egger's test, only run
  with 10 studies or more; otherwise "not assessed").

This is a transparent, mechanical reading of the findings — a reviewer's GRADE judgement
can differ, and every downgrade says which numbers it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from thymoscope.kb.rules.study_quality import BIAS_REASONS, bias_reasons
from thymoscope.kb.thresholds import NON_RANDOMISED_DESIGNS

if TYPE_CHECKING:
    from thymoscope.kb.rules.body_rules import BodyFinding
    from thymoscope.synthesis.body import OutcomeAnalysis, StudyEntry

LEVELS = ("very low", "low", "moderate", "high")
DOMAINS = ("risk of bias", "inconsistency", "imprecision", "indirectness", "publication bias")

RISK_SHARE_SERIOUS = 50.0  # % of weight from studies not at low risk of bias
INDIRECT_SHARE_SERIOUS = 25.0  # % of weight from studies of another thymic product
I2_VERY_SERIOUS = 75.0
APPRECIABLE_BENEFIT = 0.75  # GRADE handbook default thresholds for ratio measures
APPRECIABLE_HARM = 1.25
OIS_RELATIVE_REDUCTION = 0.25
OIS_ALPHA_Z = 1.959963984540054  # two-sided 0.05
OIS_POWER_Z = 0.8416212335729143  # 80% power
OIS_CONTINUOUS_PARTICIPANTS = 400  # GRADE rule of thumb for continuous outcomes
SURROGATE_ENDPOINTS = frozenset({"immunological"})
OIS_LABEL = "optimal information size (a heuristic)"


@dataclass(frozen=True)
class Domain:
    name: str
    downgrade: int  # 0, 1 (serious) or 2 (very serious)
    reasons: tuple[str, ...]  # why downgraded, or why not (e.g. "not assessed: ...")
    assessed: bool = True
    summary: str = ""  # the short reason of a downgrade, for the summary-of-findings table

    @property
    def judgement(self) -> str:
        if not self.assessed:
            return "not assessed"
        return ("not serious", "serious", "very serious")[self.downgrade]


@dataclass(frozen=True)
class Certainty:
    start: str
    start_reason: str
    level: str
    domains: tuple[Domain, ...]
    participants: int | None
    optimal_information_size: int | None

    @property
    def downgraded_for(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.domains if d.downgrade)

    @property
    def line(self) -> str:
        """``certainty: moderate (downgraded for inconsistency)``."""
        if self.downgraded_for:
            why = f"downgraded for {_join(self.downgraded_for)}"
        else:
            why = f"{self.start_reason}; not downgraded"
        return f"certainty: {self.level} ({why})"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _design(entry: StudyEntry) -> dict[str, Any]:
    if entry.study is None:
        return {}
    return {k: _plain(v) for k, v in entry.study.design.model_dump().items()}


def study_risk_of_bias(entry: StudyEntry) -> tuple[str, tuple[str, ...]]:
    """('low' | 'some_concerns' | 'high' | 'unclear', reasons) for one pooled row."""
    if entry.study is None:  # a meta-analysis stratum: read its quality level
        level = (entry.stratum_level or "").split(": ", 1)[-1]
        if level in ("lower_quality", "lower", "low", "high_risk"):
            return "high", ("a lower-quality stratum",)
        if level in ("higher_quality", "higher", "high", "low_risk"):
            return "low", ()
        return "unclear", ("a stratum with no risk-of-bias level",)
    design = _design(entry)
    reasons = tuple(bias_reasons(design))
    declared = design.get("risk_of_bias")
    if declared is not None and "not randomised" not in reasons:
        return str(declared), reasons
    if any(BIAS_REASONS[r] for r in reasons) or len(reasons) >= 2:
        return "high", reasons
    if reasons:
        return "some_concerns", reasons
    if design.get("blinding") is None or design.get("allocation_concealment") is None:
        return "unclear", ("blinding or allocation concealment not reported",)
    return "low", ()


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def _risk_of_bias(
    analysis: OutcomeAnalysis, weights: Sequence[float], findings: Sequence[BodyFinding]
) -> Domain:
    judged = [study_risk_of_bias(e)[0] for e in analysis.entries]
    not_low = sum(w for w, j in zip(weights, judged, strict=True) if j != "low")
    high = sum(w for w, j in zip(weights, judged, strict=True) if j == "high")
    counts = {j: judged.count(j) for j in ("high", "some_concerns", "unclear") if j in judged}
    tally = ", ".join(f"{n} {j.replace('_', ' ')}" for j, n in counts.items())
    share = (
        f"{_pct(not_low)} of the weight comes from studies at high, some-concerns or unclear "
        f"risk of bias ({tally})"
        if counts
        else "every study is at low risk of bias"
    )
    weaker = [f for f in findings if f.id == "pooled-effect-rests-on-weaker-studies"]
    reasons: list[str] = []
    downgrade = 0
    if not_low > RISK_SHARE_SERIOUS:
        downgrade = 1
        reasons.append(share)
    if weaker:
        # very serious when studies at high risk also carry most of the weight
        downgrade = 2 if downgrade and high > RISK_SHARE_SERIOUS else 1
        reasons.append(
            f"pooled-effect-rests-on-weaker-studies: {weaker[0].explanation.rstrip('.')}"
        )
    if share not in reasons:
        reasons.append(share)
    summary = (
        "the benefit rests on the studies at higher risk of bias"
        if weaker
        else f"{_pct(not_low)} of the weight from studies not at low risk of bias"
    )
    return Domain("risk of bias", min(downgrade, 2), tuple(reasons), summary=summary)


def _crosses_null(low: float, high: float, null: float) -> bool:
    return low <= null <= high


def _inconsistency(
    analysis: OutcomeAnalysis, findings: Sequence[BodyFinding], ratio: bool
) -> Domain:
    assert analysis.pooled is not None
    het = analysis.pooled.heterogeneity
    stats = f"I² = {het.i2:.0f}%, Q p = {het.p_value:.3g}"
    explained = [f for f in findings if f.id == "heterogeneity-explained"]
    unexplained = [f for f in findings if f.id == "heterogeneity-unexplained"]
    crosses = [f for f in findings if f.id == "prediction-interval-includes-no-effect"]
    if unexplained:
        very = het.i2 >= I2_VERY_SERIOUS
        return Domain(
            "inconsistency",
            2 if very else 1,
            (f"heterogeneity-unexplained: {stats}" + ("; I² ≥ 75%" if very else ""),),
            summary=f"unexplained heterogeneity (I² = {het.i2:.0f}%)",
        )
    if crosses and not explained:
        pi = analysis.pooled.prediction
        assert pi is not None
        f = math.exp if ratio else (lambda v: v)
        return Domain(
            "inconsistency",
            1,
            (
                f"prediction-interval-includes-no-effect: a new study could fall anywhere "
                f"from {f(pi.low):.2f} to {f(pi.high):.2f} ({stats})",
            ),
            summary="the prediction interval includes no effect",
        )
    if explained:
        factors = sorted({f.factor or "" for f in explained})
        return Domain(
            "inconsistency",
            0,
            (
                f"{stats}; heterogeneity-explained by {_join(factors)}: read the subgroups "
                "rather than the pooled estimate",
            ),
        )
    return Domain("inconsistency", 0, (stats,))


def _control_risk(entries: Sequence[StudyEntry]) -> float | None:
    events = n = 0
    for entry in entries:
        arms = getattr(entry.study.result, "arms", None) if entry.study else None
        control = getattr(arms, "control", None)
        if control is None or getattr(control, "events", None) is None:
            continue
        events += int(control.events)
        n += int(control.n)
    return events / n if n else None


def optimal_information_size(analysis: OutcomeAnalysis) -> tuple[int | None, str]:
    """(total participants, how it was computed) — the OIS heuristic, or None."""
    if analysis.key.measure == "mean_difference":
        return OIS_CONTINUOUS_PARTICIPANTS, "the GRADE rule of thumb for continuous outcomes"
    if analysis.key.measure not in ("odds_ratio", "risk_ratio", "risk_difference"):
        return None, "not computed for this measure"
    pc = _control_risk(analysis.entries)
    if pc is None or not 0 < pc < 1:
        return None, "not computed: no control-arm event counts"
    # a 25% relative change towards benefit: fewer unfavourable events, more favourable ones
    favourable = all(e.counted_event == "favourable" for e in analysis.entries)
    change = "increase" if favourable else "reduction"
    pt = pc * (1 + OIS_RELATIVE_REDUCTION if favourable else 1 - OIS_RELATIVE_REDUCTION)
    per_arm = (OIS_ALPHA_Z + OIS_POWER_Z) ** 2 * (pc * (1 - pc) + pt * (1 - pt)) / (pc - pt) ** 2
    return 2 * math.ceil(per_arm), (
        f"a {OIS_RELATIVE_REDUCTION:.0%} relative {change} from the pooled control-arm "
        f"risk {pc:.1%}, two-sided α 0.05, power 80%"
    )


def _participants(entries: Sequence[StudyEntry]) -> int | None:
    sizes = [e.sample_size for e in entries]
    return sum(s for s in sizes if s is not None) if any(s is not None for s in sizes) else None


def _imprecision(
    analysis: OutcomeAnalysis, ratio: bool, participants: int | None, ois: tuple[int | None, str]
) -> Domain:
    assert analysis.pooled is not None
    ci = analysis.pooled.ci
    f = math.exp if ratio else (lambda v: v)
    low, high = f(ci.low), f(ci.high)
    null = 1.0 if ratio else 0.0
    ci_text = f"the pooled CI {low:.2f} to {high:.2f}"
    if _crosses_null(low, high, null):
        if ratio and low <= APPRECIABLE_BENEFIT and high >= APPRECIABLE_HARM:
            return Domain(
                "imprecision",
                2,
                (
                    f"{ci_text} includes no effect and spans both appreciable benefit "
                    f"({APPRECIABLE_BENEFIT}) and appreciable harm ({APPRECIABLE_HARM}), "
                    "the GRADE default thresholds",
                ),
                summary="the CI spans appreciable benefit and harm",
            )
        return Domain(
            "imprecision",
            1,
            (f"{ci_text} includes no effect",),
            summary="the CI includes no effect",
        )
    size, how = ois
    if size is not None and participants is not None and participants < size:
        return Domain(
            "imprecision",
            1,
            (
                f"{ci_text} excludes no effect, but {participants} participants are fewer "
                f"than the {OIS_LABEL} of {size} ({how})",
            ),
            summary=f"{participants} participants, below the {OIS_LABEL} of {size}",
        )
    if size is None:
        return Domain("imprecision", 0, (f"{ci_text} excludes no effect; {OIS_LABEL} {how}",))
    return Domain(
        "imprecision",
        0,
        (
            f"{ci_text} excludes no effect and {participants} participants reach the "
            f"{OIS_LABEL} of {size} ({how})",
        ),
    )


def _indirectness(analysis: OutcomeAnalysis, weights: Sequence[float]) -> Domain:
    reasons: list[str] = []
    downgrade = 0
    other = [
        (e.id, w, str(_plain(e.study.intervention.product)))
        for e, w in zip(analysis.entries, weights, strict=True)
        if e.study is not None
        and e.study.intervention.product is not None
        and _plain(e.study.intervention.product) != "thymalfasin"
    ]
    if other:
        share = sum(w for _, w, _ in other)
        names = ", ".join(f"{sid} ({product.replace('_', ' ')})" for sid, _, product in other)
        text = f"{_pct(share)} of the weight comes from studies of another thymic product: {names}"
        if share >= INDIRECT_SHARE_SERIOUS:
            downgrade = 1
        reasons.append(text)
    if analysis.key.endpoint in SURROGATE_ENDPOINTS:
        downgrade = min(2, downgrade + 1)
        reasons.append(
            f"the outcome is an {analysis.key.endpoint.replace('_', ' ')} (surrogate) endpoint, "
            "not a clinical one"
        )
    if not reasons:
        reasons.append(
            "same thymic product (or not recorded), the indication's own endpoint and comparator"
        )
    summary = "; ".join(
        text
        for text, applies in (
            ("another thymic product carries much of the weight", bool(other)),
            ("a surrogate endpoint", analysis.key.endpoint in SURROGATE_ENDPOINTS),
        )
        if applies
    )
    return Domain("indirectness", downgrade, tuple(reasons), summary=summary)


def _publication_bias(analysis: OutcomeAnalysis, findings: Sequence[BodyFinding]) -> Domain:
    small = [f for f in findings if f.id == "small-study-effects"]
    if small:
        p_value = analysis.egger.p_value if analysis.egger else float("nan")
        return Domain(
            "publication bias",
            1,
            (f"small-study-effects: {small[0].explanation.rstrip('.')}",),
            summary=f"small-study effects (Egger p = {p_value:.2g})",
        )
    if analysis.egger is None:
        return Domain(
            "publication bias",
            0,
            ("not assessed: Egger's test needs 10 studies or more",),
            assessed=False,
        )
    return Domain(
        "publication bias", 0, (f"Egger's test p = {analysis.egger.p_value:.3g}: no asymmetry",)
    )


def _start(entries: Sequence[StudyEntry]) -> tuple[str, str]:
    designs = [str(_plain(e.study.design.type)) if e.study else "rct" for e in entries]
    non_randomised = [d for d in designs if d in NON_RANDOMISED_DESIGNS]
    if non_randomised:
        return "low", (
            f"starts low: {len(non_randomised)} of {len(designs)} studies are not randomised"
        )
    if all(e.study is None for e in entries):
        return "high", "starts high: strata of a meta-analysis (its trials taken as randomised)"
    return "high", "starts high: randomised trials"


def assess(
    analysis: OutcomeAnalysis, findings: Sequence[BodyFinding], ratio: bool
) -> Certainty | None:
    """The certainty of one pooled outcome, or None when nothing was pooled."""
    if analysis.pooled is None:
        return None
    weights = analysis.pooled.weights
    start, start_reason = _start(analysis.entries)
    participants = _participants(analysis.entries)
    ois = optimal_information_size(analysis)
    domains = (
        _risk_of_bias(analysis, weights, findings),
        _inconsistency(analysis, findings, ratio),
        _imprecision(analysis, ratio, participants, ois),
        _indirectness(analysis, weights),
        _publication_bias(analysis, findings),
    )
    level = LEVELS.index(start) - sum(d.downgrade for d in domains)
    return Certainty(
        start=start,
        start_reason=start_reason,
        level=LEVELS[max(0, level)],
        domains=domains,
        participants=participants,
        optimal_information_size=ois[0],
    )
