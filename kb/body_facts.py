"""Body-level facts for the review rules: what the statistics say about one outcome.

Candidate explanations are thymoscope's own troubleshooting factors, each read from a
study field; every factor with at least two known levels is tried as a subgroup split
(separate tau² per subgroup, the RevMan/meta test).  Trying several factors inflates the
chance of a spurious "explanation", so a split counts only below a Bonferroni-adjusted
level: 0.05 divided by the number of factors tried.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thymoscope.synthesis.body import OutcomeAnalysis, StudyEntry, moderator_value
from thymoscope.synthesis.models import Method, ModelError
from thymoscope.synthesis.subgroups import subgroup_analysis

ALPHA = 0.05
HETEROGENEITY_P = 0.10  # Q-test level for "the studies disagree" (Cochrane Handbook §10.10.2)
HETEROGENEITY_I2 = 50.0
CREDIBLE_STUDIES = 10  # Cochrane §10.11.5.1: at least 10 studies per characteristic
MIN_PER_SUBGROUP = 2
EGGER_P = 0.10
Z95 = 1.959963984540054

# factor -> (title, study field); study quality is read from two fields
CANDIDATES: tuple[tuple[str, str, str], ...] = (
    ("study_quality", "Study quality (risk of bias)", "design.risk_of_bias"),
    ("study_quality", "Study quality (blinding)", "design.blinding"),
    ("baseline_immunity", "Baseline immunity", "population.immune_status"),
    ("therapy_role", "Therapy role", "intervention.role"),
    ("dosing", "Dosing regimen", "intervention.frequency"),
    ("endpoint_timing", "Endpoint timing", "primary_endpoint.timing"),
    ("population_heterogeneity", "Population selection", "population.selected_by_biomarker"),
)
LOWER_QUALITY = frozenset({"high", "some_concerns"})


@dataclass(frozen=True)
class FactorSplit:
    factor: str
    title: str
    field: str
    levels: tuple[tuple[str, int], ...]  # level, studies
    partition: tuple[tuple[str, ...], ...]  # study ids per level, canonical order
    q_between: float
    p_value: float
    alpha: float

    @property
    def min_level_k(self) -> int:
        return min(k for _, k in self.levels)


@dataclass(frozen=True)
class QualitySplit:
    higher_text: str
    lower_text: str
    higher_excludes_null: bool
    lower_excludes_null: bool
    higher_k: int
    lower_k: int


@dataclass(frozen=True)
class Influential:
    study: str
    text: str


@dataclass(frozen=True)
class Standout:
    """The study whose omission moves the pooled estimate most, joined to what sets it apart:
    a level of a candidate factor no other study shares, and its own diagnosis's major
    findings."""

    study: str
    weight: float  # percent of the pooled weight
    text: str  # the pooled estimate without it
    alone_in: tuple[str, ...]  # e.g. ('"Blinding: open label"',)
    flagged: tuple[str, ...]  # titles of the major findings of its own diagnosis


@dataclass(frozen=True)
class BodyFacts:
    k: int
    i2: float
    q_p: float
    heterogeneous: bool
    pooled_excludes_null: bool
    pi_includes_null: bool
    significant_studies: int
    pooled_text: str
    splits: tuple[FactorSplit, ...]
    quality: QualitySplit | None
    influential: tuple[Influential, ...]
    egger_p: float | None
    standout: Standout | None = None


def _excludes_null(low: float, high: float) -> bool:
    return low > 0 or high < 0


def _text(estimate: float, low: float, high: float, ratio: bool) -> str:
    f = math.exp if ratio else (lambda v: v)
    return f"{f(estimate):.2f} ({f(low):.2f} to {f(high):.2f})"


Levels = dict[str, list[Any]]  # candidate field -> each entry's value (None: unknown)


def _levels(entries: Sequence[StudyEntry]) -> Levels:
    """Each candidate field's value for every entry, read once per body."""
    fields = dict.fromkeys(field for _, _, field in CANDIDATES)
    return {
        field: [moderator_value(e, field) if e.study is not None else None for e in entries]
        for field in fields
    }


def _splits(entries: Sequence[StudyEntry], method: Method, known: Levels) -> list[FactorSplit]:
    raw = []
    for factor, title, field in CANDIDATES:
        keep, levels = [], []
        for i, value in enumerate(known[field]):
            if value is None:
                continue
            keep.append(i)
            levels.append(str(value).lower() if isinstance(value, bool) else str(value))
        if len(set(levels)) >= 2:
            raw.append((factor, title, field, keep, levels))
    alpha = ALPHA / max(1, len(raw))
    splits = []
    for factor, title, field, keep, levels in raw:
        try:
            analysis = subgroup_analysis(
                [entries[i].effect.yi for i in keep],
                [entries[i].effect.vi for i in keep],
                levels,
                method,
            )
        except ModelError:
            continue
        partition = tuple(
            sorted(tuple(sorted(entries[keep[i]].id for i in g.indices)) for g in analysis.groups)
        )
        splits.append(
            FactorSplit(
                factor=factor,
                title=title,
                field=field,
                levels=tuple((g.level, len(g.indices)) for g in analysis.groups),
                partition=partition,
                q_between=analysis.q_between,
                p_value=analysis.q_between_p,
                alpha=alpha,
            )
        )
    return splits


def _quality(
    entries: Sequence[StudyEntry], method: Method, ratio: bool, known: Levels
) -> QualitySplit | None:
    lower, higher = [], []
    for entry, level in zip(entries, known["design.risk_of_bias"], strict=True):
        if level == "low":
            higher.append(entry)
        elif level in LOWER_QUALITY:
            lower.append(entry)
    if not lower or not higher:
        return None
    from thymoscope.synthesis.models import pool

    def pooled(group: list[StudyEntry]) -> tuple[str, bool]:
        fit = pool([e.effect.yi for e in group], [e.effect.vi for e in group], method)
        return (
            _text(fit.estimate, fit.ci.low, fit.ci.high, ratio),
            _excludes_null(fit.ci.low, fit.ci.high),
        )

    h_text, h_ex = pooled(higher)
    l_text, l_ex = pooled(lower)
    return QualitySplit(h_text, l_text, h_ex, l_ex, len(higher), len(lower))


def _alone_in(known: Levels, index: int) -> tuple[str, ...]:
    """Candidate-factor levels that entry ``index`` alone holds among the studies whose
    level is known (at least three of them, so that "the only one" means something)."""
    from thymoscope.kb.labels import fact_sentence

    phrases = []
    for field, values in known.items():
        mine = values[index]
        levels = [v for v in values if v is not None]
        if mine is None or len(levels) < 3:
            continue
        if levels.count(mine) == 1:
            phrases.append(f'"{fact_sentence(field, mine)}"')
    return tuple(dict.fromkeys(phrases))


def _major_findings(entry: StudyEntry) -> tuple[str, ...]:
    """Titles of the major findings of the study's own diagnosis (the single-study rules)."""
    if entry.study is None:
        return ()
    from thymoscope.api import diagnose

    diagnosis = diagnose(entry.study, entry.source)
    return tuple(f.title for f in diagnosis.findings if f.severity == "major")


def _standout(analysis: OutcomeAnalysis, ratio: bool, known: Levels) -> Standout | None:
    pooled, entries = analysis.pooled, analysis.entries
    if pooled is None or len(entries) < 3 or not analysis.leave_one_out:
        return None
    top = max(
        analysis.leave_one_out,
        key=lambda item: (abs(item.estimate - pooled.estimate), -item.omitted),
    )
    entry = entries[top.omitted]
    alone = _alone_in(known, top.omitted)
    if not alone:
        return None  # its own diagnosis is read only for a study that stands apart
    return Standout(
        study=entry.id,
        weight=pooled.weights[top.omitted],
        text=_text(top.estimate, top.ci.low, top.ci.high, ratio),
        alone_in=alone,
        flagged=_major_findings(entry),
    )


def body_facts(analysis: OutcomeAnalysis, method: Method, ratio: bool) -> BodyFacts | None:
    """The facts the body rules reason over, or None when nothing was pooled."""
    pooled = analysis.pooled
    if pooled is None:
        return None
    het = pooled.heterogeneity
    entries = analysis.entries
    significant = sum(
        1
        for e in entries
        if _excludes_null(e.effect.yi - Z95 * e.effect.se, e.effect.yi + Z95 * e.effect.se)
    )
    pooled_ex = _excludes_null(pooled.ci.low, pooled.ci.high)
    influential = tuple(
        Influential(
            entries[item.omitted].id,
            _text(item.estimate, item.ci.low, item.ci.high, ratio),
        )
        for item in analysis.leave_one_out
        if _excludes_null(item.ci.low, item.ci.high) != pooled_ex
    )
    known = _levels(entries)
    splits = _splits(entries, method, known)
    return BodyFacts(
        k=len(entries),
        i2=het.i2,
        q_p=het.p_value,
        heterogeneous=het.p_value < HETEROGENEITY_P or het.i2 >= HETEROGENEITY_I2,
        pooled_excludes_null=pooled_ex,
        pi_includes_null=pooled.prediction is not None
        and not _excludes_null(pooled.prediction.low, pooled.prediction.high),
        significant_studies=significant,
        pooled_text=_text(pooled.estimate, pooled.ci.low, pooled.ci.high, ratio),
        splits=tuple(splits),
        quality=_quality(entries, method, ratio, known),
        influential=influential,
        egger_p=analysis.egger.p_value if analysis.egger else None,
        standout=_standout(analysis, ratio, known),
    )
