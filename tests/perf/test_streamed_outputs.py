"""The batch path's outputs are byte for byte those of diagnosing one study at a time.

A seeded batch of generated studies (benchmarks/generate.py: every section filled, 0-5
subgroups; and the sparse kind), with invalid files among them, goes through
`thymoscope diagnose DIR` (JSON streamed to the file as the studies come, the other
formats assembled from the workers' parts) and is compared with the report built from
``api.diagnose_file`` on each file in turn and rendered at once.  No timing here: the
speed is measured by benchmarks/bench.py.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.cli.helpers import invoke
from thymoscope import api
from thymoscope.report.document import report_document
from thymoscope.report.render import JSON_OPTIONS, render
from thymoscope.study.loader import StudyFileError

GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
FULL, SPARSE = 150, 50
BAD = {
    "bad-indication.yaml": "schema_version: 1\nid: bad\ntitle: A bad study\nindication: sepsi\n",
    "bad-yaml.yaml": "schema_version: 1\nid: [unclosed\n",
    "bad-control.yaml": 'schema_version: 1\nid: ctl\ntitle: "\\e[31m"\nindication: sepsis\n',
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("thymoscope_bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    generate = _generator()
    full = generate.write_studies(folder / "full", FULL, seed=11, kind="full")
    sparse = generate.write_studies(folder / "sparse", SPARSE, seed=12, kind="sparse")
    flat = folder / "studies"
    flat.mkdir()
    for number, path in enumerate([*full, *sparse]):
        path.rename(flat / f"{number:04d}-{path.parent.name}.yaml")
    for name, text in BAD.items():
        (flat / name).write_text(text, encoding="utf-8")
    return flat


def one_at_a_time(folder: Path) -> dict[str, Any]:
    """The report document built from each file diagnosed on its own, in name order."""
    diagnoses, errors = [], []
    for path in sorted(folder.iterdir()):
        try:
            diagnoses.append(api.diagnose_file(path))
        except StudyFileError as exc:
            errors.extend(str(problem) for problem in exc.problems)
    return report_document(diagnoses, errors)


@pytest.fixture(scope="module")
def expected(batch: Path) -> dict[str, Any]:
    return one_at_a_time(batch)


def test_the_generated_batch_holds_many_studies_and_some_problems(
    expected: dict[str, Any],
) -> None:
    assert len(expected["studies"]) == FULL + SPARSE
    assert len(expected["errors"]) == len(BAD)
    assert sum(len(s["subgroup_names"]) for s in expected["studies"]) > FULL


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_streamed_json_file_equals_the_report_rendered_at_once(
    batch: Path, expected: dict[str, Any], tmp_path: Path, jobs: str
) -> None:
    target = tmp_path / "report.json"
    result = invoke("diagnose", batch, "-f", "json", "-o", target, "--jobs", jobs)
    assert result.exit_code == 2  # the invalid files
    assert target.read_bytes() == render(expected, "json").encode("utf-8")
    assert result.stderr.splitlines()[: len(BAD)] == expected["errors"]


def test_streamed_json_on_stdout_equals_the_report_rendered_at_once(
    batch: Path, expected: dict[str, Any]
) -> None:
    result = invoke("diagnose", batch, "-f", "json")
    assert result.stdout == render(expected, "json")


def test_streamed_json_is_the_report_document(batch: Path, expected: dict[str, Any]) -> None:
    result = invoke("diagnose", batch, "-f", "json")
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, **JSON_OPTIONS))


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_other_formats_equal_the_report_rendered_at_once(
    batch: Path, expected: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    result = invoke("diagnose", batch, "-f", fmt, "-o", target)
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == render(expected, fmt)


def test_only_invalid_files_write_nothing(batch: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, text in BAD.items():
        (folder / name).write_text(text, encoding="utf-8")
    target = tmp_path / "report.json"
    result = invoke("diagnose", folder, "-f", "json", "-o", target)
    assert result.exit_code == 2
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]  # no temporary file left
    assert invoke("diagnose", folder, "-f", "json").stdout == ""


def test_a_failed_stream_keeps_the_old_file_and_leaves_no_temp(
    batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from thymoscope.engine import batch as engine_batch

    target = tmp_path / "report.json"
    target.write_text("previous")
    original = engine_batch._Worker.one
    seen = []

    def fail_late(self: Any, path: Path) -> Any:
        seen.append(path)
        if len(seen) == 40:
            raise OSError(28, "No space left on device")
        return original(self, path)

    monkeypatch.setattr(engine_batch._Worker, "one", fail_late)
    result = invoke("diagnose", batch, "-f", "json", "-o", target, "--jobs", "1")
    assert isinstance(result.exception, OSError)
    assert len(seen) == 40  # studies were written before the fault
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
