"""Study facts in words for the text, Markdown and HTML reports (the JSON keeps paths).

Built on :mod:`thymoscope.kb.labels`: ``primary_endpoint.timing = end_of_therapy`` reads
"Endpoint read: at end of therapy". Two things are done here beyond one label per fact:
an effect's fields (measure, estimate, limits, p) read as one effect, and the fields a
finding cites from subgroups are grouped per subgroup, so a "how" list names
"Subgroup 1: Lower-quality trials" once instead of repeating a path on every line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from thymoscope.kb.labels import fact_sentence, field_label, generic_path, labelled_fields
from thymoscope.report.verdict import effect_text

_SUBGROUP = re.compile(r"^subgroups\.(\d+)\.(.+)$")
_SIDE = re.compile(r"^([ab])\.(.+)$")  # one side of a pair (compare): a.design.type
_EFFECT_PARTS = ("measure", "estimate", "ci_low", "ci_high", "ci_level", "p_value", "se")


def fact_words(path: str, value: Any, facts: Mapping[str, Any] | None = None) -> str:
    """One fact as words; a pair side (``a.…``) leads with "Study A:"; a path the
    knowledge base has no label for is shown as ``path = value``."""
    side = _SIDE.match(path)
    if side and not _labelled(path):
        return f"Study {side.group(1).upper()}: {fact_words(side.group(2), value, facts)}"
    try:
        return fact_sentence(path, value, facts)
    except KeyError:
        return f"{path} = {value_text(value)}"


def value_text(value: Any) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _labelled(path: str) -> bool:
    return generic_path(path) in labelled_fields() or path.startswith("covariates.")


def _effect_line(prefix: str, facts: Mapping[str, Any], label: str) -> str | None:
    """The effect fields under ``prefix`` as one line, when an estimate or p is among them."""
    parts = {name: facts.get(prefix + name) for name in _EFFECT_PARTS}
    if parts["estimate"] is None and parts["p_value"] is None:
        return None
    if parts["estimate"] is None and parts["measure"] is None:
        return None
    return f"{label}: {effect_text(parts)}"


def _lines(facts: Mapping[str, Any], effect_prefix: str, effect_label: str) -> list[str]:
    """Sentences for ``facts`` (path -> value) in order, the effect under
    ``effect_prefix`` merged into one line and a unit field shown with its number."""
    merged = _effect_line(effect_prefix, facts, effect_label)
    units = {
        entry.unit_from
        for path, value in facts.items()
        if (entry := labelled_fields().get(generic_path(path))) is not None
        and entry.unit_from
        and isinstance(value, int | float)
    }
    out: list[str] = []
    for path, value in facts.items():
        if path in units:
            continue
        if merged is not None and path.startswith(effect_prefix):
            if merged not in out:
                out.append(merged)
            continue
        out.append(fact_words(path, value, facts))
    return out


def key_fact_lines(key_facts: Sequence[Mapping[str, Any]]) -> list[str]:
    """A study's shown key facts (report document entries) as sentences."""
    facts = {f["path"]: f["value"] for f in key_facts}
    return _lines(facts, "result.effect.", "Effect on the primary endpoint")


def _subgroup_item(path: str, value: Any, facts: Mapping[str, Any]) -> str:
    """``grouped by: study quality`` (the subgroup is named by its group's heading)."""
    try:
        heading = field_label(path)  # "Subgroup 1: grouped by"
        words = fact_sentence(path, value, facts)[len(heading) + 2 :]
        return f"{labelled_fields()[generic_path(path)].label}: {words}"
    except KeyError:
        return f"{path} = {value_text(value)}"


def how_groups(
    cited: Sequence[Mapping[str, Any]], subgroup_names: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """A finding's cited facts in words, grouped: first the study's own facts
    (``heading`` None), then one group per subgroup ("Subgroup 1: Lower-quality trials")."""
    own: dict[str, Any] = {}
    by_subgroup: dict[int, dict[str, Any]] = {}
    for fact in cited:
        match = _SUBGROUP.match(fact["path"])
        if match:
            by_subgroup.setdefault(int(match.group(1)), {})[fact["path"]] = fact["value"]
        else:
            own[fact["path"]] = fact["value"]
    groups: list[dict[str, Any]] = []
    if own:
        groups.append({"heading": None, "lines": _lines(own, "result.effect.", "Effect")})
    for index in sorted(by_subgroup):
        facts = by_subgroup[index]
        prefix = f"subgroups.{index}."
        name = subgroup_names[index] if index < len(subgroup_names) else None
        cited_name = facts.get(prefix + "name")
        name = cited_name if isinstance(cited_name, str) else name
        heading = f"Subgroup {index + 1}" + (f": {name}" if name else "")
        rest = {p: v for p, v in facts.items() if p != prefix + "name"}
        merged = _effect_line(prefix + "effect.", rest, "effect")
        lines: list[str] = []
        for path, value in rest.items():
            if merged is not None and path.startswith(prefix + "effect."):
                if merged not in lines:
                    lines.append(merged)
                continue
            lines.append(_subgroup_item(path, value, rest))
        groups.append({"heading": heading, "lines": lines})
    return groups


def unknown_words(paths: Sequence[str]) -> str:
    """Field paths a check could not assess, as their labels: "Dose, Dosing frequency"."""
    out = []
    for path in paths:
        try:
            out.append(field_label(path))
        except KeyError:
            out.append(path)
    return ", ".join(out)
