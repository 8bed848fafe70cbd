"""The Thymalfasin pair knowledge base: pair rules (kb/rules/pairs_*.py), their texts
(kb/comparison.yaml) and bundled pairs (kb/cases/pairs/*.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from thymoscope.engine.diagnosis import FindingSpec, KnowledgeBase
from thymoscope.engine.pairs import PairComparison, PairDiagnoser
from thymoscope.kb.catalogue import load_texts
from thymoscope.study.yaml_source import YamlProblem, parse_yaml


def pair_factor_titles() -> dict[str, str]:
    return dict(load_texts("comparison.yaml")[0])


def pair_catalogue() -> dict[str, FindingSpec]:
    return load_texts("comparison.yaml")[1]


@cache
def pair_knowledge() -> KnowledgeBase:
    from thymoscope.engine.rules import declared_catalogue
    from thymoscope.kb.catalogue import render_text
    from thymoscope.kb.facts import SCOPE_FIELD, to_facts
    from thymoscope.kb.rules.pairs_factors import PairFactorRules
    from thymoscope.kb.rules.pairs_results import PairResultRules
    from thymoscope.study.loader import StudyFileError, load_study

    titles = pair_factor_titles()
    rule_sets = (PairFactorRules, PairResultRules)
    return KnowledgeBase(
        rule_sets=rule_sets,
        catalogue=declared_catalogue(pair_catalogue(), rule_sets),
        factor_order=tuple(titles),
        factor_titles=titles,
        render_text=render_text,
        load=load_study,
        load_error=StudyFileError,
        to_facts=to_facts,
        scope_field=SCOPE_FIELD,
    )


@cache
def pair_diagnoser() -> PairDiagnoser:
    """The process-wide pair diagnoser (rule network built once)."""
    return PairDiagnoser(pair_knowledge())


def compare(
    a: Any, b: Any, a_source: str | None = None, b_source: str | None = None
) -> PairComparison:
    """Compare two validated studies."""
    return pair_diagnoser().compare(a, b, a_source, b_source)


def compare_files(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> PairComparison:
    from thymoscope.study.loader import load_study

    return compare(load_study(a), load_study(b), str(a), str(b))


# --- bundled pairs -----------------------------------------------------------------


@dataclass(frozen=True)
class PairCase:
    """A bundled pair: two bundled case ids to compare in class."""

    id: str
    title: str
    a: str
    b: str
    note: str | None = None


class PairFileError(ValueError):
    """A pair file that cannot be read; the message is one located line."""


PAIR_KEYS = ("schema_version", "id", "title", "a", "b", "note")


def parse_pair(text: str, source: str) -> PairCase:
    """Read a pair file: ``{schema_version: 1, id, title, a, b, note?}``."""
    try:
        document = parse_yaml(text)
    except YamlProblem as exc:
        raise PairFileError(f"{source}:{exc.line}: {exc.message}") from None
    data = document.data
    if not isinstance(data, dict):
        raise PairFileError(f"{source}:1: a pair file is a YAML mapping")
    unknown = sorted(set(map(str, data)) - set(PAIR_KEYS))
    if unknown:
        line = document.line_of((unknown[0],))
        raise PairFileError(f"{source}:{line}: {unknown[0]}: unknown field")
    if data.get("schema_version") != 1:
        line = document.line_of(("schema_version",))
        raise PairFileError(f"{source}:{line}: schema_version: expected 1")
    for key in ("id", "title", "a", "b"):
        if not isinstance(data.get(key), str) or not data[key]:
            line = document.line_of((key,))
            raise PairFileError(f"{source}:{line}: {key}: required text field is missing")
    return PairCase(data["id"], data["title"], data["a"], data["b"], data.get("note"))


def bundled_pairs() -> dict[str, PairCase]:
    """``{pair id: PairCase}`` for every bundled pair file."""
    root = files("thymoscope.kb.cases.pairs")
    pairs = {}
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            pair = parse_pair(entry.read_text(encoding="utf-8"), f"pairs/{entry.name}")
            pairs[pair.id] = pair
    return pairs


def bundled_case_path(case_id: str) -> Path:
    """The file of a bundled case, by id (the file stem)."""
    path = files("thymoscope.kb.cases").joinpath(f"{case_id}.yaml")
    return Path(str(path))
