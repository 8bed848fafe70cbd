"""Benchmark of `thymoscope review` (a script, not a test).

    python benchmarks/bench_review.py [--studies 1000] [--runs 5] [--seed 1]

Generates ``--studies`` valid sepsis trial files (28-day mortality, odds ratio with a
95% CI, varied blinding, risk of bias and sample size; seeded) and times:

(a) the whole process ``thymoscope review DIR`` with every default statistic (REML,
    heterogeneity, prediction interval, leave-one-out, Egger's test) and the forest plot,
    as terminal text and as HTML;
(b) in process, the parts: loading the files, the statistics, and rendering.

Prints a Markdown table; the figure for the README is the median whole-process time.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml


def study(index: int, rng: random.Random) -> dict[str, object]:
    n = rng.randint(30, 1200)
    log_or = rng.gauss(-0.3, 0.35)
    se = 2.0 / math.sqrt(n) + rng.uniform(0.02, 0.2)
    return {
        "schema_version": 1,
        "id": f"trial-{index:05d}",
        "title": f"Generated sepsis trial {index}",
        "indication": "sepsis",
        "design": {
            "type": "rct",
            "blinding": rng.choice(["open", "single", "double"]),
            "risk_of_bias": rng.choice(["low", "some_concerns", "high"]),
            "sample_size": n,
        },
        "primary_endpoint": {"kind": "mortality"},
        "result": {
            "effect": {
                "measure": "odds_ratio",
                "estimate": round(math.exp(log_or), 4),
                "ci_low": round(math.exp(log_or - 1.959964 * se), 4),
                "ci_high": round(math.exp(log_or + 1.959964 * se), 4),
            }
        },
    }


def write(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for i in range(count):
        text = yaml.safe_dump(study(i, rng), sort_keys=False)
        (folder / f"trial-{i:05d}.yaml").write_text(text, encoding="utf-8")


# as an installed package runs: with its compiled bytecode (this workplace sets
# PYTHONDONTWRITEBYTECODE, which would make every run compile every module again)
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a child process; CPU (user + sys) is what to compare on a
    loaded machine, where the wall time mostly measures waiting for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=CHILD_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load_before = os.getloadavg()
    script = shutil.which("thymoscope") or str(Path(sys.executable).parent / "thymoscope")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "studies"
        folder.mkdir()
        write(folder, args.studies, args.seed)
        rows: list[tuple[str, list[float], list[float]]] = []
        for label, extra in (
            ("text (forest plot)", []),
            ("html (SVG forest plot)", ["-f", "html", "-o", str(Path(tmp) / "r.html")]),
            ("json", ["-f", "json", "-o", str(Path(tmp) / "r.json")]),
        ):
            timed([script, "review", str(folder), *extra])  # warm-up: writes the bytecode
            runs = [timed([script, "review", str(folder), *extra]) for _ in range(args.runs)]
            rows.append(
                (
                    f"`thymoscope review DIR` {label}, whole process",
                    [w for w, _ in runs],
                    [c for _, c in runs],
                )
            )

        from thymoscope.synthesis.body import ReviewOptions, analyse, read_body
        from thymoscope.synthesis.document import review_document
        from thymoscope.synthesis.review import load_studies, render_review

        parts: dict[str, tuple[list[float], list[float]]] = {
            name: ([], []) for name in ("load", "statistics", "render text")
        }
        for _ in range(args.runs):
            clocks = [(time.perf_counter(), time.process_time())]
            studies, _, _ = load_studies([folder])
            clocks.append((time.perf_counter(), time.process_time()))
            options = ReviewOptions()
            body = read_body(studies)
            document = review_document(body, analyse(body, options), options)
            clocks.append((time.perf_counter(), time.process_time()))
            render_review(document, "text")
            clocks.append((time.perf_counter(), time.process_time()))
            for n, name in enumerate(parts):
                parts[name][0].append(clocks[n + 1][0] - clocks[n][0])
                parts[name][1].append(clocks[n + 1][1] - clocks[n][1])
        for name, (walls, cpus) in parts.items():
            rows.append((f"in process: {name}", walls, cpus))
    print(f"{args.studies} generated studies, median of {args.runs} runs (seed {args.seed})\n")
    print(f"load average before/after: {load_before} / {os.getloadavg()}\n")
    print("| Measurement | Wall, median | Wall, best | CPU, median |")
    print("|---|---|---|---|")
    for name, walls, cpus in rows:
        print(
            f"| {name} | {statistics.median(walls):.2f} s | {min(walls):.2f} s "
            f"| {statistics.median(cpus):.2f} s |"
        )


if __name__ == "__main__":
    main()
