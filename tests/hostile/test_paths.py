"""Paths: missing, empty folders, unreadable, loops, pipes; output never lost or misplaced."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
import yaml

from thymoscope.study.loader import StudyFileError, expand_inputs, load_study
from thymoscope.study.yaml_source import MAX_BYTES

from .conftest import measured, run_cli

GOOD = {
    "schema_version": 1,
    "id": "good",
    "title": "A readable study",
    "indication": "sepsis",
    "design": {"type": "rct", "blinding": "open", "sample_size": 60},
    "result": {"primary": "benefit"},
}


def _good(folder: Path, name: str = "good.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    return path


def _refused(path: Path, message: str) -> None:
    """load_study and `thymoscope diagnose` both give exactly ``PATH: message``, exit 2."""
    with measured(), pytest.raises(StudyFileError) as caught:
        load_study(path)
    assert str(caught.value) == f"{path}: {message}"
    with measured():
        run = run_cli("diagnose", path, "--format", "json")
    assert run.exit_code == 2
    assert run.stderr.strip() == f"{path}: {message}"


def test_missing_file(tmp_path: Path) -> None:
    _refused(tmp_path / "absent.yaml", "no such file")


def test_folder_given_as_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(StudyFileError, match=r"is a directory, not a study file$"):
        load_study(folder)


def test_folder_without_study_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a study")
    (tmp_path / "sub.yaml").mkdir()  # a folder named like a study is not one
    [result] = expand_inputs([tmp_path])
    assert isinstance(result, StudyFileError)
    assert str(result) == f"{tmp_path}: folder holds no .yaml study files"
    run = run_cli("diagnose", tmp_path)
    assert run.exit_code == 2
    assert run.stderr.strip() == f"{tmp_path}: folder holds no .yaml study files"


def test_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop.yaml")
    _refused(loop, "too many levels of symbolic links")


def test_symlink_loop_inside_a_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    _good(tmp_path)
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    run = run_cli("diagnose", tmp_path, "--format", "json")
    assert run.exit_code == 2
    assert run.stderr.strip().splitlines() == [
        f"{tmp_path / 'a.yaml'}: too many levels of symbolic links",
        f"{tmp_path / 'b.yaml'}: too many levels of symbolic links",
    ]
    assert [s["id"] for s in json.loads(run.stdout)["studies"]] == ["good"]


def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    _refused(fifo, "is not a regular file (a pipe or device?); refused")


def test_endless_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    _refused(link, "is not a regular file (a pipe or device?); refused")


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * MAX_BYTES)  # sparse: costs nothing on disk
    _refused(big, f"file is {50 * MAX_BYTES:,} bytes; the limit is {MAX_BYTES:,} bytes")


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 denies nothing to root, so deny the open itself for this one path."""
    path = _good(tmp_path, "secret.yaml")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    _refused(path, "permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = _good(tmp_path, "secret.yaml")
    path.chmod(0)
    try:
        _refused(path, "permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    real_iterdir = Path.iterdir

    def deny(self: Path):  # type: ignore[no-untyped-def]
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", deny)
    [result] = expand_inputs([folder])
    assert isinstance(result, StudyFileError)
    assert str(result) == f"{folder}: Permission denied"


def test_one_bad_input_does_not_stop_the_others(tmp_path: Path) -> None:
    good = _good(tmp_path)
    run = run_cli("diagnose", tmp_path / "absent.yaml", good, "--format", "json")
    assert run.exit_code == 2
    assert run.stderr.strip() == f"{tmp_path / 'absent.yaml'}: no such file"
    assert [s["id"] for s in json.loads(run.stdout)["studies"]] == ["good"]


# --- output -----------------------------------------------------------------------


def test_output_onto_an_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    good = _good(tmp_path)
    before = good.read_bytes()
    for target in (good, tmp_path / "." / "good.yaml"):
        run = run_cli("diagnose", good, "--output", target)
        assert run.exit_code == 2
        refused = f"thymoscope: error: {target}: refusing to overwrite an input file"
        assert run.stderr.strip() == refused
        assert good.read_bytes() == before


def test_output_onto_an_input_through_a_link_is_refused(tmp_path: Path) -> None:
    good = _good(tmp_path)
    before = good.read_bytes()
    (tmp_path / "hard.json").hardlink_to(good)
    (tmp_path / "soft.json").symlink_to(good)
    for name in ("hard.json", "soft.json"):
        run = run_cli("diagnose", tmp_path, "--output", tmp_path / name)
        assert run.exit_code == 2, name
        assert "refusing to overwrite an input file" in run.stderr
    assert good.read_bytes() == before


def test_output_into_a_missing_folder(tmp_path: Path) -> None:
    good = _good(tmp_path)
    target = tmp_path / "nowhere" / "report.txt"
    run = run_cli("diagnose", good, "--output", target)
    assert run.exit_code == 2
    assert run.stderr.strip() == (
        f"thymoscope: error: {target}: folder {tmp_path / 'nowhere'} does not exist"
    )
    assert not target.parent.exists()


def test_output_to_an_unwritable_place_keeps_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder refuses new files (simulated: root may write anywhere)."""
    good = _good(tmp_path)
    target = tmp_path / "report.txt"
    target.write_text("previous report\n")

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    run = run_cli("diagnose", good, "--output", target)
    assert run.exit_code == 2
    assert run.stderr.strip() == f"thymoscope: error: {target}: cannot write: Permission denied"
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml", "report.txt"]


def test_a_failed_write_leaves_no_half_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up halfway through: the old report stays whole, no temp file remains."""
    good = _good(tmp_path)
    target = tmp_path / "report.json"
    target.write_text('{"old": true}\n')
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    run = run_cli("diagnose", good, "--format", "json", "--output", target)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert run.exit_code == 2
    full = f"thymoscope: error: {target}: cannot write: No space left on device"
    assert run.stderr.strip() == full
    assert target.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml", "report.json"]


def test_output_is_replaced_whole(tmp_path: Path) -> None:
    good = _good(tmp_path)
    target = tmp_path / "report.json"
    target.write_text("x" * 100_000)  # longer than the report: no tail may survive
    run = run_cli("diagnose", good, "--format", "json", "--output", target)
    assert run.exit_code == 0, run.stderr
    document = json.loads(target.read_text(encoding="utf-8"))
    assert [s["id"] for s in document["studies"]] == ["good"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml", "report.json"]
