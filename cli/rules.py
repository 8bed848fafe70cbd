"""`thymoscope rules`: list the knowledge base, finding by finding, with its rules.

Which rule concludes which finding is read from the rule modules themselves: each
rule method of the knowledge base's rule sets is parsed (``ast``) for its
``self.conclude("<finding id>", ...)`` calls, so the listing cannot drift from the
code. A ``severity=`` given in the call (a rule that lowers or raises the
catalogue severity) is shown too.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any

from thymoscope.cli.output import Format, FormatOption


@dataclass(frozen=True)
class RuleSite:
    finding: str | None  # None: the id is not a string literal
    rule: str  # method name (what reports show as the rule that fired)
    rule_set: str  # class name
    module: str
    line: int  # of the rule method's `def`
    severity: str | None = None


def _conclusions(function: ast.FunctionDef) -> list[tuple[str | None, str | None]]:
    found = []
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "conclude"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        ):
            first = node.args[0] if node.args else None
            finding = (
                first.value
                if isinstance(first, ast.Constant) and isinstance(first.value, str)
                else None
            )
            severity = None
            for keyword in node.keywords:
                if keyword.arg == "severity" and isinstance(keyword.value, ast.Constant):
                    severity = str(keyword.value.value)
            found.append((finding, severity))
    return found


def rule_sites(rule_sets: tuple[type, ...]) -> list[RuleSite]:
    """Every ``self.conclude(...)`` call in the rule methods of ``rule_sets``."""
    sites = []
    for rule_set in rule_sets:
        lines, first_line = inspect.getsourcelines(rule_set)
        tree = ast.parse(textwrap.dedent("".join(lines)))
        cls = tree.body[0]
        assert isinstance(cls, ast.ClassDef)
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.decorator_list:
                for finding, severity in _conclusions(item):
                    sites.append(
                        RuleSite(
                            finding,
                            item.name,
                            rule_set.__name__,
                            rule_set.__module__,
                            first_line + item.lineno - 1,
                            severity,
                        )
                    )
    return sites


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
