"""Report how many examples each fuzz target ran and how long it took.

The summary is written by ``pytest_terminal_summary``, so it shows in every run (no
``-s`` needed), e.g.::

    ------------------------- fuzz summary -------------------------
    test_raw_bytes: 400 examples in 2.1 s (error 391, study 9)

``THYMOSCOPE_FUZZ_EXAMPLES`` (an integer) scales each target's example budget.
"""

from __future__ import annotations

import pytest

from tests.fuzz import _stats

_durations: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "tests/fuzz/" in report.nodeid.replace("\\", "/"):
        name = report.nodeid.rsplit("::", 1)[-1].split("[", 1)[0]
        _durations[name] = _durations.get(name, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _stats.examples:
        return
    terminalreporter.section("fuzz summary")
    total = 0
    for target, count in sorted(_stats.examples.items()):
        total += count
        kinds = sorted(
            (key.split(":", 1)[1], n)
            for key, n in _stats.outcomes.items()
            if key.split(":", 1)[0] == target
        )
        detail = ", ".join(f"{kind} {n}" for kind, n in kinds)
        seconds = _durations.get(target, 0.0)
        terminalreporter.write_line(f"{target}: {count} examples in {seconds:.1f} s ({detail})")
    seconds = sum(_durations.get(target, 0.0) for target in _stats.examples)
    terminalreporter.write_line(f"total: {total} examples in {seconds:.1f} s")
