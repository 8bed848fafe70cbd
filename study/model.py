"""pydantic models of the study file (schema_version 1 and 2).

Everything except ``schema_version``, ``id``, ``title`` and ``indication`` may be
left out; a missing value is *unknown* (``None``), never a default guess.  An empty
list means "none", which is different from an unknown list.  The one default is
``ci_level``: an interval given without its level is a 95% interval.

Version 2 adds fields (marked ``x-since-schema-version: 2`` in ``thymoscope schema``)
and values (:data:`~thymoscope.study.vocabulary.ADDED_IN_V2`).  A ``schema_version: 1``
file keeps working as before; if it uses something of version 2 it gets one message
asking for ``schema_version: 2``.

Cross-field rules raise :func:`field_problem`, which names the offending field so
that error messages can point at its line.
"""

# No `from __future__ import annotations` here: pydantic would then evaluate every
# annotation string at start-up, which a cold `thymoscope diagnose` pays for.
import difflib
import re
from contextvars import ContextVar
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    Strict,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from thymoscope.study.vocabulary import (
    ADDED_IN_V2,
    QUALITY_WORDINGS,
    RATIO_MEASURES,
    Blinding,
    CombinedWith,
    Comparator,
    CountedEvent,
    Credibility,
    DesignType,
    DoseUnit,
    EffectMeasure,
    EndpointKind,
    EndpointTiming,
    Exclusion,
    Fibrosis,
    Frequency,
    HBeAg,
    ImmuneMonitoring,
    ImmuneStatus,
    Indication,
    PrimaryResult,
    Product,
    QualityLevel,
    RiskLevel,
    Role,
    Route,
    SecondaryEndpoint,
    SepsisDefinition,
    SubgroupBy,
    SubgroupComparison,
    Suppression,
    TherapySequence,
)
from thymoscope.study.yaml_source import shown

# The version thymoscope writes (`init`, `ask`) and describes (`schema`); it reads both.
SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)
DEFAULT_CI_LEVEL = 95.0
MAX_COVARIATES = 50
MAX_COVARIATE_TEXT = 120

# Numbers and booleans are strict: `true` is not 1 and "1.6" (quoted text) is not a number.
Count = Annotated[int, Strict(), Field(ge=1, le=100_000_000)]
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Probability = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Finite = Annotated[float, Strict(), Field(allow_inf_nan=False)]
ShortText = Annotated[str, Field(min_length=1, max_length=2000)]
Flag = Annotated[bool, Strict()]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")]
Events = Annotated[int, Strict(), Field(ge=0, le=100_000_000)]
CiLevel = Annotated[float, Strict(), Field(gt=50, lt=100, allow_inf_nan=False)]
CovariateName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
CovariateValue = (
    Annotated[int, Strict()]
    | Annotated[float, Strict(), Field(allow_inf_nan=False)]
    | Annotated[str, Field(min_length=1, max_length=MAX_COVARIATE_TEXT, pattern=r"^[^\n\r]*$")]
)
_COVARIATE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# Marks a field added in schema_version 2 (also shown by `thymoscope schema`).
SINCE_V2: dict[str, Any] = {"x-since-schema-version": 2}


def since_v2(description: str) -> Any:
    """An optional field (unknown = None) added in schema_version 2."""
    return Field(None, description=description, json_schema_extra=SINCE_V2)


def _is_v2_field(info: FieldInfo) -> bool:
    return info.json_schema_extra == SINCE_V2


def field_problem(field: str, message: str) -> PydanticCustomError:
    """A cross-field validation error attached to ``field`` (relative to the model)."""
    return PydanticCustomError("field_problem", "{message}", {"field": field, "message": message})


# The schema_version of the study being validated (None outside Study validation), so
# each section can refuse version 2 additions in a version 1 file where they stand.
_READING_VERSION: ContextVar[int | None] = ContextVar("thymoscope_schema_version", default=None)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    @model_validator(mode="after")
    def _keeps_to_its_schema_version(self) -> Self:
        if _READING_VERSION.get() == 1:
            found = _own_version_2_usage(self)
            if found is not None:
                name, what = found
                raise field_problem(
                    name, f"{what} was added in schema_version 2; set schema_version: 2"
                )
        return self


class Effect(Section):
    measure: EffectMeasure
    estimate: Finite | None = Field(
        None,
        description="required unless the effect is reported with a p-value only "
        "(then give measure and p_value alone; schema_version 2)",
    )
    ci_low: Finite | None = None
    ci_high: Finite | None = None
    ci_level: CiLevel | None = Field(
        None,
        description="confidence level of the interval in percent, between 50 and 100; "
        "95 when an interval is given without it (schema_version 2 for any other level)",
    )
    se: Positive | None = since_v2(
        "standard error on the analysis scale (log scale for ratios); an alternative to a CI"
    )
    p_value: Probability | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_ci_level(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("ci_level") is None
            and data.get("ci_low") is not None
            and data.get("ci_high") is not None
        ):
            return {**data, "ci_level": DEFAULT_CI_LEVEL}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.estimate is None:
            if self.p_value is None:
                raise field_problem(
                    "estimate",
                    "required field is missing (an effect reported with a p-value only "
                    "gives measure and p_value)",
                )
            for name in ("ci_low", "ci_high", "se"):
                if getattr(self, name) is not None:
                    raise field_problem(
                        "estimate", f"an effect with {name} needs its estimate as well"
                    )
        if self.ci_level is not None and self.ci_low is None and self.ci_high is None:
            raise field_problem(
                "ci_level", "a confidence level needs its interval (ci_low, ci_high)"
            )
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
            if self.estimate is not None and not self.ci_low <= self.estimate <= self.ci_high:
                raise field_problem(
                    "estimate",
                    f"estimate {self.estimate} lies outside its interval "
                    f"{self.ci_low}–{self.ci_high}",
                )
        return self


class Arm(Section):
    """One arm's outcome: events (dichotomous) or mean and sd (continuous), of n participants."""

    events: Events | None = None
    mean: Finite | None = None
    sd: Positive | None = None
    n: Count

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        continuous = self.mean is not None or self.sd is not None
        if self.events is not None and continuous:
            extra = "mean" if self.mean is not None else "sd"
            raise field_problem(extra, "an arm gives events, or mean and sd, not both")
        if self.events is None and not continuous:
            raise field_problem(
                "events", "give events (a counted outcome) or mean and sd (a measured outcome)"
            )
        if continuous and (self.mean is None or self.sd is None):
            missing = "mean" if self.mean is None else "sd"
            raise field_problem(missing, "a measured outcome needs both mean and sd")
        if self.events is not None and self.events > self.n:
            raise field_problem(
                "events", f"{self.events} events is more than the arm's {self.n} participants (n)"
            )
        return self

    @property
    def kind(self) -> Literal["dichotomous", "continuous"]:
        return "dichotomous" if self.events is not None else "continuous"


class Arms(Section):
    """Outcome per arm: ``{treatment: {events, n}, control: {events, n}}`` or mean, sd, n."""

    treatment: Arm
    control: Arm

    @model_validator(mode="after")
    def _same_kind(self) -> Self:
        if self.treatment.kind != self.control.kind:
            given = {"dichotomous": "events", "continuous": "mean and sd"}
            raise field_problem(
                "control",
                f"gives {given[self.control.kind]} but treatment gives "
                f"{given[self.treatment.kind]}; both arms need the same kind of outcome",
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
    subgroups_tested: Count | None = since_v2(
        "how many subgroup analyses the study reported testing"
    )

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
    alt_elevated: Flag | None = since_v2("chronic_hepatitis_b only: enrolment required raised ALT")
    hbv_dna_detectable: Flag | None = since_v2(
        "chronic_hepatitis_b only: enrolment required detectable HBV DNA"
    )
    sepsis_definition: SepsisDefinition | None = since_v2(
        "sepsis only: the sepsis definition used for enrolment"
    )
    exclusions: list[Exclusion] | None = since_v2(
        "sepsis only: whom the protocol excluded; [] means nobody of these"
    )


class Intervention(Section):
    role: Role | None = None
    combined_with: list[CombinedWith] | None = None
    dose: Positive | None = None
    dose_unit: DoseUnit | None = None
    route: Route | None = None
    frequency: Frequency | None = None
    duration_weeks: Positive | None = None
    product: Product | None = since_v2("the thymic product actually given")
    sequence: TherapySequence | None = since_v2(
        "when thymalfasin was given relative to the primary (anti-cancer) therapy"
    )

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
    counted_event: CountedEvent | None = since_v2(
        "whether the endpoint counts an unfavourable event (death, progression, "
        "complication) or a favourable one (response, survival, clearance)"
    )
    definition_reported: Flag | None = since_v2(
        "whether the paper gives a clear definition of the primary endpoint"
    )

    @model_validator(mode="after")
    def _months_when_after(self) -> Self:
        if self.timing is EndpointTiming.after_therapy and self.months_after_therapy is None:
            raise field_problem("months_after_therapy", "required when timing is after_therapy")
        return self


class Result(Section):
    primary: PrimaryResult | None = None
    effect: Effect | None = None
    immune_markers_improved: Flag | None = None
    arms: Arms | None = since_v2(
        "outcome per arm: events and n, or mean, sd and n, for treatment and control"
    )


def quality_level(text: str) -> QualityLevel | None:
    """``lower_quality``/``higher_quality`` for an understood wording, else None."""
    key = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    return QUALITY_WORDINGS.get(key)


_BETTER_WORDS = frozenset({"good", "better", "best", "strong", "stronger"})
_POORER_WORDS = frozenset({"poor", "poorer", "worse", "weak", "weaker"})
_MIDDLE_WORDS = frozenset(
    {"moderate", "medium", "intermediate", "unclear", "some", "concerns", "mixed", "uncertain"}
)


def _quality_hint(key: str) -> str:
    """A suggestion for a study-quality level that is not understood."""
    close = difflib.get_close_matches(key, list(QUALITY_WORDINGS), n=1, cutoff=0.85)
    if close:  # a typing slip: only near-identical wordings, never a change of meaning
        return f"did you mean '{close[0]}' ({QUALITY_WORDINGS[close[0]].value})?"
    words = set(key.split())
    if words & _BETTER_WORDS:
        return "for the better-quality stratum write higher_quality"
    if words & _POORER_WORDS:
        return "for the poorer-quality stratum write lower_quality"
    if words & _MIDDLE_WORDS:
        return (
            "a middle level is not compared: join it to the lower or higher stratum as the "
            "paper does, or use by: other"
        )
    return "'high risk of bias' and 'low risk of bias' are understood too"


def _quality_problem(text: str) -> PydanticCustomError:
    key = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    return field_problem(
        "level",
        f"{shown(text)} is not a study-quality level; use lower_quality or higher_quality "
        f"({_quality_hint(key)})",
    )


class Subgroup(Section):
    name: ShortText
    by: SubgroupBy | None = None
    level: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(
        None,
        description="for by: study_quality, lower_quality or higher_quality (wordings such "
        "as 'high risk of bias' are read as one of them); otherwise free text",
    )
    trials: Count | None = None
    sample_size: Count | None = None
    prespecified: Flag | None = None
    effect: Effect | None = None
    interaction_p: Probability | None = None
    credibility: Credibility | None = None
    comparison: SubgroupComparison | None = since_v2(
        "ICEMAN: subgroups compared within trials or between trials"
    )

    @model_validator(mode="before")
    @classmethod
    def _normalise_quality_level(cls, data: Any) -> Any:
        if not isinstance(data, dict) or str(data.get("by")) != SubgroupBy.study_quality.value:
            return data
        level = data.get("level")
        if not isinstance(level, str) or not level.strip():
            return data
        normalised = quality_level(level)
        if normalised is None:
            raise _quality_problem(level)
        return {**data, "level": normalised.value}


class Study(Section):
    """One study: a trial, an observational cohort or a meta-analysis."""

    schema_version: Literal[1, 2]
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
    immune_monitoring: ImmuneMonitoring | None = since_v2(
        "how immune markers were followed: none, at a single time point, or serially"
    )
    covariates: (
        Annotated[dict[CovariateName, CovariateValue], Field(max_length=MAX_COVARIATES)] | None
    ) = since_v2(
        "study-level moderators for `review`: name (lowercase, digits, '_') -> "
        f"number or one line of text, at most {MAX_COVARIATES}"
    )

    @field_validator("covariates", mode="before")
    @classmethod
    def _check_covariates(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "covariates", "expected a mapping of covariate names to numbers or short text"
            )
        if len(value) > MAX_COVARIATES:
            raise PydanticCustomError(
                "covariates", f"{len(value)} covariates; at most {MAX_COVARIATES} are allowed"
            )
        for name, item in value.items():
            if not isinstance(name, str) or not _COVARIATE_NAME.match(name):
                message = (
                    f"{shown(name)} is not a covariate name: use lowercase letters, digits "
                    "and '_', starting with a letter (at most 64 characters)"
                )
                if isinstance(name, str) and name and "." not in name:
                    raise field_problem(name, message)
                raise PydanticCustomError("covariates", message)
            problem = _covariate_value_problem(item)
            if problem:
                raise field_problem(name, problem)
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _read_as_its_version(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        version = data.get("schema_version") if isinstance(data, dict) else None
        token = _READING_VERSION.set(version if type(version) is int else None)
        try:
            return handler(data)
        finally:
            _READING_VERSION.reset(token)

    @model_validator(mode="after")
    def _indication_specific_fields(self) -> Self:
        only_for = {
            Indication.chronic_hepatitis_b: (
                "liver_fibrosis",
                "hbeag",
                "alt_elevated",
                "hbv_dna_detectable",
            ),
            Indication.sepsis: ("sepsis_definition", "exclusions"),
        }
        for indication, names in only_for.items():
            if self.indication is indication:
                continue
            for name in names:
                if getattr(self.population, name) is not None:
                    raise field_problem(
                        f"population.{name}", f"only for indication {indication.value}"
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


def _covariate_value_problem(value: Any) -> str | None:
    """Why a covariate value is not a finite number or one short line of text (None: fine)."""
    if isinstance(value, bool):
        return "true/false is not allowed; give a number or a short text such as 'yes'"
    if isinstance(value, int):
        return None
    if isinstance(value, float):
        return None if value == value and abs(value) != float("inf") else "not a finite number"
    if isinstance(value, str):
        if not value.strip():
            return "empty text; leave the covariate out when it is unknown"
        if "\n" in value or "\r" in value:
            return "give one line of text"
        if len(value) > MAX_COVARIATE_TEXT:
            return f"text of {len(value)} characters; at most {MAX_COVARIATE_TEXT}"
        return None
    if value is None:
        return "no value; leave the covariate out when it is unknown"
    return f"expected a number or a short text, got {type(value).__name__}"


def _is_v2_value(value: Any) -> bool:
    return isinstance(value, StrEnum) and value in ADDED_IN_V2.get(type(value), frozenset())


def _own_version_2_usage(node: BaseModel) -> tuple[str, str] | None:
    """The first version 2 addition among ``node``'s own fields (not inside its sections):
    (field name, what it is), or None."""
    if isinstance(node, Effect):
        if node.estimate is None:
            return "estimate", "an effect without an estimate (a p-value only)"
        if node.ci_level is not None and node.ci_level != DEFAULT_CI_LEVEL:
            return "ci_level", "a confidence level other than 95"
    for name, info in type(node).model_fields.items():
        value = getattr(node, name)
        if value is None:
            continue
        if _is_v2_field(info):
            return name, f"the field '{name}'"
        for item in value if isinstance(value, list) else [value]:
            if _is_v2_value(item):
                return name, f"the value '{item.value}'"
    return None


def version_2_usage(node: BaseModel, prefix: str = "") -> tuple[str, str] | None:
    """The first version 2 addition anywhere in ``node``: (dotted path, what), or None."""
    found = _own_version_2_usage(node)
    if found is not None:
        return f"{prefix}{found[0]}", found[1]
    for name in type(node).model_fields:
        value = getattr(node, name)
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, BaseModel):
                path = f"{prefix}{name}." if index is None else f"{prefix}{name}.{index}."
                inner = version_2_usage(item, path)
                if inner is not None:
                    return inner
    return None
