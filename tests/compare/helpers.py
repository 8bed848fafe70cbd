"""Shared helpers for the comparison tests: build pairs from the baseline study."""

from __future__ import annotations

from typing import Any

from tests.conftest import make_study
from thymoscope.engine.pairs import PairComparison
from thymoscope.kb.comparison import compare


def pair(a: dict[str, Any] | None = None, b: dict[str, Any] | None = None) -> PairComparison:
    """Compare the baseline study with ``a`` overrides against it with ``b`` overrides."""
    study_a = make_study(**{"id": "study-a", **(a or {})})
    study_b = make_study(**{"id": "study-b", **(b or {})})
    return compare(study_a, study_b)


def swapped(a: dict[str, Any] | None = None, b: dict[str, Any] | None = None) -> PairComparison:
    """The same pair as :func:`pair`, given in the other order."""
    study_a = make_study(**{"id": "study-a", **(a or {})})
    study_b = make_study(**{"id": "study-b", **(b or {})})
    return compare(study_b, study_a)


def flip(side: str | None) -> str | None:
    return {"a": "b", "b": "a"}.get(side) if side else None


def flip_path(path: str) -> str:
    side, _, rest = path.partition(".")
    return f"{flip(side)}.{rest}"
