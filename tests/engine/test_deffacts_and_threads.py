"""(b) @DefFacts state lives on the class; our engines define none and are thread-safe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import bundled_case_names
from tests.strategies import studies
from thymoscope.engine.core import Diagnoser, DiagnosticEngine
from thymoscope.engine.experta_compat import Fact, KnowledgeEngine, experta
from thymoscope.kb import knowledge
from thymoscope.study.loader import parse_study

DefFacts = experta.DefFacts


class Owner(Fact):  # type: ignore[misc]
    pass


class Greeter(KnowledgeEngine):  # type: ignore[misc]
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__()

    @DefFacts()
    def owner(self):  # type: ignore[no-untyped-def]
        yield Owner(name=self.name)


def test_raw_experta_deffacts_are_shared_between_engines() -> None:
    first, second = Greeter("first"), Greeter("second")
    mine = next(d for d in first.get_deffacts() if d.__name__ == "owner")
    # Looking the DefFacts up on the second engine rebinds the one class-level object ...
    theirs = next(d for d in second.get_deffacts() if d.__name__ == "owner")
    assert mine is theirs
    # ... so the first engine's handle now produces the second engine's facts.
    assert [f["name"] for f in mine()] == ["second"]


def test_our_engines_define_no_deffacts() -> None:
    engine_class = type(Diagnoser(knowledge()).engine)
    for cls in engine_class.__mro__:
        if cls is KnowledgeEngine:
            continue  # experta's own InitialFact DefFacts, never called by our engines
        assert not any(isinstance(v, DefFacts) for v in vars(cls).values()), cls
    assert DiagnosticEngine().get_deffacts() == []


def _bundled_studies() -> list[Any]:
    from importlib.resources import files

    root = files("thymoscope.kb.cases")
    return [
        parse_study(root.joinpath(n).read_text(encoding="utf-8"), n) for n in bundled_case_names()
    ]


def _result(diagnosis: Any) -> tuple[Any, ...]:
    return (diagnosis.study_id, diagnosis.findings, diagnosis.checks)


def _concurrent(study_list: list[Any], rounds: int = 4) -> list[tuple[Any, ...]]:
    diagnosers = [Diagnoser(knowledge()), Diagnoser(knowledge())]
    jobs = [(diagnosers[i % 2], s) for i, s in enumerate(study_list * rounds)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda job: _result(job[0].diagnose(job[1])), jobs))


def test_two_diagnosers_in_threads_match_serial_on_bundled_cases() -> None:
    study_list = _bundled_studies()
    serial_diagnoser = Diagnoser(knowledge())
    serial = [_result(serial_diagnoser.diagnose(s)) for s in study_list]
    assert _concurrent(study_list) == serial * 4


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(studies(), min_size=4, max_size=10))
def test_two_diagnosers_in_threads_match_serial(study_list: list[Any]) -> None:
    serial_diagnoser = Diagnoser(knowledge())
    serial = [_result(serial_diagnoser.diagnose(s)) for s in study_list]
    assert _concurrent(study_list, rounds=2) == serial * 2
