"""The bundled hepatitis B teaching set: endpoint timing, not quality, explains why it disagrees."""

from __future__ import annotations

from typing import Any

import pytest

from tests.review.test_teaching_set import teaching_set
from thymoscope.synthesis.body import ReviewOptions
from thymoscope.synthesis.review import review_paths


def outcome(options: ReviewOptions | None = None) -> dict[str, Any]:
    document, problems, files_read = review_paths([teaching_set("chb-endpoint-timing")], options)
    assert problems == [] and len(files_read) == 12 and document["excluded"] == []
    (only,) = document["outcomes"]
    return dict(only)


@pytest.fixture(scope="module")
def default() -> dict[str, Any]:
    return outcome()


def test_review_names_endpoint_timing_as_the_explanation(default: dict[str, Any]) -> None:
    explained = [f for f in default["findings"] if f["id"] == "heterogeneity-explained"]
    assert [f["factor"] for f in explained] == ["endpoint_timing"]
    (finding,) = explained
    assert '"Endpoint timing"' in finding["explanation"]
    assert finding["faq_sections"] == ["1", "3"]  # FAQ 3: the delayed hepatitis B response
    # quality was tried too (3 factors, Bonferroni 0.05/3) and explains nothing here
    facts = dict((fact["name"], fact["value"]) for fact in finding["facts"])
    assert facts["tried"] == 3
    assert facts["p"] < facts["alpha"] == pytest.approx(0.05 / 3)
    assert "heterogeneity-unexplained" not in [f["id"] for f in default["findings"]]
    assert "pooled-effect-rests-on-weaker-studies" not in [f["id"] for f in default["findings"]]


def test_end_of_therapy_readings_show_no_benefit_later_readings_do() -> None:
    split = outcome(ReviewOptions(by="primary_endpoint.timing"))["subgroups"]
    groups = {g["level"]: g["pooled"] for g in split["groups"]}
    end, after = groups["end_of_therapy"], groups["after_therapy"]
    assert end["ci_low"] < 1 < end["ci_high"] and 1.0 < end["estimate"] < 1.3
    assert after["ci_low"] > 1.5 and 2.5 < after["estimate"] < 3.5
    assert end["heterogeneity"]["i2"] == pytest.approx(0, abs=1e-6)
    assert after["heterogeneity"]["i2"] == pytest.approx(0, abs=1e-6)
    assert split["separate_tau2"]["p_value"] < 0.001


def test_quality_splits_do_not_differ(default: dict[str, Any]) -> None:
    split = outcome(ReviewOptions(by="design.risk_of_bias"))["subgroups"]
    assert split["separate_tau2"]["p_value"] > 0.5
    assert default["favours"] == {"low": "favours control", "high": "favours thymalfasin"}


def test_files_say_they_are_illustrative() -> None:
    for path in teaching_set("chb-endpoint-timing").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# Illustrative") and "not a real trial" in text
