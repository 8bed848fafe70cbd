"""`thymoscope diagnose`: formats, exit statuses, bad inputs, --output, --jobs, faults."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cli.helpers import BAD_LINE, FINDINGS, invoke, run, write_bad, write_study
from thymoscope import RESEARCH_NOTICE
from thymoscope.cli import app as app_module
from thymoscope.cli.output import Format, terminal_style
from thymoscope.report.schema import report_schema

ANSI = re.compile(r"\x1b\[")
PROBLEM_LINE = re.compile(r"^[^:]+\.ya?ml(:\d+)?: (\S+: )?.+$")


@pytest.fixture()
def studies(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "studies"
    folder.mkdir()
    return {
        "clean": write_study(folder, "clean.yaml"),
        "flawed": write_study(folder, "flawed.yml", **FINDINGS),
    }


# --- exit 0 and the formats ---------------------------------------------------------


@pytest.mark.parametrize("fmt", [f.value for f in Format])
def test_each_format(studies: dict[str, Path], fmt: str) -> None:
    result = invoke("diagnose", studies["flawed"], "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "high-risk-of-bias" in out
    assert RESEARCH_NOTICE in out
    assert not ANSI.search(out)
    if fmt == "json":
        doc = json.loads(out)
        assert [s["id"] for s in doc["studies"]] == ["flawed"]
        jsonschema.validate(doc, report_schema(), cls=jsonschema.Draft202012Validator)
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>")


def test_clean_study_exits_zero_and_says_no_finding(studies: dict[str, Path]) -> None:
    result = invoke("diagnose", studies["clean"])
    assert result.exit_code == 0
    assert "No finding fired" in result.stdout


def test_folder_expands_to_its_study_files_in_order(studies: dict[str, Path]) -> None:
    folder = studies["clean"].parent
    (folder / "notes.txt").write_text("not a study")
    result = invoke("diagnose", folder, "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [s["id"] for s in doc["studies"]] == ["clean", "flawed"]
    assert doc["errors"] == []


# --- exit 2: bad inputs ---------------------------------------------------------------


def test_bad_file_is_reported_and_the_others_still_diagnosed(
    studies: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(studies["clean"].parent)
    bad = write_bad(Path("."))
    result = invoke("diagnose", bad.name, studies["flawed"], "-f", "json")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(BAD_LINE)
    assert PROBLEM_LINE.match(lines[0])
    assert "Traceback" not in result.stderr
    doc = json.loads(result.stdout)
    assert [s["id"] for s in doc["studies"]] == ["flawed"]
    assert doc["errors"] == lines


def test_missing_file(studies: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = invoke("diagnose", missing, studies["clean"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{missing}: no such file"
    assert "clean" in result.stdout


def test_folder_without_studies(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("diagnose", empty)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{empty}: folder holds no .yaml study files"
    assert result.stdout == ""  # no empty "0 studies" report


def test_every_problem_of_a_file_gets_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(
        "schema_version: 1\nid: two\ntitle: t\nindication: sepsis\n"
        "design:\n  type: rct\n  sample_size: 0\n  blindng: open\n",
        encoding="utf-8",
    )
    result = invoke("diagnose", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:7: design.sample_size: ")
    assert lines[1].startswith(f"{path}:8: design.blindng: unknown field 'blindng'")


def test_usage_error_exits_two(studies: dict[str, Path]) -> None:
    result = invoke("diagnose", studies["clean"], "--format", "pdf")
    assert result.exit_code == 2
    assert invoke("diagnose").exit_code == 2
    assert invoke("diagnose", studies["clean"], "--jobs", "0").exit_code == 2


# --- --output ----------------------------------------------------------------------------


def test_output_file_gets_the_plain_report(studies: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old report")
    result = invoke("diagnose", studies["flawed"], "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text == invoke("diagnose", studies["flawed"]).stdout
    assert not ANSI.search(text) and text.rstrip().endswith(RESEARCH_NOTICE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt", "studies"]


@pytest.mark.parametrize("which", ["file", "folder-member"])
def test_output_never_overwrites_an_input(studies: dict[str, Path], which: str) -> None:
    target = studies["flawed"]
    before = target.read_bytes()
    given = target if which == "file" else target.parent
    result = invoke("diagnose", given, "-o", target)
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"thymoscope: error: {target}: refusing to overwrite an input file"
    )
    assert target.read_bytes() == before


def test_output_onto_an_input_through_another_name(
    studies: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(studies["clean"].parent)
    link = studies["clean"].parent / "alias.txt"
    link.symlink_to(studies["clean"])
    before = studies["clean"].read_bytes()
    result = invoke("diagnose", "clean.yaml", "-o", "../studies/alias.txt")
    assert result.exit_code == 2
    assert studies["clean"].read_bytes() == before


@pytest.mark.parametrize("where", ["missing-folder", "folder", "read-only"])
def test_unwritable_output_is_one_line_and_exit_two(
    studies: dict[str, Path], tmp_path: Path, where: str
) -> None:
    if where == "missing-folder":
        target = tmp_path / "no" / "such" / "report.txt"
    elif where == "folder":
        target = tmp_path
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write to read-only folders")
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "report.txt"
    result = invoke("diagnose", studies["clean"], "-o", target)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"thymoscope: error: {target}")


def test_permission_denied_is_one_line(
    studies: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    target = tmp_path / "report.txt"
    result = invoke("diagnose", studies["clean"], "-o", target)
    assert result.exit_code == 2
    assert result.stderr == f"thymoscope: error: {target}: cannot write: Permission denied\n"
    assert not target.exists()


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(
    studies: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"
    target.write_text("previous")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = invoke("diagnose", studies["clean"], "-f", "markdown", "-o", target)
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"thymoscope: error: {target}: cannot write: No space left on device"
    )
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "studies"]


# --- --jobs ------------------------------------------------------------------------------


def test_jobs_is_passed_to_the_batch(
    studies: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from thymoscope import api
    from thymoscope.engine import batch

    seen: list[int | None] = []
    original = api.diagnose_to_documents

    def spy(paths: Any, jobs: int | None = None, *args: Any, **kwargs: Any) -> Any:
        seen.append(jobs)
        return original(paths, jobs, *args, **kwargs)

    monkeypatch.setattr(api, "diagnose_to_documents", spy)
    monkeypatch.setattr(batch, "available_cores", lambda: 8)  # --jobs is capped to the cores
    assert invoke("diagnose", studies["clean"], "--jobs", "3").exit_code == 0
    assert invoke("diagnose", studies["clean"]).exit_code == 0
    assert seen == [3, None]


# --- exit 1: internal faults -----------------------------------------------------------


def _run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["thymoscope", *args])
    with pytest.raises(SystemExit) as exit_info:
        app_module.main()
    return int(exit_info.value.code or 0)


def _break_the_diagnoser(monkeypatch: pytest.MonkeyPatch) -> None:
    from thymoscope import api as batch

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("rule network\nexploded")

    monkeypatch.setattr(batch, "diagnose_to_documents", boom)
    monkeypatch.setattr(batch, "diagnose_to_json", boom)


def test_internal_fault_is_one_line_and_exit_one(
    studies: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_the_diagnoser(monkeypatch)
    monkeypatch.delenv("THYMOSCOPE_DEBUG", raising=False)
    assert _run_main(monkeypatch, "diagnose", str(studies["clean"])) == 1
    captured = capsys.readouterr()
    assert captured.err == "thymoscope: internal error: RuntimeError: rule network exploded\n"
    assert captured.out == ""


def test_debug_shows_the_traceback(
    studies: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_the_diagnoser(monkeypatch)
    monkeypatch.setenv("THYMOSCOPE_DEBUG", "1")
    monkeypatch.setattr(sys, "argv", ["thymoscope", "diagnose", str(studies["clean"])])
    with pytest.raises(RuntimeError, match="exploded"):
        app_module.main()


def test_main_keeps_exit_statuses(
    studies: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run_main(monkeypatch, "diagnose", str(studies["clean"])) == 0
    assert _run_main(monkeypatch, "diagnose", str(studies["clean"].parent / "nope.yaml")) == 2
    assert _run_main(monkeypatch, "diagnose", "--format", "nope", "x") == 2
    capsys.readouterr()


# --- colour ----------------------------------------------------------------------------


class _FakeStdout:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        (True, {"TERM": "dumb"}, False),
        (False, {}, False),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, tty: bool, env: dict[str, str], expected: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdout", _FakeStdout(tty))
    assert terminal_style()[0] is expected


def _pty_output(args: list[str], env: dict[str, str]) -> str:
    pexpect = pytest.importorskip("pexpect")
    from tests.cli.helpers import entry_point

    child = pexpect.spawn(
        str(entry_point()), args, env=env, encoding="utf-8", timeout=120, dimensions=(40, 100)
    )
    output = child.read()
    child.close()
    assert child.exitstatus == 0, output
    return str(output)


@pytest.mark.terminal
def test_terminal_gets_colour_unless_no_color(studies: dict[str, Path]) -> None:
    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    base["TERM"] = "xterm-256color"
    coloured = _pty_output(["diagnose", str(studies["flawed"])], base)
    assert ANSI.search(coloured) and "high-risk-of-bias" in coloured
    plain = _pty_output(["diagnose", str(studies["flawed"])], {**base, "NO_COLOR": "1"})
    assert not ANSI.search(plain) and "high-risk-of-bias" in plain


# --- the installed entry point -------------------------------------------------------------


def test_entry_point_pipe_has_no_ansi_and_exit_codes(
    studies: dict[str, Path], tmp_path: Path
) -> None:
    ok = run("diagnose", studies["flawed"], env={"TERM": "xterm-256color"})
    assert ok.returncode == 0, ok.stderr
    assert "high-risk-of-bias" in ok.stdout and not ANSI.search(ok.stdout)
    bad = write_bad(tmp_path)
    mixed = run("diagnose", bad, studies["clean"], "-f", "json")
    assert mixed.returncode == 2
    assert mixed.stderr.startswith(f"{bad}:4: indication: ")
    assert "Traceback" not in mixed.stderr
    assert [s["id"] for s in json.loads(mixed.stdout)["studies"]] == ["clean"]


def test_entry_point_parallel_jobs_match_serial(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        write_study(folder, f"s{i}.yaml", **(FINDINGS if i % 2 else {}))
    write_bad(folder, "s3-bad.yaml")
    serial = run("diagnose", folder, "-f", "json", "--jobs", "1")
    parallel = run("diagnose", folder, "-f", "json", "--jobs", "3")
    assert serial.returncode == parallel.returncode == 2
    assert serial.stdout == parallel.stdout
    capped = [line for line in parallel.stderr.splitlines() if "--jobs 3 is more than" not in line]
    assert serial.stderr.splitlines() == capped  # on fewer than 3 cores --jobs is capped
