"""Load many study files in input order, with a second process when there are enough.

``thymoscope review`` reads every file of a body before it can pool anything, and on a
large body reading dominates (YAML parsing and validation, about 0.7 ms a file). With at
least :data:`TWO_PROCESSES_FROM` files and two usable cores, one forked helper process
loads the second half while this process loads the first; the helper hands back its
studies (and errors) pickled through a pipe. Whatever goes wrong with the helper (it
dies, it cannot be started, its answer cannot be read), this process loads that half
itself: the outcome never depends on the helper, only the time does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from thymoscope.study.loader import StudyFileError, load_study
from thymoscope.study.model import Study

TWO_PROCESSES_FROM = 200

Loaded = Study | StudyFileError


def _load(path: Path) -> Loaded:
    try:
        return load_study(path)
    except StudyFileError as exc:
        return exc


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _helper(paths: Sequence[Path], sender: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        sender.send([_load(path) for path in paths])
    finally:
        sender.close()


def load_in_order(paths: Sequence[Path]) -> list[Loaded]:
    """Each path's study, or its :class:`StudyFileError`, in the order given."""
    paths = list(paths)
    if (
        len(paths) < TWO_PROCESSES_FROM
        or _usable_cores() < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [_load(path) for path in paths]
    half = len(paths) // 2
    mine, theirs = paths[:half], paths[half:]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    helper = context.Process(target=_helper, args=(theirs, sender), daemon=True)
    try:
        helper.start()
    except OSError:
        return [_load(path) for path in paths]
    sender.close()
    try:
        first = [_load(path) for path in mine]
        try:
            second: list[Loaded] = receiver.recv()
        except Exception:  # the helper died or sent nothing usable: load that half here
            second = [_load(path) for path in theirs]
        if len(second) != len(theirs):
            second = [_load(path) for path in theirs]
        return first + second
    finally:
        receiver.close()
        if helper.is_alive():
            helper.terminate()
        helper.join()
