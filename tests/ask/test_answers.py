"""Reading answers the way people type them (thymoscope.engine.answers)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thymoscope.cli.ask_terminal import completions
from thymoscope.engine.answers import (
    AnswerError,
    Question,
    read_answer,
    read_choice,
    read_choices,
    read_number,
)
from thymoscope.kb.questions import question_bank

WEEKS = {"w": 1.0, "weeks": 1.0, "days": 1 / 7}
MEASURES = question_bank().question("result.effect.measure").answers


@pytest.mark.parametrize(
    ("typed", "units", "value"),
    [
        ("1.6 mg", {"mg": 1.0}, 1.6),
        ("1.6mg", {"mg": 1.0}, 1.6),
        ("26w", WEEKS, 26),
        ("26 weeks", WEEKS, 26),
        ("7 days", WEEKS, 1),
        ("1,100", {}, 1100),
        ("1,6", {}, 1.6),
        ("p<0.01", {}, 0.01),
        ("P = 0.03", {}, 0.03),
        ("<.001", {}, 0.001),
        ("95%", {"%": 1.0}, 95),
    ],
)
def test_numbers_as_people_type_them_are_read_and_flagged(
    typed: str, units: dict[str, float], value: float
) -> None:
    reading = read_number(typed, units)
    assert reading.value == pytest.approx(value)
    assert reading.interpreted


@pytest.mark.parametrize("typed", ["1.6", "12", "0.5", "1e-4"])
def test_a_plain_number_is_not_flagged(typed: str) -> None:
    reading = read_number(typed)
    assert reading.value == float(typed)
    assert not reading.interpreted


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("lots", "'lots' is not a number"),
        ("3 parsecs", "the unit 'parsecs' is not understood here (w, weeks, days)"),
        ("p>0.05", "gives no value, only a lower bound"),
    ],
)
def test_numbers_that_cannot_be_read_say_why(typed: str, message: str) -> None:
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_number(typed, WEEKS if "parsecs" in typed else None)


def test_a_whole_number_is_required_where_the_field_counts() -> None:
    assert read_number("1,100 patients", {"patients": 1.0}, whole=True).value == 1100
    with pytest.raises(AnswerError, match="not a whole number"):
        read_number("2.5", whole=True)


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_read_back_any_whole_number(number: int) -> None:
    assert read_number(f"{number:,}", whole=True).value == number


@given(st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_any_plain_number_reads_back_exactly(number: float) -> None:
    assert read_number(repr(number)).value == number


@given(st.floats(min_value=1e-4, max_value=0.999, allow_nan=False))
def test_a_p_value_bound_reads_as_the_bound(bound: float) -> None:
    assert read_number(f"p<{bound}").value == bound


@given(st.integers(min_value=1, max_value=520))
def test_weeks_with_a_unit_read_as_weeks(weeks: int) -> None:
    assert read_number(f"{weeks}w", WEEKS).value == weeks
    assert read_number(f"{weeks * 7} days", WEEKS).value == pytest.approx(weeks)


def test_choices_by_value_meaning_number_and_unique_beginning() -> None:
    assert read_choice(MEASURES, "hazard_ratio").value == "hazard_ratio"
    assert not read_choice(MEASURES, "Hazard ratio").interpreted  # its meaning, in full
    assert read_choice(MEASURES, "haz").value == "hazard_ratio"
    assert read_choice(MEASURES, "haz").interpreted
    assert read_choice(MEASURES, "3").value == "hazard_ratio"
    assert read_choice(MEASURES, "odds").value == "odds_ratio"


def test_an_ambiguous_beginning_names_the_candidates() -> None:
    with pytest.raises(AnswerError) as caught:
        read_choice(MEASURES, "risk")
    assert str(caught.value) == (
        "'risk' could be risk_ratio (Risk ratio) or risk_difference (Risk difference); "
        "type more of it"
    )


@given(st.sampled_from([value for value, _ in MEASURES]))
def test_the_shortest_unique_beginning_of_each_choice_is_enough(value: str) -> None:
    others = [v for v, m in MEASURES if v != value]
    length = next(
        n for n in range(1, len(value) + 1) if not any(o.startswith(value[:n]) for o in others)
    )
    assert read_choice(MEASURES, value[:length]).value == value


def test_numbers_count_among_the_choices_shown() -> None:
    shown = MEASURES[2:]
    assert read_choice(MEASURES, "1", shown).value == "hazard_ratio"
    assert read_choice(MEASURES, "odds_ratio", shown).value == "odds_ratio"  # typed in full


def test_several_choices_with_commas_or_words() -> None:
    endpoints = question_bank().question("secondary_endpoints").answers
    assert read_choices(endpoints, "hla_dr, apache_ii").value == ["hla_dr", "apache_ii"]
    assert read_choices(endpoints, "CD4+ T cells; sofa").value == ["cd4", "sofa"]
    assert read_choices(endpoints, "none").value == []


def test_yes_and_no() -> None:
    question = Question("x", "boolean", "?", "")
    assert read_answer(question, "Y").value is True
    assert read_answer(question, "no").value is False
    with pytest.raises(AnswerError, match="answer yes or no"):
        read_answer(question, "maybe")


def test_tab_completion_offers_the_choices_the_text_can_become() -> None:
    assert [value for value, _, _ in completions(MEASURES, "ri", multi=False)] == [
        "risk_ratio",
        "risk_difference",
    ]
    endpoints = question_bank().question("secondary_endpoints").answers
    found = list(completions(endpoints, "hla_dr, cd4", multi=True))
    assert [(value, start) for value, start, _ in found] == [("cd4", -3), ("cd4_cd8_ratio", -3)]
