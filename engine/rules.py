"""Rules that declare their own contract.

A rule set is a class of experta rules that subclasses :class:`RuleSet`; each rule method
carries, above its ``@Rule``, one :func:`concludes` declaration::

    class DosingRules(RuleSet):
        @concludes(
            "dose-outside-usual-range",
            reads=("intervention.dose", "intervention.dose_unit"),
            needs=("intervention.dose", "intervention.dose_unit"),
            when={"intervention.dose_unit": ["mg"]},
        )
        @Rule(Intervention(dose_unit="mg", dose=MATCH.dose & outside(0.8, 1.6)))
        def flat_dose_outside_usual_range(self, dose: float) -> None:
            self.conclude("dose-outside-usual-range", "intervention.dose", dose=dose)

The declaration says, next to the pattern it describes:

* ``finding``: the catalogue id the rule concludes;
* ``reads``: every study field (dotted path; ``*`` = any list item) the rule looks at;
  it may cite only these;
* ``needs``: the fields without which the finding cannot be ruled in or out;
* ``when``: the enabling values, ``{path: [allowed values]}`` or ``{path: {"not":
  [values]}}``; a known value outside them silences the rule (an unknown one does not
  decide), so a questionnaire can stop asking about a finding once its rules are off;
* ``applies_to``: the values of the knowledge base's scope field (the indication) the
  rule is limited to; empty means every value.

:func:`rule_specs` reads the declarations back by reflection, and
:func:`declared_catalogue` gives each catalogue finding the union of its rules' fields.
Nothing here knows about any domain.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from thymoscope.engine.diagnosis import FindingSpec
from thymoscope.engine.experta_compat import Rule
from thymoscope.errors import ThymoscopeError

SPEC_ATTRIBUTE = "__rule_spec__"

Condition = Sequence[Any] | Mapping[str, Sequence[Any]]
When = Mapping[str, Condition]
_R = TypeVar("_R")


class RuleError(ThymoscopeError, TypeError):
    """A rule set whose rules or declarations do not fit together."""


class RuleSet:
    """Base of every rule set: what a rule method may use on ``self``.

    The engine mixes rule sets into :class:`~thymoscope.engine.core.DiagnosticEngine`,
    which provides these; declaring them here lets a type checker see them in the rule
    methods.
    """

    values: dict[str, Any]  # the study's fields by dotted path
    facts: Any  # experta's working memory (a FactList: ``self.facts.values()``)

    def conclude(
        self, finding: str, *cites: str, severity: str | None = None, **values: Any
    ) -> None:
        """Record that ``finding`` holds, citing study fields by dotted path."""
        raise NotImplementedError("a RuleSet concludes only inside a DiagnosticEngine")


@dataclass(frozen=True)
class RuleSpec:
    """One rule's declared contract (see the module docstring)."""

    rule: str  # method name: what reports show as the rule that fired
    rule_set: str  # class name
    module: str
    line: int  # of the rule method's ``def``
    finding: str
    reads: tuple[str, ...]
    needs: tuple[str, ...] = ()
    when: Mapping[str, Condition] | None = None
    applies_to: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        return f"{self.module}.{self.rule_set}.{self.rule}"


@dataclass(frozen=True)
class _Declaration:
    finding: str
    reads: tuple[str, ...]
    needs: tuple[str, ...]
    when: Mapping[str, Condition] | None
    applies_to: tuple[str, ...]


def _check_when(finding: str, when: When | None) -> None:
    for path, condition in (when or {}).items():
        if isinstance(condition, Mapping):
            if set(condition) != {"not"} or isinstance(condition["not"], str | bytes):
                raise RuleError(f"{finding}: when {path}: expected a list or {{'not': [...]}}")
        elif isinstance(condition, str | bytes) or not condition:
            raise RuleError(f"{finding}: when {path}: expected a non-empty list of values")


def concludes(
    finding: str,
    *,
    reads: Iterable[str],
    needs: Iterable[str] = (),
    when: When | None = None,
    applies_to: Iterable[str] = (),
) -> Callable[[_R], _R]:
    """Declare what the experta ``@Rule`` below concludes, reads, needs and is enabled by.

    Stack it *above* ``@Rule(...)``: experta's ``Rule`` wraps the method and is what the
    class keeps, so the declaration is stored on that object (and on the method it
    wraps, which experta copies when it rewrites a rule's conditions).
    """
    reads = tuple(reads)
    needs = tuple(needs)
    _check_when(finding, when)
    missing = [path for path in (*needs, *(when or {})) if path not in reads]
    if missing:
        raise RuleError(f"{finding}: needs/when name fields the rule does not read: {missing}")
    declaration = _Declaration(
        finding=finding,
        reads=reads,
        needs=needs,
        when=None if when is None else {k: _frozen(v) for k, v in when.items()},
        applies_to=tuple(applies_to),
    )

    def attach(rule: _R) -> _R:
        if not isinstance(rule, Rule):
            raise RuleError(f"@concludes({finding!r}) must stand above an experta @Rule")
        if getattr(rule, SPEC_ATTRIBUTE, None) is not None:
            raise RuleError(f"{getattr(rule, '__name__', rule)}: a rule concludes one finding")
        setattr(rule, SPEC_ATTRIBUTE, declaration)
        wrapped = getattr(rule, "_wrapped", None)
        if wrapped is not None:
            setattr(wrapped, SPEC_ATTRIBUTE, declaration)
        return rule

    return attach


def _frozen(condition: Condition) -> Condition:
    if isinstance(condition, Mapping):
        return {key: tuple(values) for key, values in condition.items()}
    return tuple(condition)


def rules_of(rule_set: type) -> list[tuple[str, Any]]:
    """``(method name, experta Rule)`` for every rule defined in ``rule_set`` itself."""
    return [(name, value) for name, value in vars(rule_set).items() if isinstance(value, Rule)]


def rule_specs(rule_sets: Iterable[type]) -> list[RuleSpec]:
    """Every rule's declaration, in rule-set order then source order.

    Raises :class:`RuleError` for a rule without ``@concludes``.
    """
    specs = []
    for rule_set in rule_sets:
        for name, rule in rules_of(rule_set):
            declaration = getattr(rule, SPEC_ATTRIBUTE, None)
            if not isinstance(declaration, _Declaration):
                raise RuleError(
                    f"{rule_set.__module__}.{rule_set.__name__}.{name} has no @concludes"
                )
            function = inspect.unwrap(rule._wrapped)
            specs.append(
                RuleSpec(
                    rule=name,
                    rule_set=rule_set.__name__,
                    module=rule_set.__module__,
                    line=function.__code__.co_firstlineno,
                    finding=declaration.finding,
                    reads=declaration.reads,
                    needs=declaration.needs,
                    when=declaration.when,
                    applies_to=declaration.applies_to,
                )
            )
    return specs


def _union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def finding_applies_to(specs: Sequence[RuleSpec]) -> tuple[str, ...]:
    """Where a finding can fire: anywhere when one of its rules is unrestricted."""
    if not specs or any(not spec.applies_to for spec in specs):
        return ()
    return _union(spec.applies_to for spec in specs)


def finding_when(specs: Sequence[RuleSpec]) -> Mapping[str, Any] | None:
    """The condition under which some rule of a finding can still fire (None: always).

    Rules that gate on the same single field merge into one list of allowed values;
    otherwise the rules' conditions are alternatives (``{"any": [...]}``).
    """
    if not specs or any(spec.when is None for spec in specs):
        return None
    whens = [_plain(spec.when) for spec in specs if spec.when is not None]
    first = whens[0]
    if all(w == first for w in whens):
        return first
    if len(first) == 1 and all(w.keys() == first.keys() for w in whens):
        (path,) = first
        conditions = [w[path] for w in whens]
        if all(isinstance(c, list) for c in conditions):
            return {path: list(dict.fromkeys(v for c in conditions for v in c))}
    return {"any": whens}


def _plain(when: Mapping[str, Condition]) -> dict[str, Any]:
    """A declaration's ``when`` as the questionnaire's condition (lists, not tuples)."""
    return {
        path: (
            {key: list(values) for key, values in condition.items()}
            if isinstance(condition, Mapping)
            else list(condition)
        )
        for path, condition in when.items()
    }


def declared_catalogue(
    catalogue: Mapping[str, FindingSpec], rule_sets: Iterable[type]
) -> dict[str, FindingSpec]:
    """The catalogue with each finding's reads, needs and scope taken from its rules."""
    by_finding: dict[str, list[RuleSpec]] = {}
    for spec in rule_specs(rule_sets):
        by_finding.setdefault(spec.finding, []).append(spec)
    unknown = sorted(set(by_finding) - set(catalogue))
    if unknown:
        raise RuleError(f"rules conclude findings missing from the catalogue: {unknown}")
    declared = {}
    for finding_id, entry in catalogue.items():
        specs = by_finding.get(finding_id, [])
        declared[finding_id] = replace(
            entry,
            reads=_union(s.reads for s in specs),
            needs=_union(s.needs for s in specs),
            applies_to=finding_applies_to(specs),
        )
    return declared
