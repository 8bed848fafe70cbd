"""thymoscope benchmark (a script, not a test): cold start and batch throughput.

    python benchmarks/bench.py [--studies 10000] [--jobs 2] [--runs 15]
                               [--kind full|sparse] [--stages 1000] [--baseline DIR]
                               [--memory] [--memory-sizes 5000,10000,20000]
                               [--cold-start-only] [--cold-start-instructions]
                               [--stages-only DIR]
                               [--out benchmarks/RESULTS.md]

(a) Cold start, as paired differences: each of ``--runs`` rounds runs, in a shuffled
    order, a fresh process that only imports the dependencies (experta through the
    frozendict alias shim, pydantic, typer, rich, jinja2, yaml), the same plus one
    trivial pydantic model (``import pydantic`` defers most of pydantic's own import to
    first use; that share is pydantic's cost, not thymoscope's), and the measured
    commands (``diagnose CASE -f json``, ``--version``, ``--help``, ``review`` of the
    bundled sepsis studies); a command's figure is the median over rounds of its time
    minus the baseline's in the same round, wall and CPU (``wait4``).  The child
    processes may write ``.pyc`` files (``PYTHONDONTWRITEBYTECODE`` is dropped for
    them), as an installed package has them.  ``--cold-start-only`` prints just this;
    ``--cold-start-instructions`` adds each command's instruction count under valgrind's
    callgrind (one run each), which the machine's load does not change.
(b) Batch: generates ``--studies`` valid study files (seeded; see
    benchmarks/generate.py: ``--kind full``, the default, fills every section and gives
    0-5 subgroups; ``--kind sparse`` leaves sections out at random) and times diagnosing
    all of them to JSON with ``thymoscope.engine.batch.diagnose_to_json`` for jobs
    1 .. ``--jobs``, and the CLI on the whole folder (``--jobs 1`` and default jobs).
(c) Stages: CPU time per study of each stage of the pipeline, in one process, over the
    first ``--stages`` generated files, after a warm-up pass over the next ``--stages``
    (so nothing the process remembers has seen a measured study): read, parse (YAML),
    validate (the study model), facts, match (experta), assemble (findings and checks),
    document, JSON; with ``--baseline DIR`` (an earlier version: ``pip install
    --no-deps --target DIR REF``) the same for that version first, as "before".  Each
    table is taken in a fresh process; ``--stages-only DIR`` takes just these, over the
    study files in DIR.
(d) Memory (``--memory``): peak memory of ``thymoscope diagnose DIR -f json -o F`` for
    each of ``--memory-sizes`` files: the sum of the resident memory of the command and
    its worker processes, sampled every 20 ms, and the largest single process's peak.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import KINDS, write_studies  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent

DEPS_IMPORT = (
    "import collections, collections.abc\n"
    "for n in ('Mapping', 'MutableMapping', 'Sequence', 'Callable', 'Hashable', 'Iterable'):\n"
    "    setattr(collections, n, getattr(collections.abc, n))\n"
    "import experta, pydantic, typer, rich, jinja2, yaml\n"
)
DEPS_LOADED = DEPS_IMPORT + "class M(pydantic.BaseModel):\n    x: int = 0\n"


def machine() -> dict[str, str]:
    import pydantic

    from thymoscope import __version__

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "thymoscope": __version__,
        "pydantic": pydantic.VERSION,
    }


def cli_has_diagnose() -> bool:
    exe = BIN / "thymoscope"
    if not exe.exists():
        return False
    done = subprocess.run([str(exe), "diagnose", "--help"], capture_output=True, check=False)
    # typer runs a lone command without its name, so check for diagnose's own option too
    return done.returncode == 0 and b"--format" in done.stdout


# --- (a) cold start -----------------------------------------------------------------


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cold_start_commands(baseline: Path | None = None) -> dict[str, list[str]]:
    """The cold-start commands by name (the review reads the bundled sepsis studies);
    with ``baseline``, also the diagnose of the thymoscope installed there, as "before"."""
    from importlib.resources import files

    folder = files("thymoscope.kb.cases")
    cases = sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))
    case = next(c for c in cases if c.name == "cancer-phase2-monotherapy.yaml")
    sepsis = [str(c) for c in cases if c.name.startswith("sepsis-")]
    exe = str(BIN / "thymoscope")
    commands = {
        "deps": [PYTHON, "-c", DEPS_IMPORT],
        "deps_loaded": [PYTHON, "-c", DEPS_LOADED],
        "diagnose CASE -f json": [exe, "diagnose", str(case), "-f", "json"],
        "--version": [exe, "--version"],
        "--help": [exe, "--help"],
        f"review of {len(sepsis)} bundled studies": [exe, "review", *sepsis],
    }
    if baseline is not None:
        run = f"import sys; sys.path.insert(0, {str(baseline)!r}); " + (
            "from thymoscope.cli.app import main; main()"
        )
        commands["diagnose CASE -f json, before (--baseline)"] = [
            *(PYTHON, "-c", run),
            *("diagnose", str(case), "-f", "json"),
        ]
    return commands


def paired_cold_start(
    runs: int, baseline: Path | None = None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Cold start as paired differences (table rows, notes).

    Each round runs every command once, in a shuffled order, right after the two
    baselines; a command's figure is the median over rounds of (its time - the baseline's
    time in the same round), so load that drifts between rounds cancels out. Wall time
    and the child's CPU time (user + system, from ``wait4``) are both reported: on a
    shared machine CPU time is the steadier of the two.
    """
    import random

    commands = cold_start_commands(baseline)

    def once(argv: list[str]) -> tuple[float, float]:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{argv} failed with {os.waitstatus_to_exitcode(status)}")
        return wall, usage.ru_utime + usage.ru_stime

    for _ in range(2):  # warm the file cache and the .pyc files
        for argv in commands.values():
            once(argv)
    load = os.getloadavg()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    order = list(commands)[2:]
    rng = random.Random(1)
    for _ in range(runs):
        rng.shuffle(order)
        for name in ["deps", "deps_loaded", *order]:
            samples[name].append(once(commands[name]))
    after = os.getloadavg()

    def paired(name: str, base: str, which: int) -> float:
        pairs = zip(samples[name], samples[base], strict=True)
        return statistics.median(a[which] - b[which] for a, b in pairs) * 1000

    rows = []
    for name in commands:
        wall = statistics.median(s[0] for s in samples[name]) * 1000
        cpu = statistics.median(s[1] for s in samples[name]) * 1000
        rows.append(
            (
                f"Cold (paired): `{name}`",
                f"wall {wall:.0f} ms, CPU {cpu:.0f} ms",
                f"vs deps: wall {paired(name, 'deps', 0):+.0f} ms, CPU "
                f"{paired(name, 'deps', 1):+.0f} ms; vs deps + one model: wall "
                f"{paired(name, 'deps_loaded', 0):+.0f} ms, CPU "
                f"{paired(name, 'deps_loaded', 1):+.0f} ms",
            )
        )
    notes = [
        f"Cold start (paired): {runs} rounds, medians of per-round differences; load "
        f"average (1, 5, 15 min) before {', '.join(f'{x:.2f}' for x in load)}, after "
        f"{', '.join(f'{x:.2f}' for x in after)}."
    ]
    return rows, notes


def _instructions(argv: list[str]) -> int:
    """User-space instructions of one run of ``argv`` under valgrind's callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=CHILD_ENV,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no instruction count for {argv}: {done.stderr[-300:]}")
    return int(found.group(1))


def instruction_rows() -> tuple[list[tuple[str, str, str]], list[str]]:
    """Cold start as instruction counts (callgrind): the same on a busy machine as on a
    quiet one, so the ratio to the dependency import is comparable across machines."""
    commands = cold_start_commands()
    counts = {
        name: _instructions(argv)
        for name, argv in commands.items()
        if not name.startswith("review")  # its reading in two processes is not one count
    }
    deps = counts["deps"]
    rows = [
        (
            f"Cold (instructions): `{name}`",
            f"{count / 1e6:,.0f} M",
            f"vs deps: {(count - deps) / 1e6:+,.0f} M, {(count - deps) / deps:+.2f} times the "
            "import" + (" (target: +0.64)" if name.startswith("diagnose") else ""),
        )
        for name, count in counts.items()
    ]
    return rows, [
        "Cold start (instructions): user-space instructions of one run under valgrind's "
        "callgrind (`--cold-start-instructions`); they do not depend on the machine's load."
    ]


# --- (b) batch ------------------------------------------------------------------------


def timed(action: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Median and best seconds over ``repeat`` runs, and the count the action returned."""
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), count


def rate(count: int, median: float, best: float) -> tuple[str, str]:
    """(median rate, note with the best run) for a table row."""
    return (
        f"{count / median:,.0f} studies/s",
        f"best run {count / best:,.0f}/s; median {median:.2f} s",
    )


def batch_api(paths: list[Path], jobs: int) -> int:
    from thymoscope.api import diagnose_to_json

    done = 0
    for item in diagnose_to_json(paths, jobs=jobs):
        if not isinstance(item, str):
            raise SystemExit(f"generated study is invalid: {item}")
        done += 1
    return done


def batch_rows(paths: list[Path], max_jobs: int, repeat: int) -> list[tuple[str, str, str]]:
    """Per-study JSON texts through the Python API, jobs 1 .. ``max_jobs``."""
    rows = []
    for jobs in range(1, max_jobs + 1):
        median, best, done = timed(lambda j=jobs: batch_api(paths, j), repeat)  # type: ignore[misc]
        result, note = rate(done, median, best)
        rows.append(
            (f"Per-study JSON texts, `engine.batch.diagnose_to_json`, jobs={jobs}", result, note)
        )
    return rows


def cli_batch_rows(
    data: Path, count: int, work: Path, repeat: int
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``thymoscope diagnose DIR -f json -o F`` as a whole process: one job, default jobs."""
    rows, notes = [], []
    out_file = work / "report.json"
    command = [str(BIN / "thymoscope"), "diagnose", str(data), "-f", "json", "-o", str(out_file)]
    for jobs, label in ((("--jobs", "1"), "--jobs 1"), ((), "default jobs")):

        def run_cli(argv: tuple[str, ...] = (*command, *jobs)) -> int:
            done = subprocess.run(argv, capture_output=True, check=False)
            if done.returncode not in (0, 1) or not out_file.exists():
                raise SystemExit(f"CLI batch failed: {done.stderr.decode()[-500:]}")
            return count

        try:
            median, best, done = timed(run_cli, repeat)
        except SystemExit as exc:
            notes.append(f"CLI batch ({label}) not measured: {exc}")
            continue
        result, note = rate(done, median, best)
        target = " (target ≥ 2,000/s)" if not jobs else ""
        size = f"; {out_file.stat().st_size / 1e6:.0f} MB"
        rows.append(
            (
                f"Batch to JSON file, `thymoscope diagnose DIR -f json -o F` ({label}, "
                "whole process)",
                result,
                note + size + target,
            )
        )
    return rows, notes


# --- (c) stages -----------------------------------------------------------------------

STAGES = ("read", "parse", "validate", "facts", "match", "assemble", "document", "json")


def stage_times(paths: list[Path], warm: list[Path]) -> dict[str, float]:
    """CPU seconds per study of each stage, in this process, over ``paths`` after a
    warm-up pass over ``warm`` (other files: what a process remembers, e.g. finding
    texts already rendered, must not have seen the measured studies)."""
    from thymoscope import api
    from thymoscope.engine.diagnosis import Diagnosis, assemble
    from thymoscope.engine.facts import flatten, study_data
    from thymoscope.report.document import study_document
    from thymoscope.study.loader import read_text, study_from_document
    from thymoscope.study.yaml_source import parse_yaml

    try:
        from thymoscope.report.json_stream import indented_json

        def dump(document: Any) -> str:
            return indented_json(document)
    except ImportError:  # before the streamed report
        from thymoscope.report.render import JSON_OPTIONS

        def dump(document: Any) -> str:
            return json.dumps(document, **JSON_OPTIONS)

    knowledge = api.default_knowledge()
    diagnoser = api.diagnoser()
    # one network per scope value (see thymoscope.engine.core.Diagnoser); older trees
    # had a single engine
    engine_for = getattr(diagnoser, "engine_for", lambda scope: diagnoser.engine)
    titles = dict(knowledge.factor_titles)
    clock = time.process_time
    totals = dict.fromkeys(STAGES, 0.0)
    for files in (warm, paths):
        totals = dict.fromkeys(STAGES, 0.0)
        for path in files:
            t0 = clock()
            text = read_text(path)
            t1 = clock()
            document = parse_yaml(text)
            t2 = clock()
            model = study_from_document(document, str(path))
            t3 = clock()
            data = study_data(model)
            values = flatten(data)
            facts = knowledge.to_facts(data)
            t4 = clock()
            engine = engine_for(values.get(knowledge.scope_field))
            conclusions = list(engine.evaluate(facts, values))
            t5 = clock()
            scope = str(values.get(knowledge.scope_field))
            findings, checks = assemble(knowledge, conclusions, values, scope)
            diagnosis = Diagnosis(
                str(values["id"]), str(values["title"]), scope, str(path), findings, checks, values
            )
            t6 = clock()
            part = study_document(diagnosis, titles)
            t7 = clock()
            dump(part)
            t8 = clock()
            for name, spent in zip(
                STAGES,
                (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6, t8 - t7),
                strict=True,
            ):
                totals[name] += spent
    return {name: spent / len(paths) for name, spent in totals.items()}


def stage_lines(paths: list[Path], warm: list[Path]) -> list[str]:
    """A Markdown table of :func:`stage_times` (milliseconds of CPU per study)."""
    times = stage_times(paths, warm)
    total = sum(times.values())
    return [
        f"Per-stage CPU time per study, one process, {len(paths):,} files after a warm-up "
        f"on {len(warm):,} others "
        f"(load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}):",
        "",
        "| stage | ms per study | share |",
        "|---|---|---|",
        *(f"| {n} | {t * 1000:.3f} | {t / total:.0%} |" for n, t in times.items()),
        f"| **total** | **{total * 1000:.3f}** | {1 / total:,.0f} studies/s per core |",
        "",
    ]


_FRESH_STAGES = (
    "import sys\n"
    "from pathlib import Path\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "import bench\n"
    "files, count = sorted(Path(sys.argv[2]).glob('*.yaml')), int(sys.argv[3])\n"
    "print('\\n'.join(bench.stage_lines(files[:count], files[count : 2 * count])))\n"
)


def fresh_stage_lines(site: Path | None, folder: Path, count: int) -> list[str]:
    """:func:`stage_lines` in a fresh process, of the thymoscope installed in ``site``
    (None: this environment's): a process that has run the batches holds more objects,
    and its garbage collector takes longer over each study."""
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = str(site)
    argv = [PYTHON, "-c", _FRESH_STAGES, str(HERE), str(folder), str(count)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def stage_tables(baseline: Path | None, folder: Path, count: int) -> list[str]:
    """The stage table of this version, after the baseline's (as "before") if given."""
    after = fresh_stage_lines(None, folder, count)
    if baseline is None:
        return after
    before = fresh_stage_lines(baseline, folder, count)
    return [f"**Before** (`--baseline {baseline}`):", "", *before, "**After:**", "", *after]


# --- (d) memory -----------------------------------------------------------------------


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in KiB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    return sum(rss.get(pid, 0) for pid in tree)


def peak_memory(argv: list[str]) -> tuple[int, int, float]:
    """(peak total KiB of the process tree, peak KiB of its largest process, seconds)."""
    import threading

    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.wait(0.02):
            peak = max(peak, _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    finished.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed with status {process.returncode}")
    return peak, usage.ru_maxrss, time.perf_counter() - start


def memory_lines(work: Path, sizes: list[int], seed: int, kind: str) -> list[str]:
    """A Markdown table of :func:`peak_memory` for CLI batches of ``sizes`` files."""
    source = work / "memory-studies"
    paths = write_studies(source, max(sizes), seed, kind)
    rows = []
    for size in sizes:
        folder = work / f"memory-{size}"
        folder.mkdir()
        for path in paths[:size]:
            os.link(path, folder / path.name)
        out = work / f"memory-{size}.json"
        argv = [str(BIN / "thymoscope"), "diagnose", str(folder), "-f", "json", "-o", str(out)]
        total, largest, seconds = peak_memory(argv)
        rows.append(
            f"| {size:,} | **{total / 1024:.0f} MB** | {largest / 1024:.0f} MB | "
            f"{out.stat().st_size / 1e6:.0f} MB | {seconds:.1f} s |"
        )
        shutil.rmtree(folder)
        out.unlink()
    return [
        "Peak memory of `thymoscope diagnose DIR -f json -o F` (default jobs; the sum over "
        "the command and its workers sampled every 20 ms, and the largest single process's "
        f"peak; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; target: "
        "total ≤ 300 MB, flat in the number of studies):",
        "",
        "| study files | peak total | largest process | report | wall |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="thymoscope benchmark")
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=15, help="cold-start runs per command")
    parser.add_argument("--repeat", type=int, default=3, help="batch runs per setting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--kind", choices=sorted(KINDS), default="full", help="study files")
    parser.add_argument(
        "--stages", type=int, default=1000, help="files for the per-stage breakdown (0: none)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="an earlier thymoscope installed with `pip install --no-deps --target DIR`: "
        "its per-stage times are shown too, as 'before'",
    )
    parser.add_argument("--memory", action="store_true", help="peak memory of CLI batches")
    parser.add_argument(
        "--memory-sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[5_000, 10_000, 20_000],
        help="batch sizes for --memory (comma-separated)",
    )
    parser.add_argument(
        "--cold-start-only", action="store_true", help="only the paired cold-start table"
    )
    parser.add_argument(
        "--stages-only",
        type=Path,
        metavar="DIR",
        help="only the per-stage tables, over the study files in DIR (and --baseline's)",
    )
    parser.add_argument(
        "--cold-start-instructions",
        action="store_true",
        help="also count the cold start's instructions under valgrind's callgrind",
    )
    args = parser.parse_args()
    stage_table: list[str] = []
    memory_table: list[str] = []
    if args.stages_only:
        print("\n".join(stage_tables(args.baseline, args.stages_only, args.stages)))
        return
    if args.cold_start_only:
        rows, notes = paired_cold_start(args.runs, args.baseline)
        if args.cold_start_instructions:
            counted, counted_notes = instruction_rows()
            rows, notes = rows + counted, notes + counted_notes
        print("| Measurement | Result | Notes |\n|---|---|---|")
        print("\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows))
        print("\n".join(f"- {n}" for n in notes))
        return

    info = machine()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else ()
    rows: list[tuple[str, str, str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="thymoscope-bench-") as tmp:
        work = Path(tmp)
        has_cli = cli_has_diagnose()
        cold_rows, cold_notes = paired_cold_start(args.runs, args.baseline)
        rows += cold_rows
        notes += cold_notes
        if args.cold_start_instructions:
            counted, counted_notes = instruction_rows()
            rows += counted
            notes += counted_notes

        data = work / "studies"
        start = time.perf_counter()
        paths = write_studies(data, args.studies, args.seed, args.kind)
        notes.append(
            f"Batch: {len(paths):,} generated study files (`--kind {args.kind}`, seed "
            f"{args.seed}, written in {time.perf_counter() - start:.1f} s), median of "
            f"{args.repeat} runs; each run starts its own worker pool."
        )
        rows += batch_rows(paths, args.jobs, args.repeat)
        if has_cli:
            cli_rows, cli_notes = cli_batch_rows(data, len(paths), work, args.repeat)
            rows += cli_rows
            notes += cli_notes
        if args.stages:
            stage_table = stage_tables(args.baseline, data, args.stages)
        if args.memory:
            memory_table = memory_lines(work, args.memory_sizes, args.seed, args.kind)

    if hasattr(os, "getloadavg"):
        before = ", ".join(f"{x:.2f}" for x in load_before)
        after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        notes.append(f"Load average (1, 5, 15 min) before: {before}; after: {after}.")
        if load_before and load_before[0] > 0.5:
            notes.append("**The machine was busy when the run started; numbers are pessimistic.**")
    command = "python benchmarks/bench.py " + " ".join(sys.argv[1:])
    lines = [
        "# thymoscope benchmark results",
        "",
        f"Command: `{command.strip()}`  ",
        "Machine: "
        + ", ".join(f"{k} {v}" for k, v in info.items())
        + f"  \nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| Measurement | Result | Notes |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        *(f"- {n}" for n in notes),
        "",
        *stage_table,
        *memory_table,
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
