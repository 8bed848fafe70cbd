"""pydantic models of the study file (schema_version 1).

Everything except ``schema_version``, ``id``, ``title`` and ``indication`` may be
left out; a missing value is *unknown* (``None``), never a default guess.  An empty
list means "none", which is different from an unknown list.

Cross-field rules raise :class:`FieldProblem`, which names the offending field so
that error messages can point at its line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from thymoscope.study.vocabulary import (
    RATIO_MEASURES,
    Blinding,
    CombinedWith,
    Comparator,
    Credibility,
    DesignType,
    DoseUnit,
    EffectMeasure,
    EndpointKind,
    EndpointTiming,
    Fibrosis,
    Frequency,
    HBeAg,
    ImmuneStatus,
    Indication,
    PrimaryResult,
    RiskLevel,
    Role,
    Route,
    SecondaryEndpoint,
    SubgroupBy,
    Suppression,
)

SCHEMA_VERSION = 1

# Numbers and booleans are strict: `true` is not 1 and "1.6" (quoted text) is not a number.
Count = Annotated[int, Strict(), Field(ge=1, le=100_000_000)]
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Finite = Annotated[float, Strict(), Field(allow_inf_nan=False)]
ShortText = Annotated[str, Field(min_length=1, max_length=2000)]
Flag = Annotated[bool, Strict()]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")]


def field_problem(field: str, message: str) -> PydanticCustomError:
    """A cross-field validation error attached to ``field`` (relative to the model)."""
    return PydanticCustomError("field_problem", "{message}", {"field": field, "message": message})


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Effect(Section):
    measure: EffectMeasure
    estimate: Finite
    ci_low: Finite | None = None
    ci_high: Finite | None = None
    p_value: Probability | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.measure in RATIO_MEASURES:
            for name in ("estimate", "ci_low", "ci_high"):
                value = getattr(self, name)
                if value is not None and value <= 0:
                    raise field_problem(name, f"a {self.measure.value} must be > 0, got {value}")
        if (self.ci_low is None) != (self.ci_high is None):
            missing = "ci_high" if self.ci_high is None else "ci_low"
            raise field_problem(missing, "give both ends of the confidence interval")
        if self.ci_low is not None and self.ci_high is not None:
            if self.ci_low > self.ci_high:
                raise field_problem(
                    "ci_low", f"ci_low {self.ci_low} is above ci_high {self.ci_high}"
                )
            if not self.ci_low <= self.estimate <= self.ci_high:
                raise field_problem(
                    "estimate",
                    f"estimate {self.estimate} lies outside its interval "
                    f"{self.ci_low}–{self.ci_high}",
                )
        return self


class RiskOfBiasDomains(Section):
    randomization: RiskLevel | None = None
    deviations: RiskLevel | None = None
    missing_data: RiskLevel | None = None
    measurement: RiskLevel | None = None
    reporting: RiskLevel | None = None


class Design(Section):
    type: DesignType | None = None
    blinding: Blinding | None = None
    comparator: Comparator | None = None
    allocation_concealment: Flag | None = None
    sample_size: Count | None = None
    centres: Count | None = None
    trials: Count | None = None
    risk_of_bias: RiskLevel | None = None
    risk_of_bias_domains: RiskOfBiasDomains | None = None

    @model_validator(mode="after")
    def _trials_only_for_meta(self) -> Self:
        if self.trials is not None and self.type is not DesignType.meta_analysis:
            raise field_problem("trials", "'trials' is only for design type meta_analysis")
        return self


class Population(Section):
    immune_status: ImmuneStatus | None = None
    suppression: list[Suppression] | None = None
    selected_by_biomarker: Flag | None = None
    median_age: Annotated[float, Strict(), Field(gt=0, lt=130, allow_inf_nan=False)] | None = None
    comorbidities: list[Annotated[str, Field(min_length=1, max_length=80)]] | None = None
    liver_fibrosis: Fibrosis | None = None
    hbeag: HBeAg | None = None


class Intervention(Section):
    role: Role | None = None
    combined_with: list[CombinedWith] | None = None
    dose: Positive | None = None
    dose_unit: DoseUnit | None = None
    route: Route | None = None
    frequency: Frequency | None = None
    duration_weeks: Positive | None = None

    @model_validator(mode="after")
    def _role_matches_combination(self) -> Self:
        if self.role is Role.monotherapy and self.combined_with:
            raise field_problem("combined_with", "must be empty for monotherapy")
        if self.role is Role.adjuvant and not self.combined_with:
            raise field_problem(
                "combined_with", "adjuvant use needs at least one therapy it is combined with"
            )
        return self


class PrimaryEndpoint(Section):
    name: ShortText | None = None
    kind: EndpointKind | None = None
    timing: EndpointTiming | None = None
    months_after_therapy: NonNegative | None = None

    @model_validator(mode="after")
    def _months_when_after(self) -> Self:
        if self.timing is EndpointTiming.after_therapy and self.months_after_therapy is None:
            raise field_problem("months_after_therapy", "required when timing is after_therapy")
        return self


class Result(Section):
    primary: PrimaryResult | None = None
    effect: Effect | None = None
    immune_markers_improved: Flag | None = None


class Subgroup(Section):
    name: ShortText
    by: SubgroupBy | None = None
    level: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    trials: Count | None = None
    sample_size: Count | None = None
    prespecified: Flag | None = None
    effect: Effect | None = None
    interaction_p: Probability | None = None
    credibility: Credibility | None = None


class Study(Section):
    """One study: a trial, an observational cohort or a meta-analysis."""

    schema_version: Literal[1]
    id: Slug
    title: ShortText
    citation: ShortText | None = None
    indication: Indication
    cancer_type: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    design: Design = Design()
    population: Population = Population()
    intervention: Intervention = Intervention()
    primary_endpoint: PrimaryEndpoint = PrimaryEndpoint()
    follow_up_months_after_therapy: NonNegative | None = None
    secondary_endpoints: list[SecondaryEndpoint] | None = None
    result: Result = Result()
    subgroups: Annotated[list[Subgroup], Field(max_length=200)] = []

    @model_validator(mode="after")
    def _indication_specific_fields(self) -> Self:
        if self.indication is not Indication.chronic_hepatitis_b:
            for name in ("liver_fibrosis", "hbeag"):
                if getattr(self.population, name) is not None:
                    raise field_problem(
                        f"population.{name}", "only for indication chronic_hepatitis_b"
                    )
        if self.indication is not Indication.cancer and self.cancer_type is not None:
            raise field_problem("cancer_type", "only for indication cancer")
        return self

    def value_at(self, path: str) -> Any:
        """The value at a dotted path such as ``design.blinding`` (``None`` if unknown)."""
        node: Any = self
        for part in path.split("."):
            if isinstance(node, list):
                node = node[int(part)]
            elif isinstance(node, BaseModel):
                if part not in type(node).model_fields:
                    raise KeyError(path)
                node = getattr(node, part)
            else:
                raise KeyError(path)
            if node is None:
                return None
        return node
