"""`thymoscope rules`: list the knowledge base, finding by finding, with its rules.

Which rule concludes which finding, and what it reads, needs and is enabled by, comes
from the rules' own declarations (``@concludes`` above each ``@Rule``, read back by
:func:`thymoscope.engine.rules.rule_specs`), so the listing cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from thymoscope.cli.output import Format, FormatOption


def rules_document() -> dict[str, Any]:
    """The knowledge base as a document of kind ``rules`` (rendered like a report)."""
    from thymoscope import RESEARCH_NOTICE, __version__
    from thymoscope.engine.questionnaire import describe_condition
    from thymoscope.engine.rules import finding_when, rule_specs
    from thymoscope.kb import knowledge

    kb = knowledge()
    specs = rule_specs(kb.rule_sets)
    factors = []
    for factor, title in kb.factor_titles.items():
        findings = []
        for spec in kb.catalogue.values():
            if spec.factor != factor:
                continue
            rules = [
                {
                    "rule": s.rule,
                    "rule_set": s.rule_set,
                    "module": s.module,
                    "line": s.line,
                    "reads": list(s.reads),
                    "needs": list(s.needs),
                    "applies_to": list(s.applies_to),
                    "when": (
                        None if s.when is None else describe_condition(finding_when([s]) or {})
                    ),
                }
                for s in specs
                if s.finding == spec.id
            ]
            findings.append(
                {
                    "id": spec.id,
                    "title": spec.title,
                    "severity": spec.severity,
                    "faq_sections": list(spec.faq),
                    "applies_to": list(spec.applies_to),
                    "needs": list(spec.needs),
                    "has_evidence_note": spec.evidence_note is not None,
                    "rules": rules,
                }
            )
        factors.append({"factor": factor, "title": title, "findings": findings})
    return {
        "kind": "rules",
        "generator": f"thymoscope {__version__}",
        "factors": factors,
        "finding_count": len(kb.catalogue),
        "rule_count": len(specs),
        "notice": RESEARCH_NOTICE,
    }


def rules(
    fmt: FormatOption = Format.text,
) -> None:
    """List the knowledge base: each finding, its factor, severity, FAQ sections and rules."""
    from thymoscope.cli.output import terminal_style, write_stdout
    from thymoscope.report.render import render

    color, width = terminal_style()
    write_stdout(
        render(rules_document(), fmt.value, color=color and fmt is Format.text, width=width)
    )
