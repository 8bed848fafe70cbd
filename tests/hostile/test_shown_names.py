"""File and case names reach no output raw (issue 9 follow-up).

A name may hold control or bidirectional characters (``\\x9b``, U+202E) or bytes that
are not UTF-8.  In JSON the former are ``\\uXXXX`` escapes (the data is unchanged) and
the output stays valid UTF-8; in every line meant for a terminal they are shown
escaped (``\\x9b``, ``\\u202e``), and undecodable bytes read ``\\xfe`` everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from thymoscope.cli.diagnose import EMPTY_PATH
from thymoscope.cli.output import shown
from thymoscope.report.render import shown_name, terminal_line
from thymoscope.study.loader import Problem

from .conftest import SUBPROCESS_TIMEOUT, run_cli

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
GOOD = CASES / "sepsis-small-open-rct.yaml"
# C1 CSI, right-to-left override, escape, bell: none may reach a terminal or JSON raw
RAW = ("\x9b", "\u202e", "\x1b", "\x07")
HOSTILE = "a\u202eb\x9bc.yaml"
UNDECODABLE = b"bad-\xfe.yaml"


def _cli(*args: str | os.PathLike[str] | bytes) -> subprocess.CompletedProcess[bytes]:
    """``thymoscope ARGS`` in a real process (real argv bytes, real standard streams)."""
    return subprocess.run(
        [sys.executable, "-m", "thymoscope", *args],
        capture_output=True,
        timeout=SUBPROCESS_TIMEOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _no_raw(text: str) -> None:
    assert not [c for c in RAW if c in text], ascii(text)


# --- 1. diagnose -f json -------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_diagnose_json_escapes_c1_and_bidi_in_file_names(tmp_path: Path, jobs: str) -> None:
    shutil.copy(GOOD, tmp_path / HOSTILE)
    shutil.copy(GOOD, os.fsencode(tmp_path) + b"/" + UNDECODABLE)
    run = _cli("diagnose", tmp_path, "--format", "json", "--jobs", jobs)
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode("utf-8")  # strict: valid UTF-8 although one name is not
    _no_raw(text)
    assert "\\u202e" in text and "\\u009b" in text
    sources = [study["source"] for study in json.loads(text)["studies"]]
    # JSON's own escapes: the decoded data is the real name
    assert sources == [f"{tmp_path}/{HOSTILE}", f"{tmp_path}/bad-\\xfe.yaml"]


def test_diagnose_json_problem_lines_escape_undecodable_bytes_as_x(tmp_path: Path) -> None:
    with open(os.fsencode(tmp_path) + b"/" + UNDECODABLE, "w", encoding="utf-8") as handle:
        handle.write("schema_version: 1\nid: [\n")
    shutil.copy(GOOD, tmp_path / "good.yaml")  # with no study at all, stdout stays empty
    run = _cli("diagnose", tmp_path, "--format", "json")
    assert run.returncode == 2
    [error] = json.loads(run.stdout.decode("utf-8"))["errors"]
    assert error.startswith(f"{tmp_path}/bad-\\xfe.yaml:")
    [line] = run.stderr.decode("utf-8").splitlines()
    assert line.startswith(f"{tmp_path}/bad-\\xfe.yaml:")


# --- 2. compare --pair UNKNOWN ---------------------------------------------------------


def test_unknown_pair_name_is_echoed_escaped_on_one_line() -> None:
    name = "x\x1b]0;owned\x07\u202eevil\nsecond"
    run = run_cli("compare", "--pair", name)
    assert run.exit_code == 2
    [line] = run.stderr.splitlines()
    _no_raw(line)
    assert line.removeprefix("thymoscope: error: ").startswith(
        "x\\x1b]0;owned\\x07\\u202eevil\\nsecond: no such bundled pair"
    )


def test_unknown_pair_name_with_undecodable_bytes() -> None:
    run = _cli("compare", "--pair", b"nope-\xfe\x9b")
    assert run.returncode == 2
    [line] = run.stderr.decode("utf-8").splitlines()  # strict: valid UTF-8
    assert line.removeprefix("thymoscope: error: ").startswith(
        "nope-\\xfe\\x9b: no such bundled pair"
    )


def test_pair_file_errors_show_undecodable_bytes_as_x(tmp_path: Path) -> None:
    pair = os.fsencode(tmp_path) + b"/pair-\xfe.yaml"
    with open(pair, "w", encoding="utf-8") as handle:
        handle.write("schema_version: 1\nid: p\ntitle: [unclosed\n")
    run = _cli("compare", "--pair", pair)
    assert run.returncode == 2
    [line] = run.stderr.decode("utf-8").splitlines()
    assert line.startswith(f"{tmp_path}/pair-\\xfe.yaml:") and "YAML syntax error" in line


# --- 3. demo list ----------------------------------------------------------------------


def _demo_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    (folder / "pairs").mkdir(parents=True)
    shutil.copy(GOOD, folder / "case\x1b]0;t\x07\u202eevil.yaml")
    shutil.copy(GOOD, os.fsencode(folder) + b"/other-\xfe.yaml")
    pair = folder / "pairs" / "pair\x9bx.yaml"
    pair.write_text(
        "schema_version: 1\nid: p\ntitle: Two copies\n"
        "a: sepsis-small-open-rct\nb: sepsis-small-open-rct\n",
        encoding="utf-8",
    )
    return folder


def test_demo_list_shows_case_and_pair_names_escaped(tmp_path: Path) -> None:
    folder = _demo_folder(tmp_path)
    run = _cli("demo", "--cases", folder)
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode("utf-8")
    _no_raw(text)
    assert "case\\x1b]0;t\\x07\\u202eevil " in text
    assert "other-\\xfe " in text
    assert "pair\\x9bx " in text


def test_demo_unknown_case_and_folder_are_echoed_escaped(tmp_path: Path) -> None:
    folder = _demo_folder(tmp_path)
    run = run_cli("demo", "no\x1b[2Jsuch\u202e", "--cases", folder)
    assert run.exit_code == 2
    [line] = run.stderr.splitlines()
    assert line.removeprefix("thymoscope: error: ").startswith(
        "no\\x1b[2Jsuch\\u202e: no such case or pair in "
    )
    missing = tmp_path / "gone\x9b"
    run = run_cli("demo", "--cases", missing)
    assert run.exit_code == 2
    assert (
        run.stderr.strip()
        == f"thymoscope: error: {tmp_path}/gone\\x9b: not a folder of study files"
    )


# --- 5. one display of undecodable bytes -----------------------------------------------


def test_loader_problem_lines_show_undecodable_bytes_like_output_names() -> None:
    name = os.fsdecode(b"/tmp/study-\xfe\x1b.yaml")
    line = str(Problem(name, 3, "title", "required field is missing"))
    assert line == "/tmp/study-\\xfe\\x1b.yaml:3: title: required field is missing"
    assert "\\udc" not in line
    assert shown(name) == shown_name(name) == "/tmp/study-\\xfe\x1b.yaml"


def test_missing_undecodable_input_is_shown_with_x_escapes(tmp_path: Path) -> None:
    run = _cli("diagnose", os.fsencode(tmp_path) + b"/nope-\xfe.yaml")
    assert run.returncode == 2
    assert run.stderr.decode("utf-8") == f"{tmp_path}/nope-\\xfe.yaml: no such file\n"


def test_terminal_line_escapes_controls_and_line_breaks_only() -> None:
    assert terminal_line("plain name – é.yaml") == "plain name – é.yaml"
    assert terminal_line("a\nb\tc\x85d\u2066") == "a\\nb\\tc\\x85d\\u2066"
    assert terminal_line(os.fsdecode(b"x\xff")) == "x\\xff"


# --- 6. an empty path ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["diagnose", "compare"])
def test_empty_path_alone_is_one_line_and_status_2(command: str) -> None:
    run = _cli(command, "")
    assert run.returncode == 2
    assert run.stderr.decode("utf-8") == EMPTY_PATH + "\n"
