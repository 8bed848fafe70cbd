"""The pair-rule test table: one row fires a finding, a near-identical pair silences it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.compare.helpers import pair
from tests.conftest import deep_merge


@dataclass(frozen=True)
class PairCase:
    """Study a is the clean baseline with ``a`` overrides; study b adds ``b`` overrides.

    ``silent_b`` is merged into ``b`` to make a near-identical pair on which the finding
    must stay silent. ``values`` are checked exactly against the conclusion's values,
    ``texts`` must appear in the explanation or next steps and ``absent`` must not.
    """

    finding: str
    b: dict[str, Any]
    silent_b: dict[str, Any] | None
    severity: str
    favours: str | None = None
    expected_larger: str | None = None
    a: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    note: str = ""
    silent_a: dict[str, Any] = field(default_factory=dict)  # merged into a when silent


def case_id(case: PairCase) -> str:
    return f"{case.finding}:{case.note}" if case.note else case.finding


def check_fires(case: PairCase) -> None:
    comparison = pair(a=case.a, b=case.b)
    found = next((f for f in comparison.findings if f.id == case.finding), None)
    assert found is not None, f"{case.finding} missing; got {comparison.finding_ids()}"
    assert found.severity == case.severity
    details = comparison.details[case.finding]
    assert details["favours"] == case.favours, "favours (more credible)"
    assert details["expected_larger"] == case.expected_larger, "expected_larger"
    for key, value in case.values.items():
        assert details[key] == value, f"{key}: {details[key]!r} != {value!r}"
    text = " ".join((found.explanation, *found.next_steps))
    for fragment in case.texts:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    for fragment in case.absent:
        assert fragment not in text, f"{fragment!r} in {text!r}"
    cited = {fact.path for fact in found.facts}
    assert set(case.cites) <= cited, f"cited {sorted(cited)}"


def check_silent(case: PairCase) -> None:
    assert case.silent_b is not None
    comparison = pair(a=deep_merge(case.a, case.silent_a), b=deep_merge(case.b, case.silent_b))
    assert case.finding not in comparison.finding_ids()
