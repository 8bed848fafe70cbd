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

import json
import os
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from thymoscope.engine.core import Diagnoser
from thymoscope.engine.diagnosis import Diagnosis, KnowledgeBase

# Below this many files, jobs=None runs serially in the calling process.
MIN_PARALLEL = 50
# Files per task sent to a worker (upper bound; small batches use smaller chunks).
MAX_CHUNK = 64

KnowledgeFactory = Callable[[], KnowledgeBase]
# f(diagnosis, knowledge, **options) -> one study's report part
Renderer = Callable[..., Any]


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
        diagnosis = self.diagnoser.diagnose(study, str(path))
        if self.render is None:
            return diagnosis
        return self.render(diagnosis, self.diagnoser.knowledge, **self.options)


_WORKER: _Worker | None = None


def _init_worker(
    knowledge_factory: KnowledgeFactory, renderer: Renderer | None, options: dict[str, Any]
) -> None:
    global _WORKER
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


def _chunks(paths: list[Path], jobs: int) -> list[list[Path]]:
    # several chunks per worker keep both busy to the end; capped to bound latency
    size = max(1, min(MAX_CHUNK, len(paths) // (jobs * 8) or 1))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


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
    rendering runs in parallel too.  A bad file yields its ``load_error``.
    """
    items = [Path(p) for p in paths]
    workers = effective_jobs(len(items), jobs)
    if workers == 1:
        worker = _Worker(knowledge_factory, renderer, render_options)
        for path in items:
            yield worker.one(path)
        return
    from concurrent.futures import ProcessPoolExecutor  # only batches pay for its import

    pool = ProcessPoolExecutor(
        max_workers=workers,
        initializer=_init_worker,
        initargs=(knowledge_factory, renderer, render_options),
    )
    try:
        for chunk in pool.map(_run_chunk, _chunks(items, workers)):
            for packed in chunk:
                yield _unpack(packed)
    finally:  # a consumer that stops early (or Ctrl-C) must not wait for the whole batch
        pool.shutdown(wait=True, cancel_futures=True)


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
