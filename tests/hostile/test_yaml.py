"""Hostile YAML: every class gets one located line, exit status 2, within budget.

Each case is checked twice: through the loader (message, line, CPU and memory budget)
and through ``thymoscope diagnose`` (exit status 2, the same line on stderr, nothing
diagnosed).  A handful also run in a child process whose own peak memory is measured.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from thymoscope.study.loader import (
    MAX_PROBLEMS,
    StudyFileError,
    load_study,
    parse_study,
    parse_study_bytes,
)
from thymoscope.study.yaml_source import MAX_BYTES, MAX_DEPTH, MAX_NODES

from .conftest import PROCESS_MEMORY, measured, run_cli, run_process_measured

HEAD = "schema_version: 1\nid: hostile\ntitle: Hostile input\nindication: sepsis\n"


def _bomb(levels: int, width: int = 9) -> str:
    """Billion laughs: each level repeats the previous one ``width`` times."""
    lines = ["l0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _block_nesting(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "leaf\n"


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    line: int  # the line the one problem must name (0: none)
    message: str  # a regular expression the problem must match


def case(name: str, content: str | bytes, line: int, message: str) -> Case:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return Case(name, data, line, message)


CASES = [
    case("billion-laughs", HEAD + _bomb(9), 9, rf"expands to more than {MAX_NODES:,} values"),
    case("alias-to-unfinished-anchor", "a: &x [1, *x]\n", 1, r"alias \*x refers to no finished"),
    case("deep-flow-nesting", "a: " + "[" * 100_000 + "\n", 1, rf"nested deeper than {MAX_DEPTH}"),
    case(
        "deep-block-nesting",
        _block_nesting(MAX_DEPTH + 5),
        MAX_DEPTH + 1,
        rf"nested deeper than {MAX_DEPTH}",
    ),
    case("many-documents", (HEAD + "---\n") * 1000, 5, r"more than one YAML document"),
    case(
        "second-document-after-end",
        HEAD + "...\n--- !!python/object:os.system x\n",
        6,
        r"more than one YAML document",
    ),
    case(
        "not-utf8",
        HEAD.encode() + b"citation: caf\xe9\n",  # Latin-1, not UTF-8
        5,
        r"not valid UTF-8 \(byte 0xe9 at offset \d+\); save the file as UTF-8",
    ),
    case("utf16", "\ufeff".encode("utf-16-le") + HEAD.encode("utf-16-le"), 1, r"UTF-16"),
    case("tab-indentation", HEAD + "design:\n\ttype: rct\n", 6, r"tab is used for indentation"),
    case(
        "duplicate-top-key",
        HEAD + "indication: cancer\n",
        5,
        r"indication: duplicate key \(first given on line 4\)",
    ),
    case(
        "duplicate-nested-key",
        HEAD + "design:\n  type: rct\n  type: single_arm\n",
        7,
        r"design\.type: duplicate key \(first given on line 6\)",
    ),
    case(
        "python-name-tag",
        HEAD + "citation: !!python/name:os.system\n",
        5,
        r"unsupported YAML tag tag:yaml\.org,2002:python/name:os\.system; refused",
    ),
    case("local-tag", HEAD + "design: !secret {type: rct}\n", 5, r"unsupported YAML tag !secret"),
    case("binary-tag", HEAD + "citation: !!binary aGVsbG8=\n", 5, r"unsupported YAML tag .*binary"),
    case("merge-key", HEAD + "base: &b {type: rct}\ndesign:\n  <<: *b\n", 7, r"merge keys"),
    case(
        "nan",
        HEAD + "follow_up_months_after_therapy: .nan\n",
        5,
        r"follow_up_months_after_therapy: nan is not a finite number",
    ),
    case(
        "inf",
        HEAD + "follow_up_months_after_therapy: .inf\n",
        5,
        r"follow_up_months_after_therapy: inf is not a finite number",
    ),
    case(
        "negative-inf-dose",
        HEAD + "intervention:\n  dose: -.Inf\n",
        6,
        r"intervention\.dose: -inf is not a finite number",
    ),
    case(
        "1e309",
        HEAD + "follow_up_months_after_therapy: 1e309\n",
        5,
        r"'1e309' is not a finite number",
    ),
    case(
        "1.0e+309",
        HEAD + "follow_up_months_after_therapy: 1.0e+309\n",
        5,
        r"inf is not a finite number",
    ),
    case(
        "huge-integer",
        HEAD + "design:\n  sample_size: " + "9" * 5000 + "\n",
        6,
        r"design\.sample_size: a number 5,000 characters long is refused",
    ),
    case(
        "integer-out-of-range",
        HEAD + "design:\n  sample_size: " + "9" * 40 + "\n",
        6,
        r"design\.sample_size: Input should be less than or equal to 100000000",
    ),
    case(
        "date-for-number",
        HEAD + "follow_up_months_after_therapy: 2024-01-01\n",
        5,
        r"follow_up_months_after_therapy: .*valid number \(got the date 2024-01-01",
    ),
    case(
        "impossible-date",
        HEAD + "follow_up_months_after_therapy: 2024-13-45\n",
        5,
        r"unreadable value '2024-13-45': month must be in 1\.\.12",
    ),
    case(
        "base-60-number",
        HEAD + "follow_up_months_after_therapy: 1:30\n",
        5,
        r"'1:30' would be read as a base-60 number",
    ),
    case(
        "octal-number",
        HEAD + "design:\n  sample_size: 0100\n",
        6,
        r"'0100' would be read as an octal number",
    ),
    case("empty-file", "", 1, r"file is empty"),
    case("only-comments", "# nothing here\n\n", 1, r"file is empty"),
    case("a-list", "- schema_version: 1\n- id: x\n", 1, r"a YAML mapping, not a list"),
    case("a-scalar", "just some words\n", 1, r"a YAML mapping, not a single value"),
    case("key-not-text", HEAD + "[1, 2]: x\n", 5, r"key \[1, 2\] is not a name"),
    case("nul-byte", HEAD + "citation: a\x00b\n", 5, r"NUL character"),
    case("control-character", HEAD + "citation: a\x1bb\n", 5, r"character U\+001B"),
    case("syntax-error", HEAD + "design: {type: rct\n", 6, r"YAML syntax error"),
    case(
        "too-large",
        HEAD + "citation: |\n" + ("  " + "x" * 98 + "\n") * (MAX_BYTES // 100),
        0,
        rf"bytes; the limit is {MAX_BYTES:,} bytes",
    ),
]
BY_NAME = {c.name: c for c in CASES}
LINE = re.compile(r"^(?P<source>[^\n]+?\.yaml)(?::(?P<line>\d+))?: (?P<message>[^\n]+)$")


def _write(tmp_path: Path, item: Case) -> Path:
    path = tmp_path / f"{item.name}.yaml"
    path.write_bytes(item.content)
    return path


def _check_problem(text: str, path: Path, item: Case) -> None:
    """``text`` is one line ``FILE:LINE: message`` naming ``path`` and ``item.line``."""
    assert "\n" not in text.strip(), text
    match = LINE.match(text.strip())
    assert match, text
    assert match["source"] == str(path)
    assert int(match["line"] or 0) == item.line, text
    assert re.search(item.message, match["message"]), text
    assert len(text) < 400, text


@pytest.mark.parametrize("item", CASES, ids=[c.name for c in CASES])
def test_loader_refuses_with_one_located_line(tmp_path: Path, item: Case) -> None:
    path = _write(tmp_path, item)
    with measured(), pytest.raises(StudyFileError) as caught:
        load_study(path)
    assert len(caught.value.problems) == 1, str(caught.value)
    _check_problem(str(caught.value.problems[0]), path, item)


@pytest.mark.parametrize("item", CASES, ids=[c.name for c in CASES])
def test_cli_exits_2_with_the_same_line(tmp_path: Path, item: Case) -> None:
    path = _write(tmp_path, item)
    with measured():
        run = run_cli("diagnose", path, "--format", "json")
    assert run.exit_code == 2, run.stderr
    problem_lines = run.stderr.strip().splitlines()
    assert len(problem_lines) == 1, run.stderr
    _check_problem(problem_lines[0], path, item)
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "name", ["billion-laughs", "deep-flow-nesting", "many-documents", "too-large", "huge-integer"]
)
def test_whole_process_stays_within_budget(tmp_path: Path, name: str) -> None:
    item = BY_NAME[name]
    path = _write(tmp_path, item)
    run = run_process_measured("diagnose", path)
    assert run.exit_code == 2, run.stderr
    _check_problem(run.stderr.strip(), path, item)
    assert run.max_rss_bytes < PROCESS_MEMORY, f"{run.max_rss_bytes / 2**20:.0f} MiB"
    assert run.cpu_seconds < 30, f"{run.cpu_seconds:.1f} s of CPU"


def test_python_object_tags_are_never_constructed(tmp_path: Path) -> None:
    """A tag that creates a file when constructed: PyYAML's unsafe loader proves it would."""
    sentinel = tmp_path / "constructed"
    text = HEAD + f"citation: !!python/object/apply:builtins.open [{str(sentinel)!r}, 'w']\n"
    yaml.unsafe_load(text)["citation"].close()  # the control: this tag has a side effect
    assert sentinel.exists()
    sentinel.unlink()

    path = tmp_path / "python-object.yaml"
    path.write_text(text, encoding="utf-8")
    with measured(), pytest.raises(StudyFileError) as caught:
        load_study(path)
    assert not sentinel.exists()
    message = str(caught.value)
    assert message == (
        f"{path}:5: unsupported YAML tag "
        "tag:yaml.org,2002:python/object/apply:builtins.open; refused"
    )
    run = run_cli("diagnose", path)
    assert run.exit_code == 2 and run.stderr.strip() == message
    assert not sentinel.exists()


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    assert load_study(path).id == "hostile"
    assert parse_study("\ufeff" + HEAD).id == "hostile"
    run = run_cli("diagnose", path, "--format", "json")
    assert run.exit_code == 0, run.stderr


def test_a_tab_as_separator_is_fine() -> None:
    assert parse_study(HEAD + "citation:\tsomewhere\n").citation == "somewhere"


def test_quoted_look_alikes_stay_text() -> None:
    study = parse_study(HEAD + "citation: '1:30'\ncancer_type: null\n")
    assert study.citation == "1:30"


def test_bomb_just_below_the_limit_is_built_within_budget() -> None:
    # 11**4 = 14,641 values after expansion: accepted by the YAML layer, refused as a study
    assert 11**4 < MAX_NODES < 11**5
    with measured(), pytest.raises(StudyFileError) as caught:
        parse_study(HEAD + _bomb(4, width=11), "near.yaml")
    assert all(p.field.startswith("l") for p in caught.value.problems)


def test_problem_floods_are_capped() -> None:
    text = HEAD + "secondary_endpoints:\n" + "- bogus\n" * 5000
    with measured(), pytest.raises(StudyFileError) as caught:
        parse_study(text, "flood.yaml")
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert str(problems[-1]) == f"flood.yaml: {5000 - MAX_PROBLEMS:,} more problems not shown"
    assert str(problems[0]).startswith("flood.yaml:6: secondary_endpoints.0: 'bogus' is not")


def test_text_given_directly_is_held_to_the_same_limits() -> None:
    with pytest.raises(StudyFileError, match=r"limit is 1,000,000 bytes"):
        parse_study("citation: " + "é" * (MAX_BYTES // 2 + 1), "big.yaml")
    with pytest.raises(StudyFileError, match=r"NUL character"):
        parse_study(HEAD + "\x00", "nul.yaml")
    with pytest.raises(StudyFileError, match=r"^bytes.yaml:1: not valid UTF-8"):
        parse_study_bytes(b"\xff\xff", "bytes.yaml")


@pytest.mark.parametrize("make", [lambda: "x" * 1000, lambda: ["x"] * 1000])
def test_long_values_are_shortened_in_messages(make: Callable[[], object]) -> None:
    value = make()
    text = yaml.safe_dump({"schema_version": 1, "id": "x", "title": "t", "indication": value})
    with pytest.raises(StudyFileError) as caught:
        parse_study(text, "long.yaml")
    assert all(len(str(p)) < 400 for p in caught.value.problems), str(caught.value)


def test_worst_case_below_every_limit_stays_within_budget(tmp_path: Path) -> None:
    """The most values the YAML layer lets through, each one invalid: the costliest file."""
    count = MAX_NODES - 20  # the keys and the document's own mapping count too
    path = tmp_path / "flood.yaml"
    path.write_text(HEAD + "secondary_endpoints: [" + ",".join(["a"] * count) + "]\n")
    run = run_process_measured("diagnose", path, "--format", "json")
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1] == f"{path}: {count - MAX_PROBLEMS:,} more problems not shown"
    assert run.max_rss_bytes < PROCESS_MEMORY, f"{run.max_rss_bytes / 2**20:.0f} MiB"
    assert run.cpu_seconds < 30, f"{run.cpu_seconds:.1f} s of CPU"
