"""Pair files are validated like study files (security review defect 15).

Unknown keys (with a suggestion), wrong types, multi-line ids and titles, a ``note``
that is not text, and ``a``/``b`` that leave the pair file's folder are each one
located line with exit status 2; what is accepted always gives comparison JSON that
validates against ``thymoscope schema --comparison``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from thymoscope.kb.comparison import PairFileError, parse_pair
from thymoscope.report.comparison_schema import comparison_schema

from .conftest import run_cli

CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
BASE = {
    "schema_version": "1",
    "id": "my-pair",
    "title": "Two sepsis trials",
    "a": "sepsis-small-open-rct",
    "b": "sepsis-large-double-blind-null",
}


def _pair_text(**fields: str | None) -> str:
    merged = {**BASE, **fields}
    return "".join(f"{key}: {value}\n" for key, value in merged.items() if value is not None)


REFUSED = {
    "note-mapping": ({"note": "{a: 1}"}, 6, r"note: Input should be a valid string"),
    "note-number": ({"note": "5"}, 6, r"note: Input should be a valid string \(got 5\)"),
    "id-newline": ({"id": '"x\\ny"'}, 2, r"id: 'x\\ny' is not a valid id"),
    "title-newline": ({"title": '"one\\ntwo"'}, 3, r"title: 'one\\ntwo' runs over several lines"),
    "title-mapping": ({"title": "{x: 1}"}, 3, r"title: Input should be a valid string"),
    "unknown-key": ({"tilte": "x"}, 6, r"tilte: unknown field 'tilte' \(did you mean 'title'\?\)"),
    "schema-text": ({"schema_version": "'1'"}, 1, r"schema_version: '1' is not allowed"),
    "a-number": ({"a": "5"}, 4, r"a: Input should be a valid string \(got 5\)"),
    "a-parent": ({"a": "../elsewhere.yaml"}, 4, r"a: '\.\./elsewhere\.yaml' leads out of"),
    "a-deep-parent": ({"a": "sub/../../x.yaml"}, 4, r"leads out of the pair file's folder"),
    "a-absolute": ({"a": "/etc/study.yaml"}, 4, r"a: '/etc/study\.yaml' is an absolute path"),
    "a-home": ({"a": "~/study.yaml"}, 4, r"is an absolute path"),
    "b-bundled-escape": ({"b": "../../../tmp/x"}, 5, r"b: '\.\./\.\./\.\./tmp/x' is neither a"),
    "b-missing": ({"b": None}, 0, r"b: required field is missing"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_bad_pair_files_get_one_located_line(tmp_path: Path, name: str) -> None:
    fields, line, message = REFUSED[name]
    path = tmp_path / "pair.yaml"
    path.write_text(_pair_text(**fields), encoding="utf-8")
    with pytest.raises(PairFileError) as caught:
        parse_pair(path.read_text(encoding="utf-8"), str(path))
    text = str(caught.value)
    assert "\n" not in text
    where = f"{path}:{line}: " if line else f"{path}:1: "
    assert text.startswith(where), text
    assert re.search(message, text), text

    run = run_cli("compare", "--pair", path, "--format", "json")
    assert run.exit_code == 2
    assert run.stderr.strip() == text


def test_a_study_path_below_the_pair_file_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "studies").mkdir()
    shutil.copy(CASES / "chb-rct-end-of-therapy.yaml", tmp_path / "studies" / "end.yaml")
    path = tmp_path / "pair.yaml"
    path.write_text(
        _pair_text(a="studies/end.yaml", b="chb-rct-12-months-after", note="Timing only."),
        encoding="utf-8",
    )
    run = run_cli("compare", "--pair", path, "--format", "json")
    assert run.exit_code == 0, run.stderr
    document = json.loads(run.stdout)
    jsonschema.validate(document, comparison_schema())
    assert document["comparisons"][0]["pair"] == {
        "id": "my-pair",
        "title": "Two sepsis trials",
        "note": "Timing only.",
    }


def test_a_catalogue_root_allows_climbing_only_inside_it(tmp_path: Path) -> None:
    pairs = tmp_path / "catalogue" / "pairs"
    pairs.mkdir(parents=True)
    source = str(pairs / "p.yaml")
    inside = parse_pair(_pair_text(a="../case.yaml"), source, root=tmp_path / "catalogue")
    assert inside.a == "../case.yaml"
    with pytest.raises(PairFileError, match=r"a: '\.\./\.\./x\.yaml' leads out of"):
        parse_pair(_pair_text(a="../../x.yaml"), source, root=tmp_path / "catalogue")


def test_every_bundled_pair_still_reads() -> None:
    from thymoscope.kb.comparison import bundled_pairs

    assert len(bundled_pairs()) >= 4
