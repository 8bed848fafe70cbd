"""Concurrency and determinism: both cores give the serial results, in the same order,
whatever the hash seed; hostile files in the batch change nothing for the others."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz._stats import record
from tests.hostile.test_yaml import CASES as HOSTILE
from tests.strategies import study_dicts
from thymoscope.api import diagnose_paths
from thymoscope.study.loader import StudyFileError


def _summary(result: Any) -> tuple[Any, ...]:
    if isinstance(result, StudyFileError):
        return ("error", tuple(str(p) for p in result.problems))
    return (
        "ok",
        result.study_id,
        result.source,
        tuple((f.id, f.severity, f.facts, f.explanation, f.next_steps) for f in result.findings),
        tuple(result.checks),
    )


def _write_batch(folder: Path, studies: list[dict[str, Any]]) -> list[Path]:
    """The studies, each hostile case, and a missing file, interleaved."""
    paths = []
    for number, data in enumerate(studies):
        data = {**data, "id": f"s{number:03d}"}
        path = folder / f"{number:03d}-study.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
        if number < len(HOSTILE):
            bad = folder / f"{number:03d}-{HOSTILE[number].name}.yaml"
            bad.write_bytes(HOSTILE[number].content)
            paths.append(bad)
    paths.insert(len(paths) // 2, folder / "missing.yaml")
    return paths


@settings(
    max_examples=3,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(study_dicts(), min_size=6, max_size=12))
def test_two_processes_equal_serial_in_order(
    tmp_path_factory: Any, studies: list[dict[str, Any]]
) -> None:
    paths = _write_batch(tmp_path_factory.mktemp("batch"), studies * 4)  # ids differ per file
    serial = [_summary(r) for r in diagnose_paths(paths, jobs=1)]
    parallel = [_summary(r) for r in diagnose_paths(paths, jobs=2)]
    assert parallel == serial
    assert [s[2] if s[0] == "ok" else s[1][0].split(":")[0] for s in serial] == [
        str(p) for p in paths
    ]
    record("test_two_processes_equal_serial_in_order", "batch")


def _cli_json(folder: Path, seed: str, *extra: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "thymoscope", "diagnose", str(folder), "--format", "json", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr  # the hostile files are in the folder
    return done.stdout + "\n--- stderr ---\n" + done.stderr


def test_report_is_identical_across_hash_seeds_and_job_counts(tmp_path: Path) -> None:
    from tests.conftest import BASE_STUDY, deep_merge

    variants = [
        {},
        {
            "design": {
                "blinding": "open",
                "comparator": "no_treatment",
                "sample_size": 40,
                "centres": 1,
            }
        },
        {"population": {"immune_status": "mixed", "selected_by_biomarker": False}},
        {
            "indication": "chronic_hepatitis_b",
            "population": {"suppression": None},
            "follow_up_months_after_therapy": 3,
            "secondary_endpoints": ["hbeag_seroconversion"],
        },
        {
            "subgroups": [
                {
                    "name": "older",
                    "by": "age",
                    "prespecified": False,
                    "effect": {
                        "measure": "odds_ratio",
                        "estimate": 0.5,
                        "ci_low": 0.3,
                        "ci_high": 0.8,
                    },
                }
            ]
        },
    ]
    _write_batch(tmp_path, [deep_merge(BASE_STUDY, v) for v in variants])
    first = _cli_json(tmp_path, "1")
    assert first == _cli_json(tmp_path, "2")
    assert first == _cli_json(tmp_path, "3", "--jobs", "2")
