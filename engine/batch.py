"""Diagnose many study files, in order, on every core.

Each worker process builds *one* :class:`~thymoscope.engine.core.Diagnoser` in its
initializer (knowledge base loaded once, rule network built once) and then takes
files in chunks.  A file that cannot be read or is not a valid study becomes the
knowledge base's ``load_error`` in place; the batch goes on.  Results come back in
input order and are identical to a serial run.

The knowledge base comes as a factory and reports as a renderer, both module-level
functions (so a worker process receives them by name); the study loader is the
knowledge base's ``load``.  This module knows nothing about any domain.
Small batches run in the calling process: starting a pool costs more than it saves.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from thymoscope.engine.core import Diagnoser
from thymoscope.engine.diagnosis import Diagnosis, KnowledgeBase
from thymoscope.errors import ThymoscopeError

# Below this many files, jobs=None runs serially in the calling process.
MIN_PARALLEL = 50
# Files per task sent to a worker (upper bound; small batches use smaller chunks).
MAX_CHUNK = 64
# Tasks handed to each worker ahead of the one whose results are being read.
CHUNKS_AHEAD = 4

KnowledgeFactory = Callable[[], KnowledgeBase]
# f(diagnosis, knowledge, **options) -> one study's report part
Renderer = Callable[..., Any]
_T = TypeVar("_T")


def diagnoser_for(knowledge_factory: KnowledgeFactory) -> Diagnoser:
    """The process-wide diagnoser for a knowledge base (rule network built once)."""
    return _diagnoser(knowledge_factory)


@cache  # keyed by the factory, given positionally so every caller shares one entry
def _diagnoser(knowledge_factory: KnowledgeFactory) -> Diagnoser:
    return Diagnoser(knowledge_factory())


# --- work done in one process (a pool worker, or the caller for serial runs) -------

# Packed error: its class, args and attributes; the caller rebuilds it (an Exception
# subclass with a custom __init__ does not survive pickling by itself).
_Packed = tuple[str, Any]


class _Worker:
    def __init__(
        self,
        knowledge_factory: KnowledgeFactory,
        renderer: Renderer | None,
        options: dict[str, Any],
    ):
        self.diagnoser = diagnoser_for(knowledge_factory)
        self.render = renderer
        self.options = options

    def one(self, path: Path) -> Any:
        knowledge = self.diagnoser.knowledge
        try:
            study = knowledge.load(path)
        except knowledge.load_error as exc:
            return exc
        diagnosis = self.diagnoser.diagnose(study, _label(path))
        if self.render is None:
            return diagnosis
        return self.render(diagnosis, self.diagnoser.knowledge, **self.options)


_WORKER: _Worker | None = None
_HELD = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (pending) while worker processes start or stop.

    A handler that raises (Ctrl-C, or the command line's SIGTERM handler) must not do so
    inside ``fork`` or the pool's bookkeeping: an exception there can leave a lock held
    (logging's at-fork lock) and the next fork waits forever.  Threads the pool starts
    meanwhile inherit the mask, so afterwards the signals reach the main thread only;
    they are delivered as soon as the block ends.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _init_worker(
    knowledge_factory: KnowledgeFactory, renderer: Renderer | None, options: dict[str, Any]
) -> None:
    global _WORKER
    # Ctrl-C reaches the whole process group: the parent alone decides, and ends the
    # workers; SIGTERM ends a worker (a handler inherited from the parent must not run).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent held them back
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    _WORKER = _Worker(knowledge_factory, renderer, options)


def _pack(result: Any) -> _Packed:
    if isinstance(result, Exception):
        return ("error", (type(result), result.args, dict(vars(result))))
    return ("ok", result)


def _unpack(packed: _Packed) -> Any:
    kind, value = packed
    if kind == "error":
        cls, args, attributes = value
        error = cls.__new__(cls, *args)
        error.args = args
        error.__dict__.update(attributes)
        return error
    return value


def _run_chunk(paths: list[Path]) -> list[_Packed]:
    assert _WORKER is not None, "worker not initialised"
    return [_pack(_WORKER.one(path)) for path in paths]


# --- public API ---------------------------------------------------------------------


def effective_jobs(count: int, jobs: int | None) -> int:
    """How many processes a batch of ``count`` files uses (1 means: in this process)."""
    if jobs is None:
        if count < MIN_PARALLEL:
            return 1
        jobs = os.cpu_count() or 1
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    return max(1, min(jobs, count))


def _chunks(paths: list[_T], jobs: int) -> list[list[_T]]:
    # several chunks per worker keep both busy to the end; capped to bound latency
    size = max(1, min(MAX_CHUNK, len(paths) // (jobs * 8) or 1))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def map_paths(
    paths: Sequence[str | os.PathLike[str]],
    jobs: int | None,
    knowledge_factory: KnowledgeFactory,
    renderer: Renderer | None = None,
    **render_options: Any,
) -> Iterator[Any]:
    """Diagnose ``paths`` in order, yielding each result as soon as it is ready.

    Without ``renderer`` each result is a :class:`Diagnosis`; with it (a module-level
    ``f(diagnosis, knowledge, **render_options)``) the worker renders it, so the
    rendering runs in parallel too.  A bad file yields its ``load_error``; a file whose
    worker process died while diagnosing it yields :class:`WorkerLost` (see
    :class:`_Pools`): the other files are still diagnosed.
    """
    items = [Path(p) for p in paths]
    workers = effective_jobs(len(items), jobs)
    if workers == 1:
        worker = _Worker(knowledge_factory, renderer, render_options)
        for path in items:
            yield worker.one(path)
        return
    yield from _Pools(items, workers, (knowledge_factory, renderer, render_options)).results()


LOST = (
    "not diagnosed: the worker process diagnosing it ended unexpectedly (killed, or out of memory?)"
)
GAVE_UP = "not diagnosed: worker processes kept ending unexpectedly; gave up"
# In the last, one-file-at-a-time round: after this many crashes in a row, stop trying.
MAX_CRASHES_IN_A_ROW = 3


def _label(path: Path) -> str:
    """The path as valid UTF-8 text (undecodable bytes as ``\\xNN``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class WorkerLost(ThymoscopeError):
    """A file that was not diagnosed because its worker process ended under it."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


def _lost(path: Path, message: str) -> WorkerLost:
    return WorkerLost(_label(path), message)


class _Pools:
    """A batch on worker processes that survives a worker killed mid-batch.

    Round 1 sends chunks to a pool.  A worker that dies (killed, out of memory) breaks
    the whole pool: every unfinished chunk fails with it, mostly through no fault of
    its own.  Their files go to round 2, one file per task on a fresh pool; files that
    fail again go to round 3, one at a time on a one-worker pool, where a crash names
    its file exactly: that file is reported lost and a fresh pool takes the rest.
    Results are yielded in input order.  Whatever way the batch ends early (an
    exception, a signal, a consumer that stops), the workers are ended with it.
    """

    def __init__(
        self,
        items: list[Path],
        workers: int,
        init: tuple[KnowledgeFactory, Renderer | None, dict[str, Any]],
    ):
        self.items = items
        self.workers = workers
        self.init = init

    def _pool(self, workers: int) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=self.init
        )

    @staticmethod
    def _stop(pool: Any, finished: bool) -> None:
        with _signals_held():  # a second Ctrl-C must not cut the cleanup short
            if not finished:  # do not wait for running chunks: end the workers now
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    with contextlib.suppress(Exception):
                        process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)

    def _submit_all(self, workers: int, chunks: list[list[int]]) -> tuple[Any, list[Any]]:
        """A fresh pool with every chunk submitted (its processes start here).

        A worker that dies while chunks are still being handed out breaks the pool
        before ``submit`` returns: the chunks not yet submitted then fail like the ones
        it broke, and are retried the same way.
        """
        with _signals_held():
            pool = self._pool(workers)
        try:
            return pool, [self._submit(pool, chunk) for chunk in chunks]
        except BaseException:
            self._stop(pool, False)
            raise

    def _submit(self, pool: Any, chunk: list[int]) -> Any:
        """``chunk`` handed to ``pool``; a pool already broken gives a failed future."""
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        with _signals_held():  # a worker process may start here
            try:
                return pool.submit(_run_chunk, [self.items[i] for i in chunk])
            except BrokenProcessPool as exc:
                broken: Future[Any] = Future()
                broken.set_exception(exc)
                return broken

    def results(self) -> Iterator[Any]:
        from concurrent.futures.process import BrokenProcessPool

        chunks = _chunks(list(range(len(self.items))), self.workers)
        held: dict[int, Any] = {}  # results after a crash, yielded once the lost are retried
        failed: list[int] = []
        # Only a few chunks per worker are handed out ahead of the one being read, and a
        # chunk's results are let go once yielded: memory stays flat however many files.
        ahead = self.workers * CHUNKS_AHEAD
        pool, started = self._submit_all(self.workers, chunks[:ahead])
        pending = deque(started)
        finished = False
        try:
            for position, chunk in enumerate(chunks):
                future = pending.popleft()
                if position + ahead < len(chunks):
                    pending.append(self._submit(pool, chunks[position + ahead]))
                try:
                    packed = future.result()
                except BrokenProcessPool:
                    failed.extend(chunk)
                    continue
                finally:
                    del future
                for index, one in zip(chunk, packed, strict=True):
                    if failed:
                        held[index] = _unpack(one)
                    else:
                        yield _unpack(one)
                del packed
            finished = True
        finally:
            self._stop(pool, finished)
        if not failed:
            return
        held.update(self._retry(failed))
        for index in range(failed[0], len(self.items)):
            yield held[index]

    def _retry(self, indices: list[int]) -> dict[int, Any]:
        from concurrent.futures.process import BrokenProcessPool

        done: dict[int, Any] = {}
        again: list[int] = []
        pool, futures = self._submit_all(min(self.workers, len(indices)), [[i] for i in indices])
        finished = False
        try:
            for index, future in zip(indices, futures, strict=True):
                try:
                    [done[index]] = map(_unpack, future.result())
                except BrokenProcessPool:
                    again.append(index)
            finished = True
        finally:
            self._stop(pool, finished)
        crashes = 0
        for index in again:
            if crashes >= MAX_CRASHES_IN_A_ROW:
                done[index] = _lost(self.items[index], GAVE_UP)
                continue
            (pool, [future]), finished = self._submit_all(1, [[index]]), False
            try:
                [done[index]] = map(_unpack, future.result())
                crashes, finished = 0, True
            except BrokenProcessPool:
                done[index] = _lost(self.items[index], LOST)
                crashes += 1
            finally:
                self._stop(pool, finished)
        return done


def diagnose_paths(
    paths: Sequence[str | os.PathLike[str]],
    jobs: int | None,
    knowledge_factory: KnowledgeFactory,
) -> list[Diagnosis | Exception]:
    """Every study file diagnosed, in input order; a bad file is its ``load_error``."""
    return list(map_paths(paths, jobs, knowledge_factory))


_SLOT = "\x00thymoscope-batch-studies\x00"


def splice_json(
    document: dict[str, Any], key: str, item_texts: Sequence[str], **dump_options: Any
) -> str:
    """``json.dumps(document, **dump_options)`` with ``document[key]`` given as the items'
    JSON texts, each already dumped with the same options (e.g. by :func:`diagnose_to_json`).

    The result equals dumping the whole document at once, but the costly part, each item,
    was rendered in parallel.  ``key`` must be a top-level key holding a list.
    """
    if not item_texts:
        return json.dumps({**document, key: []}, **dump_options)
    text = json.dumps({**document, key: [_SLOT]}, **dump_options)
    slot = json.dumps(_SLOT, **dump_options)
    if text.count(slot) != 1:
        raise ValueError("the document already holds the batch placeholder")
    indent = dump_options.get("indent")
    if indent is None:
        separator = dump_options.get("separators", (", ", ": "))[0]
        body = separator.join(item_texts)
    else:
        prefix = "\n" + (indent if isinstance(indent, str) else " " * indent) * 2
        separator = dump_options.get("separators", (",", ": "))[0]
        body = (separator + prefix).join(t.replace("\n", prefix) for t in item_texts)
    return text.replace(slot, body)
