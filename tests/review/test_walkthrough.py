"""`thymoscope review --steps`: a review told step by step."""

from __future__ import annotations

from tests.cli.helpers import invoke
from tests.review.test_teaching_set import teaching_set
from thymoscope.synthesis.review import review_paths
from thymoscope.synthesis.walkthrough import review_steps


def test_five_steps_in_the_reviewer_s_order() -> None:
    document, _, _ = review_paths([teaching_set("chb-endpoint-timing")])
    steps = review_steps(document)
    assert [(s.number, s.title) for s in steps] == [
        (1, "The studies"),
        (2, "Pool them and measure the disagreement"),
        (3, "Try each factor as an explanation"),
        (4, "Other checks on the body"),
        (5, "How certain is the evidence?"),
    ]
    factors = "\n".join(steps[2].lines)
    assert "3 were tried, so a split counts only below 0.05/3 (Bonferroni)" in factors
    assert "Endpoint timing accounts for the disagreement" in factors
    assert "prediction-interval-includes-no-effect" not in factors
    assert "prediction-interval-includes-no-effect" in "\n".join(steps[3].lines)
    assert steps[4].lines[0].startswith("certainty: moderate (downgraded for imprecision)")


def test_cli_prints_the_steps_and_refuses_other_formats() -> None:
    result = invoke("review", teaching_set("sepsis-quality"), "--steps")
    assert result.exit_code == 0, result.stderr
    assert "step 1: The studies" in result.stdout
    assert "step 5: How certain is the evidence?" in result.stdout
    assert "the benefit rests on the studies at higher risk" not in result.stdout  # full reasons
    assert "pooled-effect-rests-on-weaker-studies" in result.stdout
    refused = invoke("review", teaching_set("sepsis-quality"), "--steps", "-f", "json")
    assert refused.exit_code == 2 and "--steps writes text" in refused.stderr
