"""The Python API of thymoscope: what the command line does, as calls for scripts and
notebooks.

>>> from thymoscope import api
>>> report = api.diagnose("sepsis-small-open-rct")           # a bundled case
>>> [f.id for f in report.findings]                           # doctest: +SKIP
>>> report                                                    # in Jupyter: the HTML report
>>> api.compare("sepsis-small-vs-large").verdict              # doctest: +SKIP
>>> api.review("sepsis-quality", by="design.blinding")        # doctest: +SKIP

A study is given as a path to a study file (``.yaml``), a bundled case id (see
:func:`bundled_cases`), a ``dict`` shaped like a study file, or a
:class:`~thymoscope.study.model.Study`. A dict is validated like a file: each problem
is one line in the :class:`~thymoscope.study.loader.StudyFileError` raised.

Every result has ``to_dict()``, ``to_json()``, ``to_text()``, ``to_markdown()`` and
``to_html()``, and shows its HTML report (forest plots included) in a notebook cell; see
:mod:`thymoscope.results`. Every error raised on purpose derives from
:class:`ThymoscopeError` (see :mod:`thymoscope.errors`).

thymoscope interprets studies, not patients, and gives no treatment advice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from thymoscope.engine import batch
from thymoscope.engine.batch import WorkerLost
from thymoscope.engine.core import Diagnoser
from thymoscope.engine.diagnosis import Diagnosis, KnowledgeBase
from thymoscope.errors import ThymoscopeError, UnknownNameError
from thymoscope.kb import knowledge
from thymoscope.results import (
    DiagnosisReport,
    PairLabel,
    Review,
    ReviewFinding,
    RuleBook,
    RuleEntry,
    StudyComparison,
    StudyDiagnosis,
    bundled_path,
)
from thymoscope.study.loader import Problem, StudyFileError, load_study
from thymoscope.study.model import Study
from thymoscope.study.sheet_paths import is_sheet

__all__ = [
    "DiagnosisReport",
    "PairLabel",
    "Review",
    "ReviewFinding",
    "RuleBook",
    "RuleEntry",
    "Study",
    "StudyComparison",
    "StudyDiagnosis",
    "StudyFileError",
    "StudyInput",
    "ThymoscopeError",
    "UnknownNameError",
    "bundled_cases",
    "bundled_pairs",
    "bundled_reviews",
    "compare",
    "diagnose",
    "diagnose_many",
    "review",
    "rule",
    "rules",
    "source_name",
    "study_from_dict",
]

Paths = Sequence[str | os.PathLike[str]]
StudyInput = str | os.PathLike[str] | Mapping[str, Any] | Study
"""A study: a study file's path, a bundled case id, a study-file-shaped dict, or a model."""

DICT_SOURCE = "<dict>"  # names a dict input in problem lines
STUDY_SUFFIXES = (".yaml", ".yml")
METHODS = ("reml", "dl", "pm")


# --- the bundled knowledge base and diagnoser ---------------------------------------


# The bundled Thymalfasin knowledge base, loaded once per process. It is
# thymoscope.kb.knowledge itself, not a wrapper: a batch keys its rule network by the
# factory, so the CLI (which imports the kb, not this module) shares the network.
default_knowledge = knowledge


@cache
def diagnoser() -> Diagnoser:
    """The process-wide diagnoser; its rule network is built once (shared with batches)."""
    return batch.diagnoser_for(default_knowledge)


# --- bundled cases, pairs and review sets -------------------------------------------


def bundled_cases() -> dict[str, Path]:
    """``{case id: study file}`` for every bundled case, sorted by id."""
    folder = bundled_path("thymoscope.kb.cases", "")
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def bundled_pairs() -> dict[str, PairLabel]:
    """``{pair id: PairLabel}`` for every bundled pair (two bundled cases to compare)."""
    from thymoscope.kb.comparison import bundled_pairs as pairs

    return {p.id: PairLabel(p.id, p.title, p.note) for p in pairs().values()}


def bundled_reviews() -> dict[str, Path]:
    """``{set name: folder}`` for every bundled review set (a body of studies to pool)."""
    folder = bundled_path("thymoscope.kb.cases", "review")
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_dir()}


# --- studies in ---------------------------------------------------------------------


def study_from_dict(data: Mapping[str, Any], source: str = DICT_SOURCE) -> Study:
    """Validate a dict shaped like a study file (``thymoscope schema``) as a study.

    Raises :class:`StudyFileError` listing each problem as ``SOURCE: FIELD: message``
    (the same words as for a study file, without line numbers).
    """
    from pydantic import ValidationError

    from thymoscope.study.loader import problems_from_validation

    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise StudyFileError([Problem(source, 0, "", f"a study is a mapping, not {kind}")])
    try:
        return Study.model_validate(dict(data))
    except ValidationError as exc:
        raise StudyFileError(problems_from_validation(exc, source, None)) from None


def source_name(path: str | os.PathLike[str]) -> str:
    """How a report names a study file: a bundled one as ``bundled case ID`` (never by
    where thymoscope is installed), any other as given."""
    root = os.path.realpath(bundled_path("thymoscope.kb.cases", ""))
    try:
        inside = Path(os.path.realpath(path)).relative_to(root)
    except ValueError:
        return os.fspath(path)
    return f"bundled case {inside.with_suffix('').as_posix()}"


def _bundled_case(name: str) -> Path:
    cases = bundled_cases()
    if name not in cases:
        raise UnknownNameError("study file or bundled case", name, list(cases))
    return cases[name]


def _path_text(item: object) -> str | None:
    """The text of an input that names a file (a path, or text with a file suffix,
    a folder separator, or naming something that exists); None for anything else (a
    bundled case id, a dict, a model)."""
    if not isinstance(item, str | os.PathLike):
        return None
    text = os.fspath(item)
    if not isinstance(text, str):
        raise TypeError("a study path must be text, not bytes")
    if isinstance(item, os.PathLike) or not text:
        return text
    named = Path(text).suffix != "" or "/" in text or os.sep in text or os.path.lexists(text)
    return text if named else None


def load_input(study: StudyInput, source: str | None = None) -> tuple[Study, str | None]:
    """Any study input as a validated model, and the source a report names it by."""
    from thymoscope.study.loader import input_problem

    if isinstance(study, Study):
        return study, source
    if isinstance(study, Mapping):
        return study_from_dict(study, source or DICT_SOURCE), source
    path = _path_text(study)
    if path is None and isinstance(study, str):
        return load_study(_bundled_case(study)), source or f"bundled case {study}"
    if path is None:
        raise TypeError(
            "a study is a path, a bundled case id, a dict shaped like a study file or a "
            f"thymoscope.study.model.Study, not {type(study).__name__}"
        )
    if is_sheet(path):
        message = "an extraction sheet holds many studies; use diagnose_many() or review()"
        raise StudyFileError([Problem(path, 0, "", message)])
    refused = input_problem(path)
    if refused is not None:
        raise refused
    return load_study(path), source or source_name(path)


# One input of many, in order: a study file still to read, a study read (with its
# source), or the problems of an input that cannot be read.
_Entry = Path | tuple[Study, str | None] | list[Problem]


def _entries(items: Iterable[StudyInput], files: list[Path]) -> Iterator[_Entry]:
    """Each input in order; folders expand to their study files, extraction sheets
    (``.csv``/``.xlsx``) to their rows. Every file named or found is added to ``files``."""
    from thymoscope.study.loader import expand_inputs, input_problem
    from thymoscope.study.sheet import read_sheet

    for item in items:
        name = _path_text(item)
        if name is None:
            try:
                yield load_input(item)
            except StudyFileError as exc:
                yield list(exc.problems)
            except UnknownNameError as exc:
                yield [Problem(exc.name, 0, "", f"no such study file or bundled case ({exc.hint})")]
            continue
        refused = input_problem(name)  # "" is refused, not read as the current folder
        if refused is not None:
            yield list(refused.problems)
            continue
        for path in expand_inputs([Path(name)]):
            if isinstance(path, StudyFileError):
                yield list(path.problems)
                continue
            files.append(path)
            if is_sheet(path):
                try:
                    rows = read_sheet(path)
                except StudyFileError as exc:
                    yield list(exc.problems)
                    continue
                for where, row in rows:
                    yield list(row.problems) if isinstance(row, StudyFileError) else (row, where)
            else:
                yield path


def _many(inputs: Iterable[StudyInput] | StudyInput) -> list[StudyInput]:
    """The inputs as a list; one input (a path, a folder, a dict, a model) on its own."""
    if isinstance(inputs, str | os.PathLike | Mapping | Study):
        return [inputs]
    return list(inputs)


# --- diagnose -----------------------------------------------------------------------


def diagnose(study: StudyInput, source: str | None = None) -> StudyDiagnosis:
    """Diagnose one study: why might its result differ from other studies'?

    ``study`` is a study file's path, a bundled case id, a dict shaped like a study
    file, or a :class:`~thymoscope.study.model.Study`; ``source`` is the name the report
    gives it (default: the path, or none for a dict or model).

    Returns a :class:`~thymoscope.results.StudyDiagnosis`: its ``findings`` (each with
    ``id``, ``severity``, ``explanation``, ``next_steps``, ``faq`` sections and the
    ``facts`` it cites), its ``checks``, and the report in every format. Raises
    :class:`StudyFileError` for a study that cannot be read or is not valid, and
    :class:`UnknownNameError` for a name that is neither a file nor a bundled case.
    """
    model, shown_as = load_input(study, source)
    return StudyDiagnosis.of(diagnoser().diagnose(model, shown_as))


def diagnose_file(path: str | os.PathLike[str]) -> StudyDiagnosis:
    """Diagnose one study file (:func:`diagnose` with a path)."""
    return diagnose(load_study(path), str(path))


def diagnose_many(
    inputs: Iterable[StudyInput] | StudyInput, jobs: int | None = None
) -> DiagnosisReport:
    """Diagnose many studies: study files, folders (their ``.yaml`` files), extraction
    sheets (``.csv``/``.xlsx``, one study per row), bundled case ids, dicts or models.

    Study files are diagnosed on ``jobs`` processes (default: one per core for large
    batches, else one). An input that cannot be read does not stop the others: it
    becomes one line in the result's ``errors``, as on the command line. Raises
    :class:`StudyFileError` only when no study at all could be read.
    """
    files: list[Path] = []
    entries = list(_entries(_many(inputs), files))
    study_files = [entry for entry in entries if isinstance(entry, Path)]
    diagnosed = iter(diagnose_paths(study_files, jobs) if study_files else [])
    studies: list[StudyDiagnosis] = []
    problems: list[Problem] = []
    for entry in entries:
        if isinstance(entry, list):
            problems += entry
        elif isinstance(entry, Path):
            result = next(diagnosed)
            if isinstance(result, StudyFileError):
                problems += result.problems
            elif isinstance(result, WorkerLost):
                problems.append(Problem(result.source, 0, "", result.message))
            else:
                result.source = source_name(entry)
                studies.append(StudyDiagnosis.of(result))
        else:
            studies.append(StudyDiagnosis.of(diagnoser().diagnose(*entry)))
    if problems and not studies:
        raise StudyFileError(problems)
    return DiagnosisReport(tuple(studies), tuple(str(p) for p in problems), tuple(files))


# --- compare ------------------------------------------------------------------------


def _bundled_side(case_id: str) -> tuple[Path, str]:
    return _bundled_case(case_id), f"bundled case {case_id}"


def _pair_studies(name: str) -> tuple[PairLabel, tuple[Path, str], tuple[Path, str]]:
    """A bundled pair id or a pair file: the pair, and each side's study file with the
    name a report gives it (a bundled case by its id, never by where it is installed)."""
    from thymoscope.kb.comparison import bundled_pairs as pairs
    from thymoscope.kb.comparison import parse_pair
    from thymoscope.study.loader import read_text

    path = _path_text(name)
    if path is None:
        known = pairs()
        if name not in known:
            raise UnknownNameError("bundled pair", name, list(known))
        pair = known[name]
        label = PairLabel(pair.id, pair.title, pair.note)
        return label, _bundled_side(pair.a), _bundled_side(pair.b)
    pair_path = Path(path)
    pair = parse_pair(read_text(pair_path), path)

    def locate(ref: str) -> tuple[Path, str]:
        if Path(ref).suffix in STUDY_SUFFIXES:
            return pair_path.parent / ref, str(pair_path.parent / ref)
        return _bundled_side(ref)

    return PairLabel(pair.id, pair.title, pair.note), locate(pair.a), locate(pair.b)


def compare(a: StudyInput, b: StudyInput | None = None) -> StudyComparison:
    """Compare two studies: on which factors do they differ, and do their results
    really conflict?

    ``compare(a, b)`` takes two studies (paths, bundled case ids, dicts or models);
    ``compare(name)`` a bundled pair (see :func:`bundled_pairs`) or a pair file
    (``{schema_version: 1, id, title, a, b}``). Returns a
    :class:`~thymoscope.results.StudyComparison` (``findings``, ``verdict``, the
    side-by-side report in every format). Raises :class:`StudyFileError`,
    :class:`~thymoscope.kb.comparison.PairFileError` or :class:`UnknownNameError` for
    input it cannot use.
    """
    from thymoscope.kb.comparison import compare as compare_studies

    pair = None
    source_a = source_b = None
    if b is None:
        if not isinstance(a, str | os.PathLike):
            raise TypeError("compare(a, b) takes two studies; compare(name) a pair's name")
        pair, (a, source_a), (b, source_b) = _pair_studies(os.fspath(a))
    study_a, source_a = load_input(a, source_a)
    study_b, source_b = load_input(b, source_b)
    return StudyComparison.of(compare_studies(study_a, study_b, source_a, source_b), pair)


# --- review -------------------------------------------------------------------------


def review(
    studies: Iterable[StudyInput] | StudyInput,
    method: str = "reml",
    by: str | None = None,
    *,
    regress: str | None = None,
    hksj: bool = False,
    level: float = 95.0,
    title: str | None = None,
) -> Review:
    """Pool a body of studies: effect, heterogeneity, which factor explains the
    disagreement, certainty, forest plot (``thymoscope review``).

    ``studies`` is a bundled review set's name (see :func:`bundled_reviews`), a folder,
    a study file or extraction sheet, or a list of any study inputs. ``method`` is the
    tau² estimator (``reml``, ``dl`` or ``pm``); ``by`` forms subgroups by a study field
    (``design.blinding``, ``covariates.X``); ``regress`` runs a meta-regression on a
    numeric field; ``hksj`` uses the Hartung–Knapp–Sidik–Jonkman interval; ``level``
    is the confidence level in percent.

    An input that cannot be read becomes a line in ``errors`` and the rest are
    pooled. Raises :class:`~thymoscope.synthesis.body.BodyError` for an option that
    cannot apply, and :class:`StudyFileError` when no study could be read.
    """
    from thymoscope.synthesis.body import BodyError, ReviewOptions
    from thymoscope.synthesis.review import review_studies

    if method not in METHODS:
        raise BodyError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if isinstance(studies, str) and _path_text(studies) is None:
        sets = bundled_reviews()
        if studies not in sets:
            raise UnknownNameError("bundled review set", studies, list(sets))
        title = studies if title is None else title
        studies = sets[studies]
    loaded: list[tuple[Any, str]] = []
    problems: list[Problem] = []
    files: list[Path] = []
    for entry in _entries(_many(studies), files):
        if isinstance(entry, list):
            problems += entry
            continue
        if not isinstance(entry, Path):
            study, given = entry
            loaded.append((study, given or study.id))
            continue
        try:
            loaded.append((load_study(entry), source_name(entry)))
        except StudyFileError as exc:
            problems += exc.problems
    if problems and not loaded:
        raise StudyFileError(problems)
    options = ReviewOptions(
        method=method,  # type: ignore[arg-type]
        hksj=hksj,
        by=by,
        regress=regress,
        level=level,
    )
    lines = [str(p) for p in problems]
    return Review(review_studies(loaded, options, lines, title or ""), tuple(files))


# --- the knowledge base -------------------------------------------------------------


def _rule_names() -> list[str]:
    """Every finding id and rule name, single-study first, then pair ones."""
    from thymoscope.engine.rules import rule_specs
    from thymoscope.kb.comparison import pair_knowledge

    names: dict[str, None] = {}
    for kb in (default_knowledge(), pair_knowledge()):
        names.update(dict.fromkeys(kb.catalogue))
        names.update(dict.fromkeys(s.rule for s in rule_specs(kb.rule_sets)))
    return list(names)


def rule(name: str) -> RuleEntry:
    """One finding of the knowledge base in full, by its id (``"end-of-therapy-endpoint"``)
    or the name of a rule that concludes it: what its rules test, their thresholds and
    where each comes from, its texts, FAQ sections and the bundled cases that show it
    (``thymoscope rules ID``). Raises :class:`UnknownNameError` for an unknown name."""
    from thymoscope.report.rules import UnknownRule, finding_document

    try:
        return RuleEntry(finding_document(name))
    except UnknownRule:
        raise UnknownNameError("finding or rule", name, _rule_names()) from None


@cache
def rules() -> RuleBook:
    """The knowledge base: every finding (of single studies, then of pairs), factor by
    factor, with its severity, FAQ sections and the rules that conclude it; each of
    ``findings`` is the finding in full, as :func:`rule` gives it (``thymoscope rules``)."""
    from thymoscope.report.rules import rules_document

    document = rules_document()
    ids = [
        finding["id"]
        for key in ("factors", "pair_factors")
        for factor in document[key]
        for finding in factor["findings"]
    ]
    return RuleBook(document, tuple(rule(finding_id) for finding_id in ids))


# --- batches (see thymoscope.engine.batch) -------------------------------------------


def study_dict(diagnosis: Diagnosis, knowledge: KnowledgeBase) -> dict[str, Any]:
    """One study's report part: ``report.document.study_document`` (plain data)."""
    from thymoscope.report.document import study_document

    return study_document(diagnosis, dict(knowledge.factor_titles))


def study_json(diagnosis: Diagnosis, knowledge: KnowledgeBase, **dump_options: Any) -> str:
    """One study's report part as JSON text."""
    return json.dumps(study_dict(diagnosis, knowledge), **dump_options)


def diagnose_paths(
    paths: Paths, jobs: int | None = None
) -> list[Diagnosis | StudyFileError | WorkerLost]:
    """Every study file diagnosed, in input order; a bad file is its StudyFileError,
    a file whose worker process died is a WorkerLost."""
    return list(batch.map_paths(paths, jobs, default_knowledge))


def diagnose_to_documents(
    paths: Paths, jobs: int | None = None
) -> Iterator[dict[str, Any] | StudyFileError | WorkerLost]:
    """Each study's report part as plain data (built in the workers), in input order.

    For a whole report: ``doc = report_document([], errors)``, then
    ``doc["studies"] = documents``; this equals ``report_document(diagnoses, errors)``.
    """
    return batch.map_paths(paths, jobs, default_knowledge, study_dict)


def diagnose_to_json(
    paths: Paths, jobs: int | None = None, **dump_options: Any
) -> Iterator[str | StudyFileError | WorkerLost]:
    """Each study's report part as JSON text (rendered in the workers), in input order.

    ``dump_options`` go to :func:`json.dumps` (e.g. ``indent=2``, ``ensure_ascii=False``).
    """
    return batch.map_paths(paths, jobs, default_knowledge, study_json, **dump_options)
