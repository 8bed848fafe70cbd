"""Turn diagnoses into the report document: plain data shared by every output format.

The JSON output *is* this document; the text, Markdown and HTML templates render it.
Its shape is versioned by ``REPORT_VERSION`` and published as a JSON Schema
(``thymoscope schema --report``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from thymoscope import RESEARCH_NOTICE, __version__
from thymoscope.engine.diagnosis import SEVERITY_ORDER, Check, Diagnosis, Finding
from thymoscope.report.estimates_plot import study_strata_plot
from thymoscope.report.verdict import study_effect, verdict

REPORT_VERSION = 2

# The study facts shown first in every report, in this order.
KEY_FACT_PATHS = (
    "indication",
    "cancer_type",
    "design.type",
    "design.blinding",
    "design.comparator",
    "design.sample_size",
    "design.trials",
    "population.immune_status",
    "intervention.role",
    "intervention.combined_with",
    "intervention.dose",
    "intervention.dose_unit",
    "intervention.frequency",
    "intervention.duration_weeks",
    "primary_endpoint.name",
    "primary_endpoint.kind",
    "primary_endpoint.timing",
    "follow_up_months_after_therapy",
    "result.primary",
    "result.effect.measure",
    "result.effect.estimate",
    "result.effect.ci_low",
    "result.effect.ci_high",
    "result.effect.ci_level",
    "result.effect.p_value",
)


def plain_value(value: Any) -> Any:
    """A fact value as JSON data (the engine keeps lists as tuples)."""
    return list(value) if isinstance(value, tuple) else value


def finding_document(finding: Finding, factor_titles: dict[str, str]) -> dict[str, Any]:
    return {
        "id": finding.id,
        "title": finding.title,
        "severity": finding.severity,
        "factor": finding.factor,
        "factor_title": factor_titles.get(finding.factor, finding.factor),
        "faq_sections": list(finding.faq),
        "explanation": finding.explanation,
        "next_steps": list(finding.next_steps),
        "evidence_note": finding.evidence_note,
        "rules": list(finding.rules),
        "facts": [{"path": f.path, "value": plain_value(f.value)} for f in finding.facts],
        "statistics": None,
    }


def check_document(check: Check) -> dict[str, Any]:
    return {
        "finding": check.finding,
        "factor": check.factor,
        "status": check.status,
        "unknown": list(check.unknown),
    }


def _subgroup_names(values: dict[str, Any]) -> list[str]:
    names: list[str] = []
    while f"subgroups.{len(names)}.name" in values:
        names.append(str(values[f"subgroups.{len(names)}.name"]))
    return names


def study_document(diagnosis: Diagnosis, factor_titles: dict[str, str]) -> dict[str, Any]:
    """One study's part of the report."""
    from thymoscope.kb.effects import finding_statistics

    findings = []
    for finding in diagnosis.findings:
        entry = finding_document(finding, factor_titles)
        cited = [fact.path for fact in finding.facts]
        entry["statistics"] = finding_statistics(finding.id, cited, diagnosis.key_facts)
        findings.append(entry)
    groups = []
    for factor, title in factor_titles.items():
        members = [f for f in findings if f["factor"] == factor]
        if members:
            groups.append({"factor": factor, "title": title, "findings": members})
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITY_ORDER}
    ranked = sorted(findings, key=lambda f: SEVERITY_ORDER.index(f["severity"]))
    effect = study_effect(diagnosis.key_facts)
    unassessable = sum(1 for c in diagnosis.checks if c.status == "not_assessable")
    return {
        "id": diagnosis.study_id,
        "title": diagnosis.title,
        "source": diagnosis.source,
        "indication": diagnosis.indication,
        "verdict": verdict(diagnosis.key_facts, ranked, counts, effect, unassessable),
        "effect": effect,
        "key_facts": [
            {"path": p, "value": plain_value(diagnosis.key_facts.get(p))}
            for p in KEY_FACT_PATHS
            if p in diagnosis.key_facts
        ],
        "subgroup_names": _subgroup_names(diagnosis.key_facts),
        "finding_ids": [f["id"] for f in findings],
        "ranked": [f["id"] for f in ranked],
        "groups": groups,
        "severity_counts": counts,
        "checks": [check_document(c) for c in diagnosis.checks],
        "forest": study_strata_plot(diagnosis.key_facts),
    }


def report_document(
    diagnoses: Sequence[Diagnosis],
    errors: Sequence[str] = (),
    factor_titles: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The whole report for one or more studies (plus the input errors, if any)."""
    if factor_titles is None:
        from thymoscope.kb import knowledge

        factor_titles = dict(knowledge().factor_titles)
    return {
        "report_version": REPORT_VERSION,
        "kind": "diagnosis",
        "generator": f"thymoscope {__version__}",
        "studies": [study_document(d, factor_titles) for d in diagnoses],
        "errors": list(errors),
        "notice": RESEARCH_NOTICE,
    }
