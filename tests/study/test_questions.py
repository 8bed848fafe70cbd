"""`thymoscope ask` follows the vocabulary: design type first, no question that cannot apply."""

from __future__ import annotations

import pytest

from thymoscope.engine.questionnaire import AnswerError, Interview
from thymoscope.kb.questions import question_bank

BANK = question_bank()
SETUP = {"title": "A study", "id": "", "indication": "sepsis"}
SINGLE_TRIAL_ONLY = {
    "meta_analysis": {"design.blinding", "design.centres", "design.allocation_concealment"},
    "observational": {"design.blinding", "design.allocation_concealment"},
    "single_arm": {"design.allocation_concealment"},
}


def _walk(answers: dict[str, str]) -> list[str]:
    """Paths asked, answering from ``answers`` and skipping everything else."""
    interview = Interview(BANK)
    asked = []
    while (step := interview.next()) is not None:
        _, path = step
        asked.append(path)
        if path in answers:
            interview.answer(path, answers[path])
        else:
            interview.skip(path)
    return asked


def test_design_type_comes_right_after_the_setup_questions() -> None:
    asked = _walk({**SETUP, "design.type": "rct"})
    assert asked[:4] == ["title", "id", "indication", "design.type"]


@pytest.mark.parametrize("design", sorted(SINGLE_TRIAL_ONLY))
def test_questions_that_cannot_apply_to_a_design_are_not_asked(design: str) -> None:
    asked = set(_walk({**SETUP, "design.type": design, "result.primary": "benefit"}))
    assert not asked & SINGLE_TRIAL_ONLY[design]
    assert "design.type" in asked


def test_a_randomised_trial_is_asked_all_of_them() -> None:
    asked = set(_walk({**SETUP, "design.type": "rct", "result.primary": "benefit"}))
    assert asked >= set().union(*SINGLE_TRIAL_ONLY.values())


def test_an_unknown_design_does_not_stop_the_design_questions() -> None:
    asked = set(_walk({**SETUP, "result.primary": "benefit"}))
    assert {"design.blinding", "design.centres"} <= asked


def test_a_study_quality_level_is_refused_at_the_prompt_and_saved_as_written() -> None:
    interview = Interview(BANK)
    for path, raw in (
        ("title", "Pooled trials"),
        ("id", "pooled"),
        ("indication", "sepsis"),
        ("design.type", "meta_analysis"),
    ):
        interview.answer(path, raw)
    interview.answer("subgroups", "1")
    interview.answer("subgroups.0.name", "Weaker trials")
    interview.answer("subgroups.0.by", "study_quality")
    with pytest.raises(AnswerError, match="not a study-quality level"):
        interview.answer("subgroups.0.level", "medium")
    interview.answer("subgroups.0.level", "high risk of bias")
    assert interview.study().subgroups[0].level == "lower_quality"


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("design.comparator", {"same_background_therapy"}),
        ("intervention.combined_with", {"surgery", "locoregional_therapy", "ulinastatin", "other"}),
        ("primary_endpoint.timing", {"time_to_event"}),
        (
            "secondary_endpoints",
            {"radiation_pneumonitis", "adverse_events", "disease_free_survival"},
        ),
    ],
)
def test_new_values_can_be_answered(field: str, values: set[str]) -> None:
    assert values <= set(BANK.question(field).values)


def test_the_interview_writes_the_current_schema_version() -> None:
    interview = Interview(BANK)
    for path, raw in (("title", "T"), ("id", "t"), ("indication", "sepsis")):
        interview.answer(path, raw)
    assert interview.study().schema_version == 2
