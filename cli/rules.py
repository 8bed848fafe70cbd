"""`thymoscope rules`: list the knowledge base, finding by finding, with its rules.

Which rule concludes which finding is read from the rule modules themselves: each
rule method of the knowledge base's rule sets is parsed (``ast``) for its
``self.conclude("<finding id>", ...)`` calls, so the listing cannot drift from the
code. A ``severity=`` given in the call (a rule that lowers or raises the
catalogue severity) is shown too.
"""

from __future__ import annotations

from typing import Any

from thymoscope.cli.output import Format, FormatOption
from thymoscope.engine.rule_index import rule_sites


def rules_document() -> dict[str, Any]:
    """The knowledge base as a document of kind ``rules`` (rendered like a report)."""
    from thymoscope import RESEARCH_NOTICE, __version__
    from thymoscope.kb import knowledge

    kb = knowledge()
    sites = rule_sites(kb.rule_sets)
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
                    "severity": s.severity,
                }
                for s in sites
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
    unmatched = [
        {"finding": s.finding, "rule": s.rule, "module": s.module, "line": s.line}
        for s in sites
        if s.finding not in kb.catalogue
    ]
    return {
        "kind": "rules",
        "generator": f"thymoscope {__version__}",
        "factors": factors,
        "finding_count": len(kb.catalogue),
        "rule_count": len({(s.module, s.rule_set, s.rule) for s in sites}),
        "unmatched": unmatched,
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
