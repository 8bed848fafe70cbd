"""Rule cases against the rules' declarations (``@concludes``): helpers for the generic tests.

The changed studies are run through the rule engine as plain data, without the study
model: a declaration speaks about the rule's pattern, and a value outside ``when`` must
silence the rule even where the model would also ask for other fields to change.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Iterator, Mapping
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any

from tests.kb.rulecase import RuleCase
from thymoscope.api import diagnoser
from thymoscope.engine.diagnosis import Conclusion
from thymoscope.engine.facts import study_data
from thymoscope.engine.questionnaire import _base, field_annotation, pattern_of
from thymoscope.engine.rules import RuleSpec, rule_specs
from thymoscope.kb import knowledge
from thymoscope.study.model import Study

HERE = Path(__file__).parent

# Declarations that say more than their rule's pattern checks: (rule, field) -> why.
# Changing the field is expected not to silence the rule (a strict xfail), so the test
# turns red once the rule or its declaration is fixed, and the entry must go.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def rule_cases() -> list[tuple[str, RuleCase]]:
    """(module name, case) for every RuleCase in the CASES of tests/kb/test_*.py."""
    found = []
    for path in sorted(HERE.glob("test_*.py")):
        module = import_module(f"tests.kb.{path.stem}")
        for case in getattr(module, "CASES", ()):
            if isinstance(case, RuleCase):
                found.append((path.stem, case))
    return found


def single_study_specs() -> dict[str, RuleSpec]:
    """The declared single-study rules by method name (names are unique across sets)."""
    specs = rule_specs(knowledge().rule_sets)
    by_name = {spec.rule: spec for spec in specs}
    assert len(by_name) == len(specs), "two single-study rules share a method name"
    return by_name


def fire_data(case: RuleCase) -> dict[str, Any]:
    """The case's firing study, validated and dumped as the engine sees it."""
    return study_data(Study.model_validate(case.fire_dict()))


def conclusions(data: dict[str, Any]) -> list[Conclusion]:
    return diagnoser().conclusions(data)


def with_value(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of dumped study data with the field at ``path`` (``*`` = every item) set."""
    changed = copy.deepcopy(data)
    targets: list[Any] = [changed]
    parts = path.split(".")
    for part in parts[:-1]:
        if part == "*":
            targets = [item for target in targets for item in target]
        else:
            targets = [target[part] for target in targets]
    for target in targets:
        target[parts[-1]] = value
    return changed


def vocabulary(path: str) -> list[Any]:
    """Every value the study model allows at ``path`` (an enum's values, or a boolean)."""
    annotation = _base(field_annotation(Study, pattern_of(path)))
    if annotation is bool:
        return [True, False]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [member.value for member in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    raise AssertionError(f"{path}: a `when` field needs a closed value list, not {annotation}")


def outside(path: str, condition: Any) -> list[Any]:
    """The values of ``path`` that a declared ``when`` condition excludes."""
    if isinstance(condition, Mapping):
        return list(condition["not"])
    return [value for value in vocabulary(path) if value not in condition]


def silencing_changes(spec: RuleSpec) -> Iterator[tuple[str, Any]]:
    """(path, value) for each value outside the rule's ``when`` and ``applies_to``."""
    for path, condition in (spec.when or {}).items():
        for value in outside(path, condition):
            yield path, value
    if spec.applies_to:
        scope = knowledge().scope_field
        for value in vocabulary(scope):
            if value not in spec.applies_to:
                yield scope, value
