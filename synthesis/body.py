"""A body of studies read together: which results can be pooled, and their analysis.

``read_body`` turns loaded study files into effect sizes grouped by outcome (indication,
endpoint kind, measure) and lists every study that cannot be pooled with its reason;
``analyse`` runs the statistics on each outcome.  ``thymoscope review`` is a thin
command over these two functions and :func:`thymoscope.synthesis.document.review_document`.

Where a study's primary result comes from, in this order:

1. ``result.arms`` with per-arm counts (odds ratio, risk ratio, risk difference) or
   means (mean difference), when the measure can be computed from them;
2. ``result.effect`` with ``estimate`` and ``ci_low``/``ci_high`` (``ci_level``, 95 when
   not given);
3. ``result.effect`` with ``estimate`` and ``se`` (analysis scale: log for ratios).

A meta-analysis is never pooled with trials (it may contain them); its strata of one
``by`` (for example ``study_quality``) are read as a body of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from thymoscope.errors import ThymoscopeError
from thymoscope.synthesis.effects import (
    EffectSize,
    EffectSizeError,
    Measure,
    from_counts,
    from_estimate_ci,
    from_estimate_se,
    from_means,
    is_ratio,
)
from thymoscope.synthesis.influence import (
    LEAVE_ONE_OUT_MIN_STUDIES,
    EggerTest,
    LeaveOneOut,
    egger_test,
    leave_one_out,
)
from thymoscope.synthesis.models import (
    MetaRegression,
    Method,
    ModelError,
    Pooled,
    meta_regression,
    pool,
)
from thymoscope.synthesis.subgroups import SubgroupAnalysis, subgroup_analysis

if TYPE_CHECKING:
    from thymoscope.study.model import Study

UNFAVOURABLE_KINDS = frozenset({"mortality", "complications"})
FAVOURABLE_KINDS = frozenset({"virological_response", "tumour_response"})


class BodyError(ThymoscopeError, ValueError):
    """A review option that cannot apply to these studies (message is one line)."""


@dataclass(frozen=True)
class OutcomeKey:
    indication: str
    endpoint: str
    measure: str

    @property
    def label(self) -> str:
        return (
            f"{self.indication.replace('_', ' ')} · {self.endpoint.replace('_', ' ')} · "
            f"{self.measure.replace('_', ' ')}"
        )


@dataclass(frozen=True)
class StudyEntry:
    """One pooled row: a study (or a meta-analysis stratum) and its effect."""

    id: str
    label: str
    source: str
    outcome: OutcomeKey
    effect: EffectSize
    sample_size: int | None
    counted_event: str | None
    study: Study | None
    stratum_level: str | None = None
    reported: tuple[float, float, float] | None = None  # estimate, CI low, CI high as given
    title: str = ""


@dataclass(frozen=True)
class Excluded:
    id: str
    source: str
    reason: str


@dataclass(frozen=True)
class ModeratorNote:
    id: str
    reason: str


@dataclass(frozen=True)
class OutcomeAnalysis:
    """The statistics of one outcome's studies."""

    key: OutcomeKey
    entries: tuple[StudyEntry, ...]
    pooled: Pooled | None
    fixed: Pooled | None
    leave_one_out: tuple[LeaveOneOut, ...]
    egger: EggerTest | None
    subgroups: SubgroupAnalysis | None
    regression: MetaRegression | None
    moderator_notes: tuple[ModeratorNote, ...]
    notes: tuple[str, ...]
    favours: tuple[str, str]


@dataclass(frozen=True)
class Body:
    title: str
    entries: tuple[StudyEntry, ...]
    excluded: tuple[Excluded, ...]


@dataclass(frozen=True)
class ReviewOptions:
    method: Method = "reml"
    hksj: bool = False
    by: str | None = None
    regress: str | None = None
    level: float = 95.0
    leave_one_out: bool = True


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return value


def counted_event(study: Study) -> str | None:
    """'unfavourable' / 'favourable' from the study file, or inferred for unambiguous kinds."""
    declared = getattr(study.primary_endpoint, "counted_event", None)
    if declared is not None:
        return str(_plain(declared))
    kind = _plain(study.primary_endpoint.kind)
    if kind in UNFAVOURABLE_KINDS:
        return "unfavourable"
    if kind in FAVOURABLE_KINDS:
        return "favourable"
    return None


def _arm(arms: Any, name: str) -> Mapping[str, Any] | None:
    arm = getattr(arms, name, None) if not isinstance(arms, Mapping) else arms.get(name)
    if arm is None:
        return None
    if isinstance(arm, Mapping):
        return arm
    dump = getattr(arm, "model_dump", None)
    return dict(dump()) if callable(dump) else None


def _from_arms(measure: str | None, arms: Any) -> EffectSize | None:
    treatment, control = _arm(arms, "treatment"), _arm(arms, "control")
    if treatment is None or control is None:
        return None
    if treatment.get("events") is not None and control.get("events") is not None:
        chosen = measure or "odds_ratio"
        if chosen not in ("odds_ratio", "risk_ratio", "risk_difference"):
            return None
        return from_counts(
            _measure(chosen),
            int(treatment["events"]),
            int(treatment["n"]),
            int(control["events"]),
            int(control["n"]),
        )
    if treatment.get("mean") is not None and control.get("mean") is not None:
        if measure not in (None, "mean_difference"):
            return None
        return from_means(
            float(treatment["mean"]),
            float(treatment["sd"]),
            int(treatment["n"]),
            float(control["mean"]),
            float(control["sd"]),
            int(control["n"]),
        )
    return None


def _measure(value: str) -> Measure:
    for known in ("odds_ratio", "risk_ratio", "hazard_ratio", "risk_difference", "mean_difference"):
        if value == known:
            return known
    raise EffectSizeError(f"unknown effect measure {value!r}")


def effect_of(effect: Any, arms: Any = None) -> EffectSize:
    """The effect size of a result (``result.effect`` and optional ``result.arms``)."""
    measure = str(_plain(effect.measure)) if effect is not None else None
    if arms is not None:
        computed = _from_arms(measure, arms)
        if computed is not None:
            return computed
    if effect is None:
        raise EffectSizeError("no primary result: give result.effect or result.arms")
    estimate = getattr(effect, "estimate", None)
    if estimate is None:
        raise EffectSizeError("result.effect has no estimate")
    assert measure is not None
    if effect.ci_low is not None and effect.ci_high is not None:
        level = getattr(effect, "ci_level", None) or 95.0
        return from_estimate_ci(_measure(measure), estimate, effect.ci_low, effect.ci_high, level)
    se = getattr(effect, "se", None)
    if se is not None:
        return from_estimate_se(_measure(measure), estimate, se)
    raise EffectSizeError("result.effect has neither a confidence interval nor a standard error")


def _reported(effect: Any, computed: EffectSize) -> tuple[float, float, float] | None:
    """The estimate and CI as the study reported them, when the effect came from them."""
    if computed.source != "ci" or effect is None:
        return None
    return float(effect.estimate), float(effect.ci_low), float(effect.ci_high)


def _outcome(study: Study, measure: str) -> OutcomeKey:
    kind = _plain(study.primary_endpoint.kind)
    return OutcomeKey(str(_plain(study.indication)), str(kind or "unknown endpoint"), measure)


def read_body(studies: Sequence[tuple[Study, str]], title: str = "") -> Body:
    """The poolable entries and the excluded studies, each with its reason."""
    entries: list[StudyEntry] = []
    excluded: list[Excluded] = []
    meta = [(s, src) for s, src in studies if _plain(s.design.type) == "meta_analysis"]
    trials = [(s, src) for s, src in studies if _plain(s.design.type) != "meta_analysis"]
    seen: set[str] = set()
    for study, source in trials:
        if study.id in seen:
            excluded.append(Excluded(study.id, source, "the same study id was given twice"))
            continue
        seen.add(study.id)
        try:
            effect = effect_of(study.result.effect, getattr(study.result, "arms", None))
        except EffectSizeError as exc:
            excluded.append(Excluded(study.id, source, str(exc)))
            continue
        entries.append(
            StudyEntry(
                id=study.id,
                label=study.id,  # short, as forest plots name studies; the title is in the file
                source=source,
                outcome=_outcome(study, effect.measure),
                effect=effect,
                sample_size=study.design.sample_size,
                counted_event=counted_event(study),
                study=study,
                reported=_reported(study.result.effect, effect),
                title=study.title,
            )
        )
    for study, source in meta:
        if trials:
            excluded.append(
                Excluded(
                    study.id,
                    source,
                    "a meta-analysis is never pooled with trials it may contain "
                    "(review it alone to read its strata as a body)",
                )
            )
            continue
        entries.extend(_strata(study, source, excluded))
    if not title:
        if len(meta) == 1 and not trials:
            title = f"Strata of {meta[0][0].id}"
        else:
            title = f"{len(studies)} study files"
    return Body(title, tuple(entries), tuple(excluded))


def _strata(study: Study, source: str, excluded: list[Excluded]) -> list[StudyEntry]:
    """A meta-analysis's strata as rows; only the first ``by`` with two strata or more."""
    by_groups: dict[str, list[Any]] = {}
    for sub in study.subgroups:
        by_groups.setdefault(str(_plain(sub.by) or "unspecified"), []).append(sub)
    rows: list[StudyEntry] = []
    chosen: str | None = None
    for by, subs in by_groups.items():
        usable = []
        for sub in subs:
            if sub.effect is None:
                excluded.append(
                    Excluded(f"{study.id}/{sub.name}", source, "the stratum reports no effect")
                )
                continue
            try:
                usable.append((sub, effect_of(sub.effect, None)))
            except EffectSizeError as exc:
                excluded.append(Excluded(f"{study.id}/{sub.name}", source, str(exc)))
        if chosen is None and len(usable) >= 2:
            chosen = by
            for sub, effect in usable:
                rows.append(
                    StudyEntry(
                        id=f"{study.id}/{sub.name}",
                        label=sub.name,
                        source=source,
                        outcome=_outcome(study, effect.measure),
                        effect=effect,
                        sample_size=sub.sample_size,
                        counted_event=counted_event(study),
                        study=None,
                        stratum_level=f"{by}: {sub.level or sub.name}",
                        reported=_reported(sub.effect, effect),
                        title=f"{study.title}: {sub.name}",
                    )
                )
        else:
            for sub, _ in usable:
                excluded.append(
                    Excluded(
                        f"{study.id}/{sub.name}",
                        source,
                        f"stratum by {by}: overlaps the strata by {chosen}"
                        if chosen
                        else f"the only stratum by {by}",
                    )
                )
    if not rows:
        excluded.append(
            Excluded(study.id, source, "a meta-analysis without two strata with an effect")
        )
    return rows


def moderator_value(entry: StudyEntry, path: str) -> Any:
    """The value of ``path`` (a dotted study field or ``covariates.NAME``) for an entry."""
    if entry.study is None:
        if entry.stratum_level is not None:
            return entry.stratum_level.split(": ", 1)[1]
        return None
    if path.startswith("covariates."):
        covariates = getattr(entry.study, "covariates", None) or {}
        return covariates.get(path.split(".", 1)[1])
    try:
        value = entry.study.value_at(path)
    except (KeyError, ValueError, IndexError):
        raise BodyError(f"{path}: no such study field (use covariates.NAME for others)") from None
    value = _plain(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_plain(v)) for v in value) if value else "none"
    return value


def favours_labels(entries: Sequence[StudyEntry]) -> tuple[str, str]:
    """Labels for the low and high side of the axis."""
    events = {e.counted_event for e in entries}
    if events == {"unfavourable"}:
        return "favours thymalfasin", "favours control"
    if events == {"favourable"}:
        return "favours control", "favours thymalfasin"
    return "lower with thymalfasin", "higher with thymalfasin"


def _subgroups(
    entries: Sequence[StudyEntry], options: ReviewOptions, notes: list[ModeratorNote]
) -> tuple[SubgroupAnalysis | None, list[str]]:
    assert options.by is not None
    keep, levels = [], []
    for entry in entries:
        value = moderator_value(entry, options.by)
        if value is None:
            notes.append(ModeratorNote(entry.id, f"{options.by} unknown"))
            continue
        keep.append(entry)
        levels.append(str(value).lower() if isinstance(value, bool) else str(value))
    if len(set(levels)) < 2:
        return None, [f"subgroups by {options.by}: fewer than two known levels"]
    try:
        result = subgroup_analysis(
            [e.effect.yi for e in keep],
            [e.effect.vi for e in keep],
            levels,
            options.method,
            options.hksj,
            options.level,
        )
    except ModelError as exc:
        return None, [f"subgroups by {options.by}: {exc}"]
    return result, []


def _regression(
    entries: Sequence[StudyEntry], options: ReviewOptions, notes: list[ModeratorNote]
) -> tuple[MetaRegression | None, list[str]]:
    assert options.regress is not None
    keep, xs = [], []
    for entry in entries:
        value = moderator_value(entry, options.regress)
        if value is None:
            notes.append(ModeratorNote(entry.id, f"{options.regress} unknown"))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            notes.append(
                ModeratorNote(entry.id, f"{options.regress} = {value!r} is not a number (use --by)")
            )
            continue
        keep.append(entry)
        xs.append(float(value))
    if len(keep) < 3 or len(set(xs)) < 2:
        return None, [
            f"meta-regression on {options.regress}: needs 3 studies and 2 distinct values"
        ]
    try:
        model = meta_regression(
            [e.effect.yi for e in keep],
            [e.effect.vi for e in keep],
            [(1.0, x) for x in xs],
            ("intercept", options.regress),
            options.method,
            options.hksj,
            options.level,
        )
    except ModelError as exc:
        return None, [f"meta-regression on {options.regress}: {exc}"]
    return model, []


def analyse_outcome(
    key: OutcomeKey, entries: Sequence[StudyEntry], options: ReviewOptions
) -> OutcomeAnalysis:
    """Pool one outcome's entries; every analysis that cannot run says why in ``notes``."""
    yi = [e.effect.yi for e in entries]
    vi = [e.effect.vi for e in entries]
    notes: list[str] = []
    moderator_notes: list[ModeratorNote] = []
    pooled = fixed = None
    loo: tuple[LeaveOneOut, ...] = ()
    egger = None
    subgroups = None
    regression = None
    if len(entries) < 2:
        notes.append("a single study: nothing to pool")
    else:
        hksj = options.hksj and options.method != "fe"
        pooled = pool(yi, vi, options.method, hksj, options.level)
        fixed = pool(yi, vi, "fe", False, options.level) if options.method != "fe" else None
        if options.leave_one_out and len(entries) >= LEAVE_ONE_OUT_MIN_STUDIES:
            # as metafor leave1out(): each refit starts again from the Hedges estimate
            loo = leave_one_out(yi, vi, options.method, hksj, options.level)
        elif options.leave_one_out:
            notes.append(f"leave-one-out needs {LEAVE_ONE_OUT_MIN_STUDIES} studies or more")
        egger = egger_test(yi, vi, options.method, hksj, options.level)
        if egger is None:
            notes.append("Egger's test not run: fewer than 10 studies")
        if options.by:
            subgroups, more = _subgroups(entries, options, moderator_notes)
            notes += more
        if options.regress:
            regression, more = _regression(entries, options, moderator_notes)
            notes += more
    return OutcomeAnalysis(
        key=key,
        entries=tuple(entries),
        pooled=pooled,
        fixed=fixed,
        leave_one_out=loo,
        egger=egger,
        subgroups=subgroups,
        regression=regression,
        moderator_notes=tuple(moderator_notes),
        notes=tuple(notes),
        favours=favours_labels(entries),
    )


def analyse(body: Body, options: ReviewOptions) -> tuple[OutcomeAnalysis, ...]:
    """Each outcome's analysis, largest body of studies first."""
    groups: dict[OutcomeKey, list[StudyEntry]] = {}
    for entry in body.entries:
        groups.setdefault(entry.outcome, []).append(entry)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0].label))
    return tuple(analyse_outcome(key, entries, options) for key, entries in ordered)


def is_ratio_outcome(key: OutcomeKey) -> bool:
    return is_ratio(key.measure)
