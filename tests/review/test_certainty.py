"""Certainty of the body of evidence (kb/certainty.py) and the summary-of-findings table."""

from __future__ import annotations

import math
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import make_study
from tests.review.test_teaching_set import teaching_set
from thymoscope.kb.certainty import OIS_ALPHA_Z, OIS_POWER_Z
from thymoscope.synthesis.body import ReviewOptions
from thymoscope.synthesis.review import render_review, review_paths, review_studies
from thymoscope.synthesis.schema import review_schema


def body(*studies: dict[str, Any]) -> dict[str, Any]:
    """The review document of studies given as overrides of the baseline study."""
    loaded = [(make_study(**{"id": f"s{i}", **s}), f"s{i}.yaml") for i, s in enumerate(studies)]
    document = review_studies(loaded, ReviewOptions())
    jsonschema.Draft202012Validator(review_schema()).validate(document)
    return document


def certainty(document: dict[str, Any]) -> dict[str, Any]:
    (outcome,) = document["outcomes"]
    return dict(outcome["certainty"])


def domain(c: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [d for d in c["domains"] if d["name"] == name]
    return dict(found)


def effect(estimate: float, low: float, high: float) -> dict[str, Any]:
    return {"effect": {"estimate": estimate, "ci_low": low, "ci_high": high, "p_value": None}}


PRECISE = effect(0.7, 0.55, 0.9)


@pytest.fixture(scope="module")
def sepsis() -> dict[str, Any]:
    document, problems, _ = review_paths([teaching_set("sepsis-quality")])
    assert problems == []
    jsonschema.Draft202012Validator(review_schema()).validate(document)
    return document


def test_teaching_set_is_low_for_risk_of_bias_and_publication_bias(sepsis: dict[str, Any]) -> None:
    c = certainty(sepsis)
    assert c["start"] == "high" and c["level"] == "low"
    assert c["downgraded_for"] == ["risk of bias", "publication bias"]
    assert c["line"] == "certainty: low (downgraded for risk of bias and publication bias)"
    rob = domain(c, "risk of bias")
    assert rob["reasons"][0].startswith("pooled-effect-rests-on-weaker-studies: ")
    assert "0.82 (0.65 to 1.03)" in rob["reasons"][0]
    assert "19% of the weight" in rob["reasons"][1]
    assert domain(c, "publication bias")["reasons"][0].startswith("small-study-effects: ")
    # heterogeneity explained by study quality is not counted twice
    assert domain(c, "inconsistency")["downgrade"] == 0
    assert "heterogeneity-explained by study_quality" in domain(c, "inconsistency")["reasons"][0]


def test_summary_row_carries_numbers_and_certainty(sepsis: dict[str, Any]) -> None:
    (row,) = sepsis["summary_of_findings"]
    assert row["studies"] == 11 and row["participants"] == 359 + 1568
    assert (round(row["estimate"], 2), round(row["ci_low"], 2), round(row["ci_high"], 2)) == (
        0.71,
        0.56,
        0.89,
    )
    assert row["certainty"] == "low"
    assert row["reasons"] == [
        "risk of bias: the benefit rests on the studies at higher risk of bias",
        "publication bias: small-study effects (Egger p = 0.019)",
    ]


def test_optimal_information_size_from_control_risk(sepsis: dict[str, Any]) -> None:
    c = certainty(sepsis)
    control = [
        yaml.safe_load(path.read_text(encoding="utf-8"))["result"]["arms"]["control"]
        for path in sorted(teaching_set("sepsis-quality").glob("*.yaml"))
    ]
    pc = sum(arm["events"] for arm in control) / sum(arm["n"] for arm in control)
    reason = domain(c, "imprecision")["reasons"][0]
    assert "optimal information size (a heuristic)" in reason and "28.5%" in reason
    pt = pc * 0.75
    per_arm = (OIS_ALPHA_Z + OIS_POWER_Z) ** 2 * (pc * (1 - pc) + pt * (1 - pt)) / (pc - pt) ** 2
    assert c["optimal_information_size"] == 2 * math.ceil(per_arm)
    assert domain(c, "imprecision")["downgrade"] == 0  # 1,927 participants reach it


def test_consistent_precise_low_risk_trials_stay_high() -> None:
    c = certainty(body(*[{"result": PRECISE}] * 4))
    assert c["level"] == "high" and c["downgraded_for"] == []
    assert c["line"] == "certainty: high (starts high: randomised trials; not downgraded)"
    assert domain(c, "publication bias")["judgement"] == "not assessed"


def test_imprecision_one_level_for_a_ci_crossing_no_effect_two_when_it_spans_both() -> None:
    c = certainty(body(*[{"result": effect(0.85, 0.6, 1.2)}] * 3))
    assert domain(c, "imprecision")["downgrade"] == 1 and c["level"] == "moderate"
    c = certainty(body(*[{"result": effect(0.95, 0.4, 2.2)}] * 2))
    imprecision = domain(c, "imprecision")
    assert imprecision["downgrade"] == 2 and "appreciable harm (1.25)" in imprecision["reasons"][0]
    assert c["level"] == "low"


def test_participants_below_the_information_size_downgrade_imprecision() -> None:
    arms = {"treatment": {"events": 6, "n": 40}, "control": {"events": 14, "n": 40}}
    study = {"design": {"sample_size": 80}, "result": {"arms": arms, **effect(0.4, 0.2, 0.9)}}
    c = certainty(body(*[{"schema_version": 2, **study}] * 3))
    imprecision = domain(c, "imprecision")
    assert imprecision["downgrade"] == 1
    assert (
        "240 participants are fewer than the optimal information size"
        in (imprecision["reasons"][0])
    )


def test_unexplained_heterogeneity_downgrades_inconsistency() -> None:
    results = [effect(0.3, 0.2, 0.45), effect(1.1, 0.9, 1.35), effect(0.6, 0.45, 0.8)]
    c = certainty(body(*[{"result": r} for r in results]))
    inconsistency = domain(c, "inconsistency")
    assert inconsistency["downgrade"] == 2  # I² ≥ 75% with no factor explaining it
    assert inconsistency["reasons"][0].startswith("heterogeneity-unexplained: I² = ")


def test_weight_from_studies_at_risk_of_bias_downgrades() -> None:
    weak = {"design": {"risk_of_bias": None, "blinding": "open", "allocation_concealment": False}}
    c = certainty(body({**weak, "result": PRECISE}, {**weak, "result": PRECISE}, {}))
    rob = domain(c, "risk of bias")
    assert rob["downgrade"] == 1
    assert "67% of the weight comes from studies at high" in rob["reasons"][0]
    assert "(2 high)" in rob["reasons"][0]


def test_another_thymic_product_is_indirect_when_it_carries_weight() -> None:
    other = {"schema_version": 2, "intervention": {"product": "thymosin_fraction_5"}}
    c = certainty(body({**other, "id": "tf5"}, {}, {}))
    indirectness = domain(c, "indirectness")
    assert indirectness["downgrade"] == 1
    assert "33% of the weight" in indirectness["reasons"][0]
    assert "tf5 (thymosin fraction 5)" in indirectness["reasons"][0]
    small = {**other, "design": {"sample_size": 40}, "result": effect(0.7, 0.2, 2.4)}
    c = certainty(body(small, {}, {}, {}))
    assert domain(c, "indirectness")["downgrade"] == 0
    assert "thymosin fraction 5" in domain(c, "indirectness")["reasons"][0]


def test_non_randomised_studies_start_low() -> None:
    c = certainty(body({"design": {"type": "observational"}}, {}, {}))
    assert c["start"] == "low"
    assert c["start_reason"] == "starts low: 1 of 3 studies are not randomised"


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_has_the_table_and_the_line(sepsis: dict[str, Any], fmt: str) -> None:
    out = render_review(sepsis, fmt)
    assert "Summary of findings" in out
    assert "certainty: low (downgraded for risk of bias and publication bias)" in out
    assert "OR 0.71 (0.56 to 0.89)" in out
    assert "1,927" in out
