"""Study files in a temporary folder, and ways to run the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import make_study_dict
from thymoscope.cli.app import app

# Switches findings on (see tests/report/helpers.py).
FINDINGS = {
    "design": {"blinding": "open", "risk_of_bias": "high", "sample_size": 60, "centres": 1},
    "population": {"immune_status": "mixed", "selected_by_biomarker": False},
}
BAD_STUDY = "schema_version: 1\nid: broken\ntitle: A broken study\nindication: sepsi\n"
BAD_LINE = "bad.yaml:4: indication: 'sepsi' is not allowed"


def write_study(folder: Path, name: str, **overrides: Any) -> Path:
    """A valid study file ``folder/name`` (the conftest baseline plus overrides)."""
    data = make_study_dict(id=Path(name).stem, **overrides)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_bad(folder: Path, name: str = "bad.yaml") -> Path:
    path = folder / name
    path.write_text(BAD_STUDY, encoding="utf-8")
    return path


def invoke(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> Any:
    """Run the typer app in-process (CliRunner); stdout and stderr kept apart."""
    from typer.testing import CliRunner

    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def entry_point() -> Path:
    """The installed `thymoscope` script of this environment."""
    script = Path(sys.executable).parent / "thymoscope"
    if not script.exists():
        pytest.skip("thymoscope entry point not installed next to the interpreter")
    return script


def run(
    *args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point in a subprocess (stdout is a pipe, not a TTY)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "THYMOSCOPE_DEBUG")}
    full_env.update(env or {})
    return subprocess.run(
        [str(entry_point()), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=full_env,
        timeout=300,
        check=False,
    )
