"""Import experta 1.9.4 safely on Python 3.10+.

experta has three import-time problems that this module contains:

* it pins ``frozendict==1.2``, whose class body subclasses ``collections.Mapping``,
  an alias removed in Python 3.10; importing it raises ``AttributeError``.  We
  provide the alias only for the duration of the import and remove it afterwards,
  so nothing else in the process sees a patched ``collections``;
* ``experta.engine`` and ``experta.watchers`` call ``logging.basicConfig()`` at import,
  which would install a root handler in the host application; we restore the root
  logger's handlers and level;
* its ``DepthStrategy`` can leave a cancelled activation on the agenda (see
  :mod:`thymoscope.engine.strategy`), which is fixed there, not here.

One change of speed, not of behaviour: the RETE network copies a token at every node it
passes, and ``Token.copy`` rebuilt it through ``Token.__new__``, which checks again that
every fact in it is a ``Fact`` (a fifth of the matching time of a study).  A copy of a
token holds the same, already checked facts, so :func:`_copy_token` makes it directly.

The rest of the matching time went to work that decides nothing, so
:func:`quiet_network` rewires the network of each of thymoscope's engines (and only
those: experta's classes keep their code) to do what experta's nodes do without it:

* every fact was offered to the type test of every fact class at the root (8 of them;
  each copied the token first): the root now offers a fact only to the tests of its
  own class, the others being sure to fail and to do nothing;
* every node copied the token it received, though only a feature test that binds a
  variable changes it: that node now copies before the change, the others pass the
  token on (tokens are never stored; the memories keep frozen ``TokenInfo``);
* every test and node called experta's watchers (loggers; ``isEnabledFor`` and
  ``watchers.worth`` at every node, ~5% of the time), as does ``FactList.declare``:
  :func:`declare_quietly` declares without it;
* each alpha test split its field path and dispatched on its constraint's kind at every
  call: they are compiled into functions once, when the network is rewired;
* the matcher asked each of the 26 conflict-set nodes for new activations after every
  change, though a study activates a handful: it asks only those that have some.

Measured on 1,000 generated full studies (function calls per study counted with
``sys.setprofile``, which the load of the machine does not change): experta's nodes
2,662 Python and 2,278 built-in calls; rewired 997 and 1,318 (888 and 1,230 on the
scope networks of :class:`~thymoscope.engine.core.Diagnoser`).

**Watchers.** So thymoscope's engines report nothing to experta's watchers
(``experta.watchers``, the ``experta.watchers.*`` loggers): they already reported no
rule firing and no agenda (``DiagnosticEngine.run`` replaces experta's loop), and now
no match, declared fact or activation (``ExactDepthStrategy.update_agenda`` skips the
``ACTIVATIONS`` records).  thymoscope never enables those loggers;
a host application that does (``watchers.watch()``, or a root logger at DEBUG) still
gets every record from its own experta engines, and no longer hundreds per study from
thymoscope's, whose matching it can follow with ``thymoscope explain`` instead.  Tests
compare a rewired network with experta's on the bundled cases, generated studies and a
rule set with every kind of pattern, facts retracted as well as declared
(tests/engine/test_quiet_network.py).

Everything in thymoscope imports experta through this module.
"""

from __future__ import annotations

import collections
import collections.abc
import contextlib
import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

_ALIASES = ("Mapping", "MutableMapping", "Sequence", "Callable", "Hashable", "Iterable")


def _import_experta() -> ModuleType:
    if "experta" in sys.modules:
        return sys.modules["experta"]
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    added = [name for name in _ALIASES if not hasattr(collections, name)]
    for name in added:
        setattr(collections, name, getattr(collections.abc, name))
    try:
        import experta
    finally:
        for name in added:
            delattr(collections, name)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    module: ModuleType = experta
    return module


experta = _import_experta()

_Token = experta.matchers.rete.token.Token


def _copy_token(token: Any) -> Any:
    """``Token.copy``: a new token of the same tag, its facts and context copied."""
    return tuple.__new__(type(token), (token.tag, set(token.data), token.context.copy()))


_Token.copy = _copy_token

# --- a network of one engine, rewired to run without experta's watchers -------------

_rete = experta.matchers.rete
_nodes = _rete.nodes
_check = _rete.check
_VALID = _Token.TagType.VALID
_TokenInfo = _rete.token.TokenInfo
_ANDFC = experta.fieldconstraint.ANDFC
_ORFC = experta.fieldconstraint.ORFC
_NOTFC = experta.fieldconstraint.NOTFC


def _value_test(check: Any) -> Callable[[Any], Any]:
    """``FeatureCheck.__call__(value, is_fact=False)`` as a function without log calls,
    its sub-checks compiled too (the ``&``, ``|`` and ``~`` of field constraints, as
    experta's ``and_match``, ``or_match`` and ``not_equal`` combine them)."""
    how, expected = check.how, check.expected
    if isinstance(how, _ANDFC):
        parts = tuple(_value_test(part) for part in expected)

        def all_of(value: Any) -> Any:
            bound: dict[Any, Any] = {}
            for part in parts:
                result = part(value)
                if result is False:
                    return False
                if result is not True:
                    if not isinstance(result, Mapping):
                        raise TypeError("Bad check value.")
                    bound.update(result)
            return bound or True

        return all_of
    if isinstance(how, _ORFC):
        parts = tuple(_value_test(part) for part in expected)

        def any_of(value: Any) -> Any:
            for part in parts:
                result = part(value)
                if result:
                    return result
            return False

        return any_of
    if isinstance(how, _NOTFC):
        negated = _value_test(expected)

        def none_of(value: Any) -> Any:
            result = negated(value)
            if isinstance(result, Mapping):
                return {(False, key): item for key, item in result.items()}
            return not result

        return none_of
    if isinstance(how, L) and how.__bind__ is None:
        literal = how.value
        return lambda value: bool(literal == value)  # experta's ``equal_literal``, unbound
    function = check.check
    return lambda value: function(value, expected)


def _feature_test(check: Any) -> Callable[[Any], Any]:
    """``FeatureCheck.__call__`` on a fact as a function without log calls: the field
    path is split once, not at every call."""
    what = check.what
    test = _value_test(check)
    if isinstance(what, str):
        if what.startswith("__") or what.endswith("__"):
            return test  # experta tests the whole fact
        path = tuple(int(part) if part.isnumeric() else part for part in what.split("__"))
    else:
        path = (what,)
    if len(path) == 1:
        (key,) = path

        def field_test(fact: Any) -> Any:
            try:
                record = fact[key]
            except (IndexError, KeyError, TypeError):
                return False
            return test(record)

        return field_test

    def path_test(fact: Any) -> Any:
        record = fact
        try:
            for part in path:
                record = record[part]
        except (IndexError, KeyError, TypeError):
            return False
        return test(record)

    return path_test


def _quiet_matcher(check: Any) -> Callable[[Any], Any]:
    """A one-fact check of the alpha network as a function without log calls."""
    if type(check) is _check.TypeCheck:
        fact_type = check.fact_type
        return lambda fact: type(fact) == fact_type  # noqa: E721  (experta's exact test)
    if type(check) is _check.FactCapture:
        bind = check.bind
        return lambda fact: {bind: fact}
    if type(check) is _check.FeatureCheck:
        return _feature_test(check)
    return check  # type: ignore[no-any-return]  # anything else: called as experta does


def _feature_tester(node: Any, test: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``FeatureTesterNode.activate``; the token is copied only when its context grows."""
    children = node.children

    def activate(token: Any) -> Any:
        data = token.data
        if len(data) != 1:
            raise ValueError("a feature tester takes a token of one fact")
        (fact,) = data
        match = test(fact)
        if match:
            if match is not True and isinstance(match, Mapping):
                context = token.context
                for key, value in match.items():
                    if isinstance(key, tuple):  # a negated condition
                        if key[1] in context and context[key[1]] == value:
                            return False
                    else:
                        if context.get(key, value) != value:
                            return False
                        if (False, key) in context and context[(False, key)] == value:
                            return False
                context = context.copy()
                context.update(match)
                token = tuple.__new__(type(token), (token.tag, data, context))
            for child in children:
                child.callback(token)
        return None

    return activate


def _where(node: Any) -> Callable[[Any], None]:
    """``WhereNode.activate`` without the copy (it never changes the token)."""
    children = node.children
    check = node.matcher
    if type(check) is _check.WhereCheck:
        test, names = check.test, tuple(check.parameters)

        def passes(context: Any) -> Any:
            return test(**{name: context.get(name) for name in names})
    else:
        passes = check

    def activate(token: Any) -> None:
        if passes(token.context):
            for child in children:
                child.callback(token)

    return activate


def _info(token: Any) -> Any:
    """``token.to_info()``: its facts and context, frozen."""
    return tuple.__new__(_TokenInfo, (frozenset(token.data), frozenset(token.context.items())))


def _ordinary_match(node: Any, is_left: bool) -> Callable[[Any], None]:
    """``OrdinaryMatchNode.activate_left``/``_right`` without the copy and log calls."""
    children = node.children
    matcher = node.matcher
    token_class = _Token

    def activate(token: Any) -> None:
        if is_left:
            branch_memory, matching_memory = node.left_memory, node.right_memory
        else:
            branch_memory, matching_memory = node.right_memory, node.left_memory
        if token.tag is _VALID:
            branch_memory.append(_info(token))
        else:
            with contextlib.suppress(ValueError):
                branch_memory.remove(_info(token))
        context = token.context
        for other_data, other_context in matching_memory:
            other_context = dict(other_context)
            match = matcher(context, other_context) if is_left else matcher(other_context, context)
            if match:
                new_context = {k: v for k, v in context.items() if isinstance(k, str)}
                for k, v in other_context.items():
                    if not isinstance(k, tuple):
                        new_context[k] = v
                new_token = tuple.__new__(
                    token_class, (token.tag, token.data | other_data, new_context)
                )
                for child in children:
                    child.callback(new_token)

    return activate


def _bus_add(root: Any) -> Callable[[Any], None]:
    """``BusNode.add`` that offers a fact only to the type tests it can pass."""
    by_type: dict[type, list[Any]] = {}

    def offered(fact_type: type) -> list[Any]:
        callbacks = []
        for child in root.children:
            node: Any = child.node
            if (
                type(node) is _nodes.FeatureTesterNode
                and type(node.matcher) is _check.TypeCheck
                and node.matcher.fact_type != fact_type
            ):
                continue  # its ``type(fact) == fact_type`` would fail: it would do nothing
            callbacks.append(child.callback)
        return callbacks

    def add(fact: Any) -> None:
        fact_type = type(fact)
        callbacks = by_type.get(fact_type)
        if callbacks is None:
            callbacks = by_type[fact_type] = offered(fact_type)
        if isinstance(fact, experta.Fact):
            token = tuple.__new__(_Token, (_VALID, {fact}, {}))
        else:
            token = _Token.valid(fact)  # raises TypeError, as experta does
        for callback in callbacks:
            callback(token)

    return add


def _quiet_callback(child: Any) -> Callable[[Any], Any]:
    node, name = child.node, child.callback.__name__
    kind = type(node)
    if kind is _nodes.FeatureTesterNode and name == "activate":
        return _feature_tester(node, _quiet_matcher(node.matcher))
    if kind is _nodes.WhereNode and name == "activate":
        return _where(node)
    if kind is _nodes.OrdinaryMatchNode and name in ("activate_left", "activate_right"):
        return _ordinary_match(node, name == "activate_left")
    if kind is _nodes.ConflictSetNode and name == "activate":
        return node._activate  # type: ignore[no-any-return]
    if kind is _nodes.NotNode and name == "activate_left":
        return node._activate_left  # type: ignore[no-any-return]
    if kind is _nodes.NotNode and name == "activate_right":
        return node._activate_right  # type: ignore[no-any-return]
    return child.callback  # type: ignore[no-any-return]  # a node this does not know


def declare_quietly(facts: Any, fact: Any) -> Any:
    """``FactList.declare(fact)`` without its call to experta's ``FACTS`` watcher.

    The fact is checked, identified by its class and non-special items, and added
    unless an equal fact is already there (then None), exactly as experta does.
    """
    if not isinstance(fact, experta.Fact):
        raise ValueError("The fact must descend the Fact class.")
    fact.validate()
    items: list[Any] = [
        (k, v)
        for k, v in fact.items()
        # not ``Fact.is_special(k)``
        if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))
    ]
    items.append(fact.__class__)
    fact_id = frozenset(items)
    if facts.duplication or fact_id not in facts.reference_counter:
        index = facts.last_index
        fact.__factid__ = index
        facts[index] = fact
        facts.last_index += 1
        facts.added.append(fact)
        facts.reference_counter[fact_id] += 1
        return fact
    return None


def _changes(matcher: Any) -> Callable[..., tuple[list[Any], list[Any]]]:
    """``ReteMatcher.changes`` that asks only the conflict-set nodes holding changes.

    experta asks every conflict-set node, each handing over its two sets of added and
    removed activations and starting two new ones; a node whose sets are both empty
    hands over nothing, so it is skipped.
    """
    root = matcher.root_node
    conflict_set_nodes = tuple(matcher._get_conflict_set_nodes())

    def changes(adding: Any = None, deleting: Any = None) -> tuple[list[Any], list[Any]]:
        if deleting is not None:
            for fact in deleting:
                root.remove(fact)
        if adding is not None:
            for fact in adding:
                root.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        for node in conflict_set_nodes:
            if node.added or node.removed:
                node_added, node_removed = node.get_activations()
                added.extend(node_added)
                removed.extend(node_removed)
        return added, removed

    return changes


def quiet_network(matcher: Any, nodes: Iterable[Any]) -> None:
    """Rewire one engine's RETE network, in place, to match as experta does but faster.

    Every node's children get callbacks that do what experta's ``activate`` methods do,
    without their calls to experta's watchers (loggers) and without copying a token
    that the node does not change; the root offers a fact only to the type tests of its
    own type, and the matcher collects activations only from the conflict-set nodes
    that have some.  Only this network changes: experta's classes, and so every other
    engine in the process, keep their code.
    """
    root = matcher.root_node
    if "add" in vars(root):
        return  # rewired already
    for node in nodes:
        node.children[:] = [
            _rete.mixins.ChildNode(child.node, _quiet_callback(child)) for child in node.children
        ]
    root.add = _bus_add(root)
    matcher.changes = _changes(matcher)


from experta import (  # noqa: E402
    AS,
    MATCH,
    NOT,
    OR,
    TEST,
    KnowledgeEngine,
    L,
    P,
    W,
)

_F = TypeVar("_F", bound=Callable[..., Any])

if TYPE_CHECKING:
    # experta ships no type information. For a type checker, say what the project relies
    # on: a fact is a dict of field values, and ``@Rule(...)`` gives back the method it
    # decorates (at run time it returns the Rule object, which calls that method).

    class Fact(dict[str, Any]):
        pass

    class Rule:
        def __init__(self, *conditions: Any, salience: int = 0) -> None: ...

        def __call__(self, method: _F) -> _F: ...

else:
    from experta import Fact, Rule

__all__ = [
    "AS",
    "MATCH",
    "NOT",
    "OR",
    "TEST",
    "Fact",
    "KnowledgeEngine",
    "L",
    "P",
    "Rule",
    "W",
    "declare_quietly",
    "quiet_network",
]
