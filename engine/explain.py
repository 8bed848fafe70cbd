"""Why a finding fired or not, and which changes to a study would change that.

Everything here is read from the rules' declarations (``@concludes``, see
:mod:`thymoscope.engine.rules`) and checked by running the real rules on changed
studies; nothing restates a rule. For a finding that did not fire, an
:class:`Explanation` says per rule whether the study is outside the rule's scope,
which needed fields it leaves unknown, and which declared conditions its values fail;
where the declaration cannot tell (a numeric threshold inside the rule's pattern), it
tries values and keeps those that make the rule fire. For a finding that fired, it lists
the smallest sets of changes that silence it: one field first, two only when no single
field will do. A change counts only when the changed study is valid and the finding is
then *judged and not triggered*: making a fact unknown never silences a finding.

Nothing here knows about any domain: the knowledge base supplies the values worth trying
for a field (:class:`Explainer` ``candidates``) and how a changed study is validated
(``validate``).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from thymoscope.engine.core import Diagnoser
from thymoscope.engine.facts import flatten
from thymoscope.engine.rules import RuleSpec, rule_specs

FIRED = "fired"
NOT_TRIGGERED = "not_triggered"
NOT_APPLICABLE = "not_applicable"
NOT_ASSESSABLE = "not_assessable"


class InvalidChange(ValueError):
    """A changed study the model refuses; ``field`` is the dotted path it names."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Change:
    """Set the field at ``path`` (a concrete dotted path) to ``value``; it was ``was``."""

    path: str
    value: Any
    was: Any = None


@dataclass(frozen=True)
class Proposal:
    """Changes verified on the engine, and what else they do to the diagnosis."""

    changes: tuple[Change, ...]
    appear: tuple[str, ...] = ()  # other findings the changed study fires
    go_away: tuple[str, ...] = ()  # other findings it no longer fires


@dataclass(frozen=True)
class Judged:
    """One declared ``when`` condition of a rule, judged on the study's value."""

    path: str
    value: Any
    allowed: tuple[Any, ...] = ()  # enabling values (empty for a "not" condition)
    refused: tuple[Any, ...] = ()  # values that silence it (a "not" condition)
    holds: bool | None = None  # None: the study leaves the value unknown


@dataclass(frozen=True)
class RuleAccount:
    """What one rule of the finding made of the study."""

    rule: str
    fired: bool
    reads: tuple[str, ...]
    cited: tuple[str, ...]  # the study fields the rule cited when it fired
    applies_to: tuple[str, ...]
    in_scope: bool
    unknown: tuple[str, ...]  # the rule's needed fields the study leaves unknown
    conditions: tuple[Judged, ...]
    enabling: tuple[Proposal, ...] = ()  # single changes verified to make it fire
    searched: bool = False  # whether enabling changes were looked for

    @property
    def failed(self) -> tuple[Judged, ...]:
        return tuple(c for c in self.conditions if c.holds is False)


@dataclass(frozen=True)
class Explanation:
    finding: str
    status: str  # fired | not_triggered | not_applicable | not_assessable
    scope_field: str
    scope: Any  # the study's value of the scope field
    applies_to: tuple[str, ...]  # the finding's scope (empty: everywhere)
    unknown: tuple[str, ...]  # needed fields left unknown (not_assessable)
    rules: tuple[RuleAccount, ...]
    silencing: tuple[Proposal, ...] = ()  # for a fired finding: design changes
    if_results_differed: tuple[Proposal, ...] = ()  # ... and changes of its results
    values: Mapping[str, Any] = field(default_factory=dict)  # the study, by dotted path


@dataclass(frozen=True)
class Outcome:
    """One finding before and after a set of changes."""

    finding: str
    before: str
    after: str

    @property
    def change(self) -> str:
        """appeared | went_away | unjudged | unchanged; a finding whose needed fact the
        change leaves unknown is *unjudged*, never gone: an unknown is not a pass."""
        if self.after == FIRED and self.before != FIRED:
            return "appeared"
        if self.before == FIRED and self.after == NOT_ASSESSABLE:
            return "unjudged"
        if self.before == FIRED and self.after != FIRED:
            return "went_away"
        return "unchanged"


# ---------------------------------------------------------------- paths


def concrete_paths(pattern: str, values: Mapping[str, Any]) -> list[str]:
    """``subgroups.*.by`` -> the study's ``subgroups.0.by``, ... (a plain path: itself)."""
    if "*" not in pattern:
        return [pattern]
    head, tail = pattern.split("*", 1)
    indices = sorted(
        {
            int(key[len(head) :].split(".", 1)[0])
            for key in values
            if key.startswith(head) and key[len(head) :].split(".", 1)[0].isdigit()
        }
    )
    return [f"{head}{index}{tail}" for index in indices]


def with_changes(data: Mapping[str, Any], changes: Iterable[Change]) -> dict[str, Any] | None:
    """A copy of dumped study data with the changes made (None: a section on the way is
    absent, so the field cannot be set on its own)."""
    changed: dict[str, Any] = copy.deepcopy(dict(data))
    for change in changes:
        node: Any = changed
        parts = change.path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.get(part)
            if node is None:
                return None
        if isinstance(node, list) or parts[-1] not in node:
            return None
        node[parts[-1]] = list(change.value) if isinstance(change.value, tuple) else change.value
    return changed


def _holds(condition: Any, value: Any) -> bool:
    items = value if isinstance(value, list | tuple) else (value,)
    if isinstance(condition, Mapping):
        return not any(item in condition["not"] for item in items)
    return any(item in condition for item in items)


def judge(spec: RuleSpec, values: Mapping[str, Any]) -> tuple[Judged, ...]:
    """The rule's declared ``when`` conditions on the study's values."""
    judged = []
    for path, condition in (spec.when or {}).items():
        found = [values.get(p) for p in concrete_paths(path, values)]
        known = [v for v in found if v is not None]
        value: Any = (known[0] if len(known) == 1 else tuple(known)) if known else None
        holds = (
            None if not known else any(_holds(condition, v) for v in known)
        )  # a list field holds when one item does
        if isinstance(condition, Mapping):
            judged.append(Judged(path, value, refused=tuple(condition["not"]), holds=holds))
        else:
            judged.append(Judged(path, value, allowed=tuple(condition), holds=holds))
    return tuple(judged)


# ---------------------------------------------------------------- the explainer


@dataclass
class Explainer:
    """Explains findings of one knowledge base by running its engine on changed studies.

    ``candidates(path, value, values)`` gives the values worth trying at a concrete path
    whose study value is ``value`` (``values``: the whole study by path), best first (a
    closed value list's other values, thresholds just crossed; numbers nearest first).
    ``validate(data)`` returns the changed,
    dumped study once its model accepts it, or raises :class:`InvalidChange`.
    ``fixed`` paths (identity, free text) are never changed; ``kept`` paths are never
    proposed to silence a finding, but are tried to explain why a rule did not fire.
    ``outcome_fields`` are the
    path prefixes of the study's results: changes to them are searched apart from
    changes to its design (:meth:`silencing`). ``max_runs`` bounds the engine runs of
    one search.
    """

    diagnoser: Diagnoser
    candidates: Callable[[str, Any, Mapping[str, Any]], Sequence[Any]]
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    fixed: frozenset[str] = frozenset()
    kept: frozenset[str] = frozenset()
    outcome_fields: tuple[str, ...] = ()
    max_runs: int = 600
    _specs: dict[str, list[RuleSpec]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for spec in rule_specs(self.diagnoser.knowledge.rule_sets):
            self._specs.setdefault(spec.finding, []).append(spec)

    @property
    def scope_field(self) -> str:
        return self.diagnoser.knowledge.scope_field

    def specs(self, finding: str) -> list[RuleSpec]:
        if finding not in self.diagnoser.knowledge.catalogue:
            raise KeyError(finding)
        return self._specs.get(finding, [])

    # -- running the engine

    def fired_rules(self, data: dict[str, Any]) -> dict[str, set[str]]:
        """Finding id -> the rules that concluded it, for dumped study data."""
        fired: dict[str, set[str]] = {}
        for conclusion in self.diagnoser.conclusions(data):
            fired.setdefault(conclusion.finding, set()).add(conclusion.rule)
        return fired

    def statuses(self, data: dict[str, Any]) -> dict[str, str]:
        """Every catalogue finding's status for dumped study data (as a report has it)."""
        return self._statuses(data, self.fired_rules(data))

    def _statuses(self, data: dict[str, Any], fired: Mapping[str, Any]) -> dict[str, str]:
        values = flatten(data)
        scope = str(values.get(self.scope_field))
        out = {}
        for finding, entry in self.diagnoser.knowledge.catalogue.items():
            if finding in fired:
                out[finding] = FIRED
            elif entry.applies_to and scope not in entry.applies_to:
                out[finding] = NOT_APPLICABLE
            elif any(values.get(p) is None for p in entry.needs):
                out[finding] = NOT_ASSESSABLE
            else:
                out[finding] = NOT_TRIGGERED
        return out

    def apply(self, data: dict[str, Any], changes: Sequence[Change]) -> dict[str, Any]:
        """The study with ``changes`` made, validated (raises :class:`InvalidChange`)."""
        changed = with_changes(data, changes)
        if changed is None:
            path = next(c.path for c in changes if with_changes(data, [c]) is None)
            raise InvalidChange(path, "its section is not in the study; describe it in the file")
        return self.validate(changed)

    def outcomes(self, data: dict[str, Any], changed: dict[str, Any]) -> list[Outcome]:
        """Each finding's status for the study before and after a change."""
        before = self.statuses(data)
        after = self.statuses(changed)
        return [Outcome(f, before[f], after[f]) for f in before]

    # -- explaining one finding

    def explain(self, data: dict[str, Any], finding: str, search: bool = True) -> Explanation:
        """Why ``finding`` fired or not for dumped study data; ``search`` also looks for
        the changes that would silence it (fired) or make a rule fire (not fired)."""
        specs = self.specs(finding)
        values = flatten(data)
        conclusions = self.diagnoser.conclusions(data)
        fired: dict[str, set[str]] = {}
        cited: dict[str, set[str]] = {}
        for conclusion in conclusions:
            fired.setdefault(conclusion.finding, set()).add(conclusion.rule)
            if conclusion.finding == finding:
                cited.setdefault(conclusion.rule, set()).update(conclusion.cites)
        status = self._statuses(data, fired)[finding]
        entry = self.diagnoser.knowledge.catalogue[finding]
        scope = values.get(self.scope_field)
        accounts = []
        for spec in specs:
            in_scope = not spec.applies_to or scope in spec.applies_to
            account = RuleAccount(
                rule=spec.rule,
                fired=spec.rule in fired.get(finding, ()),
                reads=spec.reads,
                cited=tuple(sorted(cited.get(spec.rule, ()))),
                applies_to=spec.applies_to,
                in_scope=in_scope,
                unknown=tuple(p for p in spec.needs if values.get(p) is None),
                conditions=judge(spec, values),
            )
            if search and status != FIRED and in_scope:
                account = self._with_enabling(data, values, spec, account)
            accounts.append(account)
        searching = search and status == FIRED
        silencing = self.silencing(data, finding) if searching else ()
        by_results = self.silencing(data, finding, results=True) if searching else ()
        return Explanation(
            finding=finding,
            status=status,
            scope_field=self.scope_field,
            scope=scope,
            applies_to=entry.applies_to,
            unknown=tuple(p for p in entry.needs if values.get(p) is None)
            if status == NOT_ASSESSABLE
            else (),
            rules=tuple(accounts),
            silencing=silencing,
            if_results_differed=by_results,
            values=values,
        )

    def _with_enabling(
        self, data: dict[str, Any], values: Mapping[str, Any], spec: RuleSpec, account: RuleAccount
    ) -> RuleAccount:
        """Look for single changes that make a silent rule fire: on the fields its
        declaration says fail, then its unknown needed fields, then every other field it
        reads. Here a field may also be tried as unknown (an unreported fact that would
        let the rule fire is part of why it did not)."""
        patterns = dict.fromkeys((*(c.path for c in account.failed), *account.unknown))
        patterns.update(dict.fromkeys(spec.reads))
        goal = _rule_fires(spec.rule)
        budget = [self.max_runs]
        found = [
            proposal
            for path in self._paths(patterns, values, explaining=True)
            for proposal in self._field_proposals(
                data, values, path, goal, budget, unknown_too=True
            )
        ]
        return replace(account, enabling=tuple(found), searched=True)

    def silencing(
        self, data: dict[str, Any], finding: str, results: bool = False
    ) -> tuple[Proposal, ...]:
        """The smallest verified changes after which ``finding`` is judged and not
        triggered: each single field that does it; else pairs of fields; else a set
        built one change at a time, each step the change that leaves the rules the
        fewest facts to cite for the finding.

        Only the study's design and report are changed, unless ``results``: then only
        its results (the ``outcome_fields``), one field at a time.
        """
        specs = self.specs(finding)
        values = flatten(data)
        fired = self.fired_rules(data)
        if finding not in fired:
            return ()
        first = [p for s in specs if s.rule in fired[finding] for p in (s.when or {})]
        rest = [p for s in specs for p in (*(s.when or {}), *s.reads)]
        paths = [
            path
            for path in self._paths(dict.fromkeys((*first, *rest)), values)
            if self._is_outcome(path) == results
        ]
        goal = _silenced(finding)
        budget = [self.max_runs]
        singles = [
            proposal
            for path in paths
            for proposal in self._field_proposals(data, values, path, goal, budget)
        ]
        if singles or results:
            return tuple(singles)
        options = self._options(paths, values)
        helpful = self._helpful(data, options, finding, budget) or options
        pairs = self._pairs(data, helpful, goal, budget)
        if pairs:
            return pairs
        built = self._build_up(data, options, finding, goal, budget)
        return (built,) if built is not None else ()

    def _is_outcome(self, path: str) -> bool:
        generic = _generic(path)
        return any(generic.startswith(prefix) for prefix in self.outcome_fields)

    # -- the search

    def _paths(
        self, patterns: Iterable[str], values: Mapping[str, Any], explaining: bool = False
    ) -> list[str]:
        skip = {self.scope_field, *self.fixed, *(() if explaining else self.kept)}
        out: list[str] = []
        for pattern in patterns:
            if pattern in skip or _generic(pattern) in skip:
                continue
            out.extend(p for p in concrete_paths(pattern, values) if p not in out)
        return out

    def _values_to_try(
        self, path: str, values: Mapping[str, Any], unknown_too: bool = False
    ) -> list[Any]:
        current = values.get(path)
        tried = [
            v
            for v in self.candidates(path, current, values)
            if v is not None and _comparable(v) != _comparable(current)
        ]
        return [*tried, None] if unknown_too and current is not None else tried

    def _options(
        self, paths: Sequence[str], values: Mapping[str, Any], unknown_too: bool = False
    ) -> list[Change]:
        return [
            Change(path, value, values.get(path))
            for path in paths
            for value in self._values_to_try(path, values, unknown_too)
        ]

    def _field_proposals(
        self,
        data: dict[str, Any],
        values: Mapping[str, Any],
        path: str,
        goal: Goal,
        budget: list[int],
        unknown_too: bool = False,
    ) -> list[Proposal]:
        """Verified single-field proposals at ``path``: every value of a closed list
        that reaches the goal, only the nearest number that does (``unknown_too``: the
        field left unknown is tried last)."""
        found = []
        for change in self._options([path], values, unknown_too):
            run = self._run(data, (change,), budget)
            if run is not None and goal(*run.outcome):
                found.append(run.proposal(self, data))
                if _is_number(change.value):
                    break
        return found

    def _helpful(
        self, data: dict[str, Any], options: Sequence[Change], finding: str, budget: list[int]
    ) -> list[Change]:
        """The single changes that leave the rules fewer facts to cite for the finding."""
        before = self._cited(data, finding)
        helpful = []
        for change in options:
            run = self._run(data, (change,), budget)
            if run is not None and len(run.cites.get(finding, ())) < before:
                helpful.append(change)
        return helpful

    def _cited(self, data: dict[str, Any], finding: str) -> int:
        return len(
            {p for c in self.diagnoser.conclusions(data) if c.finding == finding for p in c.cites}
        )

    def _pairs(
        self, data: dict[str, Any], options: Sequence[Change], goal: Goal, budget: list[int]
    ) -> tuple[Proposal, ...]:
        found: list[Proposal] = []
        for a, b in itertools.combinations(options, 2):
            if a.path == b.path or budget[0] <= 0:
                continue
            if any({c.path for c in p.changes} == {a.path, b.path} for p in found):
                continue  # one pair of fields is enough: the nearest values found first
            run = self._run(data, (a, b), budget)
            if run is not None and goal(*run.outcome):
                found.append(run.proposal(self, data))
        return tuple(found)

    def _build_up(
        self,
        data: dict[str, Any],
        options: Sequence[Change],
        finding: str,
        goal: Goal,
        budget: list[int],
        most: int = 6,
    ) -> Proposal | None:
        """Add one change at a time, each the one after which the rules cite the fewest
        facts for the finding, until it is silenced (None: no step helps)."""
        chosen: tuple[Change, ...] = ()
        cited = self._cited(data, finding)
        for _ in range(most):
            best: tuple[int, tuple[Change, ...]] | None = None
            for change in options:
                if any(c.path == change.path for c in chosen):
                    continue
                run = self._run(data, (*chosen, change), budget)
                if run is None:
                    continue
                if goal(*run.outcome):
                    return run.proposal(self, data)
                count = len(run.cites.get(finding, ()))
                if count < cited and (best is None or count < best[0]):
                    best = (count, run.changes)
            if best is None:
                return None
            cited, chosen = best
        return None

    def _run(
        self, data: dict[str, Any], changes: tuple[Change, ...], budget: list[int]
    ) -> _Run | None:
        """Run the engine on the changed study (None: invalid, or out of budget)."""
        if budget[0] <= 0:
            return None
        checked = self._valid(data, changes)
        if checked is None:
            return None
        changes, changed = checked
        budget[0] -= 1
        fired: dict[str, set[str]] = {}
        cites: dict[str, set[str]] = {}
        for conclusion in self.diagnoser.conclusions(changed):
            fired.setdefault(conclusion.finding, set()).add(conclusion.rule)
            cites.setdefault(conclusion.finding, set()).update(conclusion.cites)
        return _Run(changes, self._statuses(changed, fired), fired, cites)

    def _valid(
        self, data: dict[str, Any], changes: tuple[Change, ...]
    ) -> tuple[tuple[Change, ...], dict[str, Any]] | None:
        """The changes and the validated changed study. A study the model refuses
        because of another field gets that field's first value that makes it valid
        (a companion change)."""
        changed = with_changes(data, changes)
        if changed is None:
            return None
        try:
            return changes, self.validate(changed)
        except InvalidChange as problem:
            companion = problem.field
            if not companion or any(c.path == companion for c in changes):
                return None
        values = flatten(data)
        if companion in self.fixed or companion not in values:
            return None
        for value in self._values_to_try(companion, values):
            extended = (*changes, Change(companion, value, values.get(companion)))
            repaired = with_changes(data, extended)
            if repaired is None:
                return None
            try:
                return extended, self.validate(repaired)
            except InvalidChange:
                continue
        return None


@dataclass(frozen=True)
class _Run:
    changes: tuple[Change, ...]
    statuses: dict[str, str]
    fired: dict[str, set[str]]
    cites: dict[str, set[str]]

    @property
    def outcome(self) -> tuple[Mapping[str, str], Mapping[str, set[str]]]:
        return self.statuses, self.fired

    def proposal(self, explainer: Explainer, data: dict[str, Any]) -> Proposal:
        before = explainer.fired_rules(data)
        return Proposal(
            changes=self.changes,
            appear=tuple(sorted(set(self.fired) - set(before))),
            go_away=tuple(sorted(set(before) - set(self.fired))),
        )


Goal = Callable[[Mapping[str, str], Mapping[str, set[str]]], bool]


def _silenced(finding: str) -> Goal:
    return lambda statuses, fired: statuses[finding] == NOT_TRIGGERED


def _rule_fires(rule: str) -> Goal:
    return lambda statuses, fired: any(rule in rules for rules in fired.values())


def _generic(path: str) -> str:
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    if _is_number(value):
        return float(value)
    return value


def changed_findings(outcomes: Iterable[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes grouped as appeared / went_away / unjudged / unchanged."""
    grouped: dict[str, list[Outcome]] = {
        "appeared": [],
        "went_away": [],
        "unjudged": [],
        "unchanged": [],
    }
    for outcome in outcomes:
        grouped[outcome.change].append(outcome)
    return grouped
