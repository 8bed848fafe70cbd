"""The experta facts a study becomes: one fact class per section of the study file.

:func:`to_facts` is the knowledge base's ``to_facts``: each section becomes one fact whose
keys are the section's fields, nested mappings flattened with ``_``
(``effect.ci_low`` -> ``effect_ci_low``); each subgroup becomes one :class:`Subgroup`
carrying its ``index``; the top-level scalars go into :class:`Study`.  Unknown values are
kept as ``None``, so rules can test for "unknown" explicitly.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from thymoscope.engine.experta_compat import Fact
from thymoscope.engine.facts import FactLayout, facts_from_data, study_data


class Study(Fact):
    """Top-level fields: id, indication, cancer_type, follow-up, secondary endpoints."""


class Design(Fact):
    pass


class Population(Fact):
    pass


class Intervention(Fact):
    pass


class PrimaryEndpoint(Fact):
    pass


class Result(Fact):
    pass


class Subgroup(Fact):
    pass


# The top-level field that findings' `applies_to` refers to.
SCOPE_FIELD = "indication"

LAYOUT = FactLayout(
    top=Study,
    sections={
        "design": Design,
        "population": Population,
        "intervention": Intervention,
        "primary_endpoint": PrimaryEndpoint,
        "result": Result,
    },
    items={"subgroups": Subgroup},
)


def to_facts(data: dict[str, Any]) -> list[Fact]:
    """The facts of one dumped study (:func:`~thymoscope.engine.facts.study_data`)."""
    return facts_from_data(data, LAYOUT)


def study_facts(study: BaseModel) -> list[Fact]:
    """The facts for one study, in a fixed order (the order never changes findings)."""
    return to_facts(study_data(study))
