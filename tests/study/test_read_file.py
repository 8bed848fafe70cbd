"""A study file is read unbuffered, sized by its ``stat()`` (issue 14), and gives
exactly what ``open(path, "rb").read(MAX_BYTES + 1)`` gives, a file that grew since its
``stat()`` included."""

from __future__ import annotations

from pathlib import Path

import pytest

from thymoscope.study.loader import StudyFileError, _read_file, read_text
from thymoscope.study.yaml_source import MAX_BYTES


def buffered(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


@pytest.mark.parametrize(
    "length", [0, 1, 4095, 4096, 70_000, MAX_BYTES, MAX_BYTES + 1, MAX_BYTES + 5000]
)
@pytest.mark.parametrize("stat_size", [None, 0, 10, 10 * MAX_BYTES])
def test_reads_what_the_buffered_reader_reads(
    tmp_path: Path, length: int, stat_size: int | None
) -> None:
    """``stat_size``: what stat() said (None: the true size; smaller: the file grew)."""
    path = tmp_path / "study.yaml"
    path.write_bytes(bytes(range(256)) * (length // 256) + b"x" * (length % 256))
    size = length if stat_size is None else stat_size
    assert _read_file(path, size) == buffered(path)


def test_a_file_over_the_limit_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * (MAX_BYTES // 5 + 1))
    with pytest.raises(StudyFileError, match="the limit is"):
        read_text(path)
