"""Generate valid study files for the benchmark (deterministic for a seed).

Two kinds (``--kind``):

* ``full`` (the default): realistic study files as a reviewer fills them in: every
  section of the study file (schema_version 2) with every field that is valid for the
  study's indication, design and choices (effect with interval, level, standard error
  and p-value; outcome per arm; sepsis definition and exclusions; hepatitis B entry
  criteria; product and timing; covariates...) and 0 to 5 subgroups, each filled too.
* ``sparse``: every field is optional except the four required ones, so each section is
  left out, partly filled or fully filled at random (schema_version 1).

Cross-field rules of the study model are respected in both (``trials`` only for
meta-analyses, ``combined_with`` by role, hepatitis fields only for chronic hepatitis B,
and so on), so every generated file is a valid study.

    python benchmarks/generate.py OUT_DIR [--studies 10000] [--seed 1] [--kind full|sparse]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import yaml

INDICATIONS = ["sepsis", "chronic_hepatitis_b", "cancer", "other"]
DESIGNS = ["rct", "non_randomized_trial", "single_arm", "observational", "meta_analysis"]
BLINDING = ["open", "single", "double"]
COMPARATORS = ["placebo", "no_treatment", "standard_of_care", "active", "none"]
RISK = ["low", "some_concerns", "high"]
IMMUNE = ["suppressed", "normal", "mixed"]
SUPPRESSION = [
    "lymphocytopenia",
    "chemotherapy",
    "radiotherapy",
    "immunosenescence",
    "sepsis_immunoparalysis",
    "other",
]
FIBROSIS = ["none", "mild", "moderate", "advanced"]
COMBINED = [
    "chemotherapy",
    "radiotherapy",
    "chemoradiotherapy",
    "immune_checkpoint_inhibitor",
    "other_immunotherapy",
    "nucleoside_analogue",
    "interferon",
    "other_antiviral",
    "standard_of_care",
    "vaccine",
]
ROUTES = ["subcutaneous", "intravenous", "intramuscular"]
FREQUENCIES = ["twice_daily", "daily", "thrice_weekly", "twice_weekly", "weekly", "other"]
ENDPOINTS = [
    "mortality",
    "virological_response",
    "tumour_response",
    "survival",
    "immunological",
    "severity_score",
    "complications",
    "other",
]
SECONDARY = [
    "hla_dr",
    "cd3",
    "cd4",
    "cd8",
    "cd4_cd8_ratio",
    "nk_cells",
    "lymphocyte_count",
    "cytokines",
    "apache_ii",
    "sofa",
    "ventilation_days",
    "icu_stay",
    "alt_normalisation",
    "hbeag_seroconversion",
    "histology",
    "other",
]
RESULTS = ["benefit", "no_significant_effect", "harm"]
MEASURES = ["odds_ratio", "risk_ratio", "hazard_ratio", "mean_difference", "risk_difference"]
SUBGROUP_BY = ["study_quality", "comorbidity", "age", "dose", "fibrosis", "immune_status", "other"]
CANCERS = ["nsclc", "colorectal", "melanoma", "hepatocellular", "gastric"]
COMORBIDITIES = ["diabetes", "cirrhosis", "cancer", "copd", "renal failure"]
LEVELS = ["high", "low", "diabetes", "older", "younger", "suppressed", "normal"]


def _maybe(rng: random.Random, p: float = 0.75) -> bool:
    return rng.random() < p


def _some(rng: random.Random, values: list[str], most: int = 3) -> list[str]:
    return sorted(rng.sample(values, rng.randint(0, most)))


def _effect(rng: random.Random) -> dict[str, Any]:
    measure = rng.choice(MEASURES)
    if measure.endswith("_ratio"):
        estimate = round(rng.uniform(0.3, 3.0), 2)
        low, high = (
            round(estimate * rng.uniform(0.4, 1.0), 2),
            round(estimate * rng.uniform(1.0, 2.5), 2),
        )
    else:
        estimate = round(rng.uniform(-5.0, 5.0), 2)
        spread = rng.uniform(0.0, 4.0)
        low, high = round(estimate - spread, 2), round(estimate + spread, 2)
    effect: dict[str, Any] = {"measure": measure, "estimate": estimate}
    if _maybe(rng, 0.7):
        effect["ci_low"], effect["ci_high"] = min(low, estimate), max(high, estimate)
    if _maybe(rng, 0.6):
        effect["p_value"] = round(rng.uniform(0.0001, 0.9), 4)
    return effect


def _design(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(DESIGNS)
    design: dict[str, Any] = {"type": kind}
    if _maybe(rng):
        design["blinding"] = rng.choice(BLINDING)
    if _maybe(rng):
        design["comparator"] = rng.choice(COMPARATORS)
    if _maybe(rng, 0.5):
        design["allocation_concealment"] = rng.random() < 0.5
    if _maybe(rng):
        design["sample_size"] = rng.randint(12, 3000)
    if _maybe(rng, 0.4):
        design["centres"] = rng.randint(1, 40)
    if kind == "meta_analysis" and _maybe(rng):
        design["trials"] = rng.randint(2, 40)
    if _maybe(rng, 0.6):
        design["risk_of_bias"] = rng.choice(RISK)
    if _maybe(rng, 0.3):
        names = ["randomization", "deviations", "missing_data", "measurement", "reporting"]
        design["risk_of_bias_domains"] = {n: rng.choice(RISK) for n in names if _maybe(rng)}
    return design


def _population(rng: random.Random, indication: str) -> dict[str, Any]:
    population: dict[str, Any] = {}
    if _maybe(rng):
        population["immune_status"] = rng.choice(IMMUNE)
    if _maybe(rng, 0.5):
        population["suppression"] = _some(rng, SUPPRESSION, 2)
    if _maybe(rng, 0.5):
        population["selected_by_biomarker"] = rng.random() < 0.4
    if _maybe(rng, 0.6):
        population["median_age"] = round(rng.uniform(20, 85), 1)
    if _maybe(rng, 0.4):
        population["comorbidities"] = _some(rng, COMORBIDITIES, 2)
    if indication == "chronic_hepatitis_b":
        if _maybe(rng):
            population["liver_fibrosis"] = rng.choice(FIBROSIS)
        if _maybe(rng):
            population["hbeag"] = rng.choice(["positive", "negative"])
    return population


def _intervention(rng: random.Random) -> dict[str, Any]:
    intervention: dict[str, Any] = {}
    if _maybe(rng):
        role = rng.choice(["monotherapy", "adjuvant"])
        intervention["role"] = role
        if role == "adjuvant":
            intervention["combined_with"] = sorted(rng.sample(COMBINED, rng.randint(1, 2)))
        elif _maybe(rng, 0.3):
            intervention["combined_with"] = []
    if _maybe(rng):
        unit = "mg" if rng.random() < 0.85 else "mg_per_m2"
        intervention["dose"] = rng.choice([0.8, 1.0, 1.6, 3.2, 6.4, 0.9, 1.2])
        intervention["dose_unit"] = unit
    if _maybe(rng, 0.5):
        intervention["route"] = rng.choice(ROUTES)
    if _maybe(rng):
        intervention["frequency"] = rng.choice(FREQUENCIES)
    if _maybe(rng):
        intervention["duration_weeks"] = rng.choice([1, 2, 4, 12, 24, 26, 52])
    return intervention


def _endpoint(rng: random.Random) -> dict[str, Any]:
    endpoint: dict[str, Any] = {}
    if _maybe(rng, 0.5):
        endpoint["name"] = rng.choice(["28-day mortality", "Response", "Overall survival"])
    if _maybe(rng):
        endpoint["kind"] = rng.choice(ENDPOINTS)
    if _maybe(rng):
        timing = rng.choice(["end_of_therapy", "after_therapy"])
        endpoint["timing"] = timing
        if timing == "after_therapy":
            endpoint["months_after_therapy"] = rng.choice([0, 3, 6, 12, 24])
    return endpoint


def _subgroup(rng: random.Random, index: int) -> dict[str, Any]:
    subgroup: dict[str, Any] = {"name": f"Subgroup {index + 1}"}
    if _maybe(rng):
        subgroup["by"] = rng.choice(SUBGROUP_BY)
    if _maybe(rng):
        quality = subgroup.get("by") == "study_quality"
        subgroup["level"] = rng.choice(LEVELS_BY["study_quality"] if quality else LEVELS)
    if _maybe(rng, 0.4):
        subgroup["trials"] = rng.randint(1, 12)
    if _maybe(rng, 0.6):
        subgroup["sample_size"] = rng.randint(10, 2000)
    if _maybe(rng, 0.6):
        subgroup["prespecified"] = rng.random() < 0.5
    if _maybe(rng):
        subgroup["effect"] = _effect(rng)
    if _maybe(rng, 0.4):
        subgroup["interaction_p"] = round(rng.uniform(0.001, 0.9), 3)
    if _maybe(rng, 0.4):
        subgroup["credibility"] = rng.choice(["low", "moderate", "high"])
    return subgroup


def study(rng: random.Random, number: int) -> dict[str, Any]:
    """One valid study as plain data, its sections left out or partly filled at random."""
    indication = rng.choice(INDICATIONS)
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": f"bench-{number:05d}",
        "title": f"Generated {indication.replace('_', ' ')} study {number}",
        "indication": indication,
    }
    if indication == "cancer" and _maybe(rng):
        data["cancer_type"] = rng.choice(CANCERS)
    if _maybe(rng, 0.9):
        data["design"] = _design(rng)
    if _maybe(rng, 0.85):
        data["population"] = _population(rng, indication)
    if _maybe(rng, 0.9):
        data["intervention"] = _intervention(rng)
    if _maybe(rng, 0.85):
        data["primary_endpoint"] = _endpoint(rng)
    if _maybe(rng, 0.5):
        data["follow_up_months_after_therapy"] = rng.choice([0, 1, 6, 12, 36])
    if _maybe(rng, 0.5):
        data["secondary_endpoints"] = _some(rng, SECONDARY, 4)
    if _maybe(rng, 0.85):
        result: dict[str, Any] = {"primary": rng.choice(RESULTS)}
        if _maybe(rng, 0.6):
            result["effect"] = _effect(rng)
        if _maybe(rng, 0.5):
            result["immune_markers_improved"] = rng.random() < 0.5
        data["result"] = result
    if _maybe(rng, 0.35):
        data["subgroups"] = [_subgroup(rng, i) for i in range(rng.randint(1, 4))]
    return data


# --- full: every section filled (schema_version 2) -------------------------------------

COMPARATORS_V2 = [*COMPARATORS, "same_background_therapy"]
COMBINED_V2 = [*COMBINED, "surgery", "locoregional_therapy", "ulinastatin", "other"]
SECONDARY_V2 = [*SECONDARY, "radiation_pneumonitis", "adverse_events", "disease_free_survival"]
TIMINGS_V2 = ["end_of_therapy", "after_therapy", "time_to_event"]
SEPSIS_DEFINITIONS = ["sepsis_1", "sepsis_2", "sepsis_3", "other"]
EXCLUSIONS = ["severe_immunosuppression", "moribund", "other"]
PRODUCTS = ["thymalfasin", "thymalfasin", "thymalfasin", "thymosin_fraction_5"]
SEQUENCES = ["neoadjuvant", "concurrent", "after_primary_therapy"]
CI_LEVELS = [95.0, 95.0, 95.0, 90.0, 99.0]
LEVELS_BY = {
    "study_quality": ["lower_quality", "higher_quality", "high risk of bias", "low risk of bias"],
    "comorbidity": ["diabetes", "cirrhosis", "no comorbidity"],
    "age": ["older", "younger", "65 years or more"],
    "dose": ["high", "low", "1.6 mg"],
    "fibrosis": ["advanced", "mild", "cirrhosis"],
    "immune_status": ["suppressed", "normal"],
    "other": ["high", "low", "male", "female"],
}
REGIONS = ["China", "Italy", "United States", "Germany", "Japan", "multinational"]
ENDPOINT_NAMES = {
    "mortality": ("28-day all-cause mortality", "unfavourable"),
    "virological_response": ("HBV DNA undetectable with HBeAg loss", "favourable"),
    "tumour_response": ("Objective response (RECIST 1.1)", "favourable"),
    "survival": ("Overall survival", "favourable"),
    "immunological": ("Change in CD4+ count", "favourable"),
    "severity_score": ("Change in SOFA score", "unfavourable"),
    "complications": ("Secondary infections", "unfavourable"),
    "other": ("Composite clinical outcome", "unfavourable"),
}
ENDPOINTS_FOR = {
    "sepsis": ["mortality", "mortality", "severity_score", "complications", "immunological"],
    "chronic_hepatitis_b": ["virological_response", "virological_response", "immunological"],
    "cancer": ["survival", "survival", "tumour_response", "complications", "immunological"],
    "other": ["immunological", "complications", "other", "mortality"],
}


def _full_effect(rng: random.Random, measure: str | None = None) -> dict[str, Any]:
    """An effect with every field: estimate, interval, its level, standard error, p."""
    measure = measure or rng.choice(MEASURES)
    level = rng.choice(CI_LEVELS)
    if measure.endswith("_ratio"):
        estimate = round(rng.uniform(0.3, 3.0), 2)
        se = round(rng.uniform(0.05, 0.6), 3)
        low = round(estimate * rng.uniform(0.4, 0.95), 2)
        high = round(estimate * rng.uniform(1.05, 2.5), 2)
    else:
        estimate = round(rng.uniform(-5.0, 5.0), 2)
        se = round(rng.uniform(0.1, 2.0), 3)
        low = round(estimate - rng.uniform(0.1, 4.0), 2)
        high = round(estimate + rng.uniform(0.1, 4.0), 2)
    return {
        "measure": measure,
        "estimate": estimate,
        "ci_low": min(low, estimate),
        "ci_high": max(high, estimate),
        "ci_level": level,
        "se": se,
        "p_value": round(rng.uniform(0.0001, 0.9), 4),
    }


def _arms(rng: random.Random, measure: str) -> dict[str, Any]:
    """Outcome per arm: events of n for counted measures, mean and sd of n otherwise."""
    arms: dict[str, Any] = {}
    for arm in ("treatment", "control"):
        n = rng.randint(15, 800)
        if measure == "mean_difference":
            arms[arm] = {
                "mean": round(rng.uniform(-10.0, 40.0), 2),
                "sd": round(rng.uniform(0.5, 15.0), 2),
                "n": n,
            }
        else:
            arms[arm] = {"events": rng.randint(0, n), "n": n}
    return arms


def _full_design(rng: random.Random, kind: str) -> dict[str, Any]:
    design: dict[str, Any] = {
        "type": kind,
        "blinding": rng.choice(BLINDING),
        "comparator": rng.choice(COMPARATORS_V2),
        "allocation_concealment": rng.random() < 0.6,
        "sample_size": rng.randint(30, 3000),
        "centres": rng.randint(1, 40),
    }
    if kind == "meta_analysis":
        design["trials"] = rng.randint(2, 40)
    design["risk_of_bias"] = rng.choice(RISK)
    names = ["randomization", "deviations", "missing_data", "measurement", "reporting"]
    design["risk_of_bias_domains"] = {n: rng.choice(RISK) for n in names}
    design["subgroups_tested"] = rng.randint(1, 12)
    return design


def _full_population(rng: random.Random, indication: str) -> dict[str, Any]:
    population: dict[str, Any] = {
        "immune_status": rng.choice(IMMUNE),
        "suppression": sorted(rng.sample(SUPPRESSION, rng.randint(1, 2))),
        "selected_by_biomarker": rng.random() < 0.4,
        "median_age": round(rng.uniform(20, 85), 1),
        "comorbidities": sorted(rng.sample(COMORBIDITIES, rng.randint(1, 3))),
    }
    if indication == "chronic_hepatitis_b":
        population["liver_fibrosis"] = rng.choice(FIBROSIS)
        population["hbeag"] = rng.choice(["positive", "negative"])
        population["alt_elevated"] = rng.random() < 0.7
        population["hbv_dna_detectable"] = rng.random() < 0.8
    if indication == "sepsis":
        population["sepsis_definition"] = rng.choice(SEPSIS_DEFINITIONS)
        population["exclusions"] = sorted(rng.sample(EXCLUSIONS, rng.randint(0, 2)))
    return population


def _full_intervention(rng: random.Random) -> dict[str, Any]:
    role = rng.choice(["monotherapy", "adjuvant", "adjuvant"])
    combined = sorted(rng.sample(COMBINED_V2, rng.randint(1, 3))) if role == "adjuvant" else []
    unit = "mg" if rng.random() < 0.85 else "mg_per_m2"
    return {
        "role": role,
        "combined_with": combined,
        "dose": rng.choice([0.8, 1.0, 1.6, 3.2, 6.4, 0.9, 1.2]),
        "dose_unit": unit,
        "route": rng.choice(ROUTES),
        "frequency": rng.choice(FREQUENCIES),
        "duration_weeks": rng.choice([1, 2, 4, 12, 24, 26, 52]),
        "product": rng.choice(PRODUCTS),
        "sequence": rng.choice(SEQUENCES),
    }


def _full_endpoint(rng: random.Random, indication: str) -> dict[str, Any]:
    kind = rng.choice(ENDPOINTS_FOR[indication])
    name, counted = ENDPOINT_NAMES[kind]
    timing = rng.choice(TIMINGS_V2)
    endpoint: dict[str, Any] = {"name": name, "kind": kind, "timing": timing}
    if timing == "after_therapy":
        endpoint["months_after_therapy"] = rng.choice([0, 3, 6, 12, 24])
    endpoint["counted_event"] = counted
    endpoint["definition_reported"] = rng.random() < 0.7
    return endpoint


def _full_subgroup(rng: random.Random, index: int, meta: bool) -> dict[str, Any]:
    by = rng.choice(SUBGROUP_BY)
    level = rng.choice(LEVELS_BY[by])
    subgroup: dict[str, Any] = {"name": f"Subgroup {index + 1}: {level}", "by": by, "level": level}
    if meta:
        subgroup["trials"] = rng.randint(1, 12)
    subgroup["sample_size"] = rng.randint(10, 2000)
    subgroup["prespecified"] = rng.random() < 0.5
    subgroup["effect"] = _full_effect(rng)
    subgroup["interaction_p"] = round(rng.uniform(0.001, 0.9), 3)
    subgroup["credibility"] = rng.choice(["low", "moderate", "high"])
    subgroup["comparison"] = "between_trial" if meta else "within_trial"
    return subgroup


def full_study(rng: random.Random, number: int) -> dict[str, Any]:
    """One valid study as plain data with every section filled and 0 to 5 subgroups."""
    indication = rng.choice(INDICATIONS)
    kind = rng.choice(DESIGNS)
    data: dict[str, Any] = {
        "schema_version": 2,
        "id": f"bench-{number:05d}",
        "title": f"Thymalfasin in {indication.replace('_', ' ')}: generated study {number}",
        "citation": f"Generated A, Bench B. J Gen Stud. {2000 + number % 25};{number % 90}:1-9",
        "indication": indication,
    }
    if indication == "cancer":
        data["cancer_type"] = rng.choice(CANCERS)
    data["design"] = _full_design(rng, kind)
    data["population"] = _full_population(rng, indication)
    data["intervention"] = _full_intervention(rng)
    data["primary_endpoint"] = _full_endpoint(rng, indication)
    data["follow_up_months_after_therapy"] = rng.choice([0, 1, 6, 12, 36])
    data["secondary_endpoints"] = sorted(rng.sample(SECONDARY_V2, rng.randint(1, 5)))
    measure = rng.choice(MEASURES)
    data["result"] = {
        "primary": rng.choice(RESULTS),
        "effect": _full_effect(rng, measure),
        "immune_markers_improved": rng.random() < 0.5,
        "arms": _arms(rng, measure),
    }
    data["subgroups"] = [
        _full_subgroup(rng, i, kind == "meta_analysis") for i in range(rng.randint(0, 5))
    ]
    data["immune_monitoring"] = rng.choice(["none", "single_timepoint", "serial"])
    data["covariates"] = {
        "region": rng.choice(REGIONS),
        "publication_year": 2000 + number % 25,
        "baseline_lymphocytes": round(rng.uniform(0.4, 2.5), 2),
    }
    return data


KINDS = {"full": full_study, "sparse": study}


def write_studies(out_dir: Path, count: int, seed: int = 1, kind: str = "full") -> list[Path]:
    """Write ``count`` study files of ``kind`` (``full`` or ``sparse``) into ``out_dir``;
    return their paths in order."""
    make = KINDS[kind]
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = out_dir / f"study-{number:05d}.yaml"
        text = yaml.safe_dump(make(rng, number), sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=sorted(KINDS), default="full")
    args = parser.parse_args()
    paths = write_studies(args.out_dir, args.studies, args.seed, args.kind)
    print(f"wrote {len(paths)} study files to {args.out_dir}")


if __name__ == "__main__":
    main()
