"""Tests must exercise the installed package, never the repository's top-level folders."""

from __future__ import annotations

import ast
from pathlib import Path

REPO_FOLDERS = {"package", "kb", "engine", "study", "report", "cli", "templates"}
TESTS = Path(__file__).parent


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_test_imports_a_top_level_folder() -> None:
    offenders = {
        str(path.relative_to(TESTS)): sorted(_imported_roots(path) & REPO_FOLDERS)
        for path in TESTS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_thymoscope_subpackages_come_from_one_install() -> None:
    import thymoscope.engine
    import thymoscope.kb

    assert thymoscope.engine.__name__ == "thymoscope.engine"
    assert Path(thymoscope.kb.__file__).name == "__init__.py"
    from importlib.metadata import version

    assert thymoscope.__version__ == version("thymoscope")
