"""The per-user jinja2 bytecode cache: used when writable, never changes output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CASE = str(Path(__file__).resolve().parents[2] / "kb" / "cases" / "chb-rct-end-of-therapy.yaml")
RENDER = (
    "import sys\n"
    "from thymoscope.api import diagnose_file\n"
    "from thymoscope.report.document import report_document\n"
    "from thymoscope.report.render import render\n"
    "print(render(report_document([diagnose_file(sys.argv[1])]), 'markdown'))\n"
)


def _render(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", RENDER, CASE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_cache_is_filled_and_output_is_unchanged(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("THYMOSCOPE_NO_CACHE", None)
    uncached = _render({**env, "THYMOSCOPE_NO_CACHE": "1"})
    assert not any(tmp_path.rglob("*.cache"))
    first = _render(env)
    cached_files = list(tmp_path.rglob("*.cache"))
    assert cached_files, "templates were not cached"
    second = _render(env)
    assert uncached == first == second


def test_unwritable_cache_place_is_skipped(tmp_path: Path) -> None:
    import os

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker)}
    env.pop("THYMOSCOPE_NO_CACHE", None)
    assert "end-of-therapy-endpoint" in _render(env)
