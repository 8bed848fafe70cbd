"""Words and JSON for 'why not' and 'what if' (:mod:`thymoscope.kb.explanations`).

Fields and values are shown with the labels of kb/labels.yaml; the JSON keeps the
dotted paths and raw values beside the words. The texts speak about the study and the
rules, never about patients, and never offer an unknown fact as a pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from thymoscope.engine.explain import (
    FIRED,
    NOT_APPLICABLE,
    NOT_ASSESSABLE,
    Change,
    Explanation,
    Judged,
    Proposal,
    RuleAccount,
)
from thymoscope.kb.labels import fact_sentence, field_label, generic_path, value_label

STATUS_WORDS = {
    FIRED: "raised for this study",
    "not_triggered": "not raised for this study",
    NOT_APPLICABLE: "does not apply to this study",
    NOT_ASSESSABLE: "cannot be judged for this study",
}
CHANGE_WORDS = {
    "appeared": "appears",
    "went_away": "goes away",
    "unjudged": "can no longer be judged (a needed fact is unknown; not a pass)",
    "unchanged": "unchanged",
}
SHORT_STATUS = {
    FIRED: "raised",
    "not_triggered": "not raised",
    NOT_APPLICABLE: "does not apply",
    NOT_ASSESSABLE: "cannot be judged",
}
UNKNOWN_IS_NOT_A_PASS = (
    "A fact the study does not report is not counted in its favour: until it is known, "
    "this finding is neither ruled in nor ruled out."
)
CHANGES_ARE_NOT_ADVICE = (
    "Each change was checked by running the rules again on the changed study. They show "
    "which facts the finding rests on; they are not a suggestion to re-describe a "
    "finished study, only what a study designed or reported that way would look like."
)


def _title(finding: str) -> str:
    from thymoscope.kb import knowledge

    return knowledge().catalogue[finding].title


def _values_words(path: str, values: Sequence[Any]) -> str:
    words = [value_label(path, v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _list_change(change: Change) -> tuple[list[Any], list[Any]] | None:
    """(added, removed) items of a list field's change; None for a single value."""
    if not isinstance(change.value, list | tuple):
        return None
    before = list(change.was or ())
    after = list(change.value)
    return [v for v in after if v not in before], [v for v in before if v not in after]


def _was_words(change: Change) -> str:
    if change.was is None:
        return "not reported in the study"
    if isinstance(change.was, list | tuple):
        return f"the study lists: {value_label(change.path, change.was)}"
    return f"instead of {value_label(change.path, change.was)}"


def change_text(change: Change, values: Mapping[str, Any]) -> str:
    """'Endpoint read: after therapy (instead of at end of therapy)'; a list field:
    'Secondary endpoints: CD4 cells added (to alanine aminotransferase normalisation)'."""
    items = _list_change(change)
    if items is not None:
        added, removed = items
        parts = [f"{_values_words(change.path, added).replace(' or ', ' and ')} added"] * bool(
            added
        ) + [f"{_values_words(change.path, removed).replace(' or ', ' and ')} removed"] * bool(
            removed
        )
        return f"{field_label(change.path)}: {'; '.join(parts)} ({_was_words(change)})"
    sentence = fact_sentence(change.path, change.value, values)
    return f"{sentence} ({_was_words(change)})"


def proposal_text(proposal: Proposal, values: Mapping[str, Any], finding: str = "") -> str:
    """The changes in words, and the other findings the changed study raises
    (``finding``: the one being explained, not repeated)."""
    text = "; ".join(change_text(c, values) for c in proposal.changes)
    others = [f for f in proposal.appear if f != finding]
    if others:
        text += " - but then also raised: " + "; ".join(_title(f) for f in others)
    return text


def grouped_texts(
    proposals: Sequence[Proposal], values: Mapping[str, Any], finding: str = ""
) -> list[str]:
    """One line per proposal, single changes of one field with the same side effects
    merged ('Kind of primary endpoint: mortality, survival or other (instead of ...)')."""
    groups: dict[tuple[Any, ...], list[Proposal]] = {}
    for proposal in proposals:
        key: tuple[Any, ...] = (
            (proposal.changes[0].path, tuple(f for f in proposal.appear if f != finding))
            if len(proposal.changes) == 1
            else (id(proposal),)
        )
        groups.setdefault(key, []).append(proposal)
    lines = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            lines.append(proposal_text(first, values, finding))
            continue
        change = first.changes[0]
        added = [_list_change(p.changes[0]) for p in group]
        if all(a is not None and len(a[0]) == 1 and not a[1] for a in added):
            items = [a[0][0] for a in added if a is not None]
            merged = f"{_values_words(change.path, items)} added"
        else:
            merged = _values_words(change.path, [p.changes[0].value for p in group])
        text = f"{field_label(change.path)}: {merged} ({_was_words(change)})"
        others = [f for f in first.appear if f != finding]
        if others:
            text += " - but then also raised: " + "; ".join(_title(f) for f in others)
        lines.append(text)
    return lines


def condition_text(judged: Judged) -> str:
    label = field_label(judged.path)
    if judged.refused:
        wanted = f"anything but {_values_words(judged.path, judged.refused)}"
    else:
        wanted = _values_words(judged.path, judged.allowed)
    if judged.holds is None:
        return f"{label}: not reported; the rule requires {wanted} - undecided"
    value = value_label(judged.path, judged.value)
    verdict = "met" if judged.holds else "not met"
    return f"{label}: {value}; the rule requires {wanted} - {verdict}"


def _scope_words(explanation: Explanation, applies_to: Sequence[str]) -> str:
    scope = explanation.scope_field
    return (
        f"limited to studies whose {field_label(scope).lower()} is "
        f"{_values_words(scope, applies_to)}; this study's is "
        f"{value_label(scope, explanation.scope)}"
    )


def _rule_lines(explanation: Explanation, account: RuleAccount) -> list[str]:
    values = explanation.values
    if account.fired:
        lines = [f"Rule {account.rule}: fired, citing these facts of the study:"]
        order = {path: rank for rank, path in enumerate(account.reads)}
        cited = sorted(
            (p for p in account.cited if p != explanation.scope_field),
            key=lambda p: (order.get(generic_path(p), len(order)), p),
        )
        lines += [f"  - {line}" for line in fact_sentences_of(cited, values)]
        return lines
    lines = [f"Rule {account.rule}: did not fire."]
    if not account.in_scope:
        return [*lines, f"  - It is {_scope_words(explanation, account.applies_to)}."]
    for field in account.unknown:
        lines.append(
            f"  - It needs {field_label(field)}, which the study does not report; "
            "without it the rule cannot be judged."
        )
    lines += [f"  - {condition_text(judged)}." for judged in account.conditions]
    if account.enabling and not account.failed and not account.unknown:
        lines.append(
            "  - What is not met is a threshold or value inside the rule's pattern; "
            "the rule was run again with values tried in turn:"
        )
    for text in grouped_texts(account.enabling, values, explanation.finding):
        lines.append(f"  - It would fire with {text}.")
    if account.searched and not account.enabling:
        lines.append(
            "  - No single change among the values tried makes it fire: more than one "
            "of its conditions would have to change."
        )
    return lines


def fact_sentences_of(paths: Sequence[str], values: Mapping[str, Any]) -> list[str]:
    """One line per field (a subgroup pattern: each subgroup), unknown ones included."""
    from thymoscope.engine.explain import concrete_paths

    lines = []
    for pattern in paths:
        for path in concrete_paths(pattern, values):
            if path in values and not isinstance(values[path], dict):
                lines.append(fact_sentence(path, values[path], values))
    return lines


def explanation_lines(explanation: Explanation) -> list[str]:
    """The explanation as lines of plain text."""
    finding = explanation.finding
    values = explanation.values
    lines = [
        f"{finding} - {_title(finding)}",
        f"Study {values.get('id')}: {STATUS_WORDS[explanation.status]}.",
        "",
    ]
    if explanation.status == NOT_APPLICABLE:
        lines.append(f"The finding is {_scope_words(explanation, explanation.applies_to)}.")
        return lines
    if explanation.status == NOT_ASSESSABLE:
        unknown = ", ".join(field_label(p) for p in explanation.unknown)
        lines += [f"Not reported: {unknown}.", UNKNOWN_IS_NOT_A_PASS, ""]
    for account in explanation.rules:
        if explanation.status == FIRED and not account.fired:
            continue
        lines += _rule_lines(explanation, account)
    if explanation.status == FIRED:
        lines.append("")
        if explanation.silencing:
            if len(explanation.silencing[0].changes) > 2:
                lines.append(
                    "No one or two changes to the study's design or report do it; "
                    "together, these would (found one change at a time):"
                )
            else:
                lines.append(
                    "Smallest changes to the study's design or report after which it is not raised:"
                )
            lines += [f"  - {t}" for t in grouped_texts(explanation.silencing, values, finding)]
            lines.append(CHANGES_ARE_NOT_ADVICE)
        else:
            lines.append(
                "No change to the study's design or report among the values tried (of one "
                "field, two, or several added one at a time) stops this finding from "
                "being raised."
            )
        if explanation.if_results_differed:
            lines.append("It would not be raised either had the study found:")
            lines += [
                f"  - {t}" for t in grouped_texts(explanation.if_results_differed, values, finding)
            ]
    return lines


# ---------------------------------------------------------------- JSON


def _change_json(change: Change, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "field": change.path,
        "label": field_label(change.path),
        "value": change.value,
        "value_label": value_label(change.path, change.value),
        "was": change.was,
        "was_label": value_label(change.path, change.was),
        "text": change_text(change, values),
    }


def proposal_json(proposal: Proposal, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "changes": [_change_json(c, values) for c in proposal.changes],
        "also_raised": list(proposal.appear),
        "also_gone": list(proposal.go_away),
        "text": proposal_text(proposal, values),
    }


def _judged_json(judged: Judged) -> dict[str, Any]:
    return {
        "field": judged.path,
        "label": field_label(judged.path),
        "value": list(judged.value) if isinstance(judged.value, tuple) else judged.value,
        "allowed": list(judged.allowed),
        "refused": list(judged.refused),
        "met": judged.holds,
        "text": condition_text(judged),
    }


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    values = explanation.values
    return {
        "study": values.get("id"),
        "finding": explanation.finding,
        "title": _title(explanation.finding),
        "status": explanation.status,
        "scope": {
            "field": explanation.scope_field,
            "value": explanation.scope,
            "applies_to": list(explanation.applies_to),
        },
        "unknown": [{"field": p, "label": field_label(p)} for p in explanation.unknown],
        "rules": [
            {
                "rule": a.rule,
                "fired": a.fired,
                "applies_to": list(a.applies_to),
                "in_scope": a.in_scope,
                "unknown": list(a.unknown),
                "conditions": [_judged_json(j) for j in a.conditions],
                "would_fire_with": [proposal_json(p, values) for p in a.enabling],
                "reads": list(a.reads),
                "cited": list(a.cited),
            }
            for a in explanation.rules
        ],
        "silencing_changes": [proposal_json(p, values) for p in explanation.silencing],
        "if_results_differed": [proposal_json(p, values) for p in explanation.if_results_differed],
        "text": explanation_lines(explanation),
    }
