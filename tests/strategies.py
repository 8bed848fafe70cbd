"""Hypothesis strategies that generate *valid* studies (schema_version 1 and 2).

Every generated study passes :class:`thymoscope.study.model.Study` validation,
cross-field rules included: ordered confidence intervals, positive ratios,
``months_after_therapy`` with ``after_therapy`` timing, ``combined_with`` empty for
monotherapy and non-empty for adjuvant, hepatitis-only fields only for chronic
hepatitis B, sepsis-only fields only for sepsis, ``cancer_type`` only for cancer and
``trials`` only for meta-analyses.  The fields and values of schema_version 2
(``ci_level``, ``se``, p-value-only effects, ``result.arms``, ``covariates``, ...) are
drawn for half the studies (written as version 2); the other half keep to version 1
and are written as version 1 or 2 at random.

Use ``study_dicts()`` for plain mappings (what a YAML file holds) and ``studies()``
for validated models::

    from tests.strategies import studies

    @given(studies())
    def test_something(study): ...

Numbers are drawn near the knowledge base's thresholds (0.8/1.6 mg, 12 months,
100/200 patients, p = 0.05, the null of each effect measure) as often as at random,
so rules switch on and off across examples.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from thymoscope.study import vocabulary as v
from thymoscope.study.model import Study

__all__ = [
    "arms",
    "covariates",
    "effects",
    "slugs",
    "studies",
    "study_dicts",
    "study_texts",
    "subgroups",
]

RATIO_MEASURES = tuple(m.value for m in v.RATIO_MEASURES)
# Study-quality wordings the model understands (it normalises them to lower_quality or
# higher_quality); anything else is refused, so none is drawn here.
QUALITY_LEVELS = (
    "low",
    "lower",
    "high",
    "higher",
    "Lower_Quality",
    " high ",
    "higher_quality",
    "lower-quality",
    "High risk of bias",
    "low risk",
)


def _values(enum: type[v.StrEnum], v1: bool = False) -> st.SearchStrategy[str]:
    """A value of ``enum`` (with ``v1``, only the values schema_version 1 knows)."""
    added = v.ADDED_IN_V2.get(enum, frozenset()) if v1 else frozenset()
    return st.sampled_from([member.value for member in enum if member not in added])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or None (unknown)."""
    return st.one_of(st.none(), strategy)


def _list_of(
    enum: type[v.StrEnum], max_size: int = 4, v1: bool = False
) -> st.SearchStrategy[list[str]]:
    return st.lists(_values(enum, v1), max_size=max_size, unique=True)


def _number(
    low: float, high: float, interesting: tuple[float, ...] = ()
) -> st.SearchStrategy[float]:
    """A finite float in [low, high], often one of the interesting values or a round one."""
    drawn = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    options = [drawn.map(lambda x: round(x, 3)).filter(lambda x: low <= x <= high and x != 0)]
    if interesting:
        options.append(st.sampled_from([x for x in interesting if low <= x <= high]))
    return st.one_of(*options)


slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,30}", fullmatch=True)
short_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")
counts = st.one_of(
    st.integers(min_value=1, max_value=5000), st.sampled_from([1, 99, 100, 199, 200])
)


@st.composite
def effects(draw: st.DrawFn, v1: bool = False) -> dict[str, Any]:
    """An effect estimate: ratio measures positive, ``ci_low <= estimate <= ci_high``.

    Sometimes a claim reported with a p-value only (``measure`` and ``p_value``), an
    interval of another level than 95%, or a standard error (schema_version 2; not
    with ``v1``).
    """
    measure = draw(_values(v.EffectMeasure))
    if not v1 and draw(st.integers(0, 9)) == 0:
        return {"measure": measure, "p_value": draw(_number(0.0, 1.0, (0.01, 0.04, 0.2)))}
    if measure in RATIO_MEASURES:
        number = _number(0.01, 20.0, (0.24, 0.41, 0.65, 0.68, 0.82, 1.0, 1.03, 4.3))
    else:
        number = _number(-50.0, 50.0, (-1.0, 0.0, 0.5, 1.0))
    estimate = draw(number)
    effect: dict[str, Any] = {"measure": measure, "estimate": estimate}
    if draw(st.booleans()):
        low, high = sorted([estimate, draw(number), draw(number)])[::2]
        effect["ci_low"], effect["ci_high"] = low, high
        levels = [95.0] if v1 else [95.0, 90.0, 99.0, 80.0, 50.5, 99.9]
        level = draw(_maybe(st.sampled_from(levels)))
        if level is not None:
            effect["ci_level"] = level
    se = draw(_maybe(_number(0.001, 5.0, (0.1, 0.25, 1.0))))
    if se is not None and not v1:
        effect["se"] = se
    p_value = draw(_maybe(_number(0.0, 1.0, (0.0, 0.0007, 0.049, 0.05, 0.09, 1.0))))
    if p_value is not None:
        effect["p_value"] = p_value
    return effect


@st.composite
def subgroups(draw: st.DrawFn, v1: bool = False) -> dict[str, Any]:
    """One subgroup analysis or meta-analysis stratum."""
    by = draw(_maybe(_values(v.SubgroupBy)))
    level = draw(
        _maybe(
            st.sampled_from(QUALITY_LEVELS)
            if by == "study_quality"
            else st.sampled_from(
                ["cancer", "diabetes", "advanced", "suppressed", "older", "1.6 mg"]
            )
        )
    )
    sub: dict[str, Any] = {"name": draw(short_text), "by": by, "level": level}
    for key, strategy in (
        ("comparison", st.nothing() if v1 else _values(v.SubgroupComparison)),
        ("trials", counts),
        ("sample_size", counts),
        ("prespecified", st.booleans()),
        ("effect", effects(v1)),
        ("interaction_p", _number(0.0, 1.0, (0.0, 0.01, 0.05, 0.3, 1.0))),
        ("credibility", _values(v.Credibility)),
    ):
        value = draw(_maybe(strategy))
        if value is not None:
            sub[key] = value
    return sub


@st.composite
def arms(draw: st.DrawFn) -> dict[str, Any]:
    """Outcome per arm: events of n in both arms, or mean, sd and n in both."""
    dichotomous = draw(st.booleans())

    def arm() -> dict[str, Any]:
        n = draw(st.one_of(st.integers(1, 3000), st.sampled_from([1, 2, 50])))
        if dichotomous:
            return {"events": draw(st.integers(0, n)), "n": n}
        mean = draw(_number(-100.0, 100.0, (0.0, 1.0)))
        return {"mean": mean, "sd": draw(_number(0.01, 50.0, (1.0,))), "n": n}

    return {"treatment": arm(), "control": arm()}


covariates = st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
    st.one_of(
        st.integers(-1000, 1000),
        _number(-1000.0, 1000.0),
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
            min_size=1,
            max_size=30,
        ).filter(lambda s: s.strip() != ""),
    ),
    max_size=6,
)


def _drop_unknown(section: dict[str, Any]) -> dict[str, Any]:
    """Leave unknown (None) fields out half the time, as a user would."""
    return {key: value for key, value in section.items() if value is not None}


@st.composite
def study_dicts(draw: st.DrawFn, indication: str | None = None) -> dict[str, Any]:
    """A plain mapping that validates as a :class:`Study`."""
    indication = indication or draw(_values(v.Indication))
    v1 = draw(st.booleans())  # keep to what schema_version 1 knows

    def new(strategy: st.SearchStrategy[Any]) -> Any:
        """A field added in schema_version 2: unknown in a version 1 study."""
        return None if v1 else draw(_maybe(strategy))

    design_type = draw(_maybe(_values(v.DesignType)))
    design = {
        "type": design_type,
        "blinding": draw(_maybe(_values(v.Blinding))),
        "comparator": draw(_maybe(_values(v.Comparator, v1))),
        "allocation_concealment": draw(_maybe(st.booleans())),
        "sample_size": draw(_maybe(counts)),
        "centres": draw(_maybe(st.one_of(st.just(1), st.integers(1, 200)))),
        "trials": draw(_maybe(st.integers(1, 60))) if design_type == "meta_analysis" else None,
        "risk_of_bias": draw(_maybe(_values(v.RiskLevel))),
        "subgroups_tested": new(st.integers(1, 40)),
        "risk_of_bias_domains": draw(
            _maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        name: _values(v.RiskLevel)
                        for name in (
                            "randomization",
                            "deviations",
                            "missing_data",
                            "measurement",
                            "reporting",
                        )
                    },
                )
            )
        ),
    }
    chb = indication == "chronic_hepatitis_b"
    population = {
        "immune_status": draw(_maybe(_values(v.ImmuneStatus))),
        "suppression": draw(_maybe(_list_of(v.Suppression))),
        "selected_by_biomarker": draw(_maybe(st.booleans())),
        "median_age": draw(_maybe(_number(0.5, 129.0, (45.0, 65.0)))),
        "comorbidities": draw(
            _maybe(
                st.lists(
                    st.sampled_from(["cancer", "diabetes", "cirrhosis", "copd"]),
                    max_size=3,
                    unique=True,
                )
            )
        ),
        "liver_fibrosis": draw(_maybe(_values(v.Fibrosis))) if chb else None,
        "hbeag": draw(_maybe(_values(v.HBeAg))) if chb else None,
        "alt_elevated": new(st.booleans()) if chb else None,
        "hbv_dna_detectable": new(st.booleans()) if chb else None,
        "sepsis_definition": new(_values(v.SepsisDefinition)) if indication == "sepsis" else None,
        "exclusions": new(_list_of(v.Exclusion, max_size=3)) if indication == "sepsis" else None,
    }
    role = draw(_maybe(_values(v.Role)))
    if role == "monotherapy":
        combined = draw(st.sampled_from([None, []]))
    elif role == "adjuvant":
        combined = draw(_list_of(v.CombinedWith, v1=v1).filter(bool))
    else:
        combined = draw(_maybe(_list_of(v.CombinedWith, v1=v1)))
    intervention = {
        "role": role,
        "combined_with": combined,
        "dose": draw(_maybe(_number(0.01, 10.0, (0.4, 0.8, 1.0, 1.2, 1.6, 3.2)))),
        "dose_unit": draw(_maybe(_values(v.DoseUnit))),
        "route": draw(_maybe(_values(v.Route))),
        "frequency": draw(_maybe(_values(v.Frequency))),
        "duration_weeks": draw(_maybe(_number(0.1, 104.0, (1.0, 5 / 7, 24.0, 26.0, 52.0)))),
        "product": new(_values(v.Product)),
        "sequence": new(_values(v.TherapySequence)),
    }
    timing = draw(_maybe(_values(v.EndpointTiming, v1)))
    months = _number(0.0, 60.0, (0.0, 6.0, 11.9, 12.0, 24.0))
    endpoint = {
        "name": draw(_maybe(short_text)),
        "kind": draw(_maybe(_values(v.EndpointKind))),
        "timing": timing,
        "months_after_therapy": draw(months if timing == "after_therapy" else _maybe(months)),
        "counted_event": new(_values(v.CountedEvent)),
        "definition_reported": new(st.booleans()),
    }
    result = {
        "primary": draw(_maybe(_values(v.PrimaryResult))),
        "effect": draw(_maybe(effects(v1))),
        "immune_markers_improved": draw(_maybe(st.booleans())),
        "arms": new(arms()),
    }
    data: dict[str, Any] = {
        "schema_version": 2,
        "id": draw(slugs),
        "title": draw(short_text),
        "indication": indication,
        "citation": draw(_maybe(short_text)),
        "cancer_type": draw(_maybe(st.sampled_from(["nsclc", "colorectal", "melanoma"])))
        if indication == "cancer"
        else None,
        "design": _drop_unknown(design),
        "population": _drop_unknown(population),
        "intervention": _drop_unknown(intervention),
        "primary_endpoint": _drop_unknown(endpoint),
        "follow_up_months_after_therapy": draw(_maybe(months)),
        "secondary_endpoints": draw(_maybe(_list_of(v.SecondaryEndpoint, max_size=5, v1=v1))),
        "result": _drop_unknown(result),
        "subgroups": draw(st.lists(subgroups(v1), max_size=4)),
        "immune_monitoring": new(_values(v.ImmuneMonitoring)),
        "covariates": new(covariates),
    }
    if v1:
        data["schema_version"] = draw(st.sampled_from([1, 2]))
    return _drop_unknown(data)


def studies(indication: str | None = None) -> st.SearchStrategy[Study]:
    """Validated :class:`Study` models."""
    return study_dicts(indication).map(Study.model_validate)


def study_texts(indication: str | None = None) -> st.SearchStrategy[str]:
    """Valid studies as YAML text (what a study file holds)."""
    import yaml

    return study_dicts(indication).map(
        lambda data: yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
