"""Nothing a study file or its name holds can steer the terminal (review defects 9, 17).

Control and bidirectional characters are refused at load however they are written
(raw, or as YAML escapes); study text prints as written in the text report (no rich
markup, no emoji codes, backslashes as typed); file names are shown escaped in every
format; every error line is one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from thymoscope.study.loader import StudyFileError, parse_study

from .conftest import run_cli

HEAD = "schema_version: 1\nid: steer\ntitle: Steering\nindication: sepsis\n"
GOOD = Path(__file__).resolve().parents[2] / "kb" / "cases" / "sepsis-small-open-rct.yaml"
ESC = "\x1b"

# written as YAML double-quoted escapes: the file itself is plain ASCII
ESCAPES = {
    "escape": (r'"\e]0;owned\a"', "U+001B"),
    "csi-c1": (r'"a\x9b2Jb"', "U+009B"),
    "nul": (r'"a\0b"', "U+0000"),
    "bidi-override": (r'"abc\u202edef"', "U+202E"),
    "bidi-isolate": (r'"abc\u2066def"', "U+2066"),
    "carriage-return": (r'"shown\rhidden"', "U+000D"),
    "backspace": (r'"ab\bc"', "U+0008"),
    "line-separator": (r'"a\Lb"', "U+2028"),
    "next-line": (r'"a\Nb"', "U+0085"),
    "delete": (r'"a\x7fb"', "U+007F"),
}


@pytest.mark.parametrize("name", ESCAPES)
def test_yaml_escapes_are_refused_like_raw_controls(name: str) -> None:
    value, code = ESCAPES[name]
    with pytest.raises(StudyFileError) as caught:
        parse_study(HEAD + f"citation: {value}\n", "steer.yaml")
    [problem] = caught.value.problems
    assert str(problem).startswith(f"steer.yaml:5: citation: contains the character {code} (")
    assert str(problem).isprintable()


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200f", "\u2028", "\x85"])
def test_raw_bidi_controls_and_separators_are_refused(char: str) -> None:
    with pytest.raises(StudyFileError) as caught:
        parse_study(HEAD + f"# a comment{char}\ncitation: x\n", "steer.yaml")
    assert str(caught.value).startswith(f"steer.yaml:5: contains the character U+{ord(char):04X}")


def test_escapes_in_keys_are_refused_too() -> None:
    with pytest.raises(StudyFileError, match=r"contains the character U\+001B"):
        parse_study(HEAD + '"a\\eb": 1\n', "steer.yaml")


def test_tab_and_line_breaks_in_text_are_still_fine() -> None:
    assert parse_study(HEAD + 'citation: "a\\tb"\n').citation == "a\tb"
    assert parse_study(HEAD + "citation: |\n  one\n  two\n").citation == "one\ntwo\n"


def _study_with(tmp_path: Path, **fields: str) -> Path:
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data.update(fields)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "title", [":100: per cent", "[bold]loud[/bold]", "ends with a backslash\\", "a [link=x]y"]
)
def test_text_report_prints_study_text_as_written(tmp_path: Path, title: str) -> None:
    path = _study_with(tmp_path, title=title)
    run = run_cli("diagnose", path)
    assert run.exit_code == 0, run.stderr
    assert title in run.stdout
    if title.endswith("\\"):
        assert title + "\\" not in run.stdout  # not doubled
    assert "\U0001f4af" not in run.stdout  # no emoji made from :100:


HOSTILE_NAME = f"a{ESC}]0;owned\x07 \x9b2J \u202eevil\nline.yaml"
SHOWN_NAME = "a\\x1b]0;owned\\x07 \\x9b2J \\u202eevil\\nline.yaml"
RAW = (ESC, "\x07", "\x9b", "\u202e")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_file_names_are_shown_escaped(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    shutil.copy(GOOD, folder / HOSTILE_NAME)
    run = run_cli("diagnose", folder, "--format", fmt)
    assert run.exit_code == 0, run.stderr
    assert not any(char in run.stdout for char in RAW)
    assert f"{folder}/{SHOWN_NAME}" in run.stdout


def test_comparison_json_escapes_what_json_dumps_leaves_raw(tmp_path: Path) -> None:
    first = tmp_path / HOSTILE_NAME
    shutil.copy(GOOD, first)
    second = tmp_path / "second.yaml"
    shutil.copy(GOOD, second)
    run = run_cli("compare", first, second, "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert not any(char in run.stdout for char in RAW)
    sources = [part["a"]["source"] for part in json.loads(run.stdout)["comparisons"]]
    assert str(first) in sources  # the same data: the escapes are JSON's own


def test_problem_lines_name_hostile_files_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / f"bad{ESC}[2J\nname.yaml"
    path.write_text(HEAD + "design: {type: rct\n", encoding="utf-8")
    run = run_cli("diagnose", path)
    assert run.exit_code == 2
    [line] = run.stderr.strip().splitlines()
    assert ESC not in line and line.startswith(str(tmp_path) + "/bad\\x1b[2J\\nname.yaml:")


def test_pair_file_errors_are_one_line(tmp_path: Path) -> None:
    pair = tmp_path / f"pair{ESC}\nx.yaml"
    pair.write_text("schema_version: 1\nid: p\ntitle: [unclosed\n", encoding="utf-8")
    run = run_cli("compare", "--pair", pair)
    assert run.exit_code == 2
    [line] = run.stderr.strip().splitlines()
    assert ESC not in line and "YAML syntax error" in line


def test_ask_resume_errors_are_one_line(tmp_path: Path) -> None:
    resume = tmp_path / f"resume{ESC}\nx.yaml"
    resume.write_text(HEAD + "citation: [a,\n  b\n", encoding="utf-8")
    run = run_cli("ask", "--resume", resume)
    assert run.exit_code == 2
    [line] = run.stderr.strip().splitlines()
    assert ESC not in line and "\\x1b" in line
