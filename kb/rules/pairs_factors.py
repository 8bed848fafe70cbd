"""Pair rules: on which troubleshooting factors two studies differ (FAQ 1-4).

Each rule matches side ``a`` against side ``b`` (see :mod:`thymoscope.engine.pairs`) and
concludes one ``differs-in-*`` finding.  Besides the texts' values every conclusion
passes ``favours`` (the side more credible on this factor, or ``None``) and
``expected_larger`` (the side the difference is expected to give the larger benefit,
or ``None``).  The helpers are symmetric: swapping the studies swaps the sides in
every conclusion and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thymoscope.engine.experta_compat import AS, MATCH, TEST, Rule
from thymoscope.engine.pairs import DIFFERS, Difference, both_sides, compare_values, other
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Design, Intervention, Population, PrimaryEndpoint, Study
from thymoscope.kb.facts import Result as ResultFact
from thymoscope.kb.rules.study_quality import BIAS_REASONS, bias_reasons
from thymoscope.kb.thresholds import (
    CHB_MIN_FOLLOW_UP_MONTHS,
    IMMUNE_MARKERS,
    REFERENCE_PROTOCOLS,
)

# FAQ 1: the more suppressed the immune system, the more room for an effect.
IMMUNE_RANK = {"suppressed": 2, "mixed": 1, "normal": 0}

# Administrations per week, to compare total exposure (FAQ 1: regimens ranged from
# daily to twice weekly, for weeks to more than a year).
PER_WEEK = {"twice_daily": 14, "daily": 7, "thrice_weekly": 3, "twice_weekly": 2, "weekly": 1}
# Total exposures within this factor of each other count as similar.
EXPOSURE_RATIO = 1.5

# FAQ 1, 3: readings this many months apart (after therapy) count as different timing.
TIMING_GAP_MONTHS = 3.0

# FAQ 2: a study at least this many times larger is the more precise one.
SIZE_RATIO = 3.0

# Median ages this far apart may differ in immunosenescence (FAQ 1).
AGE_GAP_YEARS = 10.0

# Comparators by how well they protect the contrast from expectation effects (FAQ 2).
COMPARATOR_RANK = {
    "placebo": 3,
    "active": 2,
    "standard_of_care": 1,
    "same_background_therapy": 1,  # schema_version 2: add-on design without placebo
    "no_treatment": 1,
    "none": 0,
}

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


def more_exposed(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    ea, eb = weekly_exposure_mg(a), weekly_exposure_mg(b)
    if ea is None or eb is None or min(ea, eb) <= 0:
        return None
    if ea >= EXPOSURE_RATIO * eb:
        return "a"
    if eb >= EXPOSURE_RATIO * ea:
        return "b"
    return None


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
    if weeks is None or not low - 1e-9 <= weeks <= high + 1e-9:
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


# --- study quality -------------------------------------------------------------------


def quality_score(design: Mapping[str, Any]) -> int:
    """Serious bias reasons count 2, the others 1 (FAQ 2); lower is better."""
    return sum(2 if BIAS_REASONS[r][1] else 1 for r in bias_reasons(dict(design)))


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
    return (
        set(bias_reasons(dict(a))) != set(bias_reasons(dict(b)))
        or compare_values(a.get("type"), b.get("type")) == DIFFERS
        or larger(a, b) is not None
    )


def more_credible_design(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    qa, qb = quality_score(a), quality_score(b)
    if qa != qb:
        return "a" if qa < qb else "b"
    return larger(a, b)


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

    @concludes("differs-in-indication", reads=both_sides("indication", "cancer_type"))
    @Rule(
        Difference(path="indication", status="same", a="cancer"),
        Difference(path="cancer_type", status="differs", a=MATCH.va, b=MATCH.vb),
    )
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
        reads=("a.indication", *both_sides("intervention.role", "intervention.combined_with")),
        needs=both_sides("intervention.role"),
    )
    @Rule(
        AS.ia << Intervention(side="a"),
        AS.ib << Intervention(side="b"),
        Study(side="a", indication=MATCH.indication),
        TEST(lambda ia, ib: compare_values(ia.get("role"), ib.get("role")) == DIFFERS),
    )
    def roles_differ(self, ia: dict[str, Any], ib: dict[str, Any], indication: str) -> None:
        adjuvant = "a" if ia["role"] == "adjuvant" else "b"
        self.conclude(
            "differs-in-therapy-role",
            "a.intervention.role",
            "b.intervention.role",
            a_value=ia["role"],
            b_value=ib["role"],
            a_partners=list(ia.get("combined_with") or ()),
            b_partners=list(ib.get("combined_with") or ()),
            indication=indication,
            **verdict(self, None, adjuvant),
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
            indication=None,
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
        favours = None
        if ind_a == ind_b:
            da, db = reference_deviations(ind_a, ia), reference_deviations(ind_b, ib)
            if da is not None and db is not None and da != db:
                favours = "a" if da < db else "b"
        reference = REFERENCE_PROTOCOLS.get(ind_a) if ind_a == ind_b else None
        self.conclude(
            "differs-in-dosing",
            *(f"{side}.intervention.{name}" for side in "ab" for name in differing),
            differing=differing,
            a_regimen=regimen_text(ia),
            b_regimen=regimen_text(ib),
            reference=None if reference is None else reference.description,
            **verdict(self, favours, more_exposed(ia, ib)),
        )

    @concludes(
        "differs-in-endpoint-timing",
        reads=both_sides(
            "indication", "primary_endpoint.timing", "primary_endpoint.months_after_therapy"
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
        chb = "chronic_hepatitis_b" in (ind_a, ind_b)
        cites = [f"{s}.primary_endpoint.timing" for s in "ab"]
        cites += [
            f"{s}.primary_endpoint.months_after_therapy"
            for s, e in (("a", ea), ("b", eb))
            if e.get("months_after_therapy") is not None
        ]
        self.conclude(
            "differs-in-endpoint-timing",
            *cites,
            severity="major" if chb else "moderate",
            a_months=reading_month(ea),
            b_months=reading_month(eb),
            chb=chb,
            needed=CHB_MIN_FOLLOW_UP_MONTHS,
            **verdict(self, later_side, later_side),
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
        reads=both_sides(
            "design.type",
            "design.sample_size",
            *(path for paths, _ in BIAS_REASONS.values() for path in paths),
        ),
        needs=both_sides("design.type"),
    )
    @Rule(
        AS.da << Design(side="a"),
        AS.db << Design(side="b"),
        TEST(lambda da, db: quality_differs(da, db)),
    )
    def designs_differ_in_quality(self, da: dict[str, Any], db: dict[str, Any]) -> None:
        favours = more_credible_design(da, db)
        cites = [
            f"{s}.design.{f}"
            for s in "ab"
            for f in ("type", "sample_size")
            if self.values.get(f"{s}.design.{f}") is not None
        ]
        for side, design in (("a", da), ("b", db)):
            for reason in bias_reasons(dict(design)):
                cites += [f"{side}.{path}" for path in BIAS_REASONS[reason][0]]
        self.conclude(
            "differs-in-study-quality",
            *cites,
            severity="major" if favours else "moderate",
            a_reasons=bias_reasons(dict(da)),
            b_reasons=bias_reasons(dict(db)),
            a_size=da.get("sample_size"),
            b_size=db.get("sample_size"),
            a_type=da.get("type"),
            b_type=db.get("type"),
            **verdict(self, favours, None if favours is None else other(favours)),
        )

    @concludes(
        "differs-in-comparator",
        reads=both_sides("design.comparator"),
        needs=both_sides("design.comparator"),
    )
    @Rule(Difference(path="design.comparator", status="differs", a=MATCH.va, b=MATCH.vb))
    def comparators_differ(self, va: str, vb: str) -> None:
        ra, rb = COMPARATOR_RANK[va], COMPARATOR_RANK[vb]
        favours = None if ra == rb else ("a" if ra > rb else "b")
        if "active" in (va, vb):  # an active control narrows the contrast
            larger_side: str | None = "b" if va == "active" else "a"
        else:  # the less protected contrast is open to expectation effects
            larger_side = None if favours is None else other(favours)
        self.conclude(
            "differs-in-comparator",
            "a.design.comparator",
            "b.design.comparator",
            a_value=va,
            b_value=vb,
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
            **verdict(self, selected, selected),
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
        favours = ("a" if ma else "b") if compare_values(ma, mb) == DIFFERS else None
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
            **verdict(self, favours, None),
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
