"""Output targets: special files are written to, never replaced; inputs are never outputs.

Also: ``-o -``, long and undecodable names, an empty path, and standard output that
cannot take the report (wrong encoding, full disk, closed, reader gone).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from thymoscope.cli.diagnose import EMPTY_PATH

from .conftest import SUBPROCESS_TIMEOUT, run_cli

GOOD = {
    "schema_version": 1,
    "id": "good",
    "title": "A readable study",
    "indication": "sepsis",
    "design": {"type": "rct", "blinding": "open", "sample_size": 60},
    "result": {"primary": "benefit"},
}
CASES = Path(__file__).resolve().parents[2] / "kb" / "cases"
SMALL = CASES / "sepsis-small-open-rct.yaml"


def _good(folder: Path, name: str = "good.yaml", study_id: str = "good") -> Path:
    path = folder / os.fsdecode(name) if isinstance(name, bytes) else folder / name
    path.write_text(yaml.safe_dump({**GOOD, "id": study_id}), encoding="utf-8")
    return path


def _cli(*args: str | os.PathLike[str] | bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``thymoscope ARGS`` in a real process (real argv bytes, real standard streams)."""
    return subprocess.run(
        [sys.executable, "-m", "thymoscope", *args],
        capture_output=True,
        timeout=SUBPROCESS_TIMEOUT,
        env={**os.environ, "NO_COLOR": "1", **env},
    )


def _one_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert text.count("\n") == 1, text
    return text.strip()


# --- special files ------------------------------------------------------------------


def test_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    good = _good(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = run_cli("diagnose", good, "--format", "json", "--output", fifo)
    reader.join(SUBPROCESS_TIMEOUT)
    assert run.exit_code == 0, run.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [s["id"] for s in json.loads(received[0])["studies"]] == ["good"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml", "report.fifo"]


def _null_device(folder: Path) -> Path:
    """A character device like /dev/null (major 1, minor 3), made in ``folder``."""
    device = folder / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return device


def test_character_device_is_written_to_not_replaced(tmp_path: Path) -> None:
    good = _good(tmp_path)
    device = _null_device(tmp_path)
    run = run_cli("diagnose", good, "--output", device)
    assert run.exit_code == 0, run.stderr
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml", "null"]


def test_dev_null_stays_a_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-o /dev/null: only ever opened. Renaming onto it is made to fail, should it be tried."""
    good = _good(tmp_path)
    real_replace = os.replace

    def guarded(source: object, target: object, *args: object, **kwargs: object) -> None:
        assert os.fsdecode(target) != "/dev/null", "tried to replace /dev/null"  # type: ignore[arg-type]
        real_replace(source, target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", guarded)
    run = run_cli("diagnose", good, "--format", "json", "-o", "/dev/null")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_socket_is_refused_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _good(tmp_path)
    monkeypatch.chdir(tmp_path)  # a short relative name: socket paths are limited to ~100 bytes
    server = socket.socket(socket.AF_UNIX)
    server.bind("report.sock")
    try:
        run = run_cli("diagnose", good, "--output", "report.sock")
    finally:
        server.close()
    assert run.exit_code == 2
    assert run.stderr.strip() == (
        "thymoscope: error: report.sock: is not a regular file, a pipe or a terminal; refused"
    )
    assert stat.S_ISSOCK(os.lstat("report.sock").st_mode)


def test_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _good(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = run_cli("diagnose", good, "--format", "json", "-o", "-")
    assert run.exit_code == 0, run.stderr
    assert [s["id"] for s in json.loads(run.stdout)["studies"]] == ["good"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml"]


# --- names ------------------------------------------------------------------------


def test_legal_long_name_works(tmp_path: Path) -> None:
    good = _good(tmp_path)
    target = tmp_path / ("r" * 245 + ".json")  # 250 bytes: the temporary name must fit too
    run = run_cli("diagnose", good, "--format", "json", "--output", target)
    assert run.exit_code == 0, run.stderr
    assert [s["id"] for s in json.loads(target.read_text())["studies"]] == ["good"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["good.yaml", target.name])


def test_name_longer_than_the_file_system_allows(tmp_path: Path) -> None:
    good = _good(tmp_path)
    target = tmp_path / ("r" * 300 + ".json")
    run = _cli("diagnose", good, "--output", target)
    assert run.returncode == 2
    assert _one_line(run.stderr) == f"thymoscope: error: {target}: File name too long"
    folder = tmp_path / ("d" * 300)
    run = _cli("diagnose", good, "--output", folder / "report.txt")
    assert run.returncode == 2
    assert "File name too long" in _one_line(run.stderr)


def test_long_input_folder_name_does_not_crash(tmp_path: Path) -> None:
    good = _good(tmp_path)
    folder = tmp_path / ("d" * 300)
    run = _cli("diagnose", good, folder, "--output", tmp_path / "report.txt")
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr.decode() and "internal error" not in run.stderr.decode()
    assert "good" in (tmp_path / "report.txt").read_text()


def test_undecodable_output_name(tmp_path: Path) -> None:
    good = _good(tmp_path)
    target = os.fsencode(tmp_path) + b"/report-\xff.json"
    run = _cli("diagnose", good, "--format", "json", "--output", target)
    assert run.returncode == 0, run.stderr
    with open(target, "rb") as handle:
        assert [s["id"] for s in json.loads(handle.read().decode("utf-8"))["studies"]] == ["good"]
    missing = os.fsencode(tmp_path) + b"/no-\xfe/report.json"
    run = _cli("diagnose", good, "--output", missing)
    assert run.returncode == 2
    assert _one_line(run.stderr).endswith("no-\\xfe does not exist")


def test_undecodable_input_name_gives_valid_utf8_json(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/study-\xff.yaml"
    with open(name, "w", encoding="utf-8") as handle:
        yaml.safe_dump(GOOD, handle)
    with open(os.fsencode(tmp_path) + b"/bad-\xfe.yaml", "w") as handle:
        handle.write("schema_version: 1\nid: [\n")
    run = _cli("diagnose", tmp_path, "--format", "json")
    assert run.returncode == 2
    document = json.loads(run.stdout.decode("utf-8"))  # strict: valid UTF-8
    [study] = document["studies"]
    assert study["source"] == f"{tmp_path}/study-\\xff.yaml"
    [error] = document["errors"]  # the byte shown escaped (\\xfe or \\udcfe), never raw
    assert error.startswith(f"{tmp_path}/bad-\\")
    assert f"{tmp_path}/bad-\\".encode() in run.stderr


def test_empty_path_is_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _good(tmp_path, "here.yaml", "here")
    other = tmp_path / "other"
    other.mkdir()
    good = _good(other)
    monkeypatch.chdir(tmp_path)
    run = run_cli("diagnose", "", good, "--format", "json")
    assert run.exit_code == 2
    assert run.stderr.strip() == EMPTY_PATH
    assert [s["id"] for s in json.loads(run.stdout)["studies"]] == ["good"]
    run = run_cli("compare", "", good, good)
    assert run.exit_code == 2
    assert run.stderr.strip() == EMPTY_PATH


# --- inputs are never outputs: demo --html and compare --pair -------------------------


def test_demo_html_onto_its_input_is_refused(tmp_path: Path) -> None:
    good = _good(tmp_path)
    before = good.read_bytes()
    run = run_cli("demo", good, "--html", good)
    assert run.exit_code == 2
    assert run.stderr.strip() == f"thymoscope: error: {good}: refusing to overwrite an input file"
    assert good.read_bytes() == before


def _demo_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "cases"
    (folder / "pairs").mkdir(parents=True)
    _good(folder, "one.yaml", "one")
    _good(folder, "two.yaml", "two")
    pair = folder / "pairs" / "one-two.yaml"
    pair.write_text(
        "schema_version: 1\nid: one-two\ntitle: One against two\na: one\nb: two\n",
        encoding="utf-8",
    )
    return folder, pair


def test_demo_html_onto_any_file_of_the_catalogue_is_refused(tmp_path: Path) -> None:
    folder, pair = _demo_folder(tmp_path)
    for target in (pair, folder / "one.yaml", folder / "two.yaml"):
        before = target.read_bytes()
        run = run_cli("demo", "one-two", "--cases", folder, "--html", target)
        assert run.exit_code == 2, target
        assert "refusing to overwrite an input file" in run.stderr
        assert target.read_bytes() == before


def test_demo_html_is_written_atomically(tmp_path: Path) -> None:
    folder, _ = _demo_folder(tmp_path)
    target = tmp_path / "slides.html"
    target.write_text("x" * 500_000)  # no tail of the old file may survive
    run = run_cli("demo", "one-two", "--cases", folder, "--html", target)
    assert run.exit_code == 0, run.stderr
    assert target.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases", "slides.html"]


def test_demo_html_to_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("demo", CASES / "chb-rct-end-of-therapy.yaml", "--html", "-")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("<!") and run.stdout.rstrip().endswith("</html>")
    assert list(tmp_path.iterdir()) == []


def test_compare_pair_output_onto_the_pair_file_is_refused(tmp_path: Path) -> None:
    folder, _ = _demo_folder(tmp_path)
    pair = tmp_path / "pair.yaml"
    pair.write_text(
        "schema_version: 1\nid: p\ntitle: A pair\na: cases/one.yaml\nb: cases/two.yaml\n",
        encoding="utf-8",
    )
    for target in (pair, folder / "one.yaml", folder / "two.yaml"):
        before = target.read_bytes()
        run = run_cli("compare", "--pair", pair, "--output", target)
        assert run.exit_code == 2, target
        refused = f"thymoscope: error: {target}: refusing to overwrite an input file"
        assert run.stderr.strip() == refused
        assert target.read_bytes() == before
    run = run_cli("compare", "--pair", pair, "-f", "json", "--output", tmp_path / "out.json")
    assert run.exit_code == 0, run.stderr
    assert json.loads((tmp_path / "out.json").read_text())["comparisons"]


# --- standard output that cannot take the report -----------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "latin-1"},
        {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
    ],
    ids=["ascii", "latin-1", "C-locale"],
)
def test_narrow_encoding_is_a_clean_error(env: dict[str, str]) -> None:
    # its report has en dashes and a forest plot, which none of these encodings can show
    run = _cli("diagnose", CASES / "sepsis-meta-analysis-11-rcts.yaml", **env)
    assert run.returncode == 2, run.stderr
    assert "PYTHONIOENCODING=utf-8" in _one_line(run.stderr)


def test_narrow_encoding_with_a_file_is_fine(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    run = _cli("diagnose", CASES / "chb-rct-end-of-therapy.yaml", "-o", target, LC_ALL="C")
    assert run.returncode == 0, run.stderr
    assert "·" in target.read_text(encoding="utf-8")


def _with_stdout(stdout: int | None, *args: str | os.PathLike[str]) -> tuple[int, bytes]:
    """Run with file descriptor 1 set to ``stdout`` (None: closed)."""
    close = stdout is None
    done = subprocess.run(
        [sys.executable, "-m", "thymoscope", *map(str, args)],
        stdout=subprocess.DEVNULL if close else stdout,
        stderr=subprocess.PIPE,
        timeout=SUBPROCESS_TIMEOUT,
        preexec_fn=(lambda: os.close(1)) if close else None,
    )
    return done.returncode, done.stderr


def test_full_disk_on_standard_output() -> None:
    with open("/dev/full", "wb") as full:
        status, stderr = _with_stdout(full.fileno(), "diagnose", SMALL)
    assert status == 2
    assert _one_line(stderr) == (
        "thymoscope: error: standard output: cannot write: No space left on device"
    )


def test_closed_standard_output() -> None:
    status, stderr = _with_stdout(None, "diagnose", SMALL)
    assert status == 2
    assert _one_line(stderr) == "thymoscope: error: standard output is closed; use -o FILE"


@pytest.mark.parametrize(
    "args",
    [
        ("diagnose", CASES / "chb-rct-end-of-therapy.yaml"),
        ("diagnose", CASES, "--format", "json", "-o", "-"),
        ("demo", "chb-rct-end-of-therapy", "--no-pause"),
        ("rules",),
    ],
    ids=["diagnose", "diagnose-json", "demo", "rules"],
)
def test_reader_gone_is_a_quiet_exit_141(args: tuple[str | os.PathLike[str], ...]) -> None:
    """The reader closed its end before anything was written (`| head -0`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        status, stderr = _with_stdout(write_end, *args)
    finally:
        os.close(write_end)
    assert (status, stderr) == (141, b"")


@pytest.mark.parametrize("delay", ["inf", "nan", "-1", "1e400"])
def test_demo_delay_must_be_a_finite_wait(delay: str) -> None:
    run = run_cli("demo", "chb-rct-end-of-therapy", "--auto", "--delay", delay)
    assert run.exit_code == 2
    assert "--delay" in run.stderr


def test_jobs_above_the_core_count_are_capped(tmp_path: Path) -> None:
    from thymoscope.engine.batch import available_cores

    good = _good(tmp_path)
    cores = available_cores()
    run = run_cli("diagnose", good, "--format", "json", "--jobs", str(cores + 40))
    assert run.exit_code == 0
    assert run.stderr.strip() == (
        f"thymoscope: --jobs {cores + 40} is more than the {cores} cores available; using {cores}"
    )
    assert run.stdout == run_cli("diagnose", good, "--format", "json", "-j", "1").stdout


@pytest.mark.parametrize(
    "args", [("demo",), ("demo", "chb-rct-end-of-therapy", "--no-pause")], ids=["list", "walk"]
)
def test_narrow_encoding_in_the_demo_is_a_clean_error(args: tuple[str, ...]) -> None:
    run = _cli(*args, PYTHONIOENCODING="ascii")
    assert run.returncode == 2, run.stderr
    assert "PYTHONIOENCODING=utf-8" in _one_line(run.stderr)
