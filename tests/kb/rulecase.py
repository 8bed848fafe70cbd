"""One rule, two near-identical studies: one that makes it fire, one that does not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.conftest import deep_merge, diagnose, make_study, make_study_dict
from thymoscope.engine.diagnosis import Diagnosis, Finding


@dataclass(frozen=True)
class RuleCase:
    rule: str  # method name in kb/rules/*
    finding: str  # catalogue id it concludes
    fire: dict[str, Any]  # overrides of the baseline study that make the rule fire
    silent: dict[str, Any]  # ONE further change that makes it stay silent
    cites: dict[str, Any] = field(default_factory=dict)  # path -> value it must cite
    texts: tuple[str, ...] = ()  # the study's own values, as the texts must show them
    severity: str | None = None
    base: dict[str, Any] | None = None  # starting study (default: the clean baseline)
    finding_absent: bool = True  # in the silent study, no other rule concludes it either
    name: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}{'-' + self.name if self.name else ''}"

    def fire_dict(self) -> dict[str, Any]:
        return make_study_dict(self.base, **self.fire)

    def silent_dict(self) -> dict[str, Any]:
        return deep_merge(self.fire_dict(), self.silent)


def run(data: dict[str, Any]) -> Diagnosis:
    return diagnose(make_study(data))


def finding(diagnosis: Diagnosis, finding_id: str) -> Finding | None:
    return next((f for f in diagnosis.findings if f.id == finding_id), None)


def check_fires(case: RuleCase) -> Finding:
    diagnosis = run(case.fire_dict())
    found = finding(diagnosis, case.finding)
    assert found is not None, f"{case.finding} missing; got {diagnosis.finding_ids()}"
    assert case.rule in found.rules
    cited = {fact.path: fact.value for fact in found.facts}
    for path, value in case.cites.items():
        assert path in cited, f"{path} not cited; cited {sorted(cited)}"
        assert cited[path] == value, f"{path}: cited {cited[path]!r}, expected {value!r}"
    text = " ".join((found.explanation, *found.next_steps))
    for fragment in case.texts:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    if case.severity is not None:
        assert found.severity == case.severity
    assert found.title and found.explanation and found.next_steps
    return found


def check_silent(case: RuleCase) -> None:
    diagnosis = run(case.silent_dict())
    for found in diagnosis.findings:
        assert case.rule not in found.rules, f"{case.rule} still fired"
    if case.finding_absent:
        assert case.finding not in diagnosis.finding_ids()


def ids(cases: list[RuleCase]) -> list[str]:
    return [c.id for c in cases]
