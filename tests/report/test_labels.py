"""Every study field and every value of the study vocabulary has words (kb/labels.yaml)."""

from __future__ import annotations

import pytest

from thymoscope.kb.labels import (
    fact_sentence,
    fact_sentences,
    field_kinds,
    field_label,
    labelled_fields,
    value_label,
    value_labels,
    vocabularies,
)

FIELDS = sorted(field_kinds())


def test_the_model_walk_finds_nested_and_subgroup_fields() -> None:
    kinds = field_kinds()
    assert kinds["result.arms.control.sd"].kind == "number"
    assert kinds["subgroups.*.effect.measure"].choices is not None
    assert kinds["population.exclusions"].many
    assert kinds["id"].required and not kinds["citation"].required
    assert len(kinds) > 90


@pytest.mark.parametrize("path", FIELDS)
def test_every_study_field_has_a_one_line_label_without_underscores(path: str) -> None:
    label = field_label(path)
    assert label.strip() == label and label
    assert "\n" not in label and "_" not in label, label


def test_no_label_for_a_field_the_model_does_not_have() -> None:
    assert set(labelled_fields()) == set(field_kinds())


@pytest.mark.parametrize("name", sorted(vocabularies()))
def test_every_vocabulary_value_has_a_label(name: str) -> None:
    labels = value_labels(name)
    members = {member.value for member in vocabularies()[name]}
    assert set(labels) == members, name
    for text in labels.values():
        assert text and "\n" not in text and "_" not in text, text


def test_labels_of_leaf_fields_are_distinct_so_sheets_can_use_them_as_headers() -> None:
    leaves = [p for p, k in field_kinds().items() if k.kind != "section"]
    words = [field_label(p).casefold() for p in leaves]
    assert len(set(words)) == len(words)


def test_sentences() -> None:
    assert fact_sentence("primary_endpoint.timing", "end_of_therapy") == (
        "Endpoint read: at end of therapy"
    )
    assert fact_sentence("intervention.duration_weeks", 24.0) == "Treatment duration: 24 weeks"
    assert (
        fact_sentence("intervention.dose", 1.6, {"intervention.dose_unit": "mg"}) == "Dose: 1.6 mg"
    )
    assert fact_sentence("intervention.dose", 0.9, {"intervention.dose_unit": "mg_per_m2"}) == (
        "Dose: 0.9 mg/m²"
    )
    assert fact_sentence("follow_up_months_after_therapy", 0.0) == (
        "Follow-up after the end of therapy: 0 months"
    )
    assert fact_sentence("result.effect.ci_level", 95.0) == "Confidence level: 95%"
    assert fact_sentence("design.blinding", None) == "Blinding: not reported"
    assert fact_sentence("population.exclusions", []) == "Excluded by the protocol: none"
    assert fact_sentence("intervention.combined_with", ("chemotherapy", "surgery")) == (
        "Given together with: chemotherapy, surgery"
    )
    assert fact_sentence("design.allocation_concealment", False) == (
        "Allocation concealment: not concealed"
    )
    assert fact_sentence("result.immune_markers_improved", True) == "Immune markers: improved"


def test_subgroup_fields_are_numbered_from_one_in_words() -> None:
    assert field_label("subgroups.0.effect.estimate") == "Subgroup 1: effect estimate"
    assert field_label("subgroups.*.name") == "Subgroup: name"
    assert value_label("subgroups.2.level", "higher_quality") == "higher quality"
    assert value_label("subgroups.2.level", "aged over 60") == "aged over 60"


def test_covariates_and_unknown_paths() -> None:
    assert field_label("covariates.mean_age") == "Covariate mean_age"
    with pytest.raises(KeyError):
        field_label("design.colour")


def test_fact_sentences_fold_the_dose_unit_into_the_dose() -> None:
    facts = {
        "intervention.dose": 1.6,
        "intervention.dose_unit": "mg",
        "design.blinding": None,
        "primary_endpoint.timing": "end_of_therapy",
    }
    assert fact_sentences(facts) == ["Dose: 1.6 mg", "Endpoint read: at end of therapy"]
    assert fact_sentences(facts, ["intervention.dose_unit"]) == ["Dose unit: mg"]


def test_one_of_a_time_unit_is_singular() -> None:
    """Found on the classroom slides: "1 weeks"."""
    assert fact_sentence("intervention.duration_weeks", 1) == "Treatment duration: 1 week"
    assert fact_sentence("intervention.duration_weeks", 1.0) == "Treatment duration: 1 week"
    assert fact_sentence("intervention.duration_weeks", 2) == "Treatment duration: 2 weeks"
