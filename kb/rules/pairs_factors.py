"""Pair rules: on which troubleshooting factors two studies differ (FAQ 1-4).

Each rule matches side ``a`` against side ``b`` (see :mod:`thymoscope.engine.pairs`) and
concludes one ``differs-in-*`` finding.  Besides the texts' values every conclusion
passes ``favours`` (the side more credible on this factor, or ``None``: neither, or it
cannot be told) and ``expected_larger`` (the side the difference is expected to give
the larger benefit, or ``None``).  Only study quality, the control arm and, in
hepatitis B, the reading time make a side more credible; an unreported safeguard never
counts as one in place.  The helpers are symmetric: swapping the studies swaps the
sides in every conclusion and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thymoscope.engine.experta_compat import AS, MATCH, TEST, Rule
from thymoscope.engine.pairs import DIFFERS, Difference, both_sides, compare_values, other
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Design, Intervention, Population, PrimaryEndpoint, Study
from thymoscope.kb.facts import Result as ResultFact
from thymoscope.kb.thresholds import (
    AGE_GAP_YEARS,
    ANTICANCER_PARTNERS,
    CHB_COMBINATION_PARTNERS,
    COMPARATOR_RANK,
    DELAYED_RESPONSE_ENDPOINTS,
    EXPOSURE_RATIO,
    IMMUNE_MARKERS,
    IMMUNE_RANK,
    PER_WEEK,
    REFERENCE_PROTOCOLS,
    SIZE_RATIO,
    TIMING_GAP_MONTHS,
)

ALL_IMMUNE_MARKERS = frozenset().union(*IMMUNE_MARKERS.values())


def _ids(engine: Any) -> dict[str, Any]:
    return {"a_id": engine.values["a.id"], "b_id": engine.values["b.id"]}


def _side_id(engine: Any, side: str | None) -> str | None:
    return None if side is None else str(engine.values[f"{side}.id"])


def verdict(engine: Any, favours: str | None, expected_larger: str | None) -> dict[str, Any]:
    """The values every pair conclusion carries, by side and by study id."""
    return {
        **_ids(engine),
        "favours": favours,
        "favoured_id": _side_id(engine, favours),
        "other_id": _side_id(engine, None if favours is None else other(favours)),
        "expected_larger": expected_larger,
        "larger_id": _side_id(engine, expected_larger),
    }


# --- therapy role ------------------------------------------------------------------


def partner_kind(partners: Any, indication: str | None) -> str:
    """What the add-on study combined thymalfasin with, as the texts distinguish it.

    ``anticancer`` only in cancer (both studies): the FAQ 4 reasoning holds there and
    nowhere else; antivirals (FAQ 3: under study), vaccines and standard care get their
    own wording; ``unknown`` when the partner is not reported.
    """
    if not partners:
        return "unknown"
    given = set(partners)
    if indication == "cancer" and given & ANTICANCER_PARTNERS:
        return "anticancer"
    if given & CHB_COMBINATION_PARTNERS:
        return "antiviral"
    if "vaccine" in given:
        return "vaccine"
    if "standard_of_care" in given:
        return "standard_of_care"
    return "other"


# --- dosing ------------------------------------------------------------------------

DOSING_FIELDS = ("dose", "dose_unit", "route", "frequency", "duration_weeks")


def dosing_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """The regimen fields known in both studies whose values differ."""
    return [f for f in DOSING_FIELDS if compare_values(a.get(f), b.get(f)) == DIFFERS]


def weekly_exposure_mg(intervention: Mapping[str, Any]) -> float | None:
    """Total flat dose over the course (mg), or None when it cannot be worked out."""
    dose, unit = intervention.get("dose"), intervention.get("dose_unit")
    per_week = PER_WEEK.get(intervention.get("frequency") or "")
    weeks = intervention.get("duration_weeks")
    if dose is None or unit != "mg" or per_week is None or weeks is None:
        return None
    return float(dose) * per_week * float(weeks)


def more_exposed(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str | None, float]:
    """The side given clearly more drug over the course, and how many times more."""
    ea, eb = weekly_exposure_mg(a), weekly_exposure_mg(b)
    if ea is None or eb is None or min(ea, eb) <= 0:
        return None, 1.0
    if ea >= EXPOSURE_RATIO * eb:
        return "a", ea / eb
    if eb >= EXPOSURE_RATIO * ea:
        return "b", eb / ea
    return None, 1.0


def reference_deviations(indication: str | None, intervention: Mapping[str, Any]) -> int | None:
    """How many of dose, route, frequency, duration differ from the FAQ protocol."""
    reference = REFERENCE_PROTOCOLS.get(indication or "")
    if reference is None:
        return None
    count = 0
    if intervention.get("dose_unit") != "mg" or intervention.get("dose") != reference.dose_mg:
        count += 1
    if intervention.get("route") != reference.route:
        count += 1
    if intervention.get("frequency") != reference.frequency:
        count += 1
    weeks = intervention.get("duration_weeks")
    low, high = reference.duration_weeks
    if weeks is None or not low <= weeks <= high:
        count += 1
    return count


# --- endpoint timing -----------------------------------------------------------------


def reading_month(endpoint: Mapping[str, Any]) -> float | None:
    """Months after the end of therapy at which the primary endpoint was read."""
    if endpoint.get("timing") == "end_of_therapy":
        return 0.0
    if endpoint.get("timing") == "after_therapy":
        months = endpoint.get("months_after_therapy")
        return None if months is None else float(months)
    return None


def later_reading(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    """The side whose primary endpoint was read clearly later, if either was."""
    ma, mb = reading_month(a), reading_month(b)
    if ma is None or mb is None or ma == mb:
        return None
    at_end = (ma == 0) != (mb == 0)  # one read at the end of therapy, one after it
    if at_end or abs(ma - mb) >= TIMING_GAP_MONTHS:
        return "a" if ma > mb else "b"
    return None


def delayed_response_expected(
    indication: str | None, a: Mapping[str, Any], b: Mapping[str, Any]
) -> bool:
    """Whether a later reading is expected to show more (FAQ 3: hepatitis B responses)."""
    kinds = DELAYED_RESPONSE_ENDPOINTS.get(indication or "", frozenset())
    return a.get("kind") in kinds and b.get("kind") in kinds


# --- study quality -------------------------------------------------------------------

# Design field -> (what it protects, rank of each value: higher is better protected).
# A missing value is unknown: it may be anything from the worst to the best rank.
SAFEGUARDS: dict[str, tuple[str, dict[Any, int]]] = {
    "type": (
        "randomisation",
        {
            "rct": 1,
            "meta_analysis": 1,
            "non_randomized_trial": 0,
            "single_arm": 0,
            "observational": 0,
        },
    ),
    "blinding": ("blinding", {"double": 2, "single": 1, "open": 0}),
    "allocation_concealment": ("allocation concealment", {True: 1, False: 0}),
    "risk_of_bias": ("overall risk of bias", {"low": 2, "some_concerns": 1, "high": 0}),
}
# What a known shortfall is called in the text.
SHORTFALLS = {
    ("type", 0): "not randomised",
    ("blinding", 1): "single-blind",
    ("blinding", 0): "open label",
    ("allocation_concealment", 0): "allocation not concealed",
    ("risk_of_bias", 1): "some concerns about bias",
    ("risk_of_bias", 0): "at high overall risk of bias",
}


def _bounds(field: str, value: Any) -> tuple[int, int] | None:
    """(lowest, highest) rank the value allows; None when the value has no rank."""
    ranks = SAFEGUARDS[field][1]
    if value is None:
        return min(ranks.values()), max(ranks.values())
    rank = ranks.get(value)
    return None if rank is None else (rank, rank)


def shortfalls(design: Mapping[str, Any]) -> list[str]:
    """The known shortfalls in protection against bias, in table order."""
    out = []
    for name, (_, ranks) in SAFEGUARDS.items():
        label = SHORTFALLS.get((name, ranks.get(design.get(name), -1)))
        if label:
            out.append(label)
    return out


def unreported(design: Mapping[str, Any], other_design: Mapping[str, Any]) -> list[str]:
    """Safeguards this study leaves unreported while the other reports them."""
    return [
        what
        for name, (what, _) in SAFEGUARDS.items()
        if design.get(name) is None and other_design.get(name) is not None
    ]


def safeguard_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Safeguard fields known on either side whose values differ (or are unknown on one)."""
    return [
        name
        for name in SAFEGUARDS
        if (a.get(name), b.get(name)) != (None, None) and a.get(name) != b.get(name)
    ]


def better_protected(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    """The side that is surely better protected against bias, or None.

    A side is surely better when on every safeguard its worst possible rank is at least
    the other's best possible rank (both unknown: no difference on record), and on
    one safeguard strictly above it. Unknown values therefore never count as safeguards
    in place: an RCT that reports no blinding is not better than an open one.
    """
    for side, x, y in (("a", a, b), ("b", b, a)):
        strictly = False
        surely = True
        for name in SAFEGUARDS:
            if x.get(name) is None and y.get(name) is None:
                continue
            bx, by = _bounds(name, x.get(name)), _bounds(name, y.get(name))
            if bx is None or by is None or bx[0] < by[1]:
                surely = False
                break
            strictly = strictly or bx[0] > by[1]
        if surely and strictly:
            return side
    return None


def larger(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    sa, sb = a.get("sample_size"), b.get("sample_size")
    if sa is None or sb is None:
        return None
    if sa >= SIZE_RATIO * sb:
        return "a"
    if sb >= SIZE_RATIO * sa:
        return "b"
    return None


def quality_differs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return bool(safeguard_differences(a, b)) or larger(a, b) is not None


def more_credible_design(
    a: Mapping[str, Any], b: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """``(side, basis)``: the side more credible and why (``bias`` or ``precision``).

    Precision decides only when the two are alike on every safeguard either reports.
    """
    side = better_protected(a, b)
    if side is not None:
        return side, "bias"
    if not safeguard_differences(a, b) and larger(a, b) is not None:
        return larger(a, b), "precision"
    return None, None


# --- comparator ----------------------------------------------------------------------


def comparator_contrast(va: str, vb: str, objective: bool) -> tuple[str, str | None, str | None]:
    """``(contrast, more credible side, side expected to show the larger effect)``.

    ``uncontrolled``: one study had no control group. ``placebo``: only one had a
    placebo; the other's open contrast tends to favour the treatment (less so for an
    objective outcome). ``active``: one compared with another treatment, which narrows
    the difference and answers another question. ``open``: neither had a placebo.
    """
    if "none" in (va, vb):
        return "uncontrolled", "b" if va == "none" else "a", None
    if "active" in (va, vb):
        return "active", None, "b" if va == "active" else "a"
    ra, rb = COMPARATOR_RANK[va], COMPARATOR_RANK[vb]
    if ra != rb:
        favours = "a" if ra > rb else "b"
        return "placebo", favours, None if objective else other(favours)
    return "open", None, None


# --- population selection ------------------------------------------------------------

SELECTION_FIELDS = ("selected_by_biomarker", "liver_fibrosis", "hbeag", "comorbidities")


def selection_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    differing = [f for f in SELECTION_FIELDS if compare_values(a.get(f), b.get(f)) == DIFFERS]
    age_a, age_b = a.get("median_age"), b.get("median_age")
    if age_a is not None and age_b is not None and abs(age_a - age_b) >= AGE_GAP_YEARS:
        differing.append("median_age")
    return differing


# --- biological endpoints ------------------------------------------------------------


def markers_measured(study: Mapping[str, Any]) -> bool | None:
    measured = study.get("secondary_endpoints")
    return None if measured is None else bool(ALL_IMMUNE_MARKERS.intersection(measured))


class PairFactorRules(RuleSet):
    @concludes(
        "differs-in-indication", reads=both_sides("indication"), needs=both_sides("indication")
    )
    @Rule(Difference(path="indication", status="differs", a=MATCH.va, b=MATCH.vb))
    def indications_differ(self, va: str, vb: str) -> None:
        self.conclude(
            "differs-in-indication",
            "a.indication",
            "b.indication",
            a_value=va,
            b_value=vb,
            what="indication",
            **verdict(self, None, None),
        )

    # Only a cancer study may name a cancer type (the study model rejects it elsewhere),
    # so two known, differing cancer types already mean two cancer studies.
    @concludes("differs-in-indication", reads=both_sides("cancer_type"))
    @Rule(Difference(path="cancer_type", status="differs", a=MATCH.va, b=MATCH.vb))
    def cancer_types_differ(self, va: str, vb: str) -> None:
        self.conclude(
            "differs-in-indication",
            "a.cancer_type",
            "b.cancer_type",
            severity="moderate",
            a_value=va,
            b_value=vb,
            what="cancer type",
            **verdict(self, None, None),
        )

    @concludes(
        "differs-in-baseline-immunity",
        reads=both_sides("population.immune_status"),
        needs=both_sides("population.immune_status"),
    )
    @Rule(Difference(path="population.immune_status", status="differs", a=MATCH.va, b=MATCH.vb))
    def immune_status_differs(self, va: str, vb: str) -> None:
        larger_side = "a" if IMMUNE_RANK[va] > IMMUNE_RANK[vb] else "b"
        self.conclude(
            "differs-in-baseline-immunity",
            "a.population.immune_status",
            "b.population.immune_status",
            a_value=va,
            b_value=vb,
            **verdict(self, None, larger_side),
        )

    @concludes(
        "differs-in-therapy-role",
        reads=both_sides("indication", "intervention.role", "intervention.combined_with"),
        needs=both_sides("intervention.role"),
    )
    @Rule(
        AS.ia << Intervention(side="a"),
        AS.ib << Intervention(side="b"),
        Study(side="a", indication=MATCH.ind_a),
        Study(side="b", indication=MATCH.ind_b),
        TEST(lambda ia, ib: compare_values(ia.get("role"), ib.get("role")) == DIFFERS),
    )
    def roles_differ(self, ia: dict[str, Any], ib: dict[str, Any], ind_a: str, ind_b: str) -> None:
        adjuvant = "a" if ia["role"] == "adjuvant" else "b"
        partners = (ia if adjuvant == "a" else ib).get("combined_with")
        kind = partner_kind(partners, ind_a if ind_a == ind_b else None)
        cites = ["a.intervention.role", "b.intervention.role"]
        cites.append(f"{adjuvant}.intervention.combined_with")
        self.conclude(
            "differs-in-therapy-role",
            *cites,
            a_value=ia["role"],
            b_value=ib["role"],
            a_partners=list(ia.get("combined_with") or ()),
            b_partners=list(ib.get("combined_with") or ()),
            partner_kind=kind,
            **verdict(self, None, adjuvant if kind == "anticancer" else None),
        )

    @concludes(
        "differs-in-therapy-role",
        reads=both_sides("intervention.role", "intervention.combined_with"),
        needs=both_sides("intervention.role"),
    )
    @Rule(
        AS.ia << Intervention(side="a", role="adjuvant"),
        AS.ib << Intervention(side="b", role="adjuvant"),
        TEST(
            lambda ia, ib: (
                compare_values(ia.get("combined_with"), ib.get("combined_with")) == DIFFERS
            )
        ),
    )
    def partners_differ(self, ia: dict[str, Any], ib: dict[str, Any]) -> None:
        self.conclude(
            "differs-in-therapy-role",
            "a.intervention.combined_with",
            "b.intervention.combined_with",
            severity="moderate",
            a_value="adjuvant",
            b_value="adjuvant",
            a_partners=sorted(ia["combined_with"]),
            b_partners=sorted(ib["combined_with"]),
            partner_kind=None,
            **verdict(self, None, None),
        )

    @concludes(
        "differs-in-dosing",
        reads=both_sides("indication", *(f"intervention.{name}" for name in DOSING_FIELDS)),
        needs=both_sides("intervention.dose"),
    )
    @Rule(
        AS.ia << Intervention(side="a"),
        AS.ib << Intervention(side="b"),
        Study(side="a", indication=MATCH.ind_a),
        Study(side="b", indication=MATCH.ind_b),
        TEST(lambda ia, ib: bool(dosing_differences(ia, ib))),
    )
    def regimens_differ(
        self, ia: dict[str, Any], ib: dict[str, Any], ind_a: str, ind_b: str
    ) -> None:
        differing = dosing_differences(ia, ib)
        closer = None
        reference = REFERENCE_PROTOCOLS.get(ind_a) if ind_a == ind_b else None
        if reference is not None:
            da, db = reference_deviations(ind_a, ia), reference_deviations(ind_b, ib)
            if da is not None and db is not None and da != db:
                closer = "a" if da < db else "b"
        exposed, ratio = more_exposed(ia, ib)
        self.conclude(
            "differs-in-dosing",
            *(f"{side}.intervention.{name}" for side in "ab" for name in differing),
            differing=differing,
            a_regimen=regimen_text(ia),
            b_regimen=regimen_text(ib),
            reference=None if reference is None else reference.description,
            closer=closer,
            closer_id=_side_id(self, closer),
            more_exposed=exposed,
            more_exposed_id=_side_id(self, exposed),
            exposure_ratio=ratio,
            # No regimen is "more credible", and more drug is not expected to do more.
            **verdict(self, None, None),
        )

    @concludes(
        "differs-in-endpoint-timing",
        reads=both_sides(
            "indication",
            "primary_endpoint.kind",
            "primary_endpoint.timing",
            "primary_endpoint.months_after_therapy",
        ),
        needs=both_sides("primary_endpoint.timing"),
    )
    @Rule(
        AS.ea << PrimaryEndpoint(side="a"),
        AS.eb << PrimaryEndpoint(side="b"),
        Study(side="a", indication=MATCH.ind_a),
        Study(side="b", indication=MATCH.ind_b),
        TEST(lambda ea, eb: later_reading(ea, eb) is not None),
    )
    def endpoint_read_at_different_times(
        self, ea: dict[str, Any], eb: dict[str, Any], ind_a: str, ind_b: str
    ) -> None:
        later_side = later_reading(ea, eb)
        same_indication = ind_a == ind_b
        delayed = same_indication and delayed_response_expected(ind_a, ea, eb)
        cites = [f"{s}.primary_endpoint.timing" for s in "ab"]
        cites += [
            f"{s}.primary_endpoint.months_after_therapy"
            for s, e in (("a", ea), ("b", eb))
            if e.get("months_after_therapy") is not None
        ]
        if delayed:
            cites += [f"{s}.{f}" for s in "ab" for f in ("indication", "primary_endpoint.kind")]
        severity = "major" if delayed else "moderate" if same_indication else "minor"
        direction = later_side if delayed else None
        self.conclude(
            "differs-in-endpoint-timing",
            *cites,
            severity=severity,
            a_months=reading_month(ea),
            b_months=reading_month(eb),
            chb=delayed,
            same_indication=same_indication,
            **verdict(self, direction, direction),
        )

    @concludes(
        "differs-in-primary-endpoint",
        reads=both_sides("primary_endpoint.kind"),
        needs=both_sides("primary_endpoint.kind"),
    )
    @Rule(Difference(path="primary_endpoint.kind", status="differs", a=MATCH.va, b=MATCH.vb))
    def endpoint_kinds_differ(self, va: str, vb: str) -> None:
        self.conclude(
            "differs-in-primary-endpoint",
            "a.primary_endpoint.kind",
            "b.primary_endpoint.kind",
            a_value=va,
            b_value=vb,
            **verdict(self, None, None),
        )

    @concludes(
        "differs-in-study-quality",
        reads=both_sides(*(f"design.{name}" for name in (*SAFEGUARDS, "sample_size"))),
        needs=both_sides("design.type"),
    )
    @Rule(
        AS.da << Design(side="a"),
        AS.db << Design(side="b"),
        TEST(lambda da, db: quality_differs(da, db)),
    )
    def designs_differ_in_quality(self, da: dict[str, Any], db: dict[str, Any]) -> None:
        favours, basis = more_credible_design(da, db)
        fields = safeguard_differences(da, db)
        if larger(da, db) is not None:
            fields.append("sample_size")
        cites = [f"{s}.design.{f}" for s in "ab" for f in fields]
        a_unknown, b_unknown = unreported(da, db), unreported(db, da)
        self.conclude(
            "differs-in-study-quality",
            *cites,
            severity="major" if favours else "moderate",
            a_reasons=shortfalls(da),
            b_reasons=shortfalls(db),
            a_unknown=a_unknown,
            b_unknown=b_unknown,
            cannot_tell=favours is None and bool(a_unknown or b_unknown),
            basis=basis,
            size_ratio=SIZE_RATIO,
            a_size=da.get("sample_size"),
            b_size=db.get("sample_size"),
            a_type=da.get("type"),
            b_type=db.get("type"),
            **verdict(self, favours, other(favours) if favours and basis == "bias" else None),
        )

    @concludes(
        "differs-in-comparator",
        reads=both_sides("design.comparator", "primary_endpoint.kind"),
        needs=both_sides("design.comparator"),
    )
    @Rule(Difference(path="design.comparator", status="differs", a=MATCH.va, b=MATCH.vb))
    def comparators_differ(self, va: str, vb: str) -> None:
        kinds = [self.values.get(f"{s}.primary_endpoint.kind") for s in "ab"]
        objective = kinds == ["mortality", "mortality"]
        contrast, favours, larger_side = comparator_contrast(va, vb, objective)
        self.conclude(
            "differs-in-comparator",
            "a.design.comparator",
            "b.design.comparator",
            a_value=va,
            b_value=vb,
            contrast=contrast,
            objective=objective,
            **verdict(self, favours, larger_side),
        )

    @concludes(
        "differs-in-population-selection",
        reads=both_sides(*(f"population.{name}" for name in (*SELECTION_FIELDS, "median_age"))),
        needs=both_sides("population.selected_by_biomarker"),
    )
    @Rule(
        AS.pa << Population(side="a"),
        AS.pb << Population(side="b"),
        TEST(lambda pa, pb: bool(selection_differences(pa, pb))),
    )
    def populations_selected_differently(self, pa: dict[str, Any], pb: dict[str, Any]) -> None:
        differing = selection_differences(pa, pb)
        selected = None
        if "selected_by_biomarker" in differing:
            selected = "a" if pa["selected_by_biomarker"] else "b"
        self.conclude(
            "differs-in-population-selection",
            *(f"{s}.population.{f}" for s in "ab" for f in differing),
            differing=differing,
            a_values={f: _plain(pa.get(f)) for f in differing},
            b_values={f: _plain(pb.get(f)) for f in differing},
            # Selection changes the question, not the credibility of the answer.
            **verdict(self, None, selected),
        )

    @concludes(
        "differs-in-biological-endpoints",
        reads=both_sides("secondary_endpoints", "result.immune_markers_improved"),
        needs=both_sides("secondary_endpoints"),
    )
    @Rule(
        AS.sa << Study(side="a"),
        AS.sb << Study(side="b"),
        AS.ra << ResultFact(side="a"),
        AS.rb << ResultFact(side="b"),
        TEST(
            lambda sa, sb, ra, rb: (
                compare_values(markers_measured(sa), markers_measured(sb)) == DIFFERS
                or compare_values(
                    ra.get("immune_markers_improved"), rb.get("immune_markers_improved")
                )
                == DIFFERS
            )
        ),
    )
    def immune_markers_differ(
        self, sa: dict[str, Any], sb: dict[str, Any], ra: dict[str, Any], rb: dict[str, Any]
    ) -> None:
        ma, mb = markers_measured(sa), markers_measured(sb)
        informative = ("a" if ma else "b") if compare_values(ma, mb) == DIFFERS else None
        cites = ["a.secondary_endpoints", "b.secondary_endpoints"]
        cites += [
            f"{s}.result.immune_markers_improved"
            for s in "ab"
            if self.values.get(f"{s}.result.immune_markers_improved") is not None
        ]
        self.conclude(
            "differs-in-biological-endpoints",
            *cites,
            a_measured=ma,
            b_measured=mb,
            a_improved=ra.get("immune_markers_improved"),
            b_improved=rb.get("immune_markers_improved"),
            informative=informative,
            informative_id=_side_id(self, informative),
            # Measuring markers makes a study more informative, not more credible.
            **verdict(self, None, None),
        )


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def regimen_text(intervention: Mapping[str, Any]) -> str:
    """'1.6 mg subcutaneous twice daily for 1 weeks' with unknown parts left out."""
    parts = []
    if intervention.get("dose") is not None:
        unit = "mg/m²" if intervention.get("dose_unit") == "mg_per_m2" else "mg"
        parts.append(f"{intervention['dose']:g} {unit}")
    for key in ("route", "frequency"):
        if intervention.get(key):
            parts.append(str(intervention[key]).replace("_", " "))
    if intervention.get("duration_weeks") is not None:
        parts.append(f"for {intervention['duration_weeks']:g} weeks")
    return " ".join(parts) or "regimen not reported"
