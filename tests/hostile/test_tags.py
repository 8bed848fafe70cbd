"""Explicit YAML tags and unreadable input names: the file's own one-line error, exit 2,
and the other files of the batch still diagnosed (security review defects 2, 4, 13, 18)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from thymoscope.study.loader import StudyFileError, expand_inputs, input_problem, parse_study

from .conftest import run_cli

HEAD = "schema_version: 1\nid: tagged\ntitle: Tagged input\nindication: sepsis\n"
GOOD = Path(__file__).resolve().parents[2] / "kb" / "cases" / "sepsis-small-open-rct.yaml"

# The review's reproductions (each once raised KeyError/IndexError/AttributeError/
# ValueError out of PyYAML's constructors and aborted the whole batch with exit 1) ...
CRASHING = {
    "timestamp-nope": "citation: !!timestamp nope",
    "bool-maybe": "citation: !!bool 'maybe'",
    "int-empty": "citation: !!int ''",
    "int-minus": "citation: !!int '-'",
    "float-empty": "citation: !!float ''",
    "huge-hex": "design:\n  sample_size: !!int '0x" + "f" * 5000 + "'",
    "verbatim-tag": "citation: !<tag:yaml.org,2002:int> '-'",
    "tag-directive": "%TAG !e! tag:yaml.org,2002:\n---\n" + HEAD + "citation: !e!bool 'maybe'",
}
# ... and the ones that got round the number rules (010 is 8, 1:30 is 90).
BYPASSING = {
    "int-octal": 'design:\n  sample_size: !!int "010"',
    "int-base-60": "follow_up_months_after_therapy: !!int '1:30'",
    "null-text": "citation: !!null 'x'",
    "float-text": "follow_up_months_after_therapy: !!float '6'",
}
CASES = {**CRASHING, **BYPASSING}


def _text(name: str) -> str:
    body = CASES[name]
    return body + "\n" if body.startswith("%TAG") else HEAD + body + "\n"


def _line(name: str) -> int:
    text = _text(name)
    return text.count("\n", 0, text.rindex(": !")) + 1


@pytest.mark.parametrize("name", CASES)
def test_explicit_tags_are_refused_with_one_located_line(name: str) -> None:
    with pytest.raises(StudyFileError) as caught:
        parse_study(_text(name), "tagged.yaml")
    [problem] = caught.value.problems
    short = re.search(r"!(?:<tag:yaml\.org,2002:|e!|!)(\w+)", CASES[name])
    assert short is not None
    assert str(problem) == (
        f"tagged.yaml:{_line(name)}: explicit YAML tag !!{short.group(1)} refused; write the "
        "value without a tag (a plain number, true/false, null or a date), or quote it for text"
    )


@pytest.mark.parametrize("name", CASES)
def test_one_tagged_file_does_not_sink_the_batch(tmp_path: Path, name: str) -> None:
    bad = tmp_path / "a-tagged.yaml"
    bad.write_text(_text(name), encoding="utf-8")
    good = tmp_path / "b-good.yaml"
    shutil.copy(GOOD, good)
    run = run_cli("diagnose", bad, good, "--format", "json")
    assert run.exit_code == 2, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"{bad}:{_line(name)}: explicit YAML tag")
    studies = json.loads(run.stdout)["studies"]
    assert [s["source"] for s in studies] == [str(good)]


def test_str_tag_only_says_text() -> None:
    study = parse_study(HEAD + "citation: !!str 010\n")
    assert study.citation == "010"


def test_plain_numbers_still_follow_the_rules() -> None:
    with pytest.raises(StudyFileError, match="would be read as an octal number"):
        parse_study(HEAD + "design:\n  sample_size: 010\n")


def test_any_constructor_failure_stays_the_files_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a constructor raises (here a KeyError) is a located line, not a crash."""

    def broken(self: object, node: yaml.Node, deep: bool = False) -> object:
        raise KeyError("surprise")

    monkeypatch.setattr(yaml.constructor.SafeConstructor, "construct_object", broken)
    with pytest.raises(StudyFileError) as caught:
        parse_study(HEAD, "odd.yaml")
    # text is taken as written; the first value a constructor builds is the number 1
    assert str(caught.value) == "odd.yaml:1: schema_version: unreadable value '1': 'surprise'"


def test_an_input_name_too_long_is_its_own_problem(tmp_path: Path) -> None:
    long_file = tmp_path / ("a" * 300 + ".yaml")
    long_folder = tmp_path / ("b" * 300) / "study.yaml"
    good = tmp_path / "good.yaml"
    shutil.copy(GOOD, good)
    expanded = expand_inputs([long_file, long_folder, good])
    assert [type(item) for item in expanded] == [StudyFileError, StudyFileError, type(good)]
    assert str(expanded[0]) == f"{long_file}: file name too long"

    run = run_cli("diagnose", long_file, long_folder.parent, good, "--format", "json")
    assert run.exit_code == 2, run.stderr
    assert run.stderr.strip().splitlines() == [
        f"{long_file}: file name too long",
        f"{long_folder.parent}: file name too long",
    ]
    assert [s["source"] for s in json.loads(run.stdout)["studies"]] == [str(good)]


def test_an_empty_input_name_is_refused_not_read_as_the_current_folder() -> None:
    problem = input_problem("")
    assert problem is not None
    assert str(problem) == "'': empty file name; refused"
    assert input_problem("no/such/file.yaml") is not None
    assert input_problem(str(GOOD)) is None
