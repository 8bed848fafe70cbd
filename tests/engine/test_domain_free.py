"""engine/ knows no domain: it imports nothing from the knowledge base, the study model
or the reports (those reach it through a KnowledgeBase and callables)."""

from __future__ import annotations

import ast
from importlib.resources import files

import pytest

from thymoscope.engine.diagnosis import KnowledgeBase

DOMAIN_PACKAGES = ("thymoscope.kb", "thymoscope.study", "thymoscope.report", "thymoscope.cli")
ENGINE_SOURCES = sorted(
    (p for p in files("thymoscope.engine").iterdir() if p.name.endswith(".py")),
    key=lambda p: p.name,
)


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the source, at any depth (lazy ones too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            # `from thymoscope import kb` names the package in the alias
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def domain_imports(source: str) -> list[tuple[int, str]]:
    """(line, first domain module named there) for each import of a domain package."""
    found: dict[int, str] = {}
    for line, module in imported_modules(source):
        if any(module == p or module.startswith(p + ".") for p in DOMAIN_PACKAGES):
            found.setdefault(line, module)
    return sorted(found.items())


@pytest.mark.parametrize("source", ENGINE_SOURCES, ids=lambda p: p.name)
def test_engine_module_imports_no_domain_package(source) -> None:  # type: ignore[no-untyped-def]
    assert domain_imports(source.read_text(encoding="utf-8")) == []


def test_the_scan_sees_top_level_lazy_and_aliased_imports() -> None:
    source = (
        "import thymoscope.kb\n"
        "def f():\n"
        "    from thymoscope.study.loader import load_study\n"
        "from thymoscope import report\n"
        "from thymoscope.engine import core\n"
    )
    assert domain_imports(source) == [
        (1, "thymoscope.kb"),
        (3, "thymoscope.study.loader"),
        (4, "thymoscope.report"),
    ]


def test_the_knowledge_base_brings_the_domain() -> None:
    fields = set(KnowledgeBase.__dataclass_fields__)
    assert {"load", "load_error", "to_facts", "scope_field", "rule_sets"} <= fields
