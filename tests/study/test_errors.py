"""Each new validation rule refuses with one line, ``FILE:LINE: FIELD: message``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.study.helpers import SOURCE, line_of, refused

EFFECT = "result:\n  effect: {{measure: odds_ratio, {rest}}}\n"
ARMS = "result:\n  arms:\n    treatment: {treatment}\n    control: {control}\n"


@dataclass(frozen=True)
class Bad:
    name: str
    body: str
    at: str  # text on the line the message must point at
    field: str
    message: str  # a fragment of the message
    indication: str = "sepsis"


BAD = [
    Bad(
        "events-above-n",
        ARMS.format(treatment="{events: 30, n: 20}", control="{events: 3, n: 20}"),
        "treatment:",
        "result.arms.treatment.events",
        "30 events is more than the arm's 20 participants",
    ),
    Bad(
        "n-zero",
        ARMS.format(treatment="{events: 0, n: 20}", control="{events: 0, n: 0}"),
        "control:",
        "result.arms.control.n",
        "greater than or equal to 1",
    ),
    Bad(
        "n-missing",
        ARMS.format(treatment="{events: 2}", control="{events: 3, n: 20}"),
        "treatment:",
        "result.arms.treatment.n",
        "required field is missing",
    ),
    Bad(
        "negative-events",
        ARMS.format(treatment="{events: -1, n: 20}", control="{events: 3, n: 20}"),
        "treatment:",
        "result.arms.treatment.events",
        "greater than or equal to 0",
    ),
    Bad(
        "sd-zero",
        ARMS.format(treatment="{mean: 2, sd: 0, n: 20}", control="{mean: 3, sd: 1, n: 20}"),
        "treatment:",
        "result.arms.treatment.sd",
        "greater than 0",
    ),
    Bad(
        "mean-without-sd",
        ARMS.format(treatment="{mean: 2, n: 20}", control="{mean: 3, sd: 1, n: 20}"),
        "treatment:",
        "result.arms.treatment.sd",
        "needs both mean and sd",
    ),
    Bad(
        "events-and-mean",
        ARMS.format(treatment="{events: 2, mean: 2, n: 20}", control="{events: 3, n: 20}"),
        "treatment:",
        "result.arms.treatment.mean",
        "events, or mean and sd, not both",
    ),
    Bad(
        "arm-without-outcome",
        ARMS.format(treatment="{n: 20}", control="{events: 3, n: 20}"),
        "treatment:",
        "result.arms.treatment.events",
        "give events",
    ),
    Bad(
        "mixed-arms",
        ARMS.format(treatment="{events: 2, n: 20}", control="{mean: 3, sd: 1, n: 20}"),
        "control:",
        "result.arms.control",
        "both arms need the same kind of outcome",
    ),
    Bad(
        "ci-level-100",
        EFFECT.format(rest="estimate: 1, ci_low: 0.5, ci_high: 2, ci_level: 100"),
        "effect:",
        "result.effect.ci_level",
        "less than 100",
    ),
    Bad(
        "ci-level-50",
        EFFECT.format(rest="estimate: 1, ci_low: 0.5, ci_high: 2, ci_level: 50"),
        "effect:",
        "result.effect.ci_level",
        "greater than 50",
    ),
    Bad(
        "ci-level-as-fraction",
        EFFECT.format(rest="estimate: 1, ci_low: 0.5, ci_high: 2, ci_level: 0.95"),
        "effect:",
        "result.effect.ci_level",
        "greater than 50",
    ),
    Bad(
        "ci-level-without-interval",
        EFFECT.format(rest="estimate: 1, ci_level: 90"),
        "effect:",
        "result.effect.ci_level",
        "needs its interval",
    ),
    Bad(
        "se-zero",
        EFFECT.format(rest="estimate: 1, se: 0"),
        "effect:",
        "result.effect.se",
        "greater than 0",
    ),
    Bad(
        "se-negative",
        EFFECT.format(rest="estimate: 1, se: -0.2"),
        "effect:",
        "result.effect.se",
        "greater than 0",
    ),
    Bad(
        "measure-missing",
        "result:\n  effect: {estimate: 1, ci_low: 0.5, ci_high: 2}\n",
        "effect:",
        "result.effect.measure",
        "required field is missing",
    ),
    Bad(
        "measure-only",
        "result:\n  effect: {measure: odds_ratio}\n",
        "effect:",
        "result.effect.estimate",
        "p-value only",
    ),
    Bad(
        "p-only-with-interval",
        EFFECT.format(rest="p_value: 0.04, ci_low: 0.5, ci_high: 2"),
        "effect:",
        "result.effect.estimate",
        "with ci_low needs its estimate",
    ),
    Bad(
        "p-only-with-se",
        "subgroups:\n  - name: x\n    effect: {measure: odds_ratio, p_value: 0.04, se: 0.2}\n",
        "effect:",
        "subgroups.0.effect.estimate",
        "with se needs its estimate",
    ),
    Bad(
        "hepatitis-field-in-sepsis",
        "population:\n  immune_status: mixed\n  alt_elevated: true\n",
        "alt_elevated",
        "population.alt_elevated",
        "only for indication chronic_hepatitis_b",
    ),
    Bad(
        "dna-field-in-cancer",
        "population:\n  hbv_dna_detectable: false\n",
        "hbv_dna_detectable",
        "population.hbv_dna_detectable",
        "only for indication chronic_hepatitis_b",
        indication="cancer",
    ),
    Bad(
        "sepsis-definition-in-hepatitis",
        "population:\n  sepsis_definition: sepsis_3\n",
        "sepsis_definition",
        "population.sepsis_definition",
        "only for indication sepsis",
        indication="chronic_hepatitis_b",
    ),
    Bad(
        "exclusions-in-cancer",
        "population:\n  exclusions: [moribund]\n",
        "exclusions",
        "population.exclusions",
        "only for indication sepsis",
        indication="cancer",
    ),
    Bad(
        "unknown-exclusion",
        "population:\n  exclusions: [pregnant]\n",
        "exclusions",
        "population.exclusions.0",
        "'pregnant' is not allowed; expected 'severe_immunosuppression', 'moribund' or 'other'",
    ),
    Bad(
        "unknown-product",
        "intervention:\n  product: thymosin_beta_4\n",
        "product",
        "intervention.product",
        "'thymosin_beta_4' is not allowed",
    ),
    Bad(
        "counted-event-word",
        "primary_endpoint:\n  counted_event: bad\n",
        "counted_event",
        "primary_endpoint.counted_event",
        "expected 'unfavourable' or 'favourable'",
    ),
    Bad(
        "subgroups-tested-zero",
        "design:\n  subgroups_tested: 0\n",
        "subgroups_tested",
        "design.subgroups_tested",
        "greater than or equal to 1",
    ),
    Bad(
        "covariate-name",
        "covariates:\n  region: China\n  Mean Age: 61\n",
        "Mean Age",
        "covariates.'Mean Age'",
        "is not a covariate name",
    ),
    Bad(
        "covariate-name-with-dot",
        "covariates:\n  a.b: 1\n",
        "covariates:",
        "covariates",
        "'a.b' is not a covariate name",
    ),
    Bad(
        "covariate-name-digits",
        "covariates:\n  '2019': 1\n",
        "2019",
        "covariates.2019",
        "'2019' is not a covariate name",
    ),
    Bad(
        "covariate-boolean",
        "covariates:\n  region: China\n  blinded: true\n",
        "blinded",
        "covariates.blinded",
        "true/false is not allowed",
    ),
    Bad(
        "covariate-list",
        "covariates:\n  doses: [1, 2]\n",
        "doses",
        "covariates.doses",
        "expected a number or a short text, got list",
    ),
    Bad(
        "covariate-empty",
        "covariates:\n  region:\n",
        "region",
        "covariates.region",
        "leave the covariate out when it is unknown",
    ),
    Bad(
        "covariate-two-lines",
        'covariates:\n  region: "China\\nand Taiwan"\n',
        "region",
        "covariates.region",
        "give one line of text",
    ),
    Bad(
        "covariate-long-text",
        "covariates:\n  note: " + "x" * 121 + "\n",
        "note",
        "covariates.note",
        "text of 121 characters; at most 120",
    ),
    Bad(
        "covariate-infinite",
        "covariates:\n  ratio: .inf\n",
        "ratio",
        "covariates.ratio",
        "not a finite number",
    ),
    Bad(
        "covariates-not-a-mapping",
        "covariates: [age, region]\n",
        "covariates",
        "covariates",
        "expected a mapping of covariate names",
    ),
    Bad(
        "too-many-covariates",
        "covariates:\n" + "".join(f"  c{i}: {i}\n" for i in range(51)),
        "covariates",
        "covariates",
        "51 covariates; at most 50",
    ),
    Bad(
        "unknown-new-field",
        "primary_endpoint:\n  counted_events: favourable\n",
        "counted_events",
        "primary_endpoint.counted_events",
        "did you mean 'counted_event'?",
    ),
    Bad(
        "schema-version-3",
        "",
        "schema_version",
        "schema_version",
        "3 is not allowed; expected 1 or 2",
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=[b.name for b in BAD])
def test_refused_with_one_located_line(bad: Bad) -> None:
    version = 3 if bad.name == "schema-version-3" else 2
    message = refused(bad.body, bad.indication, version)
    line = line_of(bad.body, bad.at, bad.indication, version)
    expected = f"{SOURCE}:{line}: {bad.field}: "
    assert message.startswith(expected), message
    assert bad.message in message, message


def test_the_sizes_of_arms_are_reported_as_given() -> None:
    message = refused(ARMS.format(treatment="{events: 21, n: 20}", control="{events: 3, n: 20}"))
    assert re.search(r"\b21 events\b.*\b20 participants\b", message)
