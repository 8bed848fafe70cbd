"""``assemble``'s shortcuts (issue 14) give exactly what the plain way gives.

* A finding's texts are remembered by template and *every* value, with its type; a
  remembered text is only ever given back for the very values it was rendered from, so
  one study's values cannot show up in another's texts.
* Conclusions are ordered without their values' ``repr`` unless two of them tie.
* The order of the checks is worked out once per knowledge base, and again for another.
No timing here: the speed is measured by benchmarks/bench.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from thymoscope import api
from thymoscope.engine import diagnosis
from thymoscope.engine.diagnosis import (
    RENDERED_ENTRIES,
    Check,
    Conclusion,
    _ordered,
    assemble,
    context_key,
    rendered_text,
)
from thymoscope.engine.facts import flatten, study_data


def exact(source: str, context: Mapping[str, Any]) -> str:
    """A pure renderer whose text tells every value and type apart (like jinja2 does)."""
    return source + ":" + repr([(name, type(v).__name__, repr(v)) for name, v in context.items()])


# values that are equal (==, same hash) but render differently
TRICKY = [1, 1.0, True, 0, 0.0, -0.0, False, None, "1", (1,), [1], (1.0,), [True], ()]
values = st.sampled_from(TRICKY) | st.integers() | st.floats() | st.text(max_size=4)
contexts = st.dictionaries(
    st.sampled_from(["a", "b", "severity"]),
    values | st.lists(values, max_size=3) | st.lists(values, max_size=3).map(tuple),
    max_size=3,
)


@given(st.lists(st.tuples(st.sampled_from(["t1", "t2"]), contexts), max_size=30))
def test_a_remembered_text_is_the_text_of_the_same_values(calls: list[Any]) -> None:
    for source, context in calls:
        got = rendered_text(exact, source, context, context_key(context))
        assert got == exact(source, context)


def test_equal_values_of_other_types_are_not_confused() -> None:
    for value in TRICKY:
        context = {"x": value}
        assert rendered_text(exact, "t", context, context_key(context)) == exact("t", context)
    assert len({context_key({"x": v}) for v in TRICKY}) == len(TRICKY)


def test_unkeyable_values_are_rendered_every_time() -> None:
    calls: list[str] = []

    def counting(source: str, context: Mapping[str, Any]) -> str:
        calls.append(source)
        return source

    class Word(str):
        pass

    for value in ({"a": 1}, Word("x"), [{"a": 1}], frozenset()):
        context = {"x": value}
        assert context_key(context) is None
        rendered_text(counting, "s", context, context_key(context))
        rendered_text(counting, "s", context, context_key(context))
    assert len(calls) == 8


def test_the_memo_stays_bounded() -> None:
    for number in range(RENDERED_ENTRIES + 10):
        context = {"n": number}
        rendered_text(exact, "bounded", context, context_key(context))
    assert len(diagnosis._RENDERED) <= RENDERED_ENTRIES


conclusions = st.lists(
    st.builds(
        Conclusion,
        finding=st.sampled_from(["f1", "f2"]),
        rule=st.sampled_from(["r1", "r2"]),
        cites=st.sampled_from([(), ("a",), ("a", "b")]),
        values=st.lists(st.tuples(st.sampled_from(["x", "y"]), values), max_size=2).map(tuple),
    ),
    max_size=8,
)


@given(conclusions)
def test_conclusions_keep_the_full_order(found: list[Conclusion]) -> None:
    full = sorted(found, key=lambda c: (c.finding, c.rule, c.cites, repr(c.values)))
    assert _ordered(found) == full


def _conclusions(study: Any) -> tuple[list[Conclusion], dict[str, Any]]:
    data = study_data(study)
    return api.diagnoser().conclusions(data), flatten(data)


def _studies(make_study: Any) -> list[Any]:
    return [
        make_study(result={"primary": primary}, design={"sample_size": size})
        for primary in ("benefit", "no_significant_effect", "harm")
        for size in (12, 40, 400)
    ]


def test_assemble_gives_the_same_findings_with_a_warm_or_a_cold_memo(make_study: Any) -> None:
    """Each study's findings, assembled after the others (a warm memo), are those it gets
    alone (an empty memo) and those of a knowledge base that is never remembered."""
    knowledge = api.default_knowledge()
    plain = dataclasses.replace(
        knowledge, render_text=lambda s, v: knowledge.render_text(s, {**v, "_": object()})
    )
    results = [_conclusions(s) for s in _studies(make_study)]
    assert any(conclusions for conclusions, _ in results)
    warm = [assemble(knowledge, c, v, str(v["indication"])) for c, v in results * 2]
    for (found, values), got in zip(results * 2, warm, strict=True):
        diagnosis._RENDERED.clear()
        cold = assemble(knowledge, found, values, str(values["indication"]))
        never = assemble(plain, found, values, str(values["indication"]))
        assert got == cold == never


def test_another_catalogue_gets_its_own_check_order(make_study: Any) -> None:
    knowledge = api.default_knowledge()
    found, values = _conclusions(make_study())
    checks = assemble(knowledge, found, values, str(values["indication"]))[1]
    smaller = dict(list(knowledge.catalogue.items())[:-3])
    fewer = dataclasses.replace(knowledge, catalogue=smaller)
    assert [c.finding for c in assemble(fewer, [], values, "")[1]] == [
        c.finding for c in checks if c.finding in smaller
    ]
    reversed_order = dataclasses.replace(knowledge, factor_order=knowledge.factor_order[::-1])
    again = [c.finding for c in assemble(reversed_order, found, values, "x")[1]]
    assert again != [c.finding for c in checks]
    assert sorted(again) == sorted(c.finding for c in checks)


def test_the_checks_are_those_made_afresh(make_study: Any) -> None:
    """Checks shared between studies (frozen) equal the checks built for each study."""
    knowledge = api.default_knowledge()
    for study in _studies(make_study):
        found, values = _conclusions(study)
        indication = str(values["indication"])
        findings, checks = assemble(knowledge, found, values, indication)
        rank = {name: i for i, name in enumerate(knowledge.factor_order)}
        fired = {f.id for f in findings}
        expected = []
        for spec in sorted(knowledge.catalogue.values(), key=lambda s: (rank[s.factor], s.id)):
            if spec.id in fired:
                expected.append(Check(spec.id, spec.factor, "fired"))
            elif spec.applies_to and indication not in spec.applies_to:
                expected.append(Check(spec.id, spec.factor, "not_applicable"))
            else:
                unknown = tuple(p for p in spec.needs if values.get(p) is None)
                status = "not_assessable" if unknown else "not_triggered"
                expected.append(Check(spec.id, spec.factor, status, unknown))
        assert checks == expected
