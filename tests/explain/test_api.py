"""The functions the interview calls at its end: what would make a study more credible."""

from __future__ import annotations

import pytest

from tests.explain.test_explain_command import bundled
from thymoscope.api import diagnose_file
from thymoscope.engine.explain import with_changes
from thymoscope.engine.facts import flatten, study_data
from thymoscope.kb.explanation_text import grouped_texts
from thymoscope.kb.explanations import (
    credibility_changes,
    credibility_texts,
    explainer,
    silencing_changes,
    validate,
)
from thymoscope.study.loader import load_study


def test_silencing_changes_are_design_changes_that_work() -> None:
    study = load_study(bundled("sepsis-small-open-rct"))
    proposals = silencing_changes(study, "high-risk-of-bias")
    assert proposals
    for proposal in proposals:
        assert not any(c.path.startswith("result.") for c in proposal.changes)
        changed = with_changes(study_data(study), proposal.changes)
        assert changed is not None
        assert explainer().statuses(validate(changed))["high-risk-of-bias"] == "not_triggered"
    words = grouped_texts(proposals, flatten(study_data(study)))
    assert any("Blinding: double blind (instead of open label)" in w for w in words)


def test_credibility_changes_cover_every_raised_finding() -> None:
    path = bundled("chb-rct-end-of-therapy")
    changes = credibility_changes(load_study(path))
    assert set(changes) == set(diagnose_file(path).finding_ids())
    assert changes["end-of-therapy-endpoint"]


def test_a_finding_the_study_does_not_raise_has_no_silencing_changes() -> None:
    study = load_study(bundled("chb-rct-12-months-after"))
    assert silencing_changes(study, "end-of-therapy-endpoint") == []


def test_an_unknown_finding_id_is_a_key_error_with_a_suggestion() -> None:
    study = load_study(bundled("chb-rct-12-months-after"))
    with pytest.raises(KeyError, match="did you mean 'end-of-therapy-endpoint'"):
        silencing_changes(study, "end-of-therapy")


def test_statuses_agree_with_the_report() -> None:
    for name in (
        "chb-rct-end-of-therapy",
        "sepsis-meta-analysis-11-rcts",
        "cancer-phase2-monotherapy",
    ):
        path = bundled(name)
        checks = {c.finding: c.status for c in diagnose_file(path).checks}
        assert explainer().statuses(study_data(load_study(path))) == checks


def test_credibility_texts_are_the_changes_in_words() -> None:
    texts = credibility_texts(load_study(bundled("sepsis-large-double-blind-null")))
    assert texts["unselected-sepsis-population"] == [
        "Enrolment selected by an immune marker: yes (instead of no)"
    ]
