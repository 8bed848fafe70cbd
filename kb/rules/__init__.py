"""Rules, one module per troubleshooting factor, in the FAQ's order."""

from thymoscope.kb.rules.baseline_immunity import BaselineImmunityRules
from thymoscope.kb.rules.biological_endpoints import BiologicalEndpointRules
from thymoscope.kb.rules.dosing import DosingRules
from thymoscope.kb.rules.endpoint_timing import EndpointTimingRules
from thymoscope.kb.rules.population_heterogeneity import PopulationHeterogeneityRules
from thymoscope.kb.rules.study_quality import StudyQualityRules
from thymoscope.kb.rules.therapy_role import TherapyRoleRules

RULE_SETS: tuple[type, ...] = (
    BaselineImmunityRules,
    TherapyRoleRules,
    DosingRules,
    EndpointTimingRules,
    StudyQualityRules,
    PopulationHeterogeneityRules,
    BiologicalEndpointRules,
)
