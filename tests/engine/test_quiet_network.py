"""A quiet network (``experta_compat.quiet_network``) matches exactly as experta's own.

Each test runs the same work on an engine whose network was rewired (the default) and
on one that keeps experta's node code (``quiet=False``) and compares what fired, in
order: on the bundled cases, on generated studies, and on a toy rule set that uses
every kind of pattern with facts declared *and retracted* (the invalid tokens a
retraction sends, which the knowledge base's rules never cause).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import bundled_case_names
from tests.strategies import studies
from thymoscope.engine.core import DiagnosticEngine
from thymoscope.engine.diagnosis import Conclusion
from thymoscope.engine.experta_compat import (
    AS,
    MATCH,
    NOT,
    OR,
    TEST,
    Fact,
    KnowledgeEngine,
    L,
    P,
    Rule,
    W,
    declare_quietly,
    experta,
)
from thymoscope.engine.facts import flatten, study_data
from thymoscope.kb import knowledge
from thymoscope.study.loader import parse_study

KB_ENGINE = type("KbEngine", (*knowledge().rule_sets, DiagnosticEngine), {})
QUIET, PLAIN = KB_ENGINE(), KB_ENGINE(quiet=False)


def _fired(conclusions: list[Conclusion]) -> list[tuple[Any, ...]]:
    return [(c.rule, c.finding, c.cites, c.values, c.severity) for c in conclusions]


def _same_on_study(study: Any) -> None:
    data = study_data(study)
    values = flatten(data)
    quiet = QUIET.evaluate(knowledge().to_facts(data), values)
    plain = PLAIN.evaluate(knowledge().to_facts(data), values)
    assert _fired(quiet) == _fired(plain)


def test_the_network_is_rewired_only_when_asked() -> None:
    assert "add" in vars(QUIET.matcher.root_node)
    assert "add" not in vars(PLAIN.matcher.root_node)


def test_quiet_network_concludes_as_experta_on_bundled_cases() -> None:
    root = files("thymoscope.kb.cases")
    for name in bundled_case_names():
        _same_on_study(parse_study(root.joinpath(name).read_text(encoding="utf-8"), name))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_quiet_network_concludes_as_experta_on_generated_studies(study: Any) -> None:
    _same_on_study(study)


# --- every kind of pattern, with retractions ----------------------------------------


class Thing(Fact):  # type: ignore[misc]
    pass


class Other(Fact):  # type: ignore[misc]
    pass


class Toy(DiagnosticEngine):
    @Rule(Thing(kind=MATCH.kind), Other(kind=MATCH.kind))
    def joined(self, kind: str) -> None:
        self.conclude("joined", kind=kind)

    @Rule(Thing(size=P(lambda x: x > 2)), NOT(Other(kind="b")))
    def big_without_other_b(self) -> None:
        self.conclude("big_without_other_b")

    @Rule(AS.thing << Thing(kind=L("a") | L("b")), TEST(lambda thing: thing.get("size", 0) < 3))
    def small_a_or_b(self, thing: Any) -> None:
        self.conclude("small_a_or_b", size=thing.get("size"))

    @Rule(Thing(kind=~L("a") & MATCH.kind), NOT(Other(kind=MATCH.kind)))
    def unmatched(self, kind: str) -> None:
        self.conclude("unmatched", kind=kind)

    @Rule(Thing(tags=W()), Other(size=MATCH.size), TEST(lambda size: size != 1))
    def tagged(self, size: int) -> None:
        self.conclude("tagged", size=size)

    @Rule(OR(Thing(kind="c"), Other(kind="c")))
    def some_c(self) -> None:
        self.conclude("some_c")

    @Rule(Thing(info__level=MATCH.level), Other(size=MATCH.level))
    def nested(self, level: int) -> None:
        self.conclude("nested", level=level)

    @Rule(Other(MATCH.first), salience=5)
    def positional(self, first: str) -> None:
        self.conclude("positional", first=first)

    @Rule(NOT(Thing()))
    def nothing(self) -> None:
        self.conclude("nothing")


KINDS = ("a", "b", "c")


@st.composite
def toy_facts(draw: st.DrawFn) -> Fact:
    fields: dict[str, Any] = {"kind": draw(st.sampled_from(KINDS))}
    if draw(st.booleans()):
        fields["size"] = draw(st.integers(0, 4))
    if draw(st.booleans()):
        fields["tags"] = draw(st.lists(st.sampled_from(KINDS), max_size=2))
    if draw(st.booleans()):
        fields["info"] = {"level": draw(st.integers(0, 4))}
    if draw(st.booleans()):
        return Other(draw(st.sampled_from(KINDS)), **fields)
    return draw(st.sampled_from([Thing, Other]))(**fields)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("declare"), toy_facts()),
        st.tuples(st.just("retract"), st.integers(0, 20)),
        st.tuples(st.just("run"), st.none()),
    ),
    max_size=25,
)


def _play(engine: Toy, first: list[Fact], steps: list[tuple[str, Any]]) -> list[Any]:
    engine.evaluate([fact.copy() for fact in first], {})
    fired = [_fired(engine.conclusions)]
    for action, argument in steps:
        if action == "declare":
            engine.declare(argument.copy())
        elif action == "retract" and len(engine.facts) > 1:
            ids = [i for i in engine.facts if i != 0]  # keep InitialFact
            engine.retract(ids[argument % len(ids)])
        else:
            engine.conclusions = []
            engine.run()
            fired.append(_fired(engine.conclusions))
    return fired


TOY_QUIET, TOY_PLAIN = Toy(), Toy(quiet=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(toy_facts(), max_size=8), operations)
def test_quiet_network_fires_as_experta_with_retractions(
    first: list[Fact], steps: list[tuple[str, Any]]
) -> None:
    assert _play(TOY_QUIET, first, steps) == _play(TOY_PLAIN, first, steps)


def test_the_toy_rules_all_fire_somewhere() -> None:
    first = [
        Thing(kind="b", size=1, tags=["a"], info={"level": 2}),
        Other("x", kind="b", size=2),
        Thing(kind="c", size=4),
    ]
    fired = {rule for rule, *_ in _play(TOY_QUIET, first, [])[0]}
    fired |= {rule for rule, *_ in _play(TOY_QUIET, [], [])[0]}
    expected = {"joined", "small_a_or_b", "unmatched", "tagged", "some_c", "nested"}
    assert fired >= expected | {"positional", "nothing"}
    assert {rule for rule, *_ in _play(TOY_QUIET, [Thing(kind="a", size=3)], [])[0]} >= {
        "big_without_other_b"
    }


# --- experta's watchers --------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def watched() -> Iterator[_Records]:
    """experta's watchers switched on, their records collected."""
    watchers = experta.watchers
    logger = logging.getLogger(watchers.__name__)
    saved = {name: getattr(watchers, name).level for name in watchers.ALL}
    handler = _Records()
    logger.addHandler(handler)
    watchers.watch()
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        for name, level in saved.items():
            getattr(watchers, name).setLevel(level)


class HostEngine(KnowledgeEngine):  # type: ignore[misc]
    """An application's own experta engine, beside thymoscope's."""

    @Rule(Thing(kind=MATCH.kind))
    def seen(self, kind: str) -> None:
        pass


def test_other_engines_still_report_to_experta_watchers(watched: _Records) -> None:
    host = HostEngine()
    host.reset()
    host.declare(Thing(kind="a"))
    host.run()
    names = {record.name.rsplit(".", 1)[-1] for record in watched.records}
    assert {"MATCH", "MATCHER", "RULES"} <= names


def test_thymoscope_engines_match_without_experta_watchers(watched: _Records) -> None:
    study = parse_study(
        files("thymoscope.kb.cases").joinpath(bundled_case_names()[0]).read_text("utf-8"), "x"
    )
    data = study_data(study)
    QUIET.evaluate(knowledge().to_facts(data), flatten(data))
    names = {record.name.rsplit(".", 1)[-1] for record in watched.records}
    assert not names & {"MATCH", "MATCHER", "RULES", "AGENDA"}


@settings(max_examples=200, deadline=None)
@given(st.lists(toy_facts(), max_size=12))
def test_declare_quietly_declares_as_experta(facts: list[Fact]) -> None:
    quiet, plain = experta.factlist.FactList(), experta.factlist.FactList()
    for fact in facts:
        mine, theirs = fact.copy(), fact.copy()
        assert (declare_quietly(quiet, mine) is None) == (plain.declare(theirs) is None)
    assert dict(quiet) == dict(plain)
    assert quiet.reference_counter == plain.reference_counter
    assert quiet.added == plain.added
    assert quiet.last_index == plain.last_index


def test_declare_quietly_refuses_what_experta_refuses() -> None:
    with pytest.raises(ValueError, match="must descend the Fact class"):
        declare_quietly(experta.factlist.FactList(), {"kind": "a"})


def test_quiet_pair_network_compares_as_experta_on_bundled_cases() -> None:
    from thymoscope.engine.pairs import PairDiagnoser
    from thymoscope.kb.comparison import pair_knowledge

    quiet = PairDiagnoser(pair_knowledge())
    plain = PairDiagnoser(pair_knowledge())
    plain.engine = type(plain.engine)(quiet=False)
    assert "add" in vars(quiet.engine.matcher.root_node)
    root = files("thymoscope.kb.cases")
    cases = [
        parse_study(root.joinpath(name).read_text(encoding="utf-8"), name)
        for name in bundled_case_names()
    ]
    for a, b in zip(cases, [*cases[1:], cases[0]], strict=True):
        assert quiet.compare(a, b) == plain.compare(a, b)
        assert _fired(quiet.engine.conclusions) == _fired(plain.engine.conclusions)
