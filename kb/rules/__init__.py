"""Rules, one module per troubleshooting factor, in the FAQ's order.

``RULE_SETS`` is built on first use (PEP 562), so that importing one module of this
package (``body_rules`` for ``review``, or ``study_quality`` for its bias reasons) does
not load every rule set.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# (module, rule set class), in the FAQ's troubleshooting order
_ORDER = (
    ("baseline_immunity", "BaselineImmunityRules"),
    ("therapy_role", "TherapyRoleRules"),
    ("dosing", "DosingRules"),
    ("endpoint_timing", "EndpointTimingRules"),
    ("study_quality", "StudyQualityRules"),
    ("population_heterogeneity", "PopulationHeterogeneityRules"),
    ("biological_endpoints", "BiologicalEndpointRules"),
)


def __getattr__(name: str) -> Any:
    if name == "RULE_SETS":
        rule_sets: tuple[type, ...] = tuple(
            getattr(import_module(f"{__name__}.{module}"), cls) for module, cls in _ORDER
        )
        globals()["RULE_SETS"] = rule_sets
        return rule_sets
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
