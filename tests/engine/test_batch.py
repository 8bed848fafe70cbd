"""Batch diagnosis: a worker pool gives exactly the serial results, in input order."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from thymoscope.api import diagnose_file, diagnose_paths, diagnose_to_documents, diagnose_to_json
from thymoscope.engine.batch import MIN_PARALLEL, effective_jobs, splice_json
from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.report.document import report_document, study_document
from thymoscope.study.loader import StudyFileError

# Overrides that switch different findings on, so the results differ from file to file
# and any reordering shows.
VARIANTS: list[dict[str, Any]] = [
    {},
    {"population": {"immune_status": "normal", "selected_by_biomarker": False}},
    {"population": {"immune_status": None}},
    {"intervention": {"dose": 6.4}},
    {"intervention": {"frequency": "weekly", "duration_weeks": 26}},
    {"design": {"risk_of_bias": "high", "blinding": "open"}},
    {"primary_endpoint": {"timing": "end_of_therapy", "months_after_therapy": None}},
    {
        "indication": "cancer",
        "cancer_type": "nsclc",
        "intervention": {"role": "monotherapy", "combined_with": []},
    },
    {"result": {"primary": "no_significant_effect", "effect": None}},
    {"secondary_endpoints": [], "result": {"immune_markers_improved": None}},
]

BAD_FILES: dict[str, str] = {
    "syntax": "schema_version: 1\nid: [unclosed\n",
    "unknown-field": "schema_version: 1\nid: x\ntitle: X\nindication: sepsis\ndesing: {}\n",
    "not-a-mapping": "- just\n- a list\n",
}


def _write(folder: Path, count: int, make_study_dict: Callable[..., dict[str, Any]]) -> list[Path]:
    """``count`` study files (ids differ), with a bad or missing file every seventh slot."""
    paths: list[Path] = []
    bad = list(BAD_FILES.items())
    for number in range(count):
        if number % 7 == 3:
            kind, text = bad[(number // 7) % len(bad)]
            path = folder / f"{number:03d}-bad-{kind}.yaml"
            path.write_text(text, encoding="utf-8")
        elif number % 7 == 5:
            path = folder / f"{number:03d}-missing.yaml"  # never written
        else:
            data = make_study_dict(**VARIANTS[number % len(VARIANTS)])
            data["id"] = f"study-{number:03d}"
            path = folder / f"{number:03d}.yaml"
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _summary(result: Diagnosis | StudyFileError) -> tuple[Any, ...]:
    if isinstance(result, StudyFileError):
        return ("error", str(result), tuple(result.problems))
    return (
        "ok",
        result.study_id,
        result.source,
        tuple(
            (f.id, f.severity, tuple(c.path for c in f.facts), f.explanation, f.next_steps)
            for f in result.findings
        ),
        tuple(result.checks),
    )


@pytest.fixture(name="batch_files")
def _batch_files(tmp_path: Path, make_study_dict: Callable[..., dict[str, Any]]) -> list[Path]:
    return _write(tmp_path, 70, make_study_dict)


def test_parallel_batch_equals_serial_in_order(batch_files: list[Path]) -> None:
    serial = diagnose_paths(batch_files, jobs=1)
    parallel = diagnose_paths(batch_files, jobs=2)

    assert [_summary(r) for r in parallel] == [_summary(r) for r in serial]
    for got, want in zip(parallel, serial, strict=True):
        if isinstance(want, Diagnosis):
            assert got == want  # every field, key facts included
    # the files differ, so an order mix-up could not go unnoticed
    finding_lists = {tuple(r.finding_ids()) for r in serial if isinstance(r, Diagnosis)}
    assert len(finding_lists) >= 5


def test_each_result_sits_at_its_file(batch_files: list[Path]) -> None:
    results = diagnose_paths(batch_files, jobs=2)

    assert len(results) == len(batch_files)
    for path, result in zip(batch_files, results, strict=True):
        if "-bad-" in path.name or path.name.endswith("-missing.yaml"):
            assert isinstance(result, StudyFileError)
            assert result.source == str(path)
            assert result.problems
        else:
            assert isinstance(result, Diagnosis)
            assert result.source == str(path)
            assert result.study_id == f"study-{path.stem}"
            assert result == diagnose_file(path)


def test_bad_files_keep_their_located_problems(batch_files: list[Path]) -> None:
    results = diagnose_paths(batch_files, jobs=2)
    errors = {p.name: r for p, r in zip(batch_files, results, strict=True) if "-bad-" in p.name}

    unknown = next(e for name, e in errors.items() if "unknown-field" in name)
    assert unknown.problems[0].line == 5
    assert unknown.problems[0].field == "desing"
    assert str(unknown).startswith(f"{unknown.source}:5: desing: unknown field")


def test_json_batch_equals_serial_documents(batch_files: list[Path]) -> None:
    from thymoscope.kb import knowledge

    titles = dict(knowledge().factor_titles)
    expected = [
        r if isinstance(r, StudyFileError) else json.dumps(study_document(r, titles))
        for r in diagnose_paths(batch_files, jobs=1)
    ]
    produced = list(diagnose_to_json(batch_files, jobs=2))

    assert [str(x) if isinstance(x, StudyFileError) else x for x in produced] == [
        str(x) if isinstance(x, StudyFileError) else x for x in expected
    ]
    assert [type(x) for x in produced] == [type(x) for x in expected]


def test_json_options_reach_the_workers(batch_files: list[Path]) -> None:
    first = next(p for p in batch_files if "-" not in p.stem)
    texts = list(diagnose_to_json([first, first], jobs=2, indent=2))

    assert len(texts) == 2
    assert all(isinstance(t, str) and t.startswith('{\n  "id": ') for t in texts)


def test_small_batch_with_default_jobs_runs_serially(batch_files: list[Path]) -> None:
    small = batch_files[:12]

    assert effective_jobs(len(small), None) == 1
    results = diagnose_paths(small)
    assert [_summary(r) for r in results] == [_summary(r) for r in diagnose_paths(small, jobs=2)]
    assert any(isinstance(r, StudyFileError) for r in results)


def test_job_counts() -> None:
    assert effective_jobs(MIN_PARALLEL - 1, None) == 1
    assert effective_jobs(10_000, None) == (os.cpu_count() or 1)
    assert effective_jobs(3, 8) == 3
    assert effective_jobs(0, 2) == 1
    with pytest.raises(ValueError):
        effective_jobs(10, 0)


def test_empty_batch() -> None:
    assert diagnose_paths([], jobs=2) == []


def test_diagnosis_survives_pickling(batch_files: list[Path]) -> None:
    diagnosis = diagnose_file(batch_files[0])

    assert pickle.loads(pickle.dumps(diagnosis)) == diagnosis


@pytest.mark.parametrize(
    "options",
    [{}, {"indent": 2}, {"indent": 2, "ensure_ascii": False}, {"separators": (",", ":")}],
    ids=["compact", "indent", "unicode", "tight"],
)
@pytest.mark.parametrize("count", [0, 1, 9])
def test_spliced_report_equals_the_whole_document(
    batch_files: list[Path], options: dict[str, Any], count: int
) -> None:
    good = [p for p in batch_files if "-" not in p.stem][:count]
    diagnoses = diagnose_paths(good, jobs=1)
    errors = ["x.yaml:1: id: \u00e9 not valid\nsecond line"]
    texts = list(diagnose_to_json(good, jobs=2, **options))

    spliced = splice_json(report_document([], errors), "studies", texts, **options)
    assert spliced == json.dumps(report_document(diagnoses, errors), **options)


def test_documents_complete_a_report(batch_files: list[Path]) -> None:
    good = [p for p in batch_files if "-" not in p.stem][:9]
    document = report_document([])
    document["studies"] = list(diagnose_to_documents(good, jobs=2))

    assert document == report_document(diagnose_paths(good, jobs=1))
