"""Helpers for hostile-input tests: a resource budget, the CLI run in- and out-of-process.

Budgets are generous on purpose (the machine is shared): they catch a hang or a blow-up,
not a slow run.  Time is CPU time of this process; memory is the tracemalloc peak of
Python allocations made while the code ran (libyaml's own buffers are outside it, and
the subprocess test measures the whole process with ``os.wait4``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CPU_SECONDS = 10.0
PYTHON_MEMORY = 64 * 2**20  # bytes of Python allocations while one file is handled
PROCESS_MEMORY = 256 * 2**20  # peak resident size of a whole `thymoscope diagnose` run
SUBPROCESS_TIMEOUT = 120.0  # a hang, not a slow machine


@dataclass
class Usage:
    cpu_seconds: float = 0.0
    peak_bytes: int = 0

    def assert_within_budget(self) -> None:
        assert self.cpu_seconds < CPU_SECONDS, f"took {self.cpu_seconds:.2f} s of CPU"
        assert self.peak_bytes < PYTHON_MEMORY, f"peaked at {self.peak_bytes / 2**20:.1f} MiB"


@contextmanager
def measured() -> Iterator[Usage]:
    """Measure CPU time and the Python allocation peak of the block; check the budget."""
    usage = Usage()
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start_memory = tracemalloc.get_traced_memory()[0]
    start = time.process_time()
    try:
        yield usage
    finally:
        usage.cpu_seconds = time.process_time() - start
        usage.peak_bytes = tracemalloc.get_traced_memory()[1] - start_memory
        if not tracing:
            tracemalloc.stop()
    usage.assert_within_budget()


@pytest.fixture(name="budget")
def _budget() -> Callable[[], Any]:
    return measured


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0
    max_rss_bytes: int = 0


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None) -> Run:
    """``thymoscope ARGS`` in-process (typer's CliRunner), stderr kept apart."""
    from typer.testing import CliRunner

    from thymoscope.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


# Linux carries a forked child's peak RSS (ru_maxrss) over from its parent, so a child
# of a large test process would report the test process's peak.  The child therefore
# records its own high-water mark (VmHWM of its fresh post-exec address space) at exit.
_REPORT_PEAK = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def _record():
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmHWM:"))
    with open(peak_file, "w") as out:
        out.write(str(int(line.split()[1]) * 1024))
atexit.register(_record)
sys.argv[0] = "thymoscope"
runpy.run_module("thymoscope", run_name="__main__", alter_sys=True)
"""


def _peak_bytes(peak_file: Path, fallback: int) -> int:
    try:
        return int(peak_file.read_text())
    except (OSError, ValueError):
        return fallback


def run_process_measured(*args: str | os.PathLike[str], cwd: Path | None = None) -> Run:
    """Like :func:`run_process`, with the child's CPU time and peak RSS from ``wait4``."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        peak_file = Path(tempfile.mkdtemp()) / "peak"
        child = subprocess.Popen(
            [sys.executable, "-c", _REPORT_PEAK, str(peak_file), *map(str, args)],
            cwd=cwd,
            stdout=out,
            stderr=err,
            env={**os.environ, "NO_COLOR": "1"},
        )
        deadline = time.monotonic() + SUBPROCESS_TIMEOUT
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                pytest.fail(f"thymoscope {args} did not finish in {SUBPROCESS_TIMEOUT} s")
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            child.returncode,
            out.read(),
            err.read(),
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            max_rss_bytes=_peak_bytes(peak_file, usage.ru_maxrss * 1024),
        )
