"""The bundled sepsis teaching set reproduces FAQ 2's quality strata by itself."""

from __future__ import annotations

import math
from importlib.resources import files
from pathlib import Path

import pytest

from thymoscope.synthesis.body import ReviewOptions
from thymoscope.synthesis.review import review_paths


def teaching_set(name: str) -> Path:
    return Path(str(files("thymoscope.kb.cases").joinpath("review", name)))


@pytest.fixture(scope="module")
def by_quality() -> dict[str, object]:
    document, problems, files_read = review_paths(
        [teaching_set("sepsis-quality")], ReviewOptions(by="design.risk_of_bias")
    )
    assert problems == [] and len(files_read) == 11
    return document


def test_strata_reproduce_the_faq(by_quality: dict[str, object]) -> None:
    (outcome,) = by_quality["outcomes"]  # type: ignore[index]
    groups = {g["level"]: g for g in outcome["subgroups"]["groups"]}
    studies = {s["id"]: s for s in outcome["studies"]}
    lower, higher = groups["high"], groups["low"]  # risk of bias high = lower quality
    for group, k, patients, shown in (
        (lower, 6, 359, (0.41, 0.24, 0.68)),
        (higher, 5, 1568, (0.82, 0.65, 1.03)),
    ):
        pooled = group["pooled"]
        assert group["k"] == k
        assert sum(studies[i]["sample_size"] for i in group["ids"]) == patients
        assert tuple(round(pooled[key], 2) for key in ("estimate", "ci_low", "ci_high")) == shown
    assert round(lower["pooled"]["p_value"], 4) == 0.0007
    assert round(higher["pooled"]["p_value"], 2) == 0.09
    # the strata differ (as `compare` finds for the meta-analysis's strata: p = 0.017)
    assert outcome["subgroups"]["separate_tau2"]["p_value"] < 0.05


def test_pooled_benefit_over_all_eleven_trials(by_quality: dict[str, object]) -> None:
    (outcome,) = by_quality["outcomes"]  # type: ignore[index]
    pooled = outcome["pooled"]
    assert outcome["k"] == 11
    assert pooled["ci_high"] < 1.0  # the overall analysis shows a benefit ...
    assert math.isclose(
        sum(s["sample_size"] for s in outcome["studies"]), 359 + 1568
    )  # ... over 1,927 patients


def test_effects_come_from_the_counts(by_quality: dict[str, object]) -> None:
    (outcome,) = by_quality["outcomes"]  # type: ignore[index]
    assert {s["effect_from"] for s in outcome["studies"]} == {"counts"}
