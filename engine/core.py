"""The rule engine: experta with the project's guards, reused across studies.

* rules only *record* conclusions and never change working memory, so the agenda
  never has to cancel an activation (and :class:`ExactDepthStrategy` would do it
  correctly if one did);
* no ``@DefFacts``: experta keeps their state on the class, shared by every engine;
  facts are declared per study by :meth:`DiagnosticEngine.evaluate`;
* experta's ``Rule`` objects bind the engine on the *class* as well, so one engine
  must not be entered from two threads at once: :class:`Diagnoser` holds a lock.
  Batches use processes, each with its own engine (see :mod:`thymoscope.engine.batch`).

Matching is most of the time of a diagnosis, so (outputs unchanged byte for byte):

* :class:`Diagnoser` runs a study on a network of only the rules that can fire for its
  scope value (the knowledge base's ``scope_field``; a rule declares the values it is
  limited to with ``applies_to``), built the first time a study needs it: the rules
  and alpha tests of the other values are not tried.  Which rules fire, and so every
  conclusion, is the same (tests/engine/test_scoped_engines.py); the order of
  conclusions may differ, as it already did between processes (experta orders tied
  activations by hash), and :func:`~thymoscope.engine.diagnosis.assemble` sorts them;
* each engine's network is rewired by
  :func:`~thymoscope.engine.experta_compat.quiet_network` (no token copies that change
  nothing, no type tests sure to fail, no calls to experta's watchers);
* :meth:`DiagnosticEngine.evaluate` resets only the nodes that have a memory, and each
  matcher keeps its own list of conflict-set nodes (experta caches one matcher's at a
  time, so alternating engines walked the network again at every switch).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from typing import Any

from pydantic import BaseModel

from thymoscope.engine.diagnosis import Conclusion, Diagnosis, KnowledgeBase, assemble
from thymoscope.engine.experta_compat import (
    Fact,
    KnowledgeEngine,
    declare_quietly,
    experta,
    quiet_network,
)
from thymoscope.engine.facts import flatten, study_data
from thymoscope.engine.rules import RuleError, RuleSet, rule_specs
from thymoscope.engine.strategy import ExactDepthStrategy

_Agenda = experta.agenda.Agenda
_FactList = experta.factlist.FactList
_InitialFact = experta.fact.InitialFact
_NO_MEMORY_RESET = experta.matchers.rete.mixins.NoMemory._reset


def _network_nodes(root: Any) -> tuple[Any, ...]:
    """Every node of a RETE network once, from its root (a node may have many parents)."""
    nodes: dict[int, Any] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) not in nodes:
            nodes[id(node)] = node
            pending.extend(child.node for child in node.children)
    return tuple(nodes.values())


class DiagnosticEngine(RuleSet, KnowledgeEngine):  # type: ignore[misc]
    """A knowledge engine whose rules call :meth:`conclude` to record findings."""

    __strategy__ = ExactDepthStrategy

    def __init__(self, rules: Collection[str] | None = None, *, quiet: bool = True) -> None:
        """``rules``: the names of the rule methods to build the network of (None: all);
        ``quiet``: rewire the network to match without experta's watchers (see
        :func:`~thymoscope.engine.experta_compat.quiet_network`; False keeps experta's
        own node code, which tests compare it with)."""
        self._only = None if rules is None else frozenset(rules)
        self._rules: list[Any] | None = None
        super().__init__()
        self._nodes = _network_nodes(self.matcher.root_node)
        # experta finds the conflict-set nodes by walking the network, its result kept
        # by an ``lru_cache(maxsize=1)`` on the method, which every matcher shares: with
        # an engine per scope value it would walk again at every change of engine
        conflict_set_nodes = self.matcher._get_conflict_set_nodes()
        self.matcher._get_conflict_set_nodes = lambda: conflict_set_nodes
        # the nodes whose reset does something (the alpha tests keep no memory)
        self._memories = tuple(n for n in self._nodes if type(n)._reset is not _NO_MEMORY_RESET)
        self._quiet = quiet
        if quiet:
            quiet_network(self.matcher, self._nodes)
        self.conclusions: list[Conclusion] = []
        self.values: dict[str, Any] = {}
        self._firing = ""

    # experta walks every attribute with inspect.getmembers on each call; the set
    # of rules of an engine class never changes, so look once.
    def get_rules(self) -> list[Any]:
        if self._rules is None:
            rules = super().get_rules()
            if self._only is not None:
                rules = [rule for rule in rules if rule.__name__ in self._only]
                missing = self._only - {rule.__name__ for rule in rules}
                if missing:
                    raise RuleError(f"no such rules in {type(self).__name__}: {sorted(missing)}")
            self._rules = rules
        return self._rules

    def get_deffacts(self) -> list[Any]:
        return []

    def evaluate(self, facts: Iterable[Fact], values: dict[str, Any]) -> list[Conclusion]:
        """Run every rule against ``facts`` from a fresh working memory."""
        self.agenda = _Agenda()
        self.facts = _FactList()
        for node in self._memories:  # what matcher.reset() does, without its recursion
            node._reset()
        self.conclusions = []
        self.values = values
        declare = declare_quietly if self._quiet else _FactList.declare
        declare(self.facts, _InitialFact())
        for fact in facts:
            declare(self.facts, fact)
        self.run()
        return self.conclusions

    def run(self, steps: float = float("inf")) -> None:
        self.running = True
        matched = False
        while steps > 0 and self.running:
            # experta asks the network for new activations before every firing; with no
            # fact declared or retracted since (rules here only record conclusions) it
            # has none, so ask only when working memory changed
            if not matched or self.facts.added or self.facts.removed:
                added, removed = self.get_activations()
                self.strategy.update_agenda(self.agenda, added, removed)
                matched = True
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            self._firing = activation.rule.__name__
            context = {k: v for k, v in activation.context.items() if not k.startswith("__")}
            activation.rule(self, **context)
        self.running = False

    def conclude(
        self, finding: str, *cites: str, severity: str | None = None, **values: Any
    ) -> None:
        """Record that ``finding`` holds, citing study fields by dotted path."""
        for path in cites:
            if path not in self.values:
                raise KeyError(f"rule {self._firing} cites {path!r}, which is not a study field")
        self.conclusions.append(
            Conclusion(
                finding=finding,
                rule=self._firing,
                cites=tuple(sorted(set(cites))),
                values=tuple(sorted(values.items())),
                severity=severity,
            )
        )


class Diagnoser:
    """Diagnoses studies with engines built from a knowledge base, one per scope value.

    A rule declared to apply to some values of the knowledge base's scope field
    (``applies_to``) cannot fire for any other value, so a study is run on a network
    holding only the rules that can fire for its scope value: the unrestricted rules and
    those naming the value.  A value no rule names gets the full network.  Each engine
    is built the first time a study needs it (a single study builds one network).
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self._engine_class = type("ThymoscopeEngine", (*knowledge.rule_sets, DiagnosticEngine), {})
        specs = rule_specs(knowledge.rule_sets)
        named = dict.fromkeys(value for spec in specs for value in spec.applies_to)
        self._scope_rules: dict[str, frozenset[str]] = {
            value: frozenset(s.rule for s in specs if not s.applies_to or value in s.applies_to)
            for value in named
        }
        self._engines: dict[str | None, DiagnosticEngine] = {}
        self._last: DiagnosticEngine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> DiagnosticEngine:
        """The engine that ran the last study (before any study, the full network)."""
        if self._last is None:
            with self._lock:
                self._last = self.engine_for(None)
        return self._last

    def engine_for(self, scope: Any) -> DiagnosticEngine:
        """The engine for a study whose scope field holds ``scope`` (built on first use).

        Not thread-safe by itself: :meth:`conclusions` calls it under the lock.
        """
        key = scope if isinstance(scope, str) and scope in self._scope_rules else None
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = self._engine_class(self.rules_for(key))
        return engine

    def rules_for(self, scope: Any) -> frozenset[str] | None:
        """The names of the rules run for ``scope`` (None: every rule)."""
        return self._scope_rules.get(scope) if isinstance(scope, str) else None

    def conclusions(
        self,
        data: dict[str, Any],
        facts: list[Fact] | None = None,
        values: dict[str, Any] | None = None,
    ) -> list[Conclusion]:
        """What the rules conclude about a dumped study (``facts``: its facts, reordered;
        ``values``: its ``flatten(data)`` when already made)."""
        declared = self.knowledge.to_facts(data) if facts is None else facts
        scope = data.get(self.knowledge.scope_field)
        with self._lock:
            engine = self._last = self.engine_for(scope)
            return list(engine.evaluate(declared, flatten(data) if values is None else values))

    def diagnose(
        self, study: BaseModel, source: str | None = None, facts: list[Fact] | None = None
    ) -> Diagnosis:
        """Diagnose one validated study; ``facts`` may reorder the study's own facts."""
        data = study_data(study)  # dumped once: values and facts both derive from it
        values = flatten(data)
        conclusions = self.conclusions(data, facts, values)
        scope = str(values.get(self.knowledge.scope_field))
        findings, checks = assemble(self.knowledge, conclusions, values, scope)
        return Diagnosis(
            study_id=str(values["id"]),
            title=str(values["title"]),
            indication=scope,
            source=source,
            findings=findings,
            checks=checks,
            key_facts=values,
        )
