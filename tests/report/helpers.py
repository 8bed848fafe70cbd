"""Report documents for the rendering tests, built from small in-memory studies."""

from __future__ import annotations

from typing import Any

from tests.conftest import diagnose, make_study
from thymoscope.report.document import report_document

# Overrides of the conftest baseline (on which no rule fires) that switch findings on.
WITH_FINDINGS: dict[str, Any] = {
    "id": "open-small-positive",
    "title": "Small open trial with a positive result",
    "design": {"blinding": "open", "risk_of_bias": "high", "sample_size": 60, "centres": 1},
    "population": {"immune_status": "mixed", "selected_by_biomarker": False},
}
EVIDENCE_NOTE: dict[str, Any] = {
    "id": "cancer-alone",
    "title": "Cancer study of thymalfasin alone",
    "indication": "cancer",
    "cancer_type": "nsclc",
    "population": {"suppression": ["chemotherapy"]},
    "intervention": {"role": "monotherapy", "combined_with": [], "frequency": "twice_weekly"},
}


def document(*overrides: dict[str, Any], errors: tuple[str, ...] = ()) -> dict[str, Any]:
    """The report document of one study per override mapping ({} = the clean baseline)."""
    diagnoses = [diagnose(make_study(**o)) for o in overrides]
    for d, o in zip(diagnoses, overrides, strict=True):
        d.source = f"studies/{o.get('id', 'baseline')}.yaml"
    return report_document(diagnoses, list(errors))
