"""Every field and value added in schema_version 2 is accepted and read as written."""

from __future__ import annotations

import pytest

from tests.study.helpers import accepted
from thymoscope.study import vocabulary as v
from thymoscope.study.model import DEFAULT_CI_LEVEL, Study


def test_design_additions() -> None:
    study = accepted("design:\n  comparator: same_background_therapy\n  subgroups_tested: 4\n")
    assert study.design.comparator is v.Comparator.same_background_therapy
    assert study.design.subgroups_tested == 4


def test_sepsis_population_additions() -> None:
    study = accepted(
        "population:\n  sepsis_definition: sepsis_3\n"
        "  exclusions: [severe_immunosuppression, moribund]\n"
    )
    assert study.population.sepsis_definition is v.SepsisDefinition.sepsis_3
    assert study.population.exclusions == [
        v.Exclusion.severe_immunosuppression,
        v.Exclusion.moribund,
    ]


def test_empty_exclusions_mean_none_not_unknown() -> None:
    assert accepted("population:\n  exclusions: []\n").population.exclusions == []
    assert accepted("").population.exclusions is None


def test_hepatitis_b_population_additions() -> None:
    study = accepted(
        "population:\n  hbeag: positive\n  alt_elevated: true\n  hbv_dna_detectable: false\n",
        indication="chronic_hepatitis_b",
    )
    assert study.population.alt_elevated is True
    assert study.population.hbv_dna_detectable is False


@pytest.mark.parametrize("product", [p.value for p in v.Product])
def test_product(product: str) -> None:
    assert accepted(f"intervention:\n  product: {product}\n").intervention.product == product


@pytest.mark.parametrize("partner", ["surgery", "locoregional_therapy", "ulinastatin", "other"])
def test_new_combination_partners(partner: str) -> None:
    study = accepted(
        f"intervention:\n  role: adjuvant\n  combined_with: [{partner}]\n", indication="cancer"
    )
    assert study.intervention.combined_with == [v.CombinedWith(partner)]


@pytest.mark.parametrize("sequence", [s.value for s in v.TherapySequence])
def test_sequence(sequence: str) -> None:
    study = accepted(
        f"intervention:\n  role: adjuvant\n  combined_with: [surgery]\n  sequence: {sequence}\n",
        indication="cancer",
    )
    assert study.intervention.sequence == sequence


def test_time_to_event_needs_no_months() -> None:
    study = accepted(
        "primary_endpoint:\n  kind: survival\n  timing: time_to_event\n"
        "  counted_event: unfavourable\n  definition_reported: true\n",
        indication="cancer",
    )
    assert study.primary_endpoint.timing is v.EndpointTiming.time_to_event
    assert study.primary_endpoint.months_after_therapy is None
    assert study.primary_endpoint.counted_event is v.CountedEvent.unfavourable
    assert study.primary_endpoint.definition_reported is True


def test_new_secondary_endpoints() -> None:
    study = accepted(
        "secondary_endpoints: [radiation_pneumonitis, adverse_events, disease_free_survival]\n",
        indication="cancer",
    )
    assert study.secondary_endpoints == [
        v.SecondaryEndpoint.radiation_pneumonitis,
        v.SecondaryEndpoint.adverse_events,
        v.SecondaryEndpoint.disease_free_survival,
    ]


def test_ci_level_defaults_to_95_only_with_an_interval() -> None:
    with_ci = accepted(
        "result:\n  effect: {measure: odds_ratio, estimate: 0.8, ci_low: 0.6, ci_high: 1.1}\n"
    )
    assert with_ci.result.effect is not None
    assert with_ci.result.effect.ci_level == DEFAULT_CI_LEVEL == 95
    without = accepted("result:\n  effect: {measure: odds_ratio, estimate: 0.8, p_value: 0.2}\n")
    assert without.result.effect is not None and without.result.effect.ci_level is None


@pytest.mark.parametrize("level", [50.5, 80, 90, 99, 99.9])
def test_ci_level_between_50_and_100(level: float) -> None:
    study = accepted(
        "result:\n  effect: {measure: odds_ratio, estimate: 0.8, ci_low: 0.6, ci_high: 1.1, "
        f"ci_level: {level}}}\n"
    )
    assert study.result.effect is not None and study.result.effect.ci_level == level


def test_standard_error_instead_of_an_interval() -> None:
    study = accepted("result:\n  effect: {measure: hazard_ratio, estimate: 0.99, se: 0.13}\n")
    assert study.result.effect is not None
    assert study.result.effect.se == 0.13 and study.result.effect.ci_low is None


def test_subgroup_claim_with_a_p_value_only() -> None:
    study = accepted(
        "subgroups:\n  - name: Diabetes\n    by: comorbidity\n    level: diabetes\n"
        "    comparison: within_trial\n    interaction_p: 0.04\n"
        "    effect: {measure: hazard_ratio, p_value: 0.04}\n"
    )
    subgroup = study.subgroups[0]
    assert subgroup.effect is not None
    assert subgroup.effect.estimate is None and subgroup.effect.p_value == 0.04
    assert subgroup.comparison is v.SubgroupComparison.within_trial


def test_main_effect_with_a_p_value_only() -> None:
    study = accepted("result:\n  effect: {measure: odds_ratio, p_value: 0.03}\n")
    assert study.result.effect is not None and study.result.effect.estimate is None


def test_counted_arms() -> None:
    study = accepted(
        "result:\n  arms:\n    treatment: {events: 122, n: 552}\n"
        "    control: {events: 131, n: 537}\n"
    )
    arms = study.result.arms
    assert arms is not None and arms.treatment.kind == arms.control.kind == "dichotomous"
    assert (arms.treatment.events, arms.treatment.n) == (122, 552)


def test_measured_arms_and_edge_counts() -> None:
    study = accepted(
        "result:\n  arms:\n    treatment: {mean: -1.5, sd: 0.4, n: 1}\n"
        "    control: {mean: 0, sd: 2.5, n: 40}\n"
    )
    arms = study.result.arms
    assert arms is not None and arms.treatment.kind == "continuous"
    assert arms.treatment.mean == -1.5 and arms.control.sd == 2.5
    zero_and_all = accepted(
        "result:\n  arms:\n    treatment: {events: 0, n: 5}\n    control: {events: 5, n: 5}\n"
    )
    assert zero_and_all.result.arms is not None


@pytest.mark.parametrize("monitoring", [m.value for m in v.ImmuneMonitoring])
def test_immune_monitoring(monitoring: str) -> None:
    assert accepted(f"immune_monitoring: {monitoring}\n").immune_monitoring == monitoring


def test_covariates_keep_numbers_and_text() -> None:
    study = accepted(
        "covariates:\n  region: China\n  mean_age: 61\n  baseline_dna_log10: 7.25\n"
        "  year_2: '2019'\n"
    )
    assert study.covariates == {
        "region": "China",
        "mean_age": 61,
        "baseline_dna_log10": 7.25,
        "year_2": "2019",
    }
    assert isinstance(study.covariates["mean_age"], int)


def test_fifty_covariates_are_allowed() -> None:
    body = "covariates:\n" + "".join(f"  c{i}: {i}\n" for i in range(50))
    study = accepted(body)
    assert study.covariates is not None and len(study.covariates) == 50


def test_every_addition_is_optional_and_unknown_by_default() -> None:
    study = Study.model_validate(
        {"schema_version": 2, "id": "s", "title": "t", "indication": "sepsis"}
    )
    assert study.design.subgroups_tested is None
    assert study.population.sepsis_definition is None and study.population.exclusions is None
    assert study.intervention.product is None and study.intervention.sequence is None
    assert study.primary_endpoint.counted_event is None
    assert study.primary_endpoint.definition_reported is None
    assert study.result.arms is None
    assert study.immune_monitoring is None and study.covariates is None
