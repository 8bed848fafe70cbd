"""(a) experta's DepthStrategy can fire a cancelled activation; ExactDepthStrategy does not.

Five rules match the same fact with the same salience, so their agenda keys tie. The
first to fire declares ``Blocker``, which makes ``guarded``'s ``NOT(Blocker())`` false
and cancels its activation. DepthStrategy looks for the cancelled activation only at
three slots around its bisect position (first tie, second tie, last element); with the
ties ordered ``[r1, r2, guarded, r4, blocker]`` it misses ``guarded``, which then fires.
The order of tied activations comes from hashing inside the matcher, so the test puts
the agenda in that (valid, equally sorted) order itself to be deterministic.
"""

from __future__ import annotations

from typing import Any

import pytest

from thymoscope.engine.core import DiagnosticEngine
from thymoscope.engine.experta_compat import NOT, Fact, KnowledgeEngine, Rule, experta
from thymoscope.engine.strategy import ExactDepthStrategy, activation_key

TIE_ORDER = ["r1", "r2", "guarded", "r4", "blocker"]  # the last one fires first


class Go(Fact):  # type: ignore[misc]
    pass


class Blocker(Fact):  # type: ignore[misc]
    pass


def engine_class(strategy: type) -> type:
    class Engine(KnowledgeEngine):  # type: ignore[misc]
        __strategy__ = strategy

        def __init__(self) -> None:
            super().__init__()
            self.fired: list[str] = []

        @Rule(Go())
        def r1(self) -> None:
            self.fired.append("r1")

        @Rule(Go())
        def r2(self) -> None:
            self.fired.append("r2")

        @Rule(Go(), NOT(Blocker()))
        def guarded(self) -> None:
            self.fired.append("guarded")

        @Rule(Go())
        def r4(self) -> None:
            self.fired.append("r4")

        @Rule(Go())
        def blocker(self) -> None:
            self.fired.append("blocker")
            self.declare(Blocker())

    return Engine


def run_with_tie_order(strategy: type) -> list[str]:
    engine: Any = engine_class(strategy)()
    engine.reset()
    engine.declare(Go())
    added, removed = engine.get_activations()
    engine.strategy.update_agenda(engine.agenda, added, removed)
    activations = engine.agenda.activations
    assert len(activations) == 5
    assert len({repr(a.key) for a in activations}) == 1, "all five keys must tie"
    by_name = {a.rule.__name__: a for a in activations}
    activations[:] = [by_name[name] for name in TIE_ORDER]
    engine.run()
    return engine.fired


def test_depth_strategy_fires_a_cancelled_activation() -> None:
    fired = run_with_tie_order(experta.strategies.DepthStrategy)
    assert fired[0] == "blocker"
    assert "guarded" in fired, "experta's defect no longer reproduces"


def test_exact_depth_strategy_removes_the_cancelled_activation() -> None:
    fired = run_with_tie_order(ExactDepthStrategy)
    assert fired[0] == "blocker"
    assert "guarded" not in fired
    assert sorted(fired) == ["blocker", "r1", "r2", "r4"]


@pytest.mark.parametrize("seed_order", [TIE_ORDER, TIE_ORDER[::-1], sorted(TIE_ORDER)])
def test_exact_depth_strategy_never_fires_guarded_after_blocker(seed_order: list[str]) -> None:
    engine: Any = engine_class(ExactDepthStrategy)()
    engine.reset()
    engine.declare(Go())
    added, removed = engine.get_activations()
    engine.strategy.update_agenda(engine.agenda, added, removed)
    by_name = {a.rule.__name__: a for a in engine.agenda.activations}
    engine.agenda.activations[:] = [by_name[name] for name in seed_order]
    engine.run()
    if "blocker" in engine.fired and "guarded" in engine.fired:
        assert engine.fired.index("guarded") < engine.fired.index("blocker")


def test_activation_key_orders_like_experta() -> None:
    engine: Any = engine_class(experta.strategies.DepthStrategy)()
    engine.reset()
    engine.declare(Go())
    added, _ = engine.get_activations()
    for activation in added:
        assert activation_key(activation) == engine.strategy.get_key(activation)


def test_diagnostic_engine_uses_the_exact_strategy() -> None:
    from thymoscope.api import diagnoser

    assert DiagnosticEngine.__strategy__ is ExactDepthStrategy
    assert isinstance(diagnoser().engine.strategy, ExactDepthStrategy)
