"""why, back, skip, bad values, interrupt-then-resume and --from, through the CLI."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.ask.interviews import asked, run_ask, script_for
from tests.ask.test_interviews import SEPSIS
from thymoscope.api import diagnose_file

# title, id, indication, design type, immunity
START = ["Small open sepsis trial", "", "sepsis", "rct", "mixed"]


def _saved(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_why_names_the_findings_and_rules_that_need_the_answer(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    result = run_ask(["--save", str(target)], [*START, "why"])
    assert "Why this question (Enrolment selected by an immune marker)" in result.output
    assert "unselected-sepsis-population" in result.output
    assert "rules: sepsis_population_not_selected" in result.output
    # a hepatitis-only finding is not offered as a reason in a sepsis study
    assert "low-dose-advanced-fibrosis" not in result.output
    assert _saved(target)["population"] == {"immune_status": "mixed"}  # nothing lost


def test_back_revises_the_previous_answer(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    result = run_ask(["--save", str(target)], [*START, "back", "normal", "?"])
    assert "(was: mixed)" in result.output
    assert _saved(target)["population"]["immune_status"] == "normal"
    assert asked(result.output)[-2:] == [
        "population.immune_status",
        "population.selected_by_biomarker",
    ]


def test_back_at_the_first_question_says_so(tmp_path: Path) -> None:
    result = run_ask(["--save", str(tmp_path / "s.yaml")], ["back", "A title"])
    assert "this is the first question" in result.output


def test_skip_leaves_a_field_unknown_but_not_a_required_one(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    result = run_ask(["--save", str(target)], ["T", "", "skip", "sepsis", "skip", "skip"])
    assert "cannot be left unknown here" in result.output  # indication is required
    data = _saved(target)
    assert data["indication"] == "sepsis"
    assert "population" not in data  # immune status skipped: unknown, not guessed
    assert "population.immune_status" in target.read_text(encoding="utf-8")  # remembered as skipped


def test_bad_value_gets_a_reason_and_the_same_question(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    lines = script_for(SEPSIS)
    at = lines.index("1.6")  # the dose
    lines[at:at] = ["-2", "lots"]
    result = run_ask(["--save", str(target)], lines)
    assert result.exit_code == 0, result.output
    assert "! Input should be greater than 0" in result.output
    assert "! 'lots' is not a number" in result.output
    assert _saved(target)["intervention"]["dose"] == 1.6
    assert diagnose_file(target).finding_ids() == [
        "high-risk-of-bias",
        "unselected-sepsis-population",
    ]


def test_cross_field_rule_is_checked_at_the_prompt(tmp_path: Path) -> None:
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
    lines.insert(lines.index("4"), "1")  # a high end below the low end is refused first
    target = tmp_path / "s.yaml"
    result = run_ask(["--save", str(target)], lines)
    assert result.exit_code == 0, result.output
    assert "! Upper confidence limit 1 is below the estimate 3" in result.output
    assert _saved(target)["result"]["effect"]["ci_high"] == 4


def test_interrupt_then_resume(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    lines = script_for(SEPSIS)
    first = run_ask(["--save", str(target)], lines[:7])  # input ends: like Ctrl-D
    assert first.exit_code == 1
    assert f"resume with: thymoscope ask --resume {target}" in first.output
    kept = _saved(target)
    assert kept["result"] == {"primary": "benefit"}

    second = run_ask(["--resume", str(target)], lines[7:])
    assert second.exit_code == 0, second.output
    assert "title" not in asked(second.output)  # nothing answered is asked again
    assert diagnose_file(target).finding_ids() == [
        "high-risk-of-bias",
        "unselected-sepsis-population",
    ]


def test_from_asks_only_what_is_missing(tmp_path: Path) -> None:
    source = tmp_path / "given.yaml"
    source.write_text(
        "schema_version: 1\nid: given\ntitle: Given\nindication: chronic_hepatitis_b\n"
        "intervention: {role: monotherapy, combined_with: [], dose: 0.8, dose_unit: mg,"
        " frequency: twice_weekly, duration_weeks: 26}\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.yaml"
    result = run_ask(
        ["--from", str(source), "--save", str(target)], ["rct", "advanced"] + ["skip"] * 40
    )
    assert result.exit_code == 0, result.output
    paths = asked(result.output)
    assert paths[:2] == ["design.type", "population.immune_status"]
    assert "intervention.dose" not in paths and "title" not in paths
    assert source.read_text(encoding="utf-8").startswith("schema_version")  # input untouched
    assert "chb-monotherapy" in diagnose_file(target).finding_ids()


def test_from_rejects_an_invalid_study(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(
        "schema_version: 1\nid: Bad Id\ntitle: x\nindication: sepsis\n", encoding="utf-8"
    )
    result = run_ask(["--from", str(source)], [])
    assert result.exit_code == 2
    assert f"{source}:2: id:" in result.output


def test_without_save_the_answers_go_to_a_new_file_named_by_id(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small-open-sepsis-trial.yaml").write_text("keep me\n", encoding="utf-8")
    result = run_ask([], [*script_for(SEPSIS), ""])  # Enter accepts the offered file name
    assert result.exit_code == 0, result.output
    assert (tmp_path / "small-open-sepsis-trial.yaml").read_text(encoding="utf-8") == "keep me\n"
    assert "Answers saved to small-open-sepsis-trial-2.yaml" in result.output
    assert diagnose_file(tmp_path / "small-open-sepsis-trial-2.yaml").finding_ids()


def test_why_for_a_question_that_only_decides_another(tmp_path: Path) -> None:
    # a null result: no bias finding reads the design type, but it decides whether
    # subgroup analyses are worth asking about
    answers = {
        "title": "T",
        "id": "",
        "indication": "sepsis",
        "result.primary": "no_significant_effect",
    }
    script = script_for(answers)
    full = run_ask(["--save", str(tmp_path / "a.yaml")], script)
    position = asked(full.output).index("design.type")
    result = run_ask(["--save", str(tmp_path / "b.yaml")], [*script[:position], "?"])
    assert "Why this question (Design)" in result.output
    assert "It also decides whether 'How many subgroup analyses" in result.output


def test_skipped_effect_measure_skips_its_numbers(tmp_path: Path) -> None:
    answers = {"title": "T", "id": "", "indication": "other"}
    result = run_ask(["--save", str(tmp_path / "s.yaml")], script_for(answers))
    paths = asked(result.output)
    assert "result.effect.measure" in paths
    assert "result.effect.estimate" not in paths


def test_the_end_offers_what_would_make_the_study_more_credible(tmp_path: Path) -> None:
    """Issue 13: the interview ends with the smallest verified changes that would silence
    each finding (kb.explanations.credibility_texts), only when asked for."""
    from thymoscope.kb.explanations import credibility_texts
    from thymoscope.study.loader import load_study

    target = tmp_path / "s.yaml"
    declined = run_ask(["--save", str(target)], script_for(SEPSIS))
    assert "Show what would make this study more credible?" in declined.output
    assert "What would make this study more credible" not in declined.output  # EOF: no

    target.unlink()
    shown = run_ask(["--save", str(target)], [*script_for(SEPSIS), "y"])
    assert shown.exit_code == 0, shown.output
    assert "What would make this study more credible" in shown.output
    expected = credibility_texts(load_study(target))
    assert expected  # the small open sepsis trial raises findings a design change silences
    for lines in expected.values():
        for line in lines:
            assert line in shown.output
