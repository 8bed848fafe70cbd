"""Published thymalfasin studies, diagnosed end to end, against what a methodologist expects.

Each ``*.yaml`` study file in this folder encodes one published study (its ``citation``
names the source; approximated values carry a comment). ``expectations.yaml`` says, per
study, which findings must fire, which must stay silent, which must rank first and why,
and which severities and phrases are out of bounds. The expectations come from the
methodology, not from the current rules: a failure here is a disagreement between the
knowledge base and the methodologist, and the message says which.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from thymoscope.api import diagnose_file
from thymoscope.engine.diagnosis import SEVERITY_ORDER, Diagnosis, Finding
from thymoscope.kb.catalogue import catalogue
from thymoscope.study.loader import load_study

HERE = Path(__file__).resolve().parent
EXPECTATIONS_FILE = HERE / "expectations.yaml"
STUDY_FILES = sorted(p for p in HERE.glob("*.yaml") if p != EXPECTATIONS_FILE)
# Findings the rewritten knowledge base adds (issue 10); accepted before they exist.
NEW_FINDINGS = frozenset({"fragile-benefit"})
EXPECTATION_KEYS = frozenset(
    {
        "fire",
        "silent",
        "top",
        "why_top",
        "max_severity",
        "ceilings",
        "text_must_not_contain",
        "text_must_contain",
        "notes",
    }
)


def _expectations() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(EXPECTATIONS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{EXPECTATIONS_FILE.name}: expected a mapping of study ids"
    return data


EXPECTATIONS = _expectations()
STUDY_IDS = sorted(EXPECTATIONS)


def _path_of(study_id: str) -> Path:
    return HERE / f"{study_id}.yaml"


@cache
def _diagnosis(study_id: str) -> Diagnosis:
    return diagnose_file(_path_of(study_id))


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity)


def _fired(diagnosis: Diagnosis) -> str:
    """The diagnosis as one readable line for failure messages."""
    if not diagnosis.findings:
        return "(no finding fired)"
    return ", ".join(f"{f.id} [{f.severity}]" for f in diagnosis.ranked())


def _finding(diagnosis: Diagnosis, finding_id: str) -> Finding | None:
    return next((f for f in diagnosis.findings if f.id == finding_id), None)


def _known_ids() -> frozenset[str]:
    return frozenset(catalogue()) | NEW_FINDINGS


# --- the collection itself -------------------------------------------------------------


def test_at_least_fifteen_published_studies_each_with_expectations() -> None:
    file_ids = sorted(p.stem for p in STUDY_FILES)
    assert len(file_ids) >= 15, f"only {len(file_ids)} published studies in {HERE}"
    missing = sorted(set(file_ids) - set(EXPECTATIONS))
    orphans = sorted(set(EXPECTATIONS) - set(file_ids))
    assert not missing, f"study files without expectations: {missing}"
    assert not orphans, f"expectations without a study file: {orphans}"


@pytest.mark.parametrize("path", STUDY_FILES, ids=lambda p: p.stem)
def test_study_file_loads_and_cites_its_source(path: Path) -> None:
    study = load_study(path)  # a validation error here is a bug in the study file
    assert study.id == path.stem, f"{path.name}: id {study.id!r} differs from the file name"
    assert path.read_text(encoding="utf-8").startswith("# "), (
        f"{path.name}: start with a one-line comment saying what the study is"
    )
    citation = " ".join((study.citation or "").split())
    assert re.search(r"\b(19|20)\d{2}\b", citation), f"{path.name}: citation has no year"
    assert re.search(r"[A-Z][a-z]+ [A-Z]{1,3}\b", citation), (
        f"{path.name}: citation names no author (Surname Initials)"
    )


@pytest.mark.parametrize("study_id", STUDY_IDS)
def test_expectations_are_well_formed(study_id: str) -> None:
    spec = EXPECTATIONS[study_id]
    unknown_keys = set(spec) - EXPECTATION_KEYS
    assert not unknown_keys, f"{study_id}: unknown expectation keys {sorted(unknown_keys)}"
    fire, silent, top = set(spec.get("fire", [])), set(spec.get("silent", [])), spec["top"]
    named = fire | silent | set(top) | set(spec.get("ceilings", {}))
    named |= set(spec.get("text_must_contain", {}))
    named |= set(spec.get("text_must_not_contain", {})) - {"*"}
    unknown_ids = named - _known_ids()
    assert not unknown_ids, f"{study_id}: unknown finding ids {sorted(unknown_ids)}"
    assert not fire & silent, f"{study_id}: both fire and silent: {sorted(fire & silent)}"
    assert set(top) & fire, f"{study_id}: the top finding {top} must also be listed under fire"
    assert not set(top) & silent, f"{study_id}: a top finding is listed as silent"
    assert len(spec.get("why_top", "").split()) >= 8, f"{study_id}: give the reason for the top"
    severities = [spec.get("max_severity"), *spec.get("ceilings", {}).values()]
    for severity in filter(None, severities):
        assert severity in SEVERITY_ORDER, f"{study_id}: unknown severity {severity!r}"


# --- what the knowledge base says about each study ------------------------------------


@pytest.mark.parametrize("study_id", STUDY_IDS)
def test_expected_findings_fire(study_id: str) -> None:
    spec = EXPECTATIONS[study_id]
    diagnosis = _diagnosis(study_id)
    missing = [f for f in spec.get("fire", []) if _finding(diagnosis, f) is None]
    notes = spec.get("notes", {})
    reasons = "".join(f"\n  {f}: {' '.join(notes[f].split())}" for f in missing if f in notes)
    assert not missing, (
        f"{study_id}: expected {missing} to fire; fired: {_fired(diagnosis)}{reasons}"
    )


@pytest.mark.parametrize("study_id", STUDY_IDS)
def test_findings_that_must_stay_silent(study_id: str) -> None:
    spec = EXPECTATIONS[study_id]
    diagnosis = _diagnosis(study_id)
    wrong = [f for f in spec.get("silent", []) if _finding(diagnosis, f) is not None]
    assert not wrong, f"{study_id}: {wrong} must stay silent; fired: {_fired(diagnosis)}"


@pytest.mark.parametrize("study_id", STUDY_IDS)
def test_top_ranked_finding(study_id: str) -> None:
    spec = EXPECTATIONS[study_id]
    diagnosis = _diagnosis(study_id)
    reason = " ".join(spec["why_top"].split())
    assert diagnosis.findings, f"{study_id}: nothing fired; expected {spec['top']} first ({reason})"
    best = min(_rank(f.severity) for f in diagnosis.findings)
    leaders = [f.id for f in diagnosis.findings if _rank(f.severity) == best]
    assert set(spec["top"]) & set(leaders), (
        f"{study_id}: expected {spec['top']} ranked first because: {reason}\n"
        f"  ranked: {_fired(diagnosis)}"
    )


@pytest.mark.parametrize("study_id", STUDY_IDS)
def test_severity_limits(study_id: str) -> None:
    spec = EXPECTATIONS[study_id]
    diagnosis = _diagnosis(study_id)
    problems = []
    ceiling = spec.get("max_severity")
    for finding in diagnosis.findings:
        limit = spec.get("ceilings", {}).get(finding.id, ceiling)
        if limit is not None and _rank(finding.severity) < _rank(limit):
            problems.append(f"{finding.id} is {finding.severity}, at most {limit} expected")
    assert not problems, f"{study_id}: " + "; ".join(problems) + f"\n  fired: {_fired(diagnosis)}"


@pytest.mark.parametrize("study_id", STUDY_IDS)
def test_finding_texts(study_id: str) -> None:
    spec = EXPECTATIONS[study_id]
    diagnosis = _diagnosis(study_id)
    problems = []
    for key, phrases in spec.get("text_must_not_contain", {}).items():
        targets = diagnosis.findings if key == "*" else filter(None, [_finding(diagnosis, key)])
        for finding in targets:
            text = f"{finding.title}\n{finding.explanation}".lower()
            problems += [
                f"{finding.id} says {phrase!r}: {' '.join(finding.explanation.split())}"
                for phrase in phrases
                if phrase.lower() in " ".join(text.split())
            ]
    for finding_id, phrases in spec.get("text_must_contain", {}).items():
        found = _finding(diagnosis, finding_id)
        if found is not None:
            text = " ".join(found.explanation.split()).lower()
            problems += [
                f"{finding_id} should mention {phrase!r}: {' '.join(found.explanation.split())}"
                for phrase in phrases
                if phrase.lower() not in text
            ]
    assert not problems, f"{study_id}:\n  " + "\n  ".join(problems)
