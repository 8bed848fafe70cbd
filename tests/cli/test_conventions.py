"""The command-line conventions of usability review items 4-10 and 14, each from its
example: one error style, nothing on stdout without a study, `-` and `-o -`, the
format from the -o extension, help with examples and no Python types, --quiet,
--verbose, --color, --fail-on, and the pair-file hint."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import FINDINGS, entry_point, invoke, run, write_study
from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.diagnose import FINDINGS_STATUS

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
PAIR = CASES / "pairs" / "chb-end-vs-12-months.yaml"
ANSI = re.compile(r"\x1b\[")
ERROR = re.compile(r"^thymoscope: error: \S.*$")
COMMANDS = ("diagnose", "compare", "review", "ask", "explain", "rules", "schema", "init", "demo")


@pytest.fixture()
def flawed(tmp_path: Path) -> Path:
    return write_study(tmp_path, "flawed.yaml", **FINDINGS)


def piped(*args: str | os.PathLike[str], stdin: bytes, env: dict[str, str] | None = None) -> Any:
    """The entry point with ``stdin`` on a pipe; bytes out."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run(
        [str(entry_point()), *map(str, args)],
        input=stdin,
        capture_output=True,
        env=full_env,
        timeout=300,
        check=False,
    )


# --- item 4: a missing file ------------------------------------------------------------


def test_missing_file_is_one_line_and_nothing_on_stdout(tmp_path: Path) -> None:
    result = invoke("diagnose", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n"
    assert result.stdout == ""


def test_missing_file_with_output_makes_no_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = invoke("diagnose", tmp_path / "nope.yaml", "-o", target)
    assert result.exit_code == 2
    assert not target.exists()


def test_an_error_is_shown_once(tmp_path: Path, flawed: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = invoke("diagnose", missing, flawed)
    assert result.exit_code == 2
    assert result.stderr.count("no such file") == 1
    assert "no such file" not in result.stdout  # the report on stdout does not repeat it
    assert "flawed" in result.stdout


# --- item 5: one error style -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["diagnos"], "no such command 'diagnos' (did you mean 'diagnose'?)"),
        (["diagnose", "--fromat", "json", "x.yaml"], "no such option: --fromat"),
        (["diagnose", "-f", "jsn", "x.yaml"], "-f/--format: 'jsn' is not one of text"),
        (["diagnose", "--jobs", "zero", "x.yaml"], "-j/--jobs: 'zero'"),
        (["diagnose"], "missing FILE|DIR|SHEET|- (see 'thymoscope diagnose -h')"),
        (["review", "--method", "reml2", "x.yaml"], "--method: 'reml2' is not one of reml"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], expected: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert ERROR.match(line), line
    assert expected in line
    assert "Usage:" not in result.stderr and "Value error" not in result.stderr


def test_option_typo_suggests_the_option() -> None:
    result = invoke("diagnose", "--fromat", "json", "x.yaml")
    assert "(did you mean '--format'?)" in result.stderr


def test_choice_typo_suggests_the_choice() -> None:
    result = invoke("diagnose", "-f", "jsn", "x.yaml")
    assert "(did you mean 'json'?)" in result.stderr


def test_existing_file_for_init_is_an_error_line(tmp_path: Path) -> None:
    target = tmp_path / "there.yaml"
    target.write_text("x", encoding="utf-8")
    result = invoke("init", target)
    assert result.exit_code == 2
    assert ERROR.match(result.stderr.strip())


def test_pair_name_typo_suggests_the_pair() -> None:
    result = invoke("compare", "--pair", "chb-end-vs-12month")
    assert result.exit_code == 2
    assert "(did you mean 'chb-end-vs-12-months'?)" in result.stderr


# --- item 6: - and /dev/stdin, -o - ----------------------------------------------------


def test_dash_reads_a_study_from_stdin(flawed: Path) -> None:
    done = piped("diagnose", "-", "-f", "json", stdin=flawed.read_bytes())
    assert done.returncode == 0, done.stderr
    [study] = json.loads(done.stdout)["studies"]
    assert (study["id"], study["source"]) == ("flawed", "<stdin>")


def test_dev_stdin_pipe_is_read(flawed: Path) -> None:
    done = piped("diagnose", "/dev/stdin", "-f", "json", stdin=flawed.read_bytes())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["studies"][0]["id"] == "flawed"


def test_a_bad_study_on_stdin_is_located(tmp_path: Path) -> None:
    done = piped("diagnose", "-", stdin=b"schema_version: 1\nid: x\ntitle: t\nindication: sepsi\n")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().startswith("<stdin>:4: indication: ")


def test_dash_output_is_stdout_not_a_file(tmp_path: Path, flawed: Path) -> None:
    result = run("diagnose", flawed, "-o", "-", "-f", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["studies"][0]["id"] == "flawed"
    assert not (tmp_path / "-").exists()
    assert result.stderr == ""  # no "wrote" line for stdout


# --- item 7: -o follows the extension and confirms -----------------------------------


@pytest.mark.parametrize(
    ("name", "start"),
    [("r.html", "<!DOCTYPE html>"), ("r.md", "# "), ("r.json", "{"), ("r.txt", "thymoscope")],
)
def test_output_format_follows_the_extension(
    tmp_path: Path, flawed: Path, name: str, start: str
) -> None:
    target = tmp_path / name
    result = invoke("diagnose", flawed, "-o", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith(start)
    assert result.stderr == f"thymoscope: wrote 1 study to {target}\n"


def test_format_option_wins_over_the_extension(tmp_path: Path, flawed: Path) -> None:
    target = tmp_path / "r.html"
    assert invoke("diagnose", flawed, "-f", "json", "-o", target).exit_code == 0
    json.loads(target.read_text(encoding="utf-8"))


def test_an_extension_the_command_cannot_write_is_an_error(tmp_path: Path) -> None:
    result = invoke("compare", "--pair", "chb-end-vs-12-months", "-o", tmp_path / "c.xlsx")
    assert result.exit_code == 2
    assert ERROR.match(result.stderr.strip())
    assert "cannot write .xlsx files" in result.stderr


# --- item 8: help --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["", *COMMANDS, "completion"])
def test_help_has_examples_and_no_python_types(command: str) -> None:
    result = run(*([command] if command else []), "-h", env={"COLUMNS": "60"})
    assert result.returncode == 0
    text = result.stdout
    assert "Examples:" in text and "  thymoscope " in text.split("Examples:")[1]
    for leak in ("<list[", "<int", "<str>", "<path>", "<float", "[x>=", "range>", "Enum"):
        assert leak not in text, (command, leak)
    assert [line for line in text.splitlines() if len(line) > 60] == []
    examples = [line for line in text.split("Examples:")[1].splitlines() if line.strip()]
    assert all(line.startswith(("  thymoscope ", "  cat ")) for line in examples), examples


def test_command_summaries_are_not_cut_off() -> None:
    text = run("-h", env={"COLUMNS": "60"}).stdout
    commands = text.split("Commands:")[1].split("Examples:")[0]
    assert "..." not in commands
    assert "ask only what" in " ".join(commands.split()) or "asking only what" in " ".join(
        commands.split()
    )


def test_md_is_markdown(flawed: Path) -> None:
    short = invoke("diagnose", flawed, "-f", "md")
    assert short.exit_code == 0
    assert short.stdout == invoke("diagnose", flawed, "--format", "markdown").stdout


# --- item 10: --quiet, --verbose, --color; the notice on utility commands -------------


def test_quiet_drops_the_confirmation(tmp_path: Path, flawed: Path) -> None:
    result = invoke("diagnose", flawed, "-o", tmp_path / "r.json", "--quiet")
    assert (result.exit_code, result.stderr) == (0, "")


def test_verbose_says_what_was_read(flawed: Path) -> None:
    result = invoke("diagnose", flawed, "--verbose")
    assert "thymoscope: reading 1 study files" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {}, False),  # a pipe, not a terminal
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the option wins
    ],
)
def test_color_option_and_environment(
    flawed: Path, args: list[str], env: dict[str, str], colored: bool
) -> None:
    done = piped("diagnose", flawed, *args, stdin=b"", env=env)
    assert done.returncode == 0
    assert bool(ANSI.search(done.stdout.decode())) is colored


def test_no_color_keeps_a_piped_report_plain(flawed: Path) -> None:
    done = piped("diagnose", flawed, stdin=b"", env={"NO_COLOR": "1", "FORCE_COLOR": ""})
    assert not ANSI.search(done.stdout.decode())


@pytest.mark.parametrize("args", [["init"], ["schema"], ["compare", "--list-pairs"]])
def test_research_notice_stays_off_stdout_of_utility_commands(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # the study template carries the notice as a YAML comment, the schema as $comment
    assert RESEARCH_NOTICE not in [line.strip() for line in lines]


def test_research_notice_ends_every_report(flawed: Path) -> None:
    for fmt in ("text", "markdown", "html"):
        assert RESEARCH_NOTICE in invoke("diagnose", flawed, "-f", fmt).stdout


# --- --fail-on -----------------------------------------------------------------------


def test_fail_on_major_exits_four(flawed: Path) -> None:
    result = invoke("diagnose", flawed, "--fail-on", "moderate", "-q")
    assert result.exit_code == FINDINGS_STATUS == 4


def test_fail_on_leaves_a_study_without_such_findings_at_zero(tmp_path: Path) -> None:
    clean = write_study(tmp_path, "clean.yaml")
    counts = json.loads(invoke("diagnose", clean, "-f", "json").stdout)["studies"][0]
    assert counts["severity_counts"].get("major", 0) == 0
    assert invoke("diagnose", clean, "--fail-on", "major").exit_code == 0


def test_input_errors_win_over_fail_on(tmp_path: Path, flawed: Path) -> None:
    result = invoke("diagnose", flawed, tmp_path / "nope.yaml", "--fail-on", "minor")
    assert result.exit_code == 2


# --- item 14: a pair file given to diagnose ------------------------------------------


def test_pair_file_to_diagnose_points_to_compare() -> None:
    result = invoke("diagnose", PAIR)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{PAIR}: a pair file, not a study; use: thymoscope compare --pair {PAIR}\n"
    )


# --- review follows the same conventions ---------------------------------------------


def test_review_of_missing_files_writes_nothing(tmp_path: Path) -> None:
    result = invoke("review", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert (result.stdout, result.stderr) == ("", f"{tmp_path / 'nope.yaml'}: no such file\n")


def test_review_shows_an_input_problem_once(tmp_path: Path) -> None:
    body = sorted((CASES / "review" / "sepsis-quality").glob("*.yaml"))
    result = invoke("review", *body, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr.count("no such file") == 1
    assert "no such file" not in result.stdout


def test_review_writes_markdown_for_md_and_confirms(tmp_path: Path) -> None:
    body = sorted((CASES / "review" / "sepsis-quality").glob("*.yaml"))
    target = tmp_path / "review.md"
    result = invoke("review", *body, "-o", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert result.stderr == f"thymoscope: wrote the review of {len(body)} studies to {target}\n"
