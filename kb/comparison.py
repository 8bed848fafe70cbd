"""The Thymalfasin pair knowledge base: pair rules (kb/rules/pairs_*.py), their texts
(kb/comparison.yaml) and bundled pairs (kb/cases/pairs/*.yaml)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from thymoscope.engine.diagnosis import FindingSpec, KnowledgeBase
from thymoscope.engine.pairs import PairComparison, PairDiagnoser
from thymoscope.errors import ThymoscopeError
from thymoscope.kb.catalogue import load_texts
from thymoscope.study.yaml_source import YamlProblem, parse_yaml, shown


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


# --- bundled pairs and pair files -------------------------------------------------


@dataclass(frozen=True)
class PairCase:
    """A bundled pair: two bundled case ids to compare in class."""

    id: str
    title: str
    a: str
    b: str
    note: str | None = None


class PairFileError(ThymoscopeError, ValueError):
    """A pair file that cannot be read; the message is one located line."""


_CASE_ID = r"^[a-z0-9][a-z0-9_-]{0,79}$"
_PAIR_SUFFIXES = (".yaml", ".yml")
_STUDY_FILE_HELP = (
    "name a study file (.yaml) by a relative path inside the pair file's folder, "
    "or a case by its id"
)


def _reference(value: str) -> str:
    """``a``/``b``: a case id (the slug pattern) or a relative ``*.yaml`` path, never
    absolute (where ``..`` may lead is checked by :func:`parse_pair`)."""
    if re.fullmatch(_CASE_ID, value):
        return value
    if not value.endswith(_PAIR_SUFFIXES):
        raise ValueError(f"{value!r} is neither a case id nor a study file; {_STUDY_FILE_HELP}")
    if PurePosixPath(value).is_absolute() or value.startswith("~"):
        raise ValueError(f"{value!r} is an absolute path; {_STUDY_FILE_HELP}")
    if "\\" in value:
        raise ValueError(f"{value!r} holds a backslash; separate folders with '/'")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"{shown(value)} runs over several lines; write it on one line")
    return value


PairText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)]
StudyRef = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_reference)]


class PairFile(BaseModel):
    """The fields of a pair file; unknown keys, wrong types and multi-line ids are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    schema_version: Literal[1]
    id: Annotated[str, Field(pattern=_CASE_ID)]
    title: PairText
    a: StudyRef
    b: StudyRef
    note: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


def _escapes(ref: str, root: Path, folder: Path) -> bool:
    """Whether ``folder/ref`` leaves ``root`` (lexically: links are the owner's choice)."""
    top = os.path.abspath(root)
    target = os.path.abspath(os.path.join(folder, ref))
    return os.path.commonpath([target, top]) != top


def parse_pair(text: str, source: str, root: Path | None = None) -> PairCase:
    """Read a pair file: ``{schema_version: 1, id, title, a, b, note?}``.

    ``a`` and ``b`` are case ids or relative study-file paths; a path may not climb
    out of the pair file's folder with ``..`` unless ``root`` (a folder holding the
    pair file's folder, such as a demo catalogue) is given and it stays inside it.
    """
    from pydantic import ValidationError

    from thymoscope.study.loader import problems_from_validation
    from thymoscope.study.yaml_source import one_line

    try:
        document = parse_yaml(text)
    except YamlProblem as exc:
        raise PairFileError(one_line(f"{source}:{exc.line}: {exc.message}")) from None
    if not isinstance(document.data, dict):
        raise PairFileError(one_line(f"{source}:1: a pair file is a YAML mapping"))
    try:
        pair = PairFile.model_validate(document.data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, source, document, PairFile)
        more = len(problems) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise PairFileError(str(problems[0]) + extra) from None
    folder = Path(source).parent
    for side in ("a", "b"):
        ref = getattr(pair, side)
        if ".." not in PurePosixPath(ref).parts:
            continue
        if root is None or _escapes(ref, root, folder):
            line = document.line_of((side,))
            where = "the pair file's folder" if root is None else f"{root}"
            raise PairFileError(
                one_line(f"{source}:{line}: {side}: {ref!r} leads out of {where}; refused")
            )
    return PairCase(pair.id, pair.title, pair.a, pair.b, pair.note)


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
