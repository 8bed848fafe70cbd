"""Numbers and reference protocols the rules compare a study against.

Change a value here and every rule, text and question that uses it follows.
Each entry names the FAQ section it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

# FAQ 1: trials have used 0.8 mg to 1.6 mg per administration.
USUAL_DOSE_MG = (0.8, 1.6)

# Used only to translate a body-surface dose (mg/m²) into an approximate flat dose
# for the explanation; a conventional adult body-surface area, not from the FAQ.
REFERENCE_BODY_SURFACE_M2 = 1.7

# FAQ 3: the higher of the two hepatitis B doses was reported better in advanced fibrosis.
ADVANCED_FIBROSIS_DOSE_MG = 1.6


@dataclass(frozen=True)
class ReferenceProtocol:
    indication: str
    faq: str
    dose_mg: float
    route: str
    frequency: str
    duration_weeks: tuple[float, float]
    description: str


# FAQ 2 (representative sepsis trial) and FAQ 3 (representative hepatitis B trial).
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

# FAQ 1 and 3: responses in hepatitis B build up after therapy; the reference trial
# read its primary endpoint 12 months after stopping.
CHB_MIN_FOLLOW_UP_MONTHS = 12.0

# FAQ 2: "small" trials. The lower-quality sepsis trials averaged ~60 patients each;
# below this size a single-centre trial counts as small.
SMALL_TRIAL_PATIENTS = 100

# A trial this small that reports "no effect" cannot rule out a useful effect.
UNDERPOWERED_NULL_PATIENTS = 200

# Conventional two-sided significance level for reading p-values and interaction tests.
ALPHA = 0.05

# FAQ 2 and 4: immune markers that show biological activity, per indication.
IMMUNE_MARKERS = {
    "sepsis": frozenset(
        {
            "hla_dr",
            "cd3",
            "cd4",
            "cd8",
            "cd4_cd8_ratio",
            "lymphocyte_count",
            "cytokines",
            "apache_ii",
            "sofa",
        }
    ),
    "cancer": frozenset({"cd4", "cd8", "nk_cells", "lymphocyte_count", "cd3", "cd4_cd8_ratio"}),
}

# FAQ 4: the partner therapies with which adjuvant benefit has been reported.
ANTICANCER_PARTNERS = frozenset(
    {
        "chemotherapy",
        "radiotherapy",
        "chemoradiotherapy",
        "immune_checkpoint_inhibitor",
        "other_immunotherapy",
    }
)

# FAQ 3: combination partners under study in hepatitis B.
CHB_COMBINATION_PARTNERS = frozenset({"nucleoside_analogue", "interferon", "other_antiviral"})

# Levels of a `study_quality` subgroup that mean lower or higher quality.
LOWER_QUALITY_LEVELS = frozenset({"low", "lower", "lower_quality", "high_risk"})
HIGHER_QUALITY_LEVELS = frozenset({"high", "higher", "higher_quality", "low_risk"})

# Designs without randomisation (FAQ 2: randomisation is the first safeguard).
NON_RANDOMISED_DESIGNS = frozenset({"non_randomized_trial", "single_arm", "observational"})

# Comparators that leave outcome assessment open to expectation effects.
UNCONTROLLED_COMPARATORS = frozenset({"no_treatment", "none"})


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
# untreated controls do not; no control gives no contrast at all. An active control is
# not ranked here: it answers a different question (see the comparator pair rule).
COMPARATOR_RANK = {
    "placebo": 2,
    "standard_of_care": 1,
    "same_background_therapy": 1,
    "no_treatment": 1,
    "none": 0,
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
        "hepatitis B virological responses grew between the end of therapy and a year later",
        ("1", "3"),
    ),
    "ESTIMATE_POSITION_TOLERANCE": (
        "heuristic",
        "symmetric intervals put the estimate at their centre on the analysis scale; a "
        "quarter of the half-width allows slightly lopsided exact intervals",
        (),
    ),
}
