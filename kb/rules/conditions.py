"""Small, named field tests for rule patterns.

They use experta's ``P`` predicates, which test membership in one step; chains of
``L(a) | L(b) | ...`` would expand into one rule variant per alternative.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from thymoscope.engine.experta_compat import P

KNOWN = P(lambda value: value is not None)


def one_of(values: Iterable[Any]) -> Any:
    allowed = frozenset(values)
    return P(lambda value: value in allowed)


def outside(low: float, high: float) -> Any:
    return P(lambda value: value is not None and not low <= value <= high)


def level_in(levels: Iterable[str]) -> Any:
    allowed = frozenset(levels)
    return P(lambda value: value is not None and value.strip().lower() in allowed)


def shares_any(values: Iterable[str]) -> Any:
    wanted = frozenset(values)
    return P(lambda items: items is not None and bool(wanted.intersection(items)))


def shares_none(values: Iterable[str]) -> Any:
    unwanted = frozenset(values)
    return P(lambda items: items is not None and not unwanted.intersection(items))
