"""'Why not' and 'what if' for Thymalfasin studies: the knowledge base's side.

:mod:`thymoscope.engine.explain` does the reasoning from the rules' declarations and the
real engine; this module gives it what only the knowledge base knows (which values are
worth trying for each study field, how a changed study is validated) and the entry
points the commands and the interview use:

* :func:`explain` - why one finding fired or not for a study;
* :func:`silencing_changes` - the smallest verified changes to a study's facts after
  which a finding it fires is judged and no longer triggered (for the interview's
  closing question, "what would make this study more credible?");
* :func:`credibility_changes` - the same for every finding a study fires, and
  :func:`credibility_texts` - those in words;
* :func:`what_if` - a study diagnosed with some fields changed, finding by finding.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from thymoscope.engine.explain import (
    Change,
    Explainer,
    Explanation,
    InvalidChange,
    Outcome,
    Proposal,
)
from thymoscope.engine.facts import flatten, study_data
from thymoscope.kb.labels import field_kinds, generic_path, labelled_fields, vocabularies
from thymoscope.kb.thresholds import (
    ADVANCED_FIBROSIS_DOSE_MG,
    ALPHA,
    ANTICANCER_PARTNERS,
    CHB_COMBINATION_PARTNERS,
    CHB_MIN_FOLLOW_UP_MONTHS,
    CHB_REFERENCE_READING_MONTHS,
    LOW_DOSE_COMPARED_MG,
    MANY_SUBGROUPS,
    PRECISE_RATIO_BOUNDS,
    REFERENCE_PROTOCOLS,
    SMALL_TRIAL_PATIENTS,
    UNDERPOWERED_NULL_PATIENTS,
    USUAL_DOSE_MG,
)

# Fields never changed: who the study is, and free text.
FIXED = frozenset(
    {"schema_version", "id", "title", "citation", "cancer_type", "primary_endpoint.name"}
)
# Fields never proposed to silence a finding (what a subgroup is, how an effect is
# expressed: the same numbers under another measure mean nothing), though tried when
# explaining why a rule did not fire.
KEPT = frozenset(
    {
        "subgroups.*.name",
        "subgroups.*.by",
        "subgroups.*.level",
        "result.effect.measure",
        "result.effect.ci_level",
        "subgroups.*.effect.measure",
        "subgroups.*.effect.ci_level",
    }
)
# The one design change proposed: randomise (a primary study is never proposed as a
# meta-analysis or a weaker design, nor a meta-analysis as anything else).
POOLED_DESIGN = "meta_analysis"
RANDOMISED_DESIGN = "rct"

# The study's results: what it found, not how it was designed or reported. Changes to
# them are shown apart ("had the result been ..."), never as a way to a better study.
OUTCOME_FIELDS = (
    "result.",
    "subgroups.*.effect.",
    "subgroups.*.interaction_p",
    "subgroups.*.credibility",
)

# The thresholds of kb/thresholds.py each numeric field is read against, and the step
# that crosses one (a number just beside each threshold is tried as well).
_MONTHS = (CHB_REFERENCE_READING_MONTHS, CHB_MIN_FOLLOW_UP_MONTHS)
THRESHOLDS: dict[str, tuple[tuple[float, ...], float]] = {
    "intervention.dose": (
        (*USUAL_DOSE_MG, LOW_DOSE_COMPARED_MG, ADVANCED_FIBROSIS_DOSE_MG),
        0.1,
    ),
    "intervention.duration_weeks": (
        tuple(w for p in REFERENCE_PROTOCOLS.values() for w in p.duration_weeks),
        1.0,
    ),
    "follow_up_months_after_therapy": (_MONTHS, 1.0),
    "primary_endpoint.months_after_therapy": (_MONTHS, 1.0),
    "design.sample_size": ((SMALL_TRIAL_PATIENTS, UNDERPOWERED_NULL_PATIENTS), 1.0),
    "design.subgroups_tested": ((MANY_SUBGROUPS,), 1.0),
    "result.effect.p_value": ((ALPHA,), 0.001),
    "subgroups.*.effect.p_value": ((ALPHA,), 0.001),
    "subgroups.*.interaction_p": ((ALPHA,), 0.001),
    "subgroups.*.sample_size": ((SMALL_TRIAL_PATIENTS,), 1.0),
    # an interval's ends against no effect (1 for ratios, 0 for differences) and the
    # bounds within which the project reads a ratio null result as precise
    "result.effect.estimate": ((1.0, 0.0), 0.01),
    "result.effect.ci_low": ((1.0, 0.0, *PRECISE_RATIO_BOUNDS), 0.01),
    "result.effect.ci_high": ((1.0, 0.0, *PRECISE_RATIO_BOUNDS), 0.01),
    # the usual 95% interval, and the 90% one beside it
    "result.effect.ci_level": ((95.0,), 5.0),
    "subgroups.*.effect.ci_level": ((95.0,), 5.0),
}


# The therapies thymalfasin is proposed alongside, by indication (FAQ 2, 3, 4).
PARTNERS: dict[str, frozenset[str]] = {
    "chronic_hepatitis_b": CHB_COMBINATION_PARTNERS,
    "cancer": ANTICANCER_PARTNERS,
    "sepsis": frozenset({"standard_of_care"}),
}


class WhatIfError(ValueError):
    """A ``FIELD=VALUE`` the study model does not accept; one line for the user."""


def _numbers(path: str, current: Any, integer: bool) -> list[Any]:
    thresholds, step = THRESHOLDS.get(generic_path(path), ((), 1.0))
    tried: list[float] = []
    for threshold in thresholds:
        for value in (threshold, threshold - step, threshold + step):
            value = round(value, 6)
            if value not in tried:
                tried.append(value)
    if current is not None:
        tried.sort(key=lambda v: abs(v - current))
    return [int(v) if integer else v for v in tried if not integer or v == int(v)]


def candidates(path: str, current: Any, values: Mapping[str, Any] | None = None) -> list[Any]:
    """The values worth trying at a concrete study path, best first: the other values
    of a closed list (for the design type: randomised, only; for a list field: the
    current list with one value added, one taken away, or none left; a therapy added is one used
    in the study's indication), both answers of a yes/no
    field, the thresholds a number is read against and the numbers just beside them,
    nearest first."""
    kind = field_kinds().get(generic_path(path))
    if kind is None:
        return []
    if kind.kind == "choice" and kind.choices is not None:
        choices = [member.value for member in kind.choices]
        if path == "design.type":
            return [] if current in (POOLED_DESIGN, RANDOMISED_DESIGN) else [RANDOMISED_DESIGN]
        if not kind.many:
            return choices
        have = list(current or ())
        partners = PARTNERS.get(str((values or {}).get("indication")))
        if path == "intervention.combined_with" and partners is not None:
            choices = [c for c in choices if c in partners]
        added = [[*have, value] for value in choices if value not in have]
        removed = [[v for v in have if v != value] for value in have]
        emptied: list[list[Any]] = [[]] if len(have) > 1 else []
        return [*added, *removed, *emptied]
    if kind.kind == "flag":
        return [True, False]
    if kind.kind in ("integer", "number"):
        return _numbers(path, current, kind.kind == "integer")
    read_as = labelled_fields().get(generic_path(path))
    if read_as is not None and read_as.values is not None:  # text read against a list
        return [member.value for member in vocabularies()[read_as.values]]
    return []


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """A changed study, validated and dumped; a version 1 study that a change gives a
    version 2 value is read as version 2 (the version is the file's, not a fact)."""
    from thymoscope.study.model import Study

    try:
        return study_data(Study.model_validate(data))
    except ValidationError as exc:
        problem = _first_problem(exc)
        if "schema_version: 2" in problem.message and data.get("schema_version") == 1:
            return validate({**data, "schema_version": 2})
        raise InvalidChange(problem.field, problem.message) from None


def _first_problem(exc: ValidationError) -> Any:
    from thymoscope.study.loader import problems_from_validation

    return problems_from_validation(exc, "", None)[0]


@cache
def explainer() -> Explainer:
    from thymoscope.engine.batch import diagnoser_for
    from thymoscope.kb import knowledge

    return Explainer(diagnoser_for(knowledge), candidates, validate, FIXED, KEPT, OUTCOME_FIELDS)


def finding_ids() -> list[str]:
    from thymoscope.kb import knowledge

    return list(knowledge().catalogue)


def unknown_finding(finding: str) -> str:
    """The one-line message for a finding id the catalogue does not have."""
    close = difflib.get_close_matches(finding, finding_ids(), n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else " (`thymoscope rules` lists them)"
    return f"no finding {finding!r} in the catalogue{hint}"


def _check_finding(finding: str) -> None:
    if finding not in finding_ids():
        raise KeyError(unknown_finding(finding))


def explain(study: BaseModel, finding: str) -> Explanation:
    """Why ``finding`` fired or not for ``study`` (raises ``KeyError`` for an id that
    is not in the catalogue, with the message of :func:`unknown_finding`)."""
    _check_finding(finding)
    return explainer().explain(study_data(study), finding)


def silencing_changes(study: BaseModel, finding: str) -> list[Proposal]:
    """The smallest changes to ``study``'s design and report after which ``finding``
    is judged and no longer raised, each verified by diagnosing the changed study.

    Empty when the study does not raise the finding (or nothing tried silences it).
    Single-field changes come first; pairs only when no single field does it; then one
    set built a change at a time. Its results are never changed, and a change that
    leaves a fact unknown is never proposed. Words: ``explanation_text.grouped_texts``.
    """
    _check_finding(finding)
    return list(explainer().silencing(study_data(study), finding))


def credibility_changes(study: BaseModel) -> dict[str, list[Proposal]]:
    """:func:`silencing_changes` for every finding the study fires, in catalogue order."""
    data = study_data(study)
    fired = explainer().fired_rules(data)
    return {
        finding: list(explainer().silencing(data, finding))
        for finding in finding_ids()
        if finding in fired
    }


def credibility_texts(study: BaseModel) -> dict[str, list[str]]:
    """:func:`credibility_changes` in words, one line per proposal (similar single
    changes of one field merged), by the finding's id: what ``ask`` shows at its end."""
    from thymoscope.kb.explanation_text import grouped_texts

    values = flatten(study_data(study))
    return {
        finding: grouped_texts(proposals, values, finding)
        for finding, proposals in credibility_changes(study).items()
    }


# ---------------------------------------------------------------- what if


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[Change, ...]
    outcomes: tuple[Outcome, ...]
    values: Mapping[str, Any]  # the changed study, by dotted path


def parse_assignment(text: str, values: Mapping[str, Any]) -> tuple[str, Any]:
    """``primary_endpoint.timing=after_therapy`` -> (path, value); the value is read as
    in a study file (YAML: ``12``, ``true``, ``[hla_dr, cd4]``, ``null`` for unknown)."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise WhatIfError(f"--what-if {text!r}: expected FIELD=VALUE")
    kinds = field_kinds()
    if generic_path(path) not in kinds or kinds[generic_path(path)].kind == "section":
        close = difflib.get_close_matches(
            path, [p for p, k in kinds.items() if k.kind != "section"], n=1, cutoff=0.6
        )
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise WhatIfError(f"--what-if {path}: not a study field{hint}")
    if "*" in path:
        raise WhatIfError(f"--what-if {path}: name one subgroup by its number (subgroups.0...)")
    if path in FIXED:
        raise WhatIfError(f"--what-if {path}: names the study, not a fact about it")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise WhatIfError(f"--what-if {path}: {raw!r} is not a value") from None
    return path, value


def what_if(study: BaseModel, assignments: Sequence[str]) -> WhatIf:
    """Diagnose ``study`` with ``FIELD=VALUE`` assignments made, beside the original.

    Raises :class:`WhatIfError` (one line naming the field) for an unknown field, a
    value the study model refuses, or a change the changed study cannot hold.
    """
    data = study_data(study)
    values = flatten(data)
    changes: list[Change] = []
    for text in assignments:
        path, value = parse_assignment(text, values)
        changes = [c for c in changes if c.path != path]
        changes.append(Change(path, value, values.get(path)))
    try:
        changed = explainer().apply(data, changes)
    except InvalidChange as problem:
        named = problem.field or changes[0].path
        raise WhatIfError(f"--what-if {named}: {problem.message}") from None
    outcomes = explainer().outcomes(data, changed)
    return WhatIf(tuple(changes), tuple(outcomes), flatten(changed))
