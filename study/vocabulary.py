"""The closed value lists of the study file (schema_version 1 and 2).

The names and values are a contract shared with users and outside tools
(see the study-file specification); thymoscope may add values, never rename.
Values added in schema_version 2 are listed in :data:`ADDED_IN_V2`: a
``schema_version: 1`` file that uses one is asked to declare version 2.
"""

from __future__ import annotations

from enum import StrEnum


class Indication(StrEnum):
    sepsis = "sepsis"
    chronic_hepatitis_b = "chronic_hepatitis_b"
    cancer = "cancer"
    other = "other"


class DesignType(StrEnum):
    rct = "rct"
    non_randomized_trial = "non_randomized_trial"
    single_arm = "single_arm"
    observational = "observational"
    meta_analysis = "meta_analysis"


class Blinding(StrEnum):
    open = "open"
    single = "single"
    double = "double"


class Comparator(StrEnum):
    placebo = "placebo"
    no_treatment = "no_treatment"
    standard_of_care = "standard_of_care"
    active = "active"
    none = "none"
    # v2: add-on design, the same background therapy without thymalfasin (no placebo)
    same_background_therapy = "same_background_therapy"


class RiskLevel(StrEnum):
    low = "low"
    some_concerns = "some_concerns"
    high = "high"


class ImmuneStatus(StrEnum):
    suppressed = "suppressed"
    normal = "normal"
    mixed = "mixed"


class Suppression(StrEnum):
    lymphocytopenia = "lymphocytopenia"
    chemotherapy = "chemotherapy"
    radiotherapy = "radiotherapy"
    immunosenescence = "immunosenescence"
    sepsis_immunoparalysis = "sepsis_immunoparalysis"
    other = "other"


class Fibrosis(StrEnum):
    none = "none"
    mild = "mild"
    moderate = "moderate"
    advanced = "advanced"


class HBeAg(StrEnum):
    positive = "positive"
    negative = "negative"


class Role(StrEnum):
    monotherapy = "monotherapy"
    adjuvant = "adjuvant"


class CombinedWith(StrEnum):
    chemotherapy = "chemotherapy"
    radiotherapy = "radiotherapy"
    chemoradiotherapy = "chemoradiotherapy"
    immune_checkpoint_inhibitor = "immune_checkpoint_inhibitor"
    other_immunotherapy = "other_immunotherapy"
    nucleoside_analogue = "nucleoside_analogue"
    interferon = "interferon"
    other_antiviral = "other_antiviral"
    standard_of_care = "standard_of_care"
    vaccine = "vaccine"
    # v2
    surgery = "surgery"
    locoregional_therapy = "locoregional_therapy"  # TACE, ablation
    ulinastatin = "ulinastatin"
    other = "other"


class DoseUnit(StrEnum):
    mg = "mg"
    mg_per_m2 = "mg_per_m2"


class Route(StrEnum):
    subcutaneous = "subcutaneous"
    intravenous = "intravenous"
    intramuscular = "intramuscular"


class Frequency(StrEnum):
    twice_daily = "twice_daily"
    daily = "daily"
    thrice_weekly = "thrice_weekly"
    twice_weekly = "twice_weekly"
    weekly = "weekly"
    other = "other"


class EndpointKind(StrEnum):
    mortality = "mortality"
    virological_response = "virological_response"
    tumour_response = "tumour_response"
    survival = "survival"
    immunological = "immunological"
    severity_score = "severity_score"
    complications = "complications"
    other = "other"


class EndpointTiming(StrEnum):
    end_of_therapy = "end_of_therapy"
    after_therapy = "after_therapy"
    # v2: survival or progression analysed over follow-up, no single reading time
    time_to_event = "time_to_event"


class SecondaryEndpoint(StrEnum):
    hla_dr = "hla_dr"
    cd3 = "cd3"
    cd4 = "cd4"
    cd8 = "cd8"
    cd4_cd8_ratio = "cd4_cd8_ratio"
    nk_cells = "nk_cells"
    lymphocyte_count = "lymphocyte_count"
    cytokines = "cytokines"
    apache_ii = "apache_ii"
    sofa = "sofa"
    ventilation_days = "ventilation_days"
    icu_stay = "icu_stay"
    alt_normalisation = "alt_normalisation"
    hbeag_seroconversion = "hbeag_seroconversion"
    histology = "histology"
    other = "other"
    # v2
    radiation_pneumonitis = "radiation_pneumonitis"
    adverse_events = "adverse_events"
    disease_free_survival = "disease_free_survival"


class PrimaryResult(StrEnum):
    benefit = "benefit"
    no_significant_effect = "no_significant_effect"
    harm = "harm"


class EffectMeasure(StrEnum):
    odds_ratio = "odds_ratio"
    risk_ratio = "risk_ratio"
    hazard_ratio = "hazard_ratio"
    mean_difference = "mean_difference"
    risk_difference = "risk_difference"


RATIO_MEASURES = frozenset(
    {EffectMeasure.odds_ratio, EffectMeasure.risk_ratio, EffectMeasure.hazard_ratio}
)


class SubgroupBy(StrEnum):
    study_quality = "study_quality"
    comorbidity = "comorbidity"
    age = "age"
    dose = "dose"
    fibrosis = "fibrosis"
    immune_status = "immune_status"  # thymoscope addition: strata by baseline immunity
    other = "other"


class Credibility(StrEnum):
    low = "low"
    moderate = "moderate"
    high = "high"


# ---------------------------------------------------------------- added in schema_version 2


class SepsisDefinition(StrEnum):
    sepsis_1 = "sepsis_1"
    sepsis_2 = "sepsis_2"
    sepsis_3 = "sepsis_3"
    other = "other"


class Exclusion(StrEnum):
    """What the protocol excluded (the sepsis protocol of FAQ 2)."""

    severe_immunosuppression = "severe_immunosuppression"
    moribund = "moribund"
    other = "other"


class Product(StrEnum):
    """The thymic product actually given."""

    thymalfasin = "thymalfasin"
    thymosin_fraction_5 = "thymosin_fraction_5"
    other_thymic_peptide = "other_thymic_peptide"


class TherapySequence(StrEnum):
    """When thymalfasin was given relative to the primary (anti-cancer) therapy."""

    neoadjuvant = "neoadjuvant"
    concurrent = "concurrent"
    after_primary_therapy = "after_primary_therapy"


class CountedEvent(StrEnum):
    """Whether the primary endpoint counts a bad or a good event."""

    unfavourable = "unfavourable"  # death, progression, complication
    favourable = "favourable"  # response, survival, clearance


class QualityLevel(StrEnum):
    """The level of a ``by: study_quality`` subgroup, after normalisation."""

    lower_quality = "lower_quality"
    higher_quality = "higher_quality"


class SubgroupComparison(StrEnum):
    """ICEMAN: subgroups compared within trials, or across trials."""

    within_trial = "within_trial"
    between_trial = "between_trial"


class ImmuneMonitoring(StrEnum):
    none = "none"
    single_timepoint = "single_timepoint"
    serial = "serial"


# Wordings understood for a study-quality level (lowercase, '-' and '_' read as spaces).
QUALITY_WORDINGS: dict[str, QualityLevel] = {
    **dict.fromkeys(
        (
            "higher quality",
            "high quality",
            "higher",
            "high",
            "low risk",
            "low risk of bias",
        ),
        QualityLevel.higher_quality,
    ),
    **dict.fromkeys(
        (
            "lower quality",
            "low quality",
            "lower",
            "low",
            "high risk",
            "high risk of bias",
        ),
        QualityLevel.lower_quality,
    ),
}

# Values of the version 1 lists that a ``schema_version: 1`` file may not use.
ADDED_IN_V2: dict[type[StrEnum], frozenset[StrEnum]] = {
    Comparator: frozenset({Comparator.same_background_therapy}),
    CombinedWith: frozenset(
        {
            CombinedWith.surgery,
            CombinedWith.locoregional_therapy,
            CombinedWith.ulinastatin,
            CombinedWith.other,
        }
    ),
    EndpointTiming: frozenset({EndpointTiming.time_to_event}),
    SecondaryEndpoint: frozenset(
        {
            SecondaryEndpoint.radiation_pneumonitis,
            SecondaryEndpoint.adverse_events,
            SecondaryEndpoint.disease_free_survival,
        }
    ),
}
