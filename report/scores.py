"""Quiz scores a teacher collects: rows appended to one CSV file, never overwritten.

Every run of ``thymoscope demo --quiz --record scores.csv`` adds its rows at the end of
the file (the header is written once, when the file is new or empty). The file is
locked while the rows are added, and the rows go out in one write followed by
``fsync``, so two students finishing at once on a shared folder do not interleave
their lines. A file whose first line is not this header is refused, untouched: it is
someone's other work, and nothing a user saved is lost.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Mapping, Sequence
from typing import Any

from thymoscope.report.spreadsheet import csv_cell
from thymoscope.report.walkthrough import SCORE_COLUMNS


class RecordError(Exception):
    """The scores cannot be added to the file; the message is one line."""


def _rows_text(rows: Sequence[Mapping[str, Any]], header: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(SCORE_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in SCORE_COLUMNS])
    return buffer.getvalue()


def _existing_header(fd: int) -> tuple[str, bool]:
    """(the file's first line, whether the file ends with a line break)."""
    size = os.fstat(fd).st_size
    head = os.pread(fd, 4096, 0)
    last = os.pread(fd, 1, size - 1) if size else b"\n"
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return first.decode("utf-8-sig", errors="replace"), last == b"\n"


def append_scores(path: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Add ``rows`` (see :func:`thymoscope.report.walkthrough.score_rows`) to the CSV file
    ``path``, creating it with its header if needed; raises :class:`RecordError`."""
    name = os.fsdecode(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise RecordError(f"{name}: cannot write: {exc.strerror or exc}") from None
    try:
        with contextlib.suppress(OSError):  # not every file system locks; append anyway
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        prefix = ""
        if size:
            first, ends_with_break = _existing_header(fd)
            if first != ",".join(SCORE_COLUMNS):
                raise RecordError(
                    f"{name}: not a score record of thymoscope (its first line is not "
                    f"{','.join(SCORE_COLUMNS)}); left as it is, nothing added"
                )
            prefix = "" if ends_with_break else "\r\n"
        data = (prefix + _rows_text(rows, header=size == 0)).encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        raise RecordError(f"{name}: cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
