"""Which finding each rule concludes, read from the rule methods' source.

Rules record findings with ``self.conclude("<finding id>", ...)``; this reads those calls
with :mod:`ast` (nothing is executed), so listings and the questionnaire never need a
hand-kept table of rules per finding.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass


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
