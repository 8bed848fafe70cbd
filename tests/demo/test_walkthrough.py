"""The domain-free walk-through: steps from a diagnosis, and quiz scoring."""

from __future__ import annotations

from thymoscope.api import diagnose_file
from thymoscope.kb import knowledge
from thymoscope.report.render import show
from thymoscope.report.walkthrough import (
    Question,
    Score,
    Step,
    build_pair_walkthrough,
    build_walkthrough,
    parse_choice,
    questions,
    slides,
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


def test_score_counts_right_wrong_and_unanswered() -> None:
    step = Step("finding", 2, "A finding", finding={"factor": "dosing"})
    question = Question(step, CHOICES, "dosing")
    score = Score()
    assert score.record(question, "dosing") is True
    assert score.record(question, "baseline_immunity") is False
    assert score.record(question, None) is False
    assert (score.asked, score.correct, score.unanswered) == (3, 1, 1)
    assert score.line() == "Score: 1 of 3 (33%)"
    assert Score().line() == "Score: 0 of 0 (0%)"


def test_one_question_per_finding_with_every_factor_as_a_choice() -> None:
    _, walk = _walk()
    asked = questions(walk)
    assert [q.answer for q in asked] == [s.factor for s in walk.finding_steps()]
    assert all(q.choices == tuple(knowledge().factor_titles.items()) for q in asked)


def test_quiz_slides_put_a_question_before_each_finding() -> None:
    _, walk = _walk()
    plain = [s["kind"] for s in slides(walk)]
    quiz = [s["kind"] for s in slides(walk, quiz=True)]
    assert plain == [s.kind for s in walk.steps]
    assert quiz.count("question") == len(walk.finding_steps())
    for index, kind in enumerate(quiz):
        if kind == "question":
            assert quiz[index + 1] == "finding"


def _pair_walk():
    from thymoscope.kb.comparison import compare_files, pair_factor_titles
    from thymoscope.report.comparison import comparison_document

    comparison = compare_files(CASES / "sepsis-open-small.yaml", CASES / "chb-end-of-therapy.yaml")
    label = {"id": "p", "title": "A pair", "note": "Why compare"}
    document = comparison_document(comparison, pair_factor_titles(), label)
    walk = build_pair_walkthrough(document, pair_factor_titles(), unasked=("results",))
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


def test_pair_quiz_leaves_out_unasked_factors() -> None:
    _, walk = _pair_walk()
    asked = questions(walk)
    assert asked and all(q.answer != "results" for q in asked)
    assert all("results" not in dict(q.choices) for q in asked)
    shown = [s for s in walk.finding_steps() if s.factor == "results"]
    assert len(asked) == len(walk.finding_steps()) - len(shown)
