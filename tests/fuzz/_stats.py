"""Example counts of the fuzz targets, reported by tests/fuzz/conftest.py at session end."""

from __future__ import annotations

from collections import Counter

examples: Counter[str] = Counter()
outcomes: Counter[str] = Counter()


def record(target: str, outcome: str) -> None:
    examples[target] += 1
    outcomes[f"{target}:{outcome}"] += 1
