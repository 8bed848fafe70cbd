"""The interview problems of the usability review (items 16-19), each from its example.

Item 15 (line editing, history, choice lists) needs a terminal: tests/ask/test_terminal.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.ask.interviews import run_ask, script_for
from thymoscope.engine.questionnaire import AnswerError, Interview
from thymoscope.kb.questions import question_bank

SETUP = {"title": "T", "id": "", "design.type": "rct"}


def _interview(answers: dict[str, str]) -> Interview:
    interview = Interview(question_bank())
    for path, raw in answers.items():
        interview.answer(path, raw)
    return interview


# ---- 16: cross-field checks at the question that breaks them


def test_16_lower_limit_above_the_estimate_is_refused_at_the_lower_limit() -> None:
    interview = _interview(
        {"title": "T", "id": "", "indication": "other", "result.effect.measure": "risk_ratio"}
    )
    interview.answer("result.effect.estimate", "2")
    with pytest.raises(AnswerError, match=r"Lower confidence limit 2\.5 is above the estimate 2"):
        interview.answer("result.effect.ci_low", "2.5")
    interview.answer("result.effect.ci_low", "1.5")  # the same question, fixed
    assert interview.value("result.effect.ci_low") == 1.5


def test_16_benefit_with_an_interval_crossing_no_effect_is_refused_at_the_interval() -> None:
    interview = _interview(
        {
            "title": "T",
            "id": "",
            "indication": "other",
            "result.primary": "benefit",
            "result.effect.measure": "odds_ratio",
            "result.effect.estimate": "0.8",
            "result.effect.ci_low": "0.6",
        }
    )
    with pytest.raises(AnswerError, match=r"includes no effect \(1\)"):
        interview.answer("result.effect.ci_high", "1.2")
    interview.answer("result.effect.ci_high", "0.95")
    assert interview.value("result.effect.ci_high") == 0.95


def test_16_follow_up_shorter_than_the_reading_is_refused_at_the_follow_up() -> None:
    interview = _interview(
        {
            "title": "T",
            "id": "",
            "indication": "chronic_hepatitis_b",
            "primary_endpoint.timing": "after_therapy",
            "primary_endpoint.months_after_therapy": "12",
        }
    )
    with pytest.raises(AnswerError, match="follow-up must last at least until the reading"):
        interview.answer("follow_up_months_after_therapy", "6")
    interview.answer("follow_up_months_after_therapy", "1 year")
    assert interview.value("follow_up_months_after_therapy") == 12


def test_16_the_cli_asks_the_same_question_again(tmp_path: Path) -> None:
    answers = {
        "title": "T",
        "id": "",
        "indication": "other",
        "result.effect.measure": "risk_ratio",
        "result.effect.estimate": "3",
        "result.effect.ci_low": "2.5",
        "result.effect.ci_high": "4",
    }
    lines = script_for(answers)
    lines.insert(lines.index("2.5"), "3.5")
    result = run_ask(["--save", str(tmp_path / "s.yaml")], lines)
    assert result.exit_code == 0, result.output
    refused = result.output.index("! Lower confidence limit 3.5 is above the estimate 3")
    after = result.output[refused:].splitlines()[1]
    assert after == "> 2.5"  # the very next prompt is the same question, not the next one


# ---- 17: back keeps the previous answer on Enter


def test_17_back_then_enter_keeps_the_previous_answer(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    start = ["Small trial", "", "sepsis", "rct", "mixed"]
    result = run_ask(["--save", str(target)], [*start, "back", ""])
    assert "(was: mixed) > " in result.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["population"]["immune_status"] == "mixed"


# ---- 18: questions and choices that do not fit; answers as typed


@pytest.mark.parametrize(
    ("design", "not_asked"),
    [("observational", "design.blinding"), ("meta_analysis", "design.centres")],
)
def test_18_design_questions_that_do_not_fit_are_not_asked(design: str, not_asked: str) -> None:
    interview = _interview({"title": "T", "id": "", "indication": "sepsis"})
    interview.answer("design.type", design)
    interview.answer("result.primary", "benefit")
    assert not_asked not in interview.pending()


def test_18_sepsis_protocol_questions_are_not_asked_in_hepatitis_b() -> None:
    interview = _interview({"title": "T", "id": "", "indication": "chronic_hepatitis_b"})
    pending = interview.pending()
    assert "population.sepsis_definition" not in pending
    assert "population.exclusions" not in pending
    assert "population.hbeag" in pending


def test_18_chemotherapy_is_not_offered_for_hepatitis_b_nor_icu_stay_for_cancer() -> None:
    bank = question_bank()
    hepatitis = _interview({"title": "T", "id": "", "indication": "chronic_hepatitis_b"})
    partners = bank.question("intervention.combined_with")
    offered = [v for v, _ in hepatitis.offered(partners, partners.field)]
    assert "chemotherapy" not in offered and "nucleoside_analogue" in offered
    cancer = _interview({"title": "T", "id": "", "indication": "cancer"})
    endpoints = bank.question("secondary_endpoints")
    offered = [v for v, _ in cancer.offered(endpoints, endpoints.field)]
    assert "icu_stay" not in offered and "disease_free_survival" in offered


def test_18_answers_typed_as_people_type_them(tmp_path: Path) -> None:
    answers = {
        "title": "Typed trial",
        "id": "",
        "indication": "sepsis",
        "design.type": "rct",
        "intervention.dose_unit": "mg",
        "intervention.dose": "1.6 mg",
        "intervention.duration_weeks": "26w",
        "design.sample_size": "1,100",
        "result.primary": "no_significant_effect",
        "result.effect.measure": "haz",
        "result.effect.estimate": "0.9",
        "result.effect.ci_low": "0.7",
        "result.effect.ci_high": "1.1",
    }
    target = tmp_path / "s.yaml"
    result = run_ask(["--save", str(target)], script_for(answers))
    assert result.exit_code == 0, result.output
    for note in ("read as 1.6 mg", "read as 26 weeks", "read as 1100"):
        assert note in result.output
    assert "read as hazard ratio" in result.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["intervention"]["dose"] == 1.6
    assert data["intervention"]["duration_weeks"] == 26
    assert data["design"]["sample_size"] == 1100


def test_18_a_p_value_bound_is_read_as_the_bound() -> None:
    interview = _interview(
        {"title": "T", "id": "", "indication": "other", "result.effect.measure": "odds"}
    )
    reading = interview.read("result.effect.p_value", "p<0.01")
    assert (reading.value, reading.interpreted) == (0.01, True)


def test_18_a_dose_unit_that_contradicts_the_dose_unit_answer_is_refused() -> None:
    interview = _interview({"title": "T", "id": "", "indication": "cancer"})
    interview.answer("intervention.dose_unit", "mg_per_m2")
    with pytest.raises(AnswerError, match=r"the unit 'mg' is not understood here \(mg/m2"):
        interview.answer("intervention.dose", "1.6 mg")


def test_18_risk_names_both_measures(tmp_path: Path) -> None:
    answers = {
        "title": "T",
        "id": "",
        "indication": "other",
        "result.effect.measure": "odds",
        "result.effect.estimate": "2",
        "result.effect.ci_low": "1",
        "result.effect.ci_high": "3",
    }
    lines = script_for(answers)
    lines.insert(lines.index("odds"), "risk")
    result = run_ask(["--save", str(tmp_path / "s.yaml")], lines)
    assert "! 'risk' could be risk_ratio (Risk ratio) or risk_difference" in result.output


# ---- 19: progress, numbering across --resume, counts, exit codes


HEADINGS = re.compile(r"^\[(\d+) of about (\d+)\] ", re.MULTILINE)


def test_19_progress_numbers_go_on_across_resume(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    answers = {"title": "Resumed", "id": "", "indication": "sepsis", "design.type": "rct"}
    lines = script_for({**answers, "population.immune_status": "mixed"})
    first = run_ask(["--save", str(target)], lines[:4])
    assert first.exit_code == 1  # piped input ended: answers kept
    numbers = [int(n) for n, _ in HEADINGS.findall(first.output)]
    assert numbers == [1, 2, 3, 4, 5]
    second = run_ask(["--resume", str(target)], ["mixed"])
    assert "Starting from" in second.output and "4 answers already given" in second.output
    assert int(HEADINGS.findall(second.output)[0][0]) == 5  # not 1 again
    for number, total in HEADINGS.findall(first.output + second.output):
        assert int(total) >= int(number)


def test_19_answers_are_counted_not_fields(tmp_path: Path) -> None:
    source = tmp_path / "given.yaml"
    source.write_text(
        "schema_version: 2\nid: given\ntitle: Given\nindication: sepsis\n"
        "population: {immune_status: mixed, median_age: 60, comorbidities: [diabetes]}\n"
        "intervention: {route: subcutaneous}\n",
        encoding="utf-8",
    )
    result = run_ask(["--resume", str(source)], [])
    # title, id, indication and immune status: median age, comorbidities and the route
    # are kept but asked by no question
    assert "4 answers already given" in result.output
    assert "before any new answer was given" in result.output


def test_19_stopping_at_the_first_question_saves_no_empty_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_ask([], [])
    assert "before any answer was given" in result.output
    assert list(tmp_path.iterdir()) == []


def test_19_answers_before_the_id_are_kept_in_a_file_named_by_the_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_ask([], ["Early stop"])
    assert "1 answer kept in early-stop.yaml" in result.output
    assert yaml.safe_load((tmp_path / "early-stop.yaml").read_text())["title"] == "Early stop"


def test_19_html_diagnosis_goes_to_the_file_named_with_o(tmp_path: Path) -> None:
    answers = {"title": "Html", "id": "", "indication": "sepsis"}
    report = tmp_path / "r.html"
    result = run_ask(
        ["--save", str(tmp_path / "s.yaml"), "-f", "html", "-o", str(report)], script_for(answers)
    )
    assert result.exit_code == 0, result.output
    assert "<html" not in result.output
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
