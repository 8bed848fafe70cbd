"""kb/rules/therapy_role.py: each rule fires on one study and not on its near twin.

Review item 9 (a positive single-agent trial, Schulof 1985, is not told that a null
result says little), the FAQ 4 mechanism as the rationale, neoadjuvant use and the side
effects (radiation pneumonitis, adverse events) of FAQ 1 and 4.
"""

from __future__ import annotations

from tests.conftest import DELETE, make_study_dict
from tests.kb.rulecase import RuleCase
from tests.kb.values import concluded, diagnosed

CANCER = make_study_dict(
    indication="cancer",
    cancer_type="melanoma",
    intervention={
        "role": "monotherapy",
        "combined_with": [],
        "frequency": "twice_weekly",
        "duration_weeks": 12,
    },
    primary_endpoint={"kind": "survival", "name": "Overall survival", "months_after_therapy": 24},
    secondary_endpoints=["cd4", "nk_cells"],
)
CHB = make_study_dict(
    indication="chronic_hepatitis_b",
    population={
        "liver_fibrosis": "mild",
        "hbeag": "positive",
        "suppression": ["other"],
        "selected_by_biomarker": None,
    },
    intervention={
        "role": "adjuvant",
        "combined_with": ["nucleoside_analogue"],
        "frequency": "twice_weekly",
        "duration_weeks": 26,
    },
    primary_endpoint={"kind": "virological_response", "name": "SVR", "months_after_therapy": 12},
    follow_up_months_after_therapy=12,
    secondary_endpoints=["alt_normalisation"],
)
NULL = {"primary": "no_significant_effect", "effect": DELETE}

CASES = [
    RuleCase(
        rule="cancer_monotherapy",
        finding="cancer-monotherapy",
        base=CANCER,
        fire={"result": NULL},
        silent={"intervention": {"role": "adjuvant", "combined_with": ["chemotherapy"]}},
        cites={
            "indication": "cancer",
            "intervention.role": "monotherapy",
            "result.primary": "no_significant_effect",
        },
        texts=("in melanoma", "says little about adjuvant use"),
        severity="major",
        name="null",
    ),
    RuleCase(
        rule="cancer_monotherapy",
        finding="cancer-monotherapy",
        base=CANCER,
        fire={},
        silent={"indication": "sepsis", "cancer_type": DELETE},
        cites={"result.primary": "benefit"},
        severity="moderate",
        name="positive-schulof",
    ),
    RuleCase(
        rule="adjuvant_benefit_plausible",
        finding="adjuvant-benefit-plausible",
        base=CANCER,
        fire={
            "intervention": {
                "role": "adjuvant",
                "combined_with": ["radiotherapy", "immune_checkpoint_inhibitor", "vaccine"],
            }
        },
        silent={"intervention": {"combined_with": ["vaccine"]}},
        cites={
            "indication": "cancer",
            "intervention.role": "adjuvant",
            "intervention.combined_with": (
                "radiotherapy",
                "immune_checkpoint_inhibitor",
                "vaccine",
            ),
        },
        texts=("added to immune checkpoint inhibitor, radiotherapy.",),
        severity="info",
    ),
    RuleCase(
        rule="chb_monotherapy",
        finding="chb-monotherapy",
        base=CHB,
        fire={"intervention": {"role": "monotherapy", "combined_with": []}},
        silent={"intervention": {"role": "adjuvant", "combined_with": ["interferon"]}},
        cites={"indication": "chronic_hepatitis_b", "intervention.role": "monotherapy"},
        severity="minor",
    ),
    RuleCase(
        rule="not_thymalfasin",
        finding="different-thymic-product",
        base=CANCER,
        fire={"schema_version": 2, "intervention": {"product": "thymosin_fraction_5"}},
        silent={"intervention": {"product": "thymalfasin"}},
        cites={"intervention.product": "thymosin_fraction_5"},
        texts=("thymosin fraction 5, not thymalfasin",),
        severity="major",
    ),
]


def test_positive_monotherapy_trial_is_not_told_a_null_says_little() -> None:
    found, values = concluded(CASES[1].fire_dict(), "cancer-monotherapy")
    assert values["primary"] == "benefit"
    assert "null result" not in found.explanation and "says little" not in found.explanation
    assert "reports benefit" in found.explanation


def test_therapy_role_texts_give_the_tlr_rationale() -> None:
    for case in (CASES[0], CASES[2], CASES[3]):
        found, _ = concluded(case.fire_dict(), case.finding)
        assert "Toll-like receptor" in found.explanation, case.id
        assert "dendritic cells and T cells" in found.explanation, case.id


def test_radiotherapy_partner_without_side_effect_endpoints_says_they_cannot_be_checked() -> None:
    found, values = concluded(CASES[2].fire_dict(), "adjuvant-benefit-plausible")
    assert values["side_effects"] == [] and values["radiotherapy"] is True
    assert "radiation pneumonitis" in found.explanation
    unknown = make_study_dict(CASES[2].fire_dict(), secondary_endpoints=DELETE)
    found, values = concluded(unknown, "adjuvant-benefit-plausible")
    assert values["side_effects"] is None
    assert "cannot be checked" not in found.explanation


def test_adjuvant_null_is_weighed_more_than_a_single_agent_null() -> None:
    data = make_study_dict(CASES[2].fire_dict(), result=NULL)
    found, values = concluded(data, "adjuvant-benefit-plausible")
    assert values["primary"] == "no_significant_effect"
    assert "weighs more against adjuvant benefit" in found.explanation


def test_chb_monotherapy_reads_the_direction() -> None:
    positive, _ = concluded(CASES[3].fire_dict(), "chb-monotherapy")
    assert "evidence about monotherapy" in positive.explanation
    data = make_study_dict(CASES[3].fire_dict(), result=NULL)
    null, values = concluded(data, "chb-monotherapy")
    assert values["primary"] == "no_significant_effect"
    assert "what this slow route predicts" in null.explanation


def test_neoadjuvant_use_and_recorded_side_effects_are_named() -> None:
    data = make_study_dict(
        CASES[2].fire_dict(),
        schema_version=2,
        intervention={"sequence": "neoadjuvant"},
        secondary_endpoints=["cd4", "radiation_pneumonitis", "adverse_events"],
    )
    found, values = concluded(data, "adjuvant-benefit-plausible")
    assert values["sequence"] == "neoadjuvant"
    assert values["side_effects"] == ["radiation_pneumonitis", "adverse_events"]
    assert "neoadjuvant use" in found.explanation
    assert "radiation pneumonitis and adverse events" in found.explanation
    assert {f.path for f in found.facts} >= {"intervention.sequence", "secondary_endpoints"}


def test_single_agent_text_names_a_product_that_is_not_thymalfasin() -> None:
    data = make_study_dict(
        CASES[0].fire_dict(), schema_version=2, intervention={"product": "thymosin_fraction_5"}
    )
    found, values = concluded(data, "cancer-monotherapy")
    assert values["product"] == "thymosin_fraction_5"
    assert found.explanation.startswith("The study's thymic product (thymosin fraction 5)")
    assert "different-thymic-product" in {f.id for f in diagnosed(data).findings}


def test_an_unnamed_secondary_endpoint_is_not_read_as_no_side_effect_endpoint() -> None:
    data = make_study_dict(CASES[2].fire_dict(), secondary_endpoints=["cd4", "other"])
    found, values = concluded(data, "adjuvant-benefit-plausible")
    assert values["side_effects"] is None
    assert "recorded neither" not in found.explanation
