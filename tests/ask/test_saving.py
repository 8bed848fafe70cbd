"""`ask` never loses data: the security review's defects 8, 10 and 14, one test each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.ask.interviews import asked, run_ask, script_for
from tests.ask.test_interviews import SEPSIS
from thymoscope.api import diagnose_file
from thymoscope.study.loader import StudyFileError, load_study

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
VALID = CASES / "sepsis-small-open-rct.yaml"


def _many_subgroups(count: int) -> str:
    """A valid study with ``count`` subgroups and comments at three levels."""
    data = yaml.safe_load(VALID.read_text(encoding="utf-8"))
    data.pop("subgroups", None)
    primary = data.pop("result")["primary"]
    text = "# my own note at the top\n" + yaml.safe_dump(data, sort_keys=False)
    text += f"result:\n  primary: {primary}   # as reported in the abstract\n"
    text += "subgroups:  # all of them, from the appendix\n"
    text += "".join(f"- name: group {i}  # row {i}\n  by: age\n" for i in range(count))
    return text


def test_save_onto_an_existing_file_without_answers_leaves_it(tmp_path: Path) -> None:
    target = tmp_path / "existing.yaml"
    original = VALID.read_bytes()
    target.write_bytes(original)
    result = run_ask(["--save", str(target)], [])  # input ends at the first question
    assert result.exit_code == 1
    assert target.read_bytes() == original
    assert "unchanged" in result.output


def test_resume_keeps_every_subgroup_and_every_comment(tmp_path: Path) -> None:
    target = tmp_path / "many.yaml"
    target.write_text(_many_subgroups(60), encoding="utf-8")
    assert len(load_study(target).subgroups) == 60
    result = run_ask(["--resume", str(target)], ["skip"] * 2000)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert len(load_study(target).subgroups) == 60
    for comment in ("# my own note at the top", "# as reported in the abstract", "# row 59"):
        assert comment in text
    assert "# all of them, from the appendix" in text


def test_resume_refuses_more_subgroups_than_it_could_keep(tmp_path: Path) -> None:
    """Asking the count again would cut the list: the file is refused and left alone."""
    target = tmp_path / "too-many.yaml"
    original = _many_subgroups(250)
    target.write_text(original, encoding="utf-8")
    result = run_ask(["--resume", str(target)], ["2"] + ["skip"] * 20)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.endswith("subgroups: holds 250 items; a study file holds at most 200; refused")
    assert target.read_text(encoding="utf-8") == original


def test_resume_keeps_fields_it_does_not_ask_about(tmp_path: Path) -> None:
    target = tmp_path / "partial.yaml"
    target.write_text(
        "schema_version: 1\nid: partial\ntitle: Partial\nindication: sepsis\n"
        "citation: Somebody et al. 2020  # where it came from\n",
        encoding="utf-8",
    )
    result = run_ask(["--resume", str(target)], ["rct"])  # the design type is asked first
    assert result.exit_code == 1  # input ended
    text = target.read_text(encoding="utf-8")
    assert "citation: Somebody et al. 2020  # where it came from" in text
    assert load_study(target).design.type.value == "rct"


def test_saving_at_the_absolute_default_path_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    default = tmp_path / "small-open-sepsis-trial.yaml"
    result = run_ask([], [*script_for(SEPSIS), str(default)])
    assert result.exit_code == 0, result.output
    assert default.exists(), result.output
    assert diagnose_file(default).finding_ids()


def test_a_typo_at_the_save_prompt_asks_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_ask([], [*script_for(SEPSIS), "/nope/x.yaml", "kept.yaml"])
    assert result.exit_code == 0, result.output
    assert "try another name" in result.output
    assert (tmp_path / "kept.yaml").exists()
    assert not (tmp_path / "small-open-sepsis-trial.yaml").exists()  # moved, not copied
    assert "Answers saved to kept.yaml" in result.output


def test_a_resume_file_with_an_odd_key_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "odd.yaml"
    original = "schema_version: 1\nid: odd\ntitle: Odd\nindication: sepsis\nsubgroups.*.name: x\n"
    target.write_text(original, encoding="utf-8")
    result = run_ask(["--resume", str(target)], ["skip"] * 5)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"thymoscope: error: {target}:5: 'subgroups.*.name': key 'subgroups.*.name' is not a field "
        "name; refused"
    ]
    assert target.read_text(encoding="utf-8") == original


def test_a_forged_skip_mark_cannot_leave_a_required_field_out(tmp_path: Path) -> None:
    target = tmp_path / "forged.yaml"
    target.write_text(
        "# thymoscope-ask skipped: indication\nschema_version: 1\nid: forged\ntitle: Forged\n",
        encoding="utf-8",
    )
    result = run_ask(["--resume", str(target)], [])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"thymoscope: error: {target}:1: skip mark names 'indication', which ")
    assert "cannot be left unknown" in line


def test_a_skip_mark_naming_no_question_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "forged.yaml"
    target.write_text(
        "# thymoscope-ask skipped: subgroups.7.by\nschema_version: 1\nid: f\ntitle: F\n"
        "indication: sepsis\n",
        encoding="utf-8",
    )
    result = run_ask(["--resume", str(target)], [])
    assert result.exit_code == 2
    assert "which is no question here" in result.stderr


def test_a_save_path_with_a_newline_cannot_inject_lines(tmp_path: Path) -> None:
    target = tmp_path / "evil\nindication: cancer\n#.yaml"
    result = run_ask(["--save", str(target)], script_for(SEPSIS))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "\nindication: cancer" not in text
    assert load_study(target).indication.value == "sepsis"
    assert all(line.count("\n") == 0 for line in result.output.splitlines())
    assert not any(line.startswith("indication: cancer") for line in result.output.splitlines())


def test_an_id_yaml_reads_as_a_number_is_quoted(tmp_path: Path) -> None:
    target = tmp_path / "s.yaml"
    answers = {**SEPSIS, "id": "1e5"}
    result = run_ask(["--save", str(target)], script_for(answers))
    assert result.exit_code == 0, result.output
    assert load_study(target).id == "1e5"
    assert re.search(r"^id: '1e5'$", target.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.parametrize("text", ["yes", "010", "1:30", "null", "2024-01-01", "0x1f", "~", "1e5"])
def test_every_text_that_yaml_would_misread_is_quoted(tmp_path: Path, text: str) -> None:
    target = tmp_path / "s.yaml"
    answers = {**SEPSIS, "title": text, "id": "s"}
    result = run_ask(["--save", str(target)], script_for(answers))
    assert result.exit_code == 0, result.output
    assert load_study(target).title == text


@pytest.mark.parametrize("stop_after", ["result.effect.measure", "subgroups"])
def test_an_interrupted_file_says_why_it_is_incomplete(tmp_path: Path, stop_after: str) -> None:
    answers = {
        "title": "T",
        "id": "t",
        "indication": "sepsis",
        "result.primary": "no_significant_effect",
        "design.type": "rct",
        "result.effect.measure": "risk_ratio",
        "result.effect.estimate": "0.9",
        "subgroups": "2",
        "subgroups.0.name": "younger",
        "subgroups.1.name": "older",
    }
    lines = script_for(answers)
    full = run_ask(["--save", str(tmp_path / "full.yaml")], lines)
    paths = asked(full.output)
    stop = paths.index(stop_after) + 1
    target = tmp_path / "s.yaml"
    result = run_ask(["--save", str(target)], lines[:stop])
    assert result.exit_code == 1
    with pytest.raises(StudyFileError) as caught:  # a measure without its estimate, say
        load_study(target)
    reason = caught.value.problems[0].message
    assert "The saved file is incomplete" in result.output and reason in result.output
    assert "# thymoscope-ask: not yet a valid study:" in target.read_text(encoding="utf-8")
    resumed = run_ask(["--resume", str(target)], lines[stop:])  # finishing makes it valid
    assert resumed.exit_code == 0, resumed.output
    assert load_study(target).id == "t"
    assert "not yet a valid study" not in target.read_text(encoding="utf-8")


def test_every_interruption_point_leaves_a_valid_file_or_a_warning(tmp_path: Path) -> None:
    lines = script_for(SEPSIS)
    for stop in range(1, len(lines) + 1):
        target = tmp_path / f"s{stop}.yaml"
        result = run_ask(["--save", str(target)], lines[:stop])
        if not target.exists():
            assert "nothing was saved" in result.output or "before any" in result.output
            continue
        try:
            load_study(target)
        except StudyFileError:
            assert "The saved file is incomplete" in result.output, (stop, result.output)
