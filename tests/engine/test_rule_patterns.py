"""(d) No kb rule uses chains of L(...) | L(...) alternatives (each expands into rule copies)."""

from __future__ import annotations

import ast
from importlib.resources import files
from typing import Any

from thymoscope.engine.experta_compat import L, Rule, experta
from thymoscope.kb.rules import RULE_SETS

ORFC = experta.fieldconstraint.ORFC


def literal_alternatives(node: Any) -> list[Any]:
    """Every OR of field constraints that contains a literal, anywhere inside ``node``."""
    found = []
    if isinstance(node, ORFC) and any(isinstance(part, L) for part in node):
        found.append(node)
    if isinstance(node, dict):
        children = list(node.values())
    elif isinstance(node, tuple | list):
        children = list(node)
    else:
        children = []
    for child in children:
        found += literal_alternatives(child)
    return found


def all_rules() -> list[tuple[str, Any]]:
    return [
        (name, value)
        for rules in RULE_SETS
        for name, value in vars(rules).items()
        if isinstance(value, Rule)
    ]


def test_the_walker_finds_a_literal_chain() -> None:
    from thymoscope.kb.facts import Design

    bad = Rule(Design(type=L("rct") | L("single_arm") | L("observational")))
    assert literal_alternatives(bad)


def test_no_rule_condition_has_literal_alternatives() -> None:
    rules = all_rules()
    assert rules
    for name, rule in rules:
        assert literal_alternatives(rule) == [], name


def test_no_rule_source_writes_l_or_chains() -> None:
    def is_l_call(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "L"
        )

    for source in files("thymoscope.kb.rules").iterdir():
        if not source.name.endswith(".py"):
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                assert not (is_l_call(node.left) or is_l_call(node.right)), (
                    f"{source.name}:{node.lineno}: L(...) | L(...) chain"
                )
