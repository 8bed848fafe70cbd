"""The rule book as a document (what `thymoscope rules [ID]` and ``thymoscope.api.rules``
show): the knowledge base, finding by finding, with its rules.

Without an id, every finding (of single studies, then of pairs) with what each rule
tests, in words. With a finding id (or a rule's name), that one finding: what its rules
test, the thresholds they use and where each comes from (``kb/thresholds.py``,
:data:`~thymoscope.kb.thresholds.PROVENANCE`: a FAQ figure, the literature, a
convention or the project's own heuristic), its texts, its FAQ sections, and which
bundled cases (or bundled pairs) fire it when the engine runs on them.

Which rule concludes which finding, and what it reads, needs and is enabled by, comes
from the rules' own declarations (``@concludes`` above each ``@Rule``, read back by
:func:`thymoscope.engine.rules.rule_specs`), so the listing cannot drift from the code.
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from thymoscope.errors import ThymoscopeError

if TYPE_CHECKING:
    from thymoscope.engine.diagnosis import FindingSpec, KnowledgeBase
    from thymoscope.engine.rules import RuleSpec

_CONSTANT = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")
_SIDE = re.compile(r"^[ab]\.")


# ------------------------------------------------------------------ words for rules


def _label(path: str) -> str:
    from thymoscope.kb.labels import field_label

    try:
        return field_label(path)
    except KeyError:
        return path


def _value(path: str, value: Any) -> str:
    from thymoscope.kb.labels import value_label

    try:
        return value_label(path, value)
    except KeyError:
        return str(value)


def field_words(paths: Iterable[str]) -> list[str]:
    """Study fields in words, in order, once each; a pair rule's ``a.``/``b.`` fields
    are one field of both studies."""
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(_label(_SIDE.sub("", path)), None)
    return list(seen)


def condition_words(when: Mapping[str, Any] | None) -> list[str]:
    """A rule's ``when`` as clauses: "Dose unit is mg", "Endpoint read is not at end of
    therapy"."""
    clauses = []
    for path, condition in (when or {}).items():
        negated = isinstance(condition, Mapping)
        values = condition["not"] if negated else condition
        words = " or ".join(_value(path, v) for v in values)
        clauses.append(f"{_label(path)} is {'not ' if negated else ''}{words}")
    return clauses


def indication_words(indications: Iterable[str]) -> list[str]:
    return [_value("indication", i) for i in indications]


def rule_words(spec: RuleSpec) -> str:
    """One sentence: when the rule can fire, from its declaration."""
    name = spec.rule.replace("_", " ")
    parts = []
    if spec.applies_to:
        parts.append(f"only in studies of {' or '.join(indication_words(spec.applies_to))}")
    clauses = condition_words(spec.when)
    if clauses:
        parts.append("only while " + " and ".join(clauses))
    return name[:1].upper() + name[1:] + ("; " + "; ".join(parts) if parts else "") + "."


# ------------------------------------------------------------------ thresholds


def _rule_source(spec: RuleSpec) -> str:
    """The rule's declaration, pattern and body, plus the module's helper functions it
    calls (one level): where the thresholds it uses are named."""
    module = sys.modules.get(spec.module)
    if module is None:
        return ""
    lines = inspect.getsource(module).splitlines()
    start = min(spec.line, len(lines)) - 1  # the first decorator's line, or the def's
    while start > 0 and not lines[start].lstrip().startswith("@concludes"):
        start -= 1
    header = start
    while header < len(lines) and not lines[header].lstrip().startswith("def "):
        header += 1
    indent = len(lines[header]) - len(lines[header].lstrip()) if header < len(lines) else 0
    end = header + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        end += 1
    source = "\n".join(lines[start:end])
    helpers = [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == spec.module
        and re.search(rf"\b{re.escape(name)}\(", source)
    ]
    return "\n".join([source, *(inspect.getsource(h) for h in helpers)])


def threshold_value(value: Any) -> str:
    """A threshold as a reader writes it: 0.8–1.6, 100, a list of names."""
    from thymoscope.kb.labels import number_text

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number_text(value)
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    ):
        return f"{number_text(value[0])}–{number_text(value[1])}"
    if isinstance(value, frozenset | set | tuple | list):
        return ", ".join(sorted(str(v).replace("_", " ") for v in value))
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            text = getattr(item, "description", None) or threshold_value(item)
            parts.append(f"{str(key).replace('_', ' ')}: {text}")
        return "; ".join(parts)
    return str(value)


def thresholds_of(specs: Sequence[RuleSpec]) -> list[dict[str, Any]]:
    """The registered thresholds (kb/thresholds.py) the rules name, with their source."""
    from thymoscope.kb import thresholds

    names: dict[str, None] = {}
    for spec in specs:
        for name in _CONSTANT.findall(_rule_source(spec)):
            if name in thresholds.PROVENANCE:
                names.setdefault(name, None)
    out = []
    for name in names:
        source = thresholds.PROVENANCE[name]
        out.append(
            {
                "name": name,
                "value": threshold_value(getattr(thresholds, name)),
                "kind": source.kind,
                "why": source.why,
                "faq_sections": list(source.faq),
            }
        )
    return out


# ------------------------------------------------------------------ which cases fire it


@cache
def bundled_firings() -> dict[str, list[str]]:
    """``{finding id: [bundled case or pair ids that fire it]}``, by running the engine
    on every bundled case (kb/cases/*.yaml) and the pair rules on every bundled pair."""
    from importlib.resources import files

    from thymoscope.engine.core import Diagnoser
    from thymoscope.kb import knowledge
    from thymoscope.kb.comparison import bundled_case_path, bundled_pairs, compare
    from thymoscope.study.loader import load_study

    fired: dict[str, list[str]] = {}
    diagnoser = Diagnoser(knowledge())
    root = files("thymoscope.kb.cases")
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            case = entry.name.removesuffix(".yaml")
            for finding in diagnoser.diagnose(load_study(bundled_case_path(case))).findings:
                fired.setdefault(finding.id, []).append(case)
    for pair in bundled_pairs().values():
        a, b = (load_study(bundled_case_path(ref)) for ref in (pair.a, pair.b))
        for finding in compare(a, b).findings:
            fired.setdefault(finding.id, []).append(f"pair {pair.id}")
    return fired


# ------------------------------------------------------------------ documents


def _plain_when(when: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``when`` as JSON data: ``{field: [values]}`` or ``{field: {"not": [values]}}``."""
    if when is None:
        return None
    return {
        path: {"not": list(c["not"])} if isinstance(c, Mapping) else list(c)
        for path, c in when.items()
    }


def _rule_entry(spec: RuleSpec) -> dict[str, Any]:
    return {
        "rule": spec.rule,
        "rule_set": spec.rule_set,
        "module": spec.module,
        "line": spec.line,
        "tests": rule_words(spec),
        "reads": list(spec.reads),
        "reads_words": field_words(spec.reads),
        "needs": list(spec.needs),
        "needs_words": field_words(spec.needs),
        "applies_to": list(spec.applies_to),
        "when": _plain_when(spec.when),
        "when_words": condition_words(spec.when),
    }


def _finding_entry(spec: FindingSpec, specs: Sequence[RuleSpec]) -> dict[str, Any]:
    return {
        "id": spec.id,
        "title": spec.title,
        "severity": spec.severity,
        "faq_sections": list(spec.faq),
        "applies_to": list(spec.applies_to),
        "applies_to_words": indication_words(spec.applies_to),
        "needs": list(spec.needs),
        "has_evidence_note": spec.evidence_note is not None,
        "rules": [_rule_entry(s) for s in specs if s.finding == spec.id],
    }


def _factors(kb: KnowledgeBase) -> tuple[list[dict[str, Any]], int]:
    from thymoscope.engine.rules import rule_specs

    specs = rule_specs(kb.rule_sets)
    factors = [
        {
            "factor": factor,
            "title": title,
            "findings": [
                _finding_entry(spec, specs)
                for spec in kb.catalogue.values()
                if spec.factor == factor
            ],
        }
        for factor, title in kb.factor_titles.items()
    ]
    return factors, len(specs)


def rules_document() -> dict[str, Any]:
    """The knowledge base as a document of kind ``rules`` (rendered like a report):
    ``factors`` for single studies, ``pair_factors`` for pairs (``compare``)."""
    from thymoscope import RESEARCH_NOTICE, __version__
    from thymoscope.kb import knowledge
    from thymoscope.kb.comparison import pair_knowledge

    kb = knowledge()
    factors, rule_count = _factors(kb)
    pair_factors, pair_rule_count = _factors(pair_knowledge())
    return {
        "kind": "rules",
        "generator": f"thymoscope {__version__}",
        "factors": factors,
        "finding_count": len(kb.catalogue),
        "rule_count": rule_count,
        "pair_factors": pair_factors,
        "pair_finding_count": len(pair_knowledge().catalogue),
        "pair_rule_count": pair_rule_count,
        "selected": None,
        "notice": RESEARCH_NOTICE,
    }


class UnknownRule(ThymoscopeError, LookupError):
    """No finding or rule has the asked name; the message is one line."""


def _names() -> tuple[dict[str, tuple[KnowledgeBase, str]], list[str]]:
    """Every finding id and rule name -> (its knowledge base, its finding id)."""
    from thymoscope.engine.rules import rule_specs
    from thymoscope.kb import knowledge
    from thymoscope.kb.comparison import pair_knowledge

    names: dict[str, tuple[KnowledgeBase, str]] = {}
    for kb in (knowledge(), pair_knowledge()):
        for finding_id in kb.catalogue:
            names[finding_id] = (kb, finding_id)
        for spec in rule_specs(kb.rule_sets):
            names.setdefault(spec.rule, (kb, spec.finding))
    return names, list(names)


def resolve(name: str) -> tuple[KnowledgeBase, str]:
    """The knowledge base and finding id a finding id or rule name stands for."""
    from thymoscope.report.render import terminal_line

    names, ordered = _names()
    key = name.strip()
    for candidate in (key, key.lower(), key.lower().replace("_", "-"), key.replace("-", "_")):
        if candidate in names:
            return names[candidate]
    finding_ids = [n for n in ordered if names[n][1] == n]
    rule_names = [n for n in ordered if names[n][1] != n]
    close = difflib.get_close_matches(key.lower(), finding_ids, n=3, cutoff=0.6) or (
        difflib.get_close_matches(key.lower(), rule_names, n=3, cutoff=0.6)
    )
    if close:
        listed = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
        hint = f"did you mean {listed}?"
    else:
        hint = "see thymoscope rules for the list"
    raise UnknownRule(f"no finding or rule named {terminal_line(key)!r}; {hint}")


def finding_document(name: str) -> dict[str, Any]:
    """One finding (by id, or by the name of a rule that concludes it) as a ``rules``
    document whose ``selected`` entry says everything the knowledge base holds on it."""
    from thymoscope.engine.rules import rule_specs
    from thymoscope.kb import knowledge

    kb, finding_id = resolve(name)
    spec = kb.catalogue[finding_id]
    specs = [s for s in rule_specs(kb.rule_sets) if s.finding == finding_id]
    entry = _finding_entry(spec, specs)
    fired_by = bundled_firings().get(finding_id, [])
    entry.update(
        {
            "kind": "study" if kb is knowledge() else "pair",
            "factor": spec.factor,
            "factor_title": kb.factor_titles.get(spec.factor, spec.factor),
            "asked_for": name,
            "explanation_template": spec.explanation,
            "next_steps": list(spec.next_steps),
            "evidence_note": spec.evidence_note,
            "thresholds": thresholds_of(specs),
            "fired_by": fired_by,
            "example": _example(finding_id, fired_by),
        }
    )
    document = rules_document()
    document["selected"] = entry
    return document


def _example(finding_id: str, fired_by: Sequence[str]) -> dict[str, Any] | None:
    """The finding as written for the first bundled case (or pair) that fires it."""
    if not fired_by:
        return None
    from thymoscope.engine.core import Diagnoser
    from thymoscope.kb import knowledge
    from thymoscope.kb.comparison import bundled_case_path, bundled_pairs, compare
    from thymoscope.study.loader import load_study

    first = fired_by[0]
    if first.startswith("pair "):
        pair = bundled_pairs()[first.removeprefix("pair ")]
        a, b = (load_study(bundled_case_path(ref)) for ref in (pair.a, pair.b))
        findings = compare(a, b).findings
    else:
        findings = Diagnoser(knowledge()).diagnose(load_study(bundled_case_path(first))).findings
    finding = next(f for f in findings if f.id == finding_id)
    return {
        "case": first,
        "explanation": finding.explanation,
        "next_steps": list(finding.next_steps),
        "evidence_note": finding.evidence_note,
    }
