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
import random
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


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    script = shutil.which("thymoscope") or str(Path(sys.executable).parent / "thymoscope")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "studies"
        folder.mkdir()
        write(folder, args.studies, args.seed)
        rows = []
        for label, extra in (
            ("text (forest plot)", []),
            ("html (SVG forest plot)", ["-f", "html", "-o", str(Path(tmp) / "r.html")]),
            ("json", ["-f", "json", "-o", str(Path(tmp) / "r.json")]),
        ):
            times = [timed([script, "review", str(folder), *extra]) for _ in range(args.runs)]
            rows.append((f"`thymoscope review DIR` {label}, whole process", times))

        from thymoscope.synthesis.body import ReviewOptions, analyse, read_body
        from thymoscope.synthesis.document import review_document
        from thymoscope.synthesis.review import load_studies, render_review

        parts: dict[str, list[float]] = {"load": [], "statistics": [], "render text": []}
        for _ in range(args.runs):
            t0 = time.perf_counter()
            studies, _, _ = load_studies([folder])
            t1 = time.perf_counter()
            options = ReviewOptions()
            body = read_body(studies)
            document = review_document(body, analyse(body, options), options)
            t2 = time.perf_counter()
            render_review(document, "text")
            t3 = time.perf_counter()
            parts["load"].append(t1 - t0)
            parts["statistics"].append(t2 - t1)
            parts["render text"].append(t3 - t2)
        for name, times in parts.items():
            rows.append((f"in process: {name}", times))
    print(f"{args.studies} generated studies, median of {args.runs} runs (seed {args.seed})\n")
    print("| Measurement | Median | Best |")
    print("|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.2f} s | {min(times):.2f} s |")


if __name__ == "__main__":
    main()
