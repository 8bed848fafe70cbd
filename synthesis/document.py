"""The review document: the JSON shape of ``thymoscope review`` (``review_version`` 1).

Numbers are numbers.  Estimates are given on the reported scale (ratios back-transformed
with exp) as ``estimate``/``ci_low``/``ci_high`` and on the analysis scale as ``yi``/``se``
(natural log for ratios), so nothing needs re-deriving.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from thymoscope.synthesis.body import Body, OutcomeAnalysis, ReviewOptions, is_ratio_outcome
from thymoscope.synthesis.distributions import level_quantile
from thymoscope.synthesis.effects import (
    CONVENTION_LOG_SCALE,
    CONVENTION_POOLED_SD,
    CONVENTION_SE_FROM_CI,
    CONVENTION_ZERO_CELL,
)
from thymoscope.synthesis.influence import EggerTest
from thymoscope.synthesis.models import METHOD_NAMES, Interval, MetaRegression, Pooled
from thymoscope.synthesis.subgroups import SubgroupAnalysis

if TYPE_CHECKING:
    from thymoscope.kb.certainty import Certainty
    from thymoscope.kb.rules.body_rules import BodyFinding

REVIEW_VERSION = 1


def _back(ratio: bool, value: float) -> float:
    return math.exp(value) if ratio else value


def _interval(ratio: bool, interval: Interval | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {
        "low": _back(ratio, interval.low),
        "high": _back(ratio, interval.high),
        "level": interval.level,
        "distribution": interval.distribution,
        "df": interval.df,
    }


def pooled_document(ratio: bool, pooled: Pooled) -> dict[str, Any]:
    het = pooled.heterogeneity
    return {
        "method": pooled.method,
        "k": pooled.k,
        "estimate": _back(ratio, pooled.estimate),
        "ci_low": _back(ratio, pooled.ci.low),
        "ci_high": _back(ratio, pooled.ci.high),
        "ci": _interval(ratio, pooled.ci),
        "yi": pooled.estimate,
        "se": pooled.se,
        "test": pooled.test,
        "statistic": pooled.statistic,
        "p_value": pooled.p_value,
        "prediction": _interval(ratio, pooled.prediction),
        "heterogeneity": {
            "q": het.q,
            "df": het.df,
            "p_value": het.p_value,
            "tau2": het.tau2,
            "tau": het.tau,
            "i2": het.i2,
            "h2": het.h2,
            "typical_within_variance": het.typical_within_variance,
        },
        "tau2_algorithm": pooled.tau2_algorithm,
        "iterations": pooled.iterations,
        "hksj": pooled.hksj,
        "conventions": list(pooled.conventions),
    }


def _regression(ratio: bool, model: MetaRegression) -> dict[str, Any]:
    return {
        "k": model.k,
        "method": model.method,
        "coefficients": [
            {
                "name": c.name,
                "estimate": c.estimate,
                "se": c.se,
                "statistic": c.statistic,
                "p_value": c.p_value,
                "ci_low": c.ci.low,
                "ci_high": c.ci.high,
            }
            for c in model.coefficients
        ],
        "qm": model.qm,
        "qm_df": model.qm_df,
        "qm_p": model.qm_p,
        "qm_distribution": model.qm_distribution,
        "qe": model.qe,
        "qe_df": model.qe_df,
        "qe_p": model.qe_p,
        "tau2": model.tau2,
        "i2": model.i2,
        "h2": model.h2,
        "r2": model.r2,
        "coefficients_scale": "log" if ratio else "identity",
        "conventions": list(model.conventions),
    }


def _subgroups(
    ratio: bool, by: str, analysis: SubgroupAnalysis, ids: Sequence[str]
) -> dict[str, Any]:
    return {
        "by": by,
        "groups": [
            {
                "level": g.level,
                "k": g.pooled.k,
                "ids": [ids[i] for i in g.indices],
                "pooled": pooled_document(ratio, g.pooled),
            }
            for g in analysis.groups
        ],
        "separate_tau2": {
            "q": analysis.q_between,
            "df": analysis.q_between_df,
            "p_value": analysis.q_between_p,
        },
        "common_tau2": None
        if analysis.common_tau2 is None
        else {
            "qm": analysis.common_tau2.qm,
            "df": analysis.common_tau2.qm_df,
            "p_value": analysis.common_tau2.qm_p,
            "distribution": analysis.common_tau2.qm_distribution,
            "tau2": analysis.common_tau2.tau2,
            "r2": analysis.common_tau2.r2,
        },
        "common_tau2_unavailable": analysis.common_tau2_unavailable,
        "conventions": list(analysis.conventions),
    }


def _egger(test: EggerTest) -> dict[str, Any]:
    return {
        "k": test.k,
        "statistic": test.statistic,
        "p_value": test.p_value,
        "slope": test.slope.estimate,
        "slope_se": test.slope.se,
        "limit_estimate": test.limit_estimate.estimate,
        "limit_ci_low": test.limit_estimate.ci.low,
        "limit_ci_high": test.limit_estimate.ci.high,
        "conventions": list(test.conventions),
    }


def outcome_document(analysis: OutcomeAnalysis, options: ReviewOptions) -> dict[str, Any]:
    ratio = is_ratio_outcome(analysis.key)
    weights = analysis.pooled.weights if analysis.pooled else (100.0,) * len(analysis.entries)
    ids = [e.id for e in analysis.entries]
    studies = []
    z = level_quantile(options.level)
    for entry, weight in zip(analysis.entries, weights, strict=True):
        eff = entry.effect
        estimate, low, high = entry.reported or (
            _back(ratio, eff.yi),
            _back(ratio, eff.yi - z * eff.se),
            _back(ratio, eff.yi + z * eff.se),
        )
        studies.append(
            {
                "id": entry.id,
                "label": entry.label,
                "title": entry.title,
                "source": entry.source,
                "estimate": estimate,
                "ci_low": low,
                "ci_high": high,
                "ci_as_reported": entry.reported is not None,
                "yi": eff.yi,
                "se": eff.se,
                "weight": weight,
                "effect_from": eff.source,
                "continuity_correction": eff.continuity_correction,
                "sample_size": entry.sample_size,
            }
        )
    return {
        "label": analysis.key.label,
        "indication": analysis.key.indication,
        "endpoint": analysis.key.endpoint,
        "measure": analysis.key.measure,
        "scale": "log" if ratio else "identity",
        "null_value": 1.0 if ratio else 0.0,
        "favours": {"low": analysis.favours[0], "high": analysis.favours[1]},
        "k": len(analysis.entries),
        "studies": studies,
        "pooled": pooled_document(ratio, analysis.pooled) if analysis.pooled else None,
        "fixed_effect": pooled_document(ratio, analysis.fixed) if analysis.fixed else None,
        "leave_one_out": [
            {
                "omitted": ids[item.omitted],
                "estimate": _back(ratio, item.estimate),
                "ci_low": _back(ratio, item.ci.low),
                "ci_high": _back(ratio, item.ci.high),
                "p_value": item.p_value,
                "q": item.heterogeneity.q,
                "tau2": item.heterogeneity.tau2,
                "i2": item.heterogeneity.i2,
            }
            for item in analysis.leave_one_out
        ],
        "egger": _egger(analysis.egger) if analysis.egger else None,
        "subgroups": _subgroups(ratio, options.by or "", analysis.subgroups, ids)
        if analysis.subgroups
        else None,
        "regression": _regression(ratio, analysis.regression) if analysis.regression else None,
        "moderator_notes": [{"id": n.id, "reason": n.reason} for n in analysis.moderator_notes],
        "notes": list(analysis.notes),
        **_findings_and_certainty(analysis, options, ratio),
    }


def _findings_and_certainty(
    analysis: OutcomeAnalysis, options: ReviewOptions, ratio: bool
) -> dict[str, Any]:
    """The body-level rule findings (kb.rules.body_rules) and the certainty (kb.certainty)."""
    from thymoscope.kb.body_facts import body_facts
    from thymoscope.kb.certainty import assess
    from thymoscope.kb.rules.body_rules import body_findings

    facts = body_facts(analysis, options.method, ratio)
    found = body_findings(facts) if facts is not None else []
    certainty = assess(analysis, found, ratio)
    return {
        "findings": _findings(found),
        "certainty": _certainty(certainty) if certainty else None,
    }


def _certainty(c: Certainty) -> dict[str, Any]:
    return {
        "level": c.level,
        "start": c.start,
        "start_reason": c.start_reason,
        "line": c.line,
        "downgraded_for": list(c.downgraded_for),
        "participants": c.participants,
        "optimal_information_size": c.optimal_information_size,
        "domains": [
            {
                "name": d.name,
                "judgement": d.judgement,
                "downgrade": d.downgrade,
                "assessed": d.assessed,
                "reasons": list(d.reasons),
                "summary": d.summary,
            }
            for d in c.domains
        ],
    }


def _findings(found: Sequence[BodyFinding]) -> list[Any]:
    return [
        {
            "id": f.id,
            "factor": f.factor,
            "rule": f.rule,
            "title": f.title,
            "explanation": f.explanation,
            "faq_sections": list(f.faq),
            "next_steps": list(f.next_steps),
            "facts": [{"name": name, "value": _plain(value)} for name, value in f.facts],
        }
        for f in found
    ]


def summary_row(outcome: dict[str, Any]) -> dict[str, Any]:
    """One row of the summary-of-findings table (GRADE): numbers and the certainty."""
    pooled, certainty = outcome["pooled"], outcome["certainty"]
    return {
        "outcome": outcome["label"],
        "measure": outcome["measure"],
        "studies": outcome["k"],
        "participants": certainty["participants"] if certainty else _sum_sizes(outcome),
        "estimate": pooled["estimate"] if pooled else None,
        "ci_low": pooled["ci_low"] if pooled else None,
        "ci_high": pooled["ci_high"] if pooled else None,
        "certainty": certainty["level"] if certainty else None,
        "downgraded_for": certainty["downgraded_for"] if certainty else [],
        "reasons": [
            f"{d['name']}: {d['summary'] or d['reasons'][0]}"
            for d in (certainty["domains"] if certainty else [])
            if d["downgrade"]
        ],
    }


def _sum_sizes(outcome: dict[str, Any]) -> int | None:
    sizes = [s["sample_size"] for s in outcome["studies"] if s["sample_size"] is not None]
    return sum(sizes) if sizes else None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def review_document(
    body: Body,
    analyses: Sequence[OutcomeAnalysis],
    options: ReviewOptions,
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole review as a JSON-ready mapping."""
    from thymoscope import RESEARCH_NOTICE, __version__

    outcomes = [outcome_document(a, options) for a in analyses]
    return {
        "review_version": REVIEW_VERSION,
        "kind": "review",
        "generator": f"thymoscope {__version__}",
        "title": body.title,
        "options": {
            "method": options.method,
            "method_name": METHOD_NAMES[options.method],
            "hksj": options.hksj,
            "by": options.by,
            "regress": options.regress,
            "level": options.level,
        },
        "conventions": [
            CONVENTION_LOG_SCALE,
            CONVENTION_ZERO_CELL,
            CONVENTION_POOLED_SD,
            CONVENTION_SE_FROM_CI,
            "studies grouped by indication, endpoint kind and effect measure",
        ],
        "outcomes": outcomes,
        "summary_of_findings": [summary_row(o) for o in outcomes],
        "excluded": [{"id": x.id, "source": x.source, "reason": x.reason} for x in body.excluded],
        "errors": list(errors),
        "notice": RESEARCH_NOTICE,
    }
