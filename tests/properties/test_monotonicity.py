"""Monotonicity of the knowledge base under hypothesis: improving a study in a way the FAQ
says matters never *adds* the finding about that weakness (and never makes it worse).

Each property takes a valid generated study (tests/strategies.py), applies one
improvement that keeps it valid, and compares the two diagnoses.  The FAQ section each
rests on is named in the test's docstring.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import study_dicts
from thymoscope.api import diagnose
from thymoscope.engine.diagnosis import SEVERITY_ORDER, Diagnosis
from thymoscope.kb.thresholds import IMMUNE_MARKERS, USUAL_DOSE_MG
from thymoscope.study.model import Study

MONOTONE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALL_MARKERS = sorted(set().union(*IMMUNE_MARKERS.values()))

Change = Callable[[dict[str, Any]], None]


def _diagnosed(data: dict[str, Any]) -> Diagnosis:
    return diagnose(Study.model_validate(data))


def _severity(diagnosis: Diagnosis, finding: str) -> int | None:
    """Rank of the finding's severity (0 = major), or None when it did not fire."""
    for item in diagnosis.findings:
        if item.id == finding:
            return SEVERITY_ORDER.index(item.severity)
    return None


def assert_never_adds(data: dict[str, Any], change: Change, *findings: str) -> None:
    """After ``change``, none of ``findings`` appears that was absent, none gets more severe."""
    improved = copy.deepcopy(data)
    change(improved)
    before, after = _diagnosed(data), _diagnosed(improved)
    for finding in findings:
        rank_after = _severity(after, finding)
        if rank_after is None:
            continue
        rank_before = _severity(before, finding)
        assert rank_before is not None, f"{change.__name__} added {finding}"
        assert rank_after >= rank_before, f"{change.__name__} made {finding} more severe"


def section(data: dict[str, Any], name: str) -> dict[str, Any]:
    return data.setdefault(name, {})


@MONOTONE
@given(study_dicts(), st.floats(0.0, 60.0), st.floats(0.01, 60.0))
def test_longer_follow_up_never_adds_follow_up_too_short(
    data: dict[str, Any], months: float, more: float
) -> None:
    """FAQ 1, 3: responses build up after therapy; longer follow-up can only help."""
    data["follow_up_months_after_therapy"] = months

    def lengthen_follow_up(study: dict[str, Any]) -> None:
        study["follow_up_months_after_therapy"] = months + more

    assert_never_adds(data, lengthen_follow_up, "follow-up-too-short")


@MONOTONE
@given(study_dicts())
def test_reading_the_endpoint_after_therapy_never_adds_end_of_therapy_endpoint(
    data: dict[str, Any],
) -> None:
    """FAQ 1, 3: an endpoint read after therapy captures delayed responses."""

    def read_after_therapy(study: dict[str, Any]) -> None:
        endpoint = section(study, "primary_endpoint")
        endpoint["timing"] = "after_therapy"
        endpoint["months_after_therapy"] = max(12.0, endpoint.get("months_after_therapy") or 0)

    assert_never_adds(data, read_after_therapy, "end-of-therapy-endpoint")


@MONOTONE
@given(study_dicts())
def test_double_blind_placebo_control_never_adds_high_risk_of_bias(data: dict[str, Any]) -> None:
    """FAQ 2: blinding and a placebo control protect against overstated benefit."""

    def blind_and_control(study: dict[str, Any]) -> None:
        section(study, "design").update(blinding="double", comparator="placebo")

    assert_never_adds(data, blind_and_control, "high-risk-of-bias")


@MONOTONE
@given(study_dicts())
def test_randomised_low_risk_concealed_never_adds_high_risk_of_bias(data: dict[str, Any]) -> None:
    """FAQ 2: randomisation and concealed allocation are the first safeguards."""

    def randomise(study: dict[str, Any]) -> None:
        design = section(study, "design")
        design.update(type="rct", risk_of_bias="low", allocation_concealment=True)
        design.pop("trials", None)  # only meta-analyses count trials

    assert_never_adds(data, randomise, "high-risk-of-bias")


@MONOTONE
@given(study_dicts(), st.integers(1, 5000))
def test_larger_trials_never_add_imprecision_or_bias(data: dict[str, Any], more: int) -> None:
    """FAQ 2: small trials overstate benefit and cannot rule out a useful effect."""
    design = section(data, "design")
    design["sample_size"] = design.get("sample_size") or 50

    def enlarge(study: dict[str, Any]) -> None:
        study["design"]["sample_size"] += more

    assert_never_adds(data, enlarge, "imprecise-result", "high-risk-of-bias")


@MONOTONE
@given(study_dicts(), st.data())
def test_measuring_immune_markers_never_adds_immune_endpoints_missing(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """FAQ 2, 4: immune markers show whether the drug acted at all.

    The markers are those of the study's indication (IMMUNE_MARKERS); an APACHE II
    score added to a cancer study whose endpoints were unknown rightly fires the finding.
    """
    markers = sorted(IMMUNE_MARKERS.get(data["indication"], ALL_MARKERS))
    added = draw.draw(st.lists(st.sampled_from(markers), min_size=1, max_size=4))

    def measure_markers(study: dict[str, Any]) -> None:
        known = study.get("secondary_endpoints") or []
        study["secondary_endpoints"] = sorted({*known, *added})

    assert_never_adds(data, measure_markers, "immune-endpoints-missing")


@MONOTONE
@given(study_dicts())
def test_selecting_by_biomarker_never_adds_population_findings(data: dict[str, Any]) -> None:
    """FAQ 1, 2: enrolling patients with a measured immune deficit targets the effect."""

    def select_by_biomarker(study: dict[str, Any]) -> None:
        section(study, "population")["selected_by_biomarker"] = True

    assert_never_adds(
        data, select_by_biomarker, "immunocompetent-population", "unselected-sepsis-population"
    )


@MONOTONE
@given(study_dicts(), st.floats(*USUAL_DOSE_MG))
def test_a_usual_flat_dose_never_adds_dose_findings(data: dict[str, Any], dose: float) -> None:
    """FAQ 1, 3: trials used 0.8–1.6 mg; the higher dose in advanced fibrosis."""

    def usual_dose(study: dict[str, Any]) -> None:
        section(study, "intervention").update(dose=dose, dose_unit="mg")

    assert_never_adds(data, usual_dose, "dose-outside-usual-range")

    def reference_dose(study: dict[str, Any]) -> None:
        section(study, "intervention").update(dose=USUAL_DOSE_MG[1], dose_unit="mg")

    assert_never_adds(
        data, reference_dose, "dose-outside-usual-range", "low-dose-advanced-fibrosis"
    )


@MONOTONE
@given(study_dicts(indication="cancer"))
def test_adding_chemotherapy_never_adds_cancer_monotherapy(data: dict[str, Any]) -> None:
    """FAQ 1, 4: benefit in cancer is reported alongside anti-cancer treatment."""

    def make_adjuvant(study: dict[str, Any]) -> None:
        section(study, "intervention").update(role="adjuvant", combined_with=["chemotherapy"])

    assert_never_adds(data, make_adjuvant, "cancer-monotherapy")


@MONOTONE
@given(study_dicts())
def test_credible_subgroups_never_add_low_credibility_claims(data: dict[str, Any]) -> None:
    """FAQ 2 and ICEMAN: pre-specified subgroups, compared within trials, with a
    significant interaction test, from few subgroup analyses, are credible."""

    def strengthen(study: dict[str, Any]) -> None:
        for sub in study.get("subgroups", []):
            sub.update(prespecified=True, interaction_p=0.001, credibility="high")
            if sub.get("comparison") is not None:
                sub["comparison"] = "within_trial"
        if study.get("design", {}).get("subgroups_tested") is not None:
            study["design"]["subgroups_tested"] = 1

    assert_never_adds(data, strengthen, "low-credibility-subgroup-claim")
