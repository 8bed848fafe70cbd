"""One exception root: every error thymoscope raises on purpose is a ThymoscopeError, the
ones that were ValueError (TypeError, ArithmeticError) still are, and thymoscope.errors
documents each of them."""

from __future__ import annotations

import ast
import importlib
import pickle
import re
from importlib.resources import files

import pytest

from thymoscope import errors
from thymoscope.errors import ThymoscopeError, UnknownNameError

# every exception class raised on purpose, with the built-in base it kept
SUBCLASSES = {
    "thymoscope.study.loader.StudyFileError": None,
    "thymoscope.study.yaml_source.YamlProblem": None,
    "thymoscope.kb.comparison.PairFileError": ValueError,
    "thymoscope.errors.UnknownNameError": LookupError,
    "thymoscope.engine.answers.AnswerError": ValueError,
    "thymoscope.engine.model_paths.ResumeError": ValueError,
    "thymoscope.synthesis.body.BodyError": ValueError,
    "thymoscope.synthesis.effects.EffectSizeError": ValueError,
    "thymoscope.synthesis.models.ModelError": ValueError,
    "thymoscope.synthesis.linalg.SingularMatrixError": ArithmeticError,
    "thymoscope.engine.batch.WorkerLost": None,
    "thymoscope.engine.rules.RuleError": TypeError,
    "thymoscope.cli.output.OutputError": None,
    "thymoscope.cli.compare.InputProblem": None,
    "thymoscope.cli.ask_file.RoundTripError": ValueError,
    "thymoscope.kb.explanations.WhatIfError": ValueError,
    "thymoscope.engine.explain.InvalidChange": ValueError,
    "thymoscope.report.scores.RecordError": None,
    "thymoscope.report.rules.UnknownRule": LookupError,
}
NOT_ERRORS = ("thymoscope.cli.ask_terminal.Stop", "thymoscope.cli.app.Interrupted")


def named(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    found: type = getattr(importlib.import_module(module), name)
    return found


@pytest.mark.parametrize("dotted", sorted(SUBCLASSES))
def test_each_error_derives_from_the_root_and_keeps_its_builtin_base(dotted: str) -> None:
    cls = named(dotted)
    assert issubclass(cls, ThymoscopeError)
    kept = SUBCLASSES[dotted]
    if kept is not None:
        assert issubclass(cls, kept)


@pytest.mark.parametrize("dotted", NOT_ERRORS)
def test_control_flow_exceptions_stay_outside_the_root(dotted: str) -> None:
    assert not issubclass(named(dotted), ThymoscopeError)


def test_the_module_documents_exactly_these_classes() -> None:
    text = errors.__doc__ or ""
    documented = set(re.findall(r":class:`(thymoscope\.[\w.]+)`", text))
    documented |= {f"thymoscope.errors.{n}" for n in re.findall(r":class:`(\w+)`", text)}
    assert documented == {*SUBCLASSES, "thymoscope.errors.ThymoscopeError"}
    assert all(f"``{dotted}``" in text for dotted in NOT_ERRORS)


def test_every_exception_class_in_the_package_is_listed() -> None:
    """A new exception class must be put under the root (or here, with its reason)."""
    private_or_listed = {*SUBCLASSES, *NOT_ERRORS, "thymoscope.errors.ThymoscopeError"}
    found = set()
    for package in (
        "thymoscope",
        "thymoscope.cli",
        "thymoscope.engine",
        "thymoscope.kb",
        "thymoscope.report",
        "thymoscope.study",
        "thymoscope.synthesis",
    ):
        for source in files(package).iterdir():
            if not source.name.endswith(".py"):
                continue
            module = f"{package}.{source.name.removesuffix('.py')}".removesuffix(".__init__")
            tree = ast.parse(source.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    bases = {ast.unparse(b) for b in node.bases}
                    if bases & {
                        "Exception",
                        "ValueError",
                        "TypeError",
                        "BaseException",
                        "ArithmeticError",
                        "LookupError",
                        "ThymoscopeError",
                    }:
                        found.add(f"{module}.{node.name}")
    assert found - private_or_listed == set()


def test_the_errors_module_imports_nothing_from_thymoscope() -> None:
    """So every layer, the domain-free engine included, may derive from it."""
    tree = ast.parse(files("thymoscope").joinpath("errors.py").read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert [m for m in imported if m and m.startswith("thymoscope")] == []


def test_old_except_valueerror_code_still_catches() -> None:
    from thymoscope.kb.comparison import parse_pair

    with pytest.raises(ValueError, match="a pair file is a YAML mapping"):
        parse_pair("- a\n", "pair.yaml")


def test_one_except_clause_catches_every_api_error() -> None:
    from thymoscope import api

    caught = []
    for call in (
        lambda: api.diagnose({"id": "x"}),
        lambda: api.diagnose("no-such-case"),
        lambda: api.compare("no-such-pair"),
        lambda: api.review("sepsis-quality", method="xx"),
        lambda: api.rule("no-such-finding"),
    ):
        try:
            call()
        except api.ThymoscopeError as exc:
            caught.append(type(exc).__name__)
    assert caught == [
        "StudyFileError",
        "UnknownNameError",
        "UnknownNameError",
        "BodyError",
        "UnknownNameError",
    ]


def test_unknown_name_error_pickles_with_its_fields() -> None:
    error = UnknownNameError("bundled pair", "sepsis-smal", ["sepsis-small", "chb"])
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.name, copy.known, str(copy)) == (
        "bundled pair",
        "sepsis-smal",
        ["sepsis-small", "chb"],
        "no bundled pair named 'sepsis-smal' (did you mean 'sepsis-small'?)",
    )


def test_unknown_name_error_lists_the_names_when_none_is_close() -> None:
    error = UnknownNameError("finding", "zzz", ["b-finding", "a-finding"])
    assert str(error) == "no finding named 'zzz' (known: a-finding, b-finding)"
