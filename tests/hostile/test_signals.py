"""Signals and dying workers: no orphans, no lost report, no batch sunk by one crash.

The batches here are large enough to still be running when the signal arrives; a test
sends it only once the worker processes exist.  Timeouts are generous and only catch
hangs (``communicate`` waiting on an orphan that holds the pipes open).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from thymoscope import api
from thymoscope.engine import batch
from thymoscope.engine.batch import Renderer
from thymoscope.report import json_stream

from .conftest import SUBPROCESS_TIMEOUT, run_cli

DIAGNOSE = (sys.executable, "-m", "thymoscope", "diagnose")
STUDY = {
    "schema_version": 1,
    "title": "A readable study",
    "indication": "sepsis",
    "design": {"type": "rct", "blinding": "open", "sample_size": 60},
    "result": {"primary": "benefit"},
}


def _batch(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"study-{number:04d}.yaml"
        path.write_text(yaml.safe_dump({**STUDY, "id": f"s{number:04d}"}), encoding="utf-8")
        paths.append(path)
    return paths


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


def _wait_for_workers(process: subprocess.Popen[bytes], count: int) -> list[int]:
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT
    while time.monotonic() < deadline:
        workers = _children(process.pid)
        if len(workers) >= count:
            return workers
        if process.poll() is not None:
            pytest.fail(f"the batch ended before its workers were seen: {process.returncode}")
        time.sleep(0.01)
    pytest.fail("no worker processes appeared")


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="needs /proc to find the workers"
)


@needs_proc
@pytest.mark.parametrize(
    ("signum", "status", "group"),
    [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, False), (signal.SIGINT, 130, True)],
    ids=["SIGTERM", "SIGINT", "Ctrl-C-to-the-group"],
)
def test_signal_ends_the_workers_and_keeps_the_old_report(
    tmp_path: Path, signum: int, status: int, group: bool
) -> None:
    _batch(tmp_path / "studies", 600)
    report = tmp_path / "report.json"
    report.write_text('{"previous": true}\n')
    process = subprocess.Popen(
        [*DIAGNOSE, tmp_path / "studies", "-f", "json", "-j", "2", "-o", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell job would be
    )
    try:
        workers = _wait_for_workers(process, 2)
        if group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        # hangs if a worker outlives its parent: it holds the same pipes open
        stdout, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == status
    name = signal.Signals(signum).name
    assert stderr.decode() == f"thymoscope: interrupted ({name})\n"
    assert stdout == b""
    assert not [pid for pid in workers if _alive(pid)]
    assert report.read_text() == '{"previous": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "studies"]


@needs_proc
def test_worker_killed_mid_batch_loses_nothing(tmp_path: Path) -> None:
    """Someone (the OOM killer, a user) kills one worker: every study is still reported."""
    paths = _batch(tmp_path / "studies", 600)
    process = subprocess.Popen(
        [*DIAGNOSE, tmp_path / "studies", "-f", "json", "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        workers = _wait_for_workers(process, 2)
        os.kill(workers[0], signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    ids = [s["id"] for s in json.loads(stdout)["studies"]]
    assert ids == [f"s{n:04d}" for n in range(len(paths))]


POISON = '''
import os

from thymoscope.api import study_json
from thymoscope.report.json_stream import study_part


def render(diagnosis, knowledge, **options):
    """Kills its worker process on any study whose file name says poison."""
    if "poison" in diagnosis.source:
        os._exit(9)
    return study_json(diagnosis, knowledge, **options)


def render_part(diagnosis, knowledge, **options):
    """The same for the streamed JSON report's parts."""
    if "poison" in diagnosis.source:
        os._exit(9)
    return study_part(diagnosis, knowledge, **options)
'''


@pytest.fixture(name="poison_renderer")
def _poison_renderer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Renderer:
    """A renderer that crashes its worker (workers are forked: they see this path)."""
    module = tmp_path / "poison_renderer.py"
    module.write_text(POISON, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    render: Renderer = importlib.import_module("poison_renderer").render
    return render


def _with_poison(folder: Path, count: int, poisoned: list[int]) -> list[Path]:
    paths = _batch(folder, count)
    for number in poisoned:
        renamed = paths[number].with_name(f"study-{number:04d}-poison.yaml")
        paths[number].rename(renamed)
        paths[number] = renamed
    return paths


def test_file_that_kills_its_worker_is_named_and_the_rest_diagnosed(
    tmp_path: Path, poison_renderer: Renderer
) -> None:
    paths = _with_poison(tmp_path / "studies", 40, poisoned=[3, 25])
    results = list(
        batch.map_paths(paths, 2, api.default_knowledge, renderer=poison_renderer, indent=None)
    )
    assert len(results) == len(paths)
    for number, result in enumerate(results):
        if number in (3, 25):
            assert isinstance(result, batch.WorkerLost)
            assert str(result) == f"{paths[number]}: {batch.LOST}"
        else:
            assert json.loads(result)["id"] == f"s{number:04d}"


def test_workers_that_keep_dying_do_not_loop_forever(
    tmp_path: Path, poison_renderer: Renderer
) -> None:
    paths = [p.rename(p.with_name(p.stem + "-poison.yaml")) for p in _batch(tmp_path / "s", 12)]
    results = list(batch.map_paths(paths, 2, api.default_knowledge, renderer=poison_renderer))
    messages = [str(r).split(": ", 1)[1] for r in results]
    crashes = batch.MAX_CRASHES_IN_A_ROW
    assert messages == [batch.LOST] * crashes + [batch.GAVE_UP] * (len(paths) - crashes)


def test_cli_reports_the_lost_study_and_exits_2(
    tmp_path: Path, poison_renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _with_poison(tmp_path / "studies", 20, poisoned=[7])
    monkeypatch.setattr(api, "study_json", poison_renderer)
    poison_part = importlib.import_module("poison_renderer").render_part
    monkeypatch.setattr(json_stream, "study_part", poison_part)  # -f json is streamed
    run = run_cli("diagnose", tmp_path / "studies", "-f", "json", "-j", "2")
    assert run.exit_code == 2
    assert run.stderr.strip() == f"{paths[7]}: {batch.LOST}"
    document = json.loads(run.stdout)
    assert [s["id"] for s in document["studies"]] == [f"s{n:04d}" for n in range(20) if n != 7]
    assert document["errors"] == [f"{paths[7]}: {batch.LOST}"]


@pytest.mark.parametrize("command", ["diagnose", "compare"])
def test_signal_during_the_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """The signal lands between writing the temporary file and renaming it."""
    from thymoscope.cli.app import Interrupted

    paths = _batch(tmp_path / "studies", 2)
    report = tmp_path / "report.txt"
    report.write_text("previous report\n")

    def signalled(fd: int) -> None:
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", signalled)
    with pytest.raises(Interrupted):
        run_cli(command, *paths, "-o", report)
    assert report.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt", "studies"]
