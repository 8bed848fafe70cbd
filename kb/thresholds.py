"""Numbers and reference protocols the rules compare a study against.

Change a value here and every rule, text and question that uses it follows.

Every public constant has an entry in :data:`PROVENANCE` saying where it comes from:

* ``FAQ n`` - a figure or list stated in section *n* of the source FAQ;
* ``literature`` - a published methodological source, named in ``why``;
* ``convention`` - a statistical convention;
* ``heuristic`` - a cut-off the project chose where the FAQ gives none; ``why`` says why,
  and texts that use it call it the project's cut-off, never the FAQ's.

``tests/kb/test_thresholds.py`` checks that no constant is missing from the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SourceKind = Literal["FAQ", "literature", "convention", "heuristic"]


@dataclass(frozen=True)
class Provenance:
    kind: SourceKind
    why: str
    faq: tuple[str, ...] = ()  # FAQ sections, required when kind == "FAQ"


# --- dosing (FAQ 1, 3) --------------------------------------------------------------
USUAL_DOSE_MG = (0.8, 1.6)
REFERENCE_BODY_SURFACE_M2 = 1.7
ADVANCED_FIBROSIS_DOSE_MG = 1.6
LOW_DOSE_COMPARED_MG = 0.8


@dataclass(frozen=True)
class ReferenceProtocol:
    indication: str
    faq: str
    dose_mg: float
    route: str
    frequency: str
    duration_weeks: tuple[float, float]
    description: str


REFERENCE_PROTOCOLS = {
    "sepsis": ReferenceProtocol(
        indication="sepsis",
        faq="2",
        dose_mg=1.6,
        route="subcutaneous",
        frequency="twice_daily",
        duration_weeks=(5 / 7, 1.0),
        description="1.6 mg subcutaneously twice a day for 5–7 days",
    ),
    "chronic_hepatitis_b": ReferenceProtocol(
        indication="chronic_hepatitis_b",
        faq="3",
        dose_mg=1.6,
        route="subcutaneous",
        frequency="twice_weekly",
        duration_weeks=(24.0, 26.0),
        description="1.6 mg subcutaneously twice a week for 24–26 weeks",
    ),
}

# --- endpoint timing (FAQ 1, 3) ------------------------------------------------------
CHB_MIN_FOLLOW_UP_MONTHS = 6.0
CHB_REFERENCE_READING_MONTHS = 12.0
# Endpoint kinds whose response in hepatitis B builds up after therapy.
CHB_DELAYED_ENDPOINT_KINDS = frozenset({"virological_response", "immunological"})

# --- study size and precision ----------------------------------------------------------
SMALL_TRIAL_PATIENTS = 100
UNDERPOWERED_NULL_PATIENTS = 200
ALPHA = 0.05
# A ratio interval lying wholly inside these bounds excludes any relative change larger
# than 25% either way; the project reads such a null result as informative.
PRECISE_RATIO_BOUNDS = (0.75, 1 / 0.75)

# --- subgroup credibility (FAQ 2, ICEMAN) ----------------------------------------------
MANY_SUBGROUPS = 5

# --- biological endpoints (FAQ 2, 4) ---------------------------------------------------
IMMUNE_MARKERS = {
    "sepsis": frozenset(
        {"hla_dr", "cd3", "cd4", "cd8", "cd4_cd8_ratio", "lymphocyte_count", "cytokines"}
    ),
    "cancer": frozenset({"cd4", "cd8", "nk_cells", "lymphocyte_count", "cd3", "cd4_cd8_ratio"}),
}
SEVERITY_SCORES = frozenset({"apache_ii", "sofa"})

# --- therapy role (FAQ 3, 4) -----------------------------------------------------------
ANTICANCER_PARTNERS = frozenset(
    {
        "chemotherapy",
        "radiotherapy",
        "chemoradiotherapy",
        "immune_checkpoint_inhibitor",
        "other_immunotherapy",
        "surgery",
        "locoregional_therapy",
    }
)
CHB_COMBINATION_PARTNERS = frozenset({"nucleoside_analogue", "interferon", "other_antiviral"})

# --- study quality (FAQ 2) -------------------------------------------------------------
LOWER_QUALITY_LEVELS = frozenset({"low", "lower", "lower_quality", "high_risk"})
HIGHER_QUALITY_LEVELS = frozenset({"high", "higher", "higher_quality", "low_risk"})
NON_RANDOMISED_DESIGNS = frozenset({"non_randomized_trial", "single_arm", "observational"})
# Comparators without a placebo: the arms can be told apart unless the study is double-blind.
NO_PLACEBO_COMPARATORS = frozenset(
    {"no_treatment", "none", "standard_of_care", "same_background_therapy"}
)
UNCONTROLLED_COMPARATORS = frozenset({"no_treatment", "none"})
# Outcomes measured without judgement: lack of blinding biases them least.
OBJECTIVE_ENDPOINT_KINDS = frozenset({"mortality", "virological_response"})

# --- protocol populations (FAQ 2, 3) ---------------------------------------------------
SEPSIS_PROTOCOL_DEFINITION = "sepsis_3"
SEPSIS_PROTOCOL_EXCLUSIONS = frozenset({"severe_immunosuppression", "moribund"})
CHB_PROTOCOL_POPULATION = {"hbeag": "positive", "alt_elevated": True, "hbv_dna_detectable": True}


PROVENANCE: dict[str, Provenance] = {
    "USUAL_DOSE_MG": Provenance(
        "FAQ", "trials are described as using 0.8 mg to 1.6 mg per administration", ("1",)
    ),
    "REFERENCE_BODY_SURFACE_M2": Provenance(
        "heuristic",
        "a conventional adult body-surface area, used only to translate a mg/m² dose into "
        "an approximate flat dose for the explanation",
    ),
    "ADVANCED_FIBROSIS_DOSE_MG": Provenance(
        "FAQ", "the higher of the two hepatitis B doses compared in advanced fibrosis", ("3",)
    ),
    "LOW_DOSE_COMPARED_MG": Provenance(
        "FAQ",
        "the lower of the two doses compared (0.8 mg against 1.6 mg); the FAQ says nothing "
        "about doses between them, so the rule fires only at or below it",
        ("3",),
    ),
    "REFERENCE_PROTOCOLS": Provenance(
        "FAQ", "the representative sepsis (FAQ 2) and hepatitis B (FAQ 3) protocols", ("2", "3")
    ),
    "CHB_MIN_FOLLOW_UP_MONTHS": Provenance(
        "FAQ",
        "the lower end of the 6–12 months of follow-up after therapy the FAQ advises for "
        "the delayed hepatitis B response",
        ("3",),
    ),
    "CHB_REFERENCE_READING_MONTHS": Provenance(
        "FAQ", "the reference trial read its sustained response 12 months after therapy", ("3",)
    ),
    "CHB_DELAYED_ENDPOINT_KINDS": Provenance(
        "FAQ",
        "virological (and immune) responses are the ones described as accumulating after "
        "hepatitis B monotherapy ends (FAQ 1 on endpoint timing, FAQ 3 on the reference trial)",
        ("1", "3"),
    ),
    "SMALL_TRIAL_PATIENTS": Provenance(
        "heuristic",
        "the FAQ gives no size cut-off; its six lower-quality sepsis trials averaged about "
        "60 participants (359/6), and the project counts a single-centre trial under 100 as small",
    ),
    "UNDERPOWERED_NULL_PATIENTS": Provenance(
        "heuristic",
        "below about 200 participants a two-arm trial has little power for moderate effects such "
        "as the OR 0.82 of the higher-quality sepsis trials; the FAQ gives no cut-off",
    ),
    "ALPHA": Provenance("convention", "the conventional two-sided 5% significance level"),
    "PRECISE_RATIO_BOUNDS": Provenance(
        "heuristic",
        "an interval that excludes relative changes larger than 25% either way rules out "
        "the large effects reported by small trials; the FAQ gives no such bound",
    ),
    "MANY_SUBGROUPS": Provenance(
        "heuristic",
        "ICEMAN (Schandelmaier et al., CMAJ 2020) asks whether few effect modifiers were "
        "tested without fixing a number; the project counts more than 5 as many",
    ),
    "IMMUNE_MARKERS": Provenance(
        "FAQ",
        "HLA-DR, CD3/CD4, lymphocyte subsets and cytokines (sepsis, FAQ 2); CD4+, CD8+, NK "
        "cells and lymphocyte counts (cancer, FAQ 4)",
        ("2", "4"),
    ),
    "SEVERITY_SCORES": Provenance(
        "FAQ", "APACHE II and SOFA are the sepsis severity scores named as endpoints", ("2",)
    ),
    "ANTICANCER_PARTNERS": Provenance(
        "FAQ",
        "chemotherapy, radiotherapy and immunotherapies are named; the FAQ's list ends in "
        "'etc.', and the project adds surgery and locoregional therapy as primary "
        "anti-cancer treatments (a heuristic extension)",
        ("4",),
    ),
    "CHB_COMBINATION_PARTNERS": Provenance(
        "FAQ", "nucleoside analogues and interferon are the partners under study", ("3",)
    ),
    "LOWER_QUALITY_LEVELS": Provenance(
        "FAQ", "spellings of the lower-quality stratum of the sepsis meta-analysis", ("2",)
    ),
    "HIGHER_QUALITY_LEVELS": Provenance(
        "FAQ", "spellings of the higher-quality stratum of the sepsis meta-analysis", ("2",)
    ),
    "NON_RANDOMISED_DESIGNS": Provenance(
        "FAQ", "adequate randomisation is the first safeguard the FAQ lists", ("2",)
    ),
    "NO_PLACEBO_COMPARATORS": Provenance(
        "FAQ",
        "the representative sepsis protocol gives placebo on the same schedule; controls "
        "without it can be told apart unless outcome assessment is blinded",
        ("2",),
    ),
    "UNCONTROLLED_COMPARATORS": Provenance(
        "FAQ", "controls that receive nothing in place of thymalfasin (kept for pair rules)", ("2",)
    ),
    "OBJECTIVE_ENDPOINT_KINDS": Provenance(
        "literature",
        "lack of blinding exaggerates subjectively assessed outcomes far more than all-cause "
        "mortality or laboratory measures (Wood et al., BMJ 2008;336:601)",
    ),
    "SEPSIS_PROTOCOL_DEFINITION": Provenance(
        "FAQ", "the representative sepsis trial enrols by Sepsis-3 criteria", ("2",)
    ),
    "SEPSIS_PROTOCOL_EXCLUSIONS": Provenance(
        "FAQ", "it excludes severely immunosuppressed and moribund candidates", ("2",)
    ),
    "CHB_PROTOCOL_POPULATION": Provenance(
        "FAQ",
        "the representative hepatitis B trial enrols HBeAg-positive adults with raised ALT "
        "and detectable HBV DNA",
        ("3",),
    ),
}


def provenance() -> dict[str, Provenance]:
    """Every register of the module: :data:`PROVENANCE` plus the pair rules' entries.

    The pair constants keep their own register (``_PAIR_PROVENANCE``, entries ``(kind,
    why, FAQ sections)``); read at call time, it joins this one wherever it is defined.
    """
    pairs = globals().get("_PAIR_PROVENANCE", {})
    joined = {name: Provenance(kind, why, tuple(faq)) for name, (kind, why, faq) in pairs.items()}
    return {**joined, **PROVENANCE}


# === Pair comparison and between-estimates statistics (owned by the pair rules) ========
# Each value says whether it is the FAQ's figure or a project heuristic, and why.

# FAQ 1 (direction only): the more impaired the immune system at baseline, the more room
# for an immune restorer. The ranks are an ordering, not a measured size of effect.
IMMUNE_RANK = {"suppressed": 2, "mixed": 1, "normal": 0}

# Administrations per week for each frequency (arithmetic, not a judgement): used to
# state the total exposure of two regimens side by side (FAQ 1: daily to twice weekly).
PER_WEEK = {"twice_daily": 14, "daily": 7, "thrice_weekly": 3, "twice_weekly": 2, "weekly": 1}

# Project heuristic: total courses within this factor of each other are not called
# different in the text. Exposure is only described, never read as a direction of
# effect: in hepatitis B, 52 weeks of therapy gave a lower sustained response (26.5%)
# than 26 weeks (40.6%) (Chien et al., Hepatology 1998).
EXPOSURE_RATIO = 1.5

# Project heuristic: two post-therapy readings at least this many months apart count as
# read at different times (a quarter of the FAQ 3 12-month reading; smaller gaps are
# within the usual visit windows of the trials).
TIMING_GAP_MONTHS = 3.0

# Project heuristic: a study with at least this many times the patients of the other is
# the more precise one (a 3-fold size gives a standard error about 1.7 times smaller,
# enough to matter when the two disagree; FAQ 2: 359 vs 1568 patients, ratio 4.4).
SIZE_RATIO = 3.0

# Project heuristic: median ages this far apart may differ in immunosenescence (FAQ 1
# names immunosenescence; the 10-year gap is a convention, not a figure from the FAQ).
AGE_GAP_YEARS = 10.0

# FAQ 2 (placebo control in the representative sepsis protocol): how well a control
# protects the contrast from expectation and assessment effects. Placebo protects;
# the add-on designs without placebo (standard of care, same background therapy) and
# untreated controls do not. No control ("none") gives no contrast at all and an active
# control answers a different question: neither is ranked here (the comparator pair
# rule reads both before it compares ranks).
COMPARATOR_RANK = {
    "placebo": 2,
    "standard_of_care": 1,
    "same_background_therapy": 1,
    "no_treatment": 1,
}

# FAQ 1 and 3: where a response is documented to build up after therapy stops, by
# indication and primary endpoint kind. Only there is a later reading expected to show
# more, and to be the more complete measure; elsewhere reading times set no direction.
DELAYED_RESPONSE_ENDPOINTS = {"chronic_hepatitis_b": frozenset({"virological_response"})}

# Project heuristic for the between-estimates check that an estimate sits where its
# interval says: a ratio's estimate should lie at the geometric mean of its limits, a
# difference's at their midpoint. Beyond rounding of the reported digits, an offset of
# more than this fraction of the interval's half-width is reported (CIs from Wald,
# Mantel-Haenszel or inverse-variance methods are symmetric on these scales; profile
# or exact intervals of small trials can be a little lopsided, hence not zero).
ESTIMATE_POSITION_TOLERANCE = 0.25

# Where each pair constant comes from, as (kind, why, FAQ sections): kind is "FAQ",
# "convention" or "heuristic" (the shape of the threshold provenance register; once
# that register exists, these entries join it).
_PAIR_PROVENANCE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "IMMUNE_RANK": (
        "FAQ",
        "the FAQ expects more effect the more impaired baseline immunity is; an order only",
        ("1",),
    ),
    "PER_WEEK": (
        "convention",
        "administrations per week of each frequency, used to state total exposure",
        (),
    ),
    "EXPOSURE_RATIO": (
        "heuristic",
        "total courses closer than this are not called different; exposure never sets a "
        "direction of effect (Chien 1998: 52 weeks did worse than 26)",
        (),
    ),
    "TIMING_GAP_MONTHS": (
        "heuristic",
        "post-therapy readings closer than a quarter of the 12-month reading fall within "
        "usual visit windows",
        (),
    ),
    "SIZE_RATIO": (
        "heuristic",
        "a three-fold size gives a standard error about 1.7 times smaller, enough to call "
        "one study the more precise",
        (),
    ),
    "AGE_GAP_YEARS": (
        "heuristic",
        "a ten-year gap in median age is the project's cut-off for a possible difference "
        "in immunosenescence",
        (),
    ),
    "COMPARATOR_RANK": (
        "FAQ",
        "the representative sepsis protocol uses a placebo control; controls without one "
        "leave the contrast open to expectation effects",
        ("2",),
    ),
    "DELAYED_RESPONSE_ENDPOINTS": (
        "FAQ",
        "hepatitis B virological responses grew between the end of therapy and a year later "
        "(FAQ 3's reference trial; FAQ 1 gives this delay as one reason results vary)",
        ("1", "3"),
    ),
    "ESTIMATE_POSITION_TOLERANCE": (
        "heuristic",
        "symmetric intervals put the estimate at their centre on the analysis scale; a "
        "quarter of the half-width allows slightly lopsided exact intervals",
        (),
    ),
}
