"""A review told step by step (``thymoscope review --steps``), for teaching.

Each pooled outcome becomes five steps, in the order a reviewer reasons: the studies and
their spread, the pooled estimate and how much the studies disagree, the factors tried as
explanations (with the multiplicity adjustment), the other body-level findings, and the
certainty of the evidence.  Plain data from the review document; the CLI prints it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

EXPLANATION_IDS = (
    "heterogeneity-explained",
    "heterogeneity-unexplained",
    "factors-confounded",
    "too-few-studies",
)


@dataclass(frozen=True)
class Step:
    outcome: str
    number: int
    title: str
    lines: tuple[str, ...]  # for the terminal: with finding and rule ids
    plain: tuple[str, ...] = ()  # for slides: the same in words, no identifier


_PATH = re.compile(r"\b[a-z][a-z_]*(?:\.[a-z0-9_*]+)+\b")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def in_words(text: str, titles: Mapping[str, str]) -> str:
    """``text`` with study field paths as their labels, finding ids as their titles and
    any other snake_case name spelled with spaces."""
    from thymoscope.kb.labels import field_label

    def path(match: re.Match[str]) -> str:
        try:
            return field_label(match.group(0)).lower()
        except KeyError:
            return match.group(0)

    for finding_id, title in titles.items():
        text = text.replace(f"{finding_id}: ", f"{title}: ").replace(finding_id, title.lower())
    text = _PATH.sub(path, text)
    return _SNAKE.sub(lambda m: m.group(0).replace("_", " "), text)


def _interval(item: Mapping[str, Any]) -> str:
    return f"{item['estimate']:.2f} ({item['ci_low']:.2f} to {item['ci_high']:.2f})"


def _finding_lines(findings: list[Mapping[str, Any]]) -> list[str]:
    lines = []
    for f in findings:
        lines.append(f"{f['title']} ({f['id']}, rule {f['rule']}).")
        lines.append(f"  {f['explanation']}")
    return lines


def outcome_steps(outcome: Mapping[str, Any]) -> list[Step]:
    """The five steps of one outcome of a review document."""
    label = str(outcome["label"])
    pooled = outcome["pooled"]
    studies = outcome["studies"]
    effects = sorted(studies, key=lambda s: s["estimate"])
    low, high = outcome["favours"]["low"], outcome["favours"]["high"]
    significant = sum(
        1
        for s in studies
        if s["ci_low"] > outcome["null_value"] or s["ci_high"] < outcome["null_value"]
    )
    steps = [
        Step(
            label,
            1,
            "The studies",
            (
                f"{len(studies)} studies; estimates from {_interval(effects[0])} "
                f"({effects[0]['id']}) to {_interval(effects[-1])} ({effects[-1]['id']}).",
                f"{significant} of {len(studies)} exclude no effect on their own; below "
                f"{outcome['null_value']:g} reads '{low}', above it '{high}'.",
            ),
        )
    ]
    if pooled is None:
        return steps
    het = pooled["heterogeneity"]
    pi = pooled["prediction"]
    steps.append(
        Step(
            label,
            2,
            "Pool them and measure the disagreement",
            (
                f"{pooled['method'].upper()} pooled estimate {_interval(pooled)}, "
                f"p = {pooled['p_value']:.3g}.",
                f"Q = {het['q']:.2f} on {het['df']} df (p = {het['p_value']:.3g}), "
                f"I² = {het['i2']:.0f}%, tau² = {het['tau2']:.4f}"
                + (
                    f"; a new study would fall between {pi['low']:.2f} and {pi['high']:.2f}."
                    if pi
                    else "."
                ),
            ),
        )
    )
    findings = list(outcome["findings"])
    explaining = [f for f in findings if f["id"] in EXPLANATION_IDS]
    tried = next(
        (fact["value"] for f in explaining for fact in f["facts"] if fact["name"] == "tried"),
        None,
    )
    intro = (
        f"Each of thymoscope's factors recorded in the files is tried as a subgroup split; "
        f"{tried} were tried, so a split counts only below 0.05/{tried} (Bonferroni)."
        if tried
        else "Each of thymoscope's factors recorded in the files is tried as a subgroup split."
    )
    steps.append(
        Step(
            label,
            3,
            "Try each factor as an explanation",
            (intro, *(_finding_lines(explaining) or ["No factor split the studies."])),
        )
    )
    others = [f for f in findings if f["id"] not in EXPLANATION_IDS]
    steps.append(
        Step(
            label,
            4,
            "Other checks on the body",
            tuple(_finding_lines(others) or ["No other body-level finding."]),
        )
    )
    certainty = outcome["certainty"]
    if certainty:
        steps.append(
            Step(
                label,
                5,
                "How certain is the evidence?",
                (
                    f"{certainty['line']}; {certainty['start_reason']}.",
                    *(
                        f"{d['name']}: {d['judgement']} — {'; '.join(d['reasons'])}"
                        for d in certainty["domains"]
                    ),
                ),
            )
        )
    return steps


def _plain_lines(step: Step, findings: list[Mapping[str, Any]]) -> tuple[str, ...]:
    ids = [str(f["id"]) for f in findings]
    titles = {  # an id shared by several findings (one per factor) is read as words
        str(f["id"]): str(f["title"])
        if ids.count(str(f["id"])) == 1
        else str(f["id"]).replace("-", " ")
        for f in findings
    }
    out: list[str] = []
    for line in step.lines:
        if line.startswith("  "):
            out.append(in_words(line.strip(), titles))
            continue
        line = re.sub(r" \([a-z0-9-]+, rule [a-z0-9_]+\)\.$", ".", line)
        out.append(in_words(line, titles))
    return tuple(line[:1].upper() + line[1:] for line in out)


def plain_steps(outcome: Mapping[str, Any]) -> list[Step]:
    """:func:`outcome_steps` with each step's ``plain`` lines filled in (for slides)."""
    findings = list(outcome.get("findings") or ())
    return [replace(s, plain=_plain_lines(s, findings)) for s in outcome_steps(outcome)]


def review_steps(document: Mapping[str, Any]) -> list[Step]:
    """Every outcome's steps, in the document's order."""
    return [step for outcome in document["outcomes"] for step in outcome_steps(outcome)]


def steps_text(document: Mapping[str, Any], width: int = 88) -> str:
    """The steps as plain text, wrapped at ``width``."""
    import textwrap

    out: list[str] = []
    for step in review_steps(document):
        heading = f"{step.outcome} — step {step.number}: {step.title}"
        out += [heading, "-" * min(len(heading), width)]
        for line in step.lines:
            indent = "    " if line.startswith("  ") else "  "
            out += textwrap.wrap(
                line.strip(), width, initial_indent=indent, subsequent_indent=indent + "  "
            )
        out.append("")
    return "\n".join(_printable(line) for line in out)


def _printable(line: str) -> str:
    """Control and format characters (from a study file) shown as escapes, never sent raw."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in line)


@dataclass(frozen=True)
class FactorQuestion:
    """ "Which factor best accounts for the disagreement?" for one outcome of a review."""

    prompt: str
    choices: tuple[str, ...]
    answers: tuple[str, ...]  # every choice counted right
    reason: str


def factor_question(
    outcome: Mapping[str, Any], factor_titles: Mapping[str, str]
) -> FactorQuestion | None:
    """The question, when a factor credibly explains the outcome's heterogeneity (the
    factors offered are ``factor_titles``, the case quiz's, so their numbers match)."""
    explained = [
        str(fact["value"])
        for f in outcome["findings"]
        if f["id"] == "heterogeneity-explained"
        for fact in f["facts"]
        if fact["name"] == "title"
    ]
    right = tuple(t for t in factor_titles.values() if any(e.startswith(t) for e in explained))
    if not right:
        return None
    return FactorQuestion(
        f"{outcome['label']}: which factor best accounts for the disagreement among these studies?",
        tuple(factor_titles.values()),
        right,
        "Split by " + " and by ".join(explained).lower() + ", the groups of studies differ "
        "beyond chance.",
    )
