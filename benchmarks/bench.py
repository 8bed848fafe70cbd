"""thymoscope benchmark (a script, not a test): cold start and batch throughput.

    python benchmarks/bench.py [--studies 10000] [--jobs 2] [--runs 15]
                               [--out benchmarks/RESULTS.md]

(a) Cold start: the median wall time of a fresh process that only imports the
    dependencies (experta through the frozendict alias shim, pydantic, typer, rich,
    jinja2, yaml) against fresh processes that diagnose one bundled case to JSON.
    Runs are interleaved so drift in machine load hits both sides alike.  Uses
    hyperfine when it is installed, otherwise subprocess timing.  The child processes
    may write ``.pyc`` files (``PYTHONDONTWRITEBYTECODE`` is dropped for them), as an
    installed package has them; the API command imports typer and rich like the CLI
    does, so both sides load the same dependencies.  A third baseline also builds one
    trivial pydantic model: ``import pydantic`` alone defers most of pydantic's own
    import to first use, and that share is pydantic's cost, not thymoscope's.
(b) Batch: generates ``--studies`` varied valid study files (seeded; see
    benchmarks/generate.py) and times diagnosing all of them to JSON with
    ``thymoscope.engine.batch.diagnose_to_json`` for jobs 1 .. ``--jobs``, and the CLI
    on the whole folder when ``thymoscope diagnose`` exists.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import study, write_studies  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent

DEPS_IMPORT = (
    "import collections, collections.abc\n"
    "for n in ('Mapping', 'MutableMapping', 'Sequence', 'Callable', 'Hashable', 'Iterable'):\n"
    "    setattr(collections, n, getattr(collections.abc, n))\n"
    "import experta, pydantic, typer, rich, jinja2, yaml\n"
)
DEPS_LOADED = DEPS_IMPORT + "class M(pydantic.BaseModel):\n    x: int = 0\n"
API_DIAGNOSE = (
    "import json, sys\n"
    "import typer, rich  # loaded by the CLI too\n"
    "from thymoscope.api import diagnose_file\n"
    "from thymoscope.report.document import report_document\n"
    "print(json.dumps(report_document([diagnose_file(sys.argv[1])])))\n"
)


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


def bundled_case(work: Path) -> tuple[Path, str]:
    """The first bundled case (kb/cases), or a generated study when none is bundled yet."""
    from importlib.resources import files

    cases = sorted(
        Path(str(p)) for p in files("thymoscope.kb.cases").iterdir() if p.name.endswith(".yaml")
    )
    if cases:
        return cases[0], f"bundled case `{cases[0].name}`"
    import random

    import yaml

    path = work / "case.yaml"
    path.write_text(yaml.safe_dump(study(random.Random(7), 0), sort_keys=False))
    return path, "a generated study (no case bundled in kb/cases yet)"


def cli_has_diagnose() -> bool:
    exe = BIN / "thymoscope"
    if not exe.exists():
        return False
    done = subprocess.run([str(exe), "diagnose", "--help"], capture_output=True, check=False)
    # typer runs a lone command without its name, so check for diagnose's own option too
    return done.returncode == 0 and b"--format" in done.stdout


# --- (a) cold start -----------------------------------------------------------------


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=CHILD_ENV
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the study has findings (CLI exit convention)
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def hyperfine(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    import shlex

    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = [
            "hyperfine",
            "-N",
            "-i",
            "--warmup",
            "3",
            "--runs",
            str(runs),
            "--export-json",
            out.name,
        ]
        for name, command in commands.items():
            argv += ["-n", name, shlex.join(command)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=CHILD_ENV)
        results = json.loads(Path(out.name).read_text())["results"]
    return {r["command"]: r["median"] for r in results}


def cold_start(commands: dict[str, list[str]], runs: int) -> tuple[dict[str, float], str]:
    """Median seconds per command; interleaved runs after warm-ups."""
    if shutil.which("hyperfine"):
        return hyperfine(commands, runs), "hyperfine"
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(3):  # warm the file cache and .pyc files
        for command in commands.values():
            time_once(command)
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(time_once(command))
    return {name: statistics.median(s) for name, s in samples.items()}, "subprocess timing"


def paired_cold_start(runs: int) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Cold start as paired differences (table rows, notes).

    Each round runs every command once, in a shuffled order, right after the two
    baselines; a command's figure is the median over rounds of (its time - the baseline's
    time in the same round), so load that drifts between rounds cancels out. Wall time
    and the child's CPU time (user + system, from ``wait4``) are both reported: on a
    shared machine CPU time is the steadier of the two.
    """
    import random
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


def batch_report(paths: list[Path], jobs: int, out: Path) -> int:
    """The whole JSON report (indent 2) written to a file, studies rendered in the workers."""
    from thymoscope.api import diagnose_to_json
    from thymoscope.engine.batch import splice_json
    from thymoscope.report.document import report_document

    texts, errors = [], []
    for item in diagnose_to_json(paths, jobs=jobs, indent=2):
        if isinstance(item, str):
            texts.append(item)
        else:
            errors.append(str(item))
    report = splice_json(report_document([], errors), "studies", texts, indent=2)
    out.write_text(report + "\n", encoding="utf-8")
    if errors:
        raise SystemExit(f"generated studies are invalid: {errors[:3]}")
    return len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description="thymoscope benchmark")
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=15, help="cold-start runs per command")
    parser.add_argument("--repeat", type=int, default=3, help="batch runs per setting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--cold-start-only", action="store_true", help="only the paired cold-start table"
    )
    args = parser.parse_args()
    if args.cold_start_only:
        rows, notes = paired_cold_start(args.runs)
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
        case, case_note = bundled_case(work)
        commands = {
            "deps": [PYTHON, "-c", DEPS_IMPORT],
            "deps_loaded": [PYTHON, "-c", DEPS_LOADED],
        }
        has_cli = cli_has_diagnose()
        if has_cli:
            commands["cli"] = [str(BIN / "thymoscope"), "diagnose", str(case), "--format", "json"]
        commands["api"] = [PYTHON, "-c", API_DIAGNOSE, str(case)]
        medians, tool = cold_start(commands, args.runs)
        deps_ms = medians["deps"] * 1000
        loaded_ms = medians["deps_loaded"] * 1000
        rows.append(("Cold: import dependencies only", f"{deps_ms:.0f} ms", "baseline"))
        rows.append(
            (
                "Cold: dependencies + one trivial pydantic model",
                f"{loaded_ms:.0f} ms",
                f"+{loaded_ms - deps_ms:.0f} ms: pydantic loading its deferred internals",
            )
        )
        if has_cli:
            cli_ms = medians["cli"] * 1000
            rows.append(
                (
                    "Cold: `thymoscope diagnose CASE --format json`",
                    f"{cli_ms:.0f} ms",
                    f"**+{cli_ms - deps_ms:.0f} ms** over dependencies (target ≤ 100)",
                )
            )
        api_ms = medians["api"] * 1000
        rows.append(
            (
                "Cold: Python API `diagnose_file` + JSON report",
                f"{api_ms:.0f} ms",
                f"+{api_ms - deps_ms:.0f} ms over dependencies"
                + ("" if has_cli else " (CLI `diagnose` not available yet; target ≤ 100)"),
            )
        )
        notes.append(
            f"Cold start: median of {args.runs} fresh processes each, {tool}; case: {case_note}."
        )

        data = work / "studies"
        start = time.perf_counter()
        paths = write_studies(data, args.studies, args.seed)
        notes.append(
            f"Batch: {len(paths):,} generated study files (seed {args.seed}, "
            f"written in {time.perf_counter() - start:.1f} s), median of {args.repeat} runs; "
            "each run starts its own worker pool."
        )
        for jobs in range(1, args.jobs + 1):
            median, best, done = timed(lambda j=jobs: batch_api(paths, j), args.repeat)  # type: ignore[misc]
            result, note = rate(done, median, best)
            target = " (target ≥ 1,000/s)" if jobs == args.jobs else ""
            rows.append(
                (
                    f"Per-study JSON texts, `engine.batch.diagnose_to_json`, jobs={jobs}",
                    result,
                    note + target,
                )
            )
        report_file = work / "api-report.json"
        for jobs in range(1, args.jobs + 1):
            median, best, done = timed(  # type: ignore[misc]
                lambda j=jobs: batch_report(paths, j, report_file), args.repeat
            )
            result, note = rate(done, median, best)
            size = f"; {report_file.stat().st_size / 1e6:.0f} MB"
            rows.append(
                (
                    f"Whole JSON report file (indent 2) via `diagnose_to_json` + `splice_json`, "
                    f"jobs={jobs}",
                    result,
                    note + size,
                )
            )
        if has_cli:
            out_file = work / "report.json"
            argv = [
                str(BIN / "thymoscope"),
                "diagnose",
                str(data),
                "--format",
                "json",
                "--output",
                str(out_file),
            ]

            def run_cli() -> int:
                done = subprocess.run(argv, capture_output=True, check=False)
                if done.returncode not in (0, 1) or not out_file.exists():
                    raise SystemExit(f"CLI batch failed: {done.stderr.decode()[-500:]}")
                return len(paths)

            try:
                median, best, done = timed(run_cli, args.repeat)
                result, note = rate(done, median, best)
                rows.append(
                    (
                        "Batch to JSON file, `thymoscope diagnose DIR --format json --output F` "
                        "(whole process, default jobs)",
                        result,
                        note,
                    )
                )
            except SystemExit as exc:
                notes.append(f"CLI batch not measured: {exc}")

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
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
