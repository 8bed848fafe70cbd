"""The domain-free walk-through: steps from a diagnosis, and quiz scoring."""

from __future__ import annotations

import re

from thymoscope.api import diagnose_file
from thymoscope.kb import knowledge
from thymoscope.report.render import show
from thymoscope.report.walkthrough import (
    Question,
    Score,
    Step,
    build_pair_walkthrough,
    build_walkthrough,
    factor_status_line,
    faq_text,
    parse_choice,
    questions,
    score_rows,
)

from .conftest import CASES

CHOICES = (
    ("baseline_immunity", "Baseline immunity"),
    ("dosing", "Dosing and regimen"),
    ("endpoint_timing", "Endpoint timing"),
)


def _walk(name: str = "chb-end-of-therapy"):
    diagnosis = diagnose_file(CASES / f"{name}.yaml")
    return diagnosis, build_walkthrough(diagnosis, knowledge().factor_titles)


def test_steps_are_facts_then_each_finding_in_troubleshooting_order_then_summary() -> None:
    diagnosis, walk = _walk()
    kinds = [s.kind for s in walk.steps]
    assert kinds == ["facts"] + ["finding"] * len(diagnosis.findings) + ["summary"]
    assert [s.finding["id"] for s in walk.finding_steps()] == diagnosis.finding_ids()
    order = list(knowledge().factor_order)
    ranks = [order.index(s.factor) for s in walk.finding_steps()]
    assert ranks == sorted(ranks)
    assert [s.number for s in walk.steps] == list(range(1, len(walk.steps) + 1))


def test_each_finding_step_carries_its_rules_and_the_facts_they_matched() -> None:
    diagnosis, walk = _walk()
    for step, finding in zip(walk.finding_steps(), diagnosis.findings, strict=True):
        assert list(step.finding["rules"]) == list(finding.rules) and finding.rules
        assert [f.path for f in step.facts] == [f.path for f in finding.facts]
        assert [f.value for f in step.facts] == [show(f.value) for f in finding.facts]


def test_facts_step_shows_known_key_facts_and_hides_irrelevant_unknowns() -> None:
    _, walk = _walk()
    shown = {f.path: f.value for f in walk.steps[0].facts}
    assert shown["intervention.dose"] == "0.8"
    assert shown["primary_endpoint.timing"] == "end_of_therapy"
    assert "cancer_type" not in shown  # unknown and cited by no finding


def test_summary_counts_the_findings() -> None:
    diagnosis, walk = _walk()
    assert walk.steps[-1].lines[0].startswith(f"{len(diagnosis.findings)} findings")


def test_parse_choice_accepts_number_id_or_unique_title_prefix() -> None:
    assert parse_choice("2", CHOICES) == "dosing"
    assert parse_choice(" endpoint_timing ", CHOICES) == "endpoint_timing"
    assert parse_choice("Endpoint", CHOICES) == "endpoint_timing"
    assert parse_choice("dosing and regimen", CHOICES) == "dosing"
    assert parse_choice("0", CHOICES) is None
    assert parse_choice("4", CHOICES) is None
    assert parse_choice("", CHOICES) is None
    assert parse_choice("zzz", CHOICES) is None


def test_parse_choice_rejects_an_ambiguous_prefix() -> None:
    choices = (("dose", "Dose"), ("duration", "Duration"))
    assert parse_choice("d", choices) is None
    assert parse_choice("du", choices) == "duration"


def _question(answer: str = "dosing", accepted: frozenset[str] | None = None) -> Question:
    step = Step("finding", 2, "A finding", finding={"factor": answer})
    return Question(
        step, 1, 1, "factor", "Which factor?", (), CHOICES, answer, accepted or frozenset({answer})
    )


def test_score_counts_right_wrong_and_unanswered() -> None:
    question = _question()
    score = Score()
    assert score.record(question, "dosing") is True
    assert score.record(question, "baseline_immunity") is False
    assert score.record(question, None) is False
    assert (score.asked, score.correct, score.unanswered) == (3, 1, 1)
    assert score.line() == "Score: 1 of 3 (33%)"
    assert Score().line() == "Score: 0 of 0 (0%)"


def test_score_rows_name_the_student_date_case_answer_and_a_total() -> None:
    question = _question()
    score = Score()
    score.record(question, "dosing")
    score.record(question, "endpoint_timing")
    rows = score_rows(score, "Ada", "2026-11-30", "chb-end-of-therapy")
    assert [r["answer"] for r in rows[:2]] == ["Dosing and regimen", "Endpoint timing"]
    assert [(r["correct"], r["score"]) for r in rows[:2]] == [("yes", 1), ("no", 0)]
    assert rows[-1]["question"] == "total" and rows[-1]["correct"] == "1 of 2"
    assert rows[-1]["score"] == "50%"
    assert {r["student"] for r in rows} == {"Ada"} and {r["case"] for r in rows} == {
        "chb-end-of-therapy"
    }


def test_one_question_per_finding_with_every_factor_as_a_choice() -> None:
    _, walk = _walk()
    asked = questions(walk)
    assert [q.answer for q in asked] == [s.factor for s in walk.finding_steps()]
    assert all(q.choices == tuple(knowledge().factor_titles.items()) for q in asked)
    assert [q.number for q in asked] == list(range(1, len(asked) + 1))
    assert {q.total for q in asked} == {len(asked)}


def test_quiz_clues_are_in_words_without_field_paths() -> None:
    # usability item 22: "intervention.role = monotherapy" right before "which factor?"
    _, walk = _walk()
    for question in questions(walk):
        assert question.clue
        for line in question.clue:
            assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", line), line
            assert "_" not in line, line


def test_quiz_slides_put_a_question_before_each_finding() -> None:
    from thymoscope.report.deck import walkthrough_part

    _, walk = _walk()
    plain = [s.kind for s in walkthrough_part(walk).slides]
    quiz = [s.kind for s in walkthrough_part(walk, quiz=True).slides]
    assert "question" not in plain
    assert plain.count("finding") >= len(walk.finding_steps())
    assert quiz.count("question") == len(walk.finding_steps())
    for index, kind in enumerate(quiz):
        if kind == "question":
            assert quiz[index + 1] == "finding"


def test_severity_counts_are_always_most_severe_first() -> None:
    # usability item 21: counts in a fixed order (major, moderate, minor, info)
    for name in ("chb-end-of-therapy", "sepsis-open-small"):
        _, walk = _walk(name)
        line = walk.steps[-1].lines[0]
        named = re.findall(r"\d+ (major|moderate|minor|info)", line)
        order = ["major", "moderate", "minor", "info"]
        assert named == sorted(named, key=order.index), line


def test_faq_sections_read_as_words() -> None:
    # usability item 21: "FAQ sections 1 and 3", not "FAQ section 1, 3"
    assert faq_text(["1"]) == "FAQ section 1"
    assert faq_text(["1", "3"]) == "FAQ sections 1 and 3"
    assert faq_text(["1", "2", "4"]) == "FAQ sections 1, 2 and 4"
    assert faq_text([]) == ""


def test_pair_factor_rows_are_sentences() -> None:
    # usability item 23: not "Are the results in conflict?: compatible"
    line = factor_status_line("Are the results in conflict?", "compatible")
    assert line.startswith("Results: no difference between the two estimates was shown")
    assert factor_status_line("Therapy role", "differs") == (
        "Therapy role: differs between the studies."
    )


def _pair_walk():
    from thymoscope.kb.comparison import compare_files, pair_factor_titles
    from thymoscope.report.comparison import comparison_document

    comparison = compare_files(CASES / "sepsis-open-small.yaml", CASES / "chb-end-of-therapy.yaml")
    label = {"id": "p", "title": "A pair", "note": "Why compare"}
    document = comparison_document(comparison, pair_factor_titles(), label)
    from thymoscope.report.comparison import RESULT_VERDICTS

    walk = build_pair_walkthrough(
        document,
        pair_factor_titles(),
        unasked=("results",),
        quiz_order=knowledge().factor_titles,
        verdicts=RESULT_VERDICTS,
    )
    return comparison, walk


def test_pair_steps_are_side_by_side_facts_then_each_pair_finding() -> None:
    comparison, walk = _pair_walk()
    assert walk.kind == "pair" and walk.title == "A pair" and walk.note == "Why compare"
    assert [s.kind for s in walk.steps] == (
        ["facts"] + ["finding"] * len(comparison.findings) + ["summary"]
    )
    assert [s.finding["id"] for s in walk.finding_steps()] == comparison.finding_ids()
    assert [side["id"] for side in walk.sides] == ["sepsis-open-small", "chb-end-of-therapy"]
    rows = {r.path: r for r in walk.side_by_side}
    assert (rows["indication"].a, rows["indication"].b) == ("sepsis", "chronic_hepatitis_b")
    assert rows["indication"].status == "differs"
    for step in walk.finding_steps():
        assert step.finding["rules"]
        assert all(f.path.startswith(("a.", "b.")) for f in step.facts)
        sides = {f.path.split(".", 1)[1] for f in step.facts}
        assert set(walk.matched(step)) == sides


def test_pair_quiz_asks_which_factor_and_whether_the_conflict_is_real() -> None:
    _, walk = _pair_walk()
    asked = questions(walk)
    kinds = [q.kind for q in asked]
    assert kinds[0] == "factor" and "disagrees with" in asked[0].prompt
    assert all("results" not in dict(q.choices) for q in asked if q.kind == "factor")
    differences = [s.factor for s in walk.finding_steps() if s.factor != "results"]
    assert asked[0].answer == differences[0]
    results = [s for s in walk.finding_steps() if s.factor == "results"]
    assert kinds.count("conflict") == len(results)
    for q in asked:
        if q.kind == "conflict":
            assert q.prompt == "Is this conflict real, or only a difference in significance?"
            assert q.answer == walk.verdicts[q.step.finding["id"]]
    assert [q.number for q in asked] == list(range(1, len(asked) + 1))


def test_a_factor_has_the_same_number_in_case_and_pair_quizzes() -> None:
    # usability item 22: numbering differed between the case and the pair quiz
    _, pair = _pair_walk()
    _, case = _walk()
    case_numbers = {k: n for n, (k, _) in enumerate(questions(case)[0].choices, start=1)}
    pair_choices = next(q for q in questions(pair) if q.kind == "factor").choices
    pair_numbers = {k: n for n, (k, _) in enumerate(pair_choices, start=1)}
    assert case_numbers
    for factor, number in case_numbers.items():
        assert pair_numbers[factor] == number
    assert dict(pair_choices)["dosing"] == dict(questions(case)[0].choices)["dosing"]


def test_a_case_question_mixes_the_matched_facts_with_other_facts_of_the_study() -> None:
    _, walk = _walk()
    for question in questions(walk):
        matched = [f.words for f in question.step.facts]
        assert set(matched) <= set(question.clue)
        others = set(question.clue) - set(matched)
        assert len(others) == 3
        assert others <= {f.words for f in walk.key_facts}
    again = [q.clue for q in questions(_walk()[1])]
    assert again == [q.clue for q in questions(walk)]  # the same facts on every run
