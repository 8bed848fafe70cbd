"""Mutation run over the knowledge base (a script run on demand, never in CI).

    python benchmarks/mutate_kb.py [--jobs 2] [--files kb/rules/*.py kb/thresholds.py]
                                   [--tests tests/kb tests/scenarios tests/trials]
                                   [--every K] [--limit N] [--out benchmarks/MUTATION.md]
    python benchmarks/mutate_kb.py --only kb/rules/study_quality.py:63 [FILE:LINE[:OP] ...]
    python benchmarks/mutate_kb.py --every 10 --list

``--only FILE:LINE`` runs every mutant of that line (``FILE:LINE:OPERATOR`` one of them,
e.g. ``kb/thresholds.py:262:number``), whatever ``--every`` says, and prints the verdicts
without rewriting the report; ``--list`` prints the selected mutants without running them.

Each mutant changes ONE point of a knowledge-base module, found by walking its syntax
tree, then the selected tests run against it; a mutant is *killed* when they fail.
The operators target where knowledge lives in this project (experta patterns and
module-level constants):

* comparisons: ``<``/``<=``, ``>``/``>=``, ``==``/``!=``, ``is``/``is not``,
  ``in``/``not in`` swapped;
* ``and``/``or`` swapped, ``not`` dropped, ``True``/``False`` swapped;
* numbers moved (an int ``n`` becomes ``n + 1``, a float ``x`` becomes ``x * 1.5``,
  ``0`` becomes ``1``);
* one member removed from a literal set, tuple or list of at least two strings;
* one keyword condition dropped from a fact pattern (``Result(primary="benefit")`` ->
  ``Result()``);
* severities shifted (``"major"`` -> ``"moderate"`` -> ``"minor"`` -> ``"major"``).

Strings inside rule declarations (``reads=``/``needs=``), docstrings and the dotted
field paths a rule cites are left alone: changing them is caught by the engine's own
checks and would only inflate the score.

Two classes of code are never mutated, because no mutant of them can change what the
knowledge base concludes:

* type annotations and ``Literal[...]`` subscripts (``SourceKind = Literal["FAQ", …]``):
  with ``from __future__ import annotations`` nothing reads them at run time; only the
  type checker does;
* invariant checks: ``assert`` statements, the ``strict=`` flag of ``zip`` and the
  ``frozen=`` flag of ``@dataclass``.  They state what the code already guarantees (an
  ``assert`` kept to narrow a type for mypy, ``zip`` over sequences built to the same
  length, records nobody assigns to); a mutant either leaves them true (no change) or
  makes the check itself fail loudly (an AssertionError, a ValueError from ``zip``, an
  unhashable record), and ``python -O`` drops asserts altogether.  The conditions that
  *make* the invariant true are mutated as usual.

The mutated files hold no pydantic model (whose annotations *are* read at run time):
a file that did would need the annotation rule narrowed.

The script copies the repository into one temporary folder per job, installs it there
in editable mode into a private virtual environment (``--python`` picks the
interpreter; the current one by default), and runs ``python -m pytest -x -q`` on the
selection for every mutant.  The unmutated selection must pass first.  Survivors are
listed with file, line and the mutated source line so that each can be read: some are
equivalent mutants (no behaviour changes), the rest are behaviours no test pins.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = ("kb/rules/*.py", "kb/thresholds.py", "kb/effects.py")
# the body-of-evidence rules of `review` are tested in tests/review, not in this selection
LEFT_OUT = frozenset({"__init__.py", "body_rules.py"})
DEFAULT_TESTS = ("tests/kb", "tests/scenarios", "tests/trials", "tests/compare")
SEVERITY_SHIFT = {"major": "moderate", "moderate": "minor", "minor": "major"}
COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
LEFT_ALONE_KEYWORDS = frozenset({"reads", "needs"})
# keyword flags that only guard an invariant (see the module docstring): call -> keyword
INVARIANT_FLAGS = {"zip": "strict", "dataclass": "frozen"}


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the repository
    index: int  # the n-th mutation point of that file
    line: int
    operator: str
    source: str  # the whole mutated module


def _not_behaviour(tree: ast.Module) -> set[int]:
    """ids of nodes no mutant of which can change behaviour (see the module docstring)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.AST] = []
        if isinstance(node, ast.Assert):
            roots.append(node)
        elif isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
        elif isinstance(node, ast.Subscript) and _named(node.value) == "Literal":
            roots.append(node)
        elif isinstance(node, ast.Call) and _named(node.func) in INVARIANT_FLAGS:
            flag = INVARIANT_FLAGS[_named(node.func) or ""]
            roots += [kw.value for kw in node.keywords if kw.arg == flag]
        for root in roots:
            skipped.update(id(n) for n in ast.walk(root))
    return skipped


def _named(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _protected(tree: ast.Module) -> set[int]:
    """ids of nodes whose strings must not be mutated (docstrings, declarations, cites)."""
    protected: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                protected.add(id(body[0].value))
        if isinstance(node, ast.keyword) and node.arg in LEFT_ALONE_KEYWORDS:
            protected.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name == "conclude":
                # finding id and cited paths: renaming them fails loudly anyway
                protected.update(id(n) for arg in node.args for n in ast.walk(arg))
        if isinstance(node, ast.JoinedStr):
            protected.update(id(n) for n in ast.walk(node))
    return protected


def _points(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every mutation point of ``tree`` in a fixed order, with its operator name."""
    protected = _protected(tree)
    skipped = _not_behaviour(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in COMPARE_SWAP:
                    yield node, f"compare:{i}"
        elif isinstance(node, ast.BoolOp):
            yield node, "boolop"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "not"
        elif isinstance(node, ast.Constant) and id(node) not in protected:
            value = node.value
            if isinstance(value, bool):
                yield node, "bool"
            elif isinstance(value, int | float):
                yield node, "number"
            elif isinstance(value, str) and value in SEVERITY_SHIFT:
                yield node, "severity"
        elif isinstance(node, ast.Set | ast.Tuple | ast.List) and id(node) not in protected:
            strings = [
                e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            if len(node.elts) >= 2 and len(strings) == len(node.elts):
                for i in range(len(node.elts)):
                    yield node, f"remove:{i}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id[:1].isupper()
            and node.keywords
        ):
            for i, kw in enumerate(node.keywords):
                if kw.arg is not None and kw.arg not in LEFT_ALONE_KEYWORDS:
                    yield node, f"dropkw:{i}"


def _apply(node: ast.AST, operator: str) -> bool:
    kind, _, arg = operator.partition(":")
    if kind == "compare" and isinstance(node, ast.Compare):
        i = int(arg)
        node.ops[i] = COMPARE_SWAP[type(node.ops[i])]()
    elif kind == "boolop" and isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "not" and isinstance(node, ast.UnaryOp):
        return False  # handled by the parent rewrite in _mutate
    elif kind == "bool" and isinstance(node, ast.Constant):
        node.value = not node.value
    elif kind == "number" and isinstance(node, ast.Constant):
        value = node.value
        node.value = 1 if value == 0 else (value + 1 if isinstance(value, int) else value * 1.5)
    elif kind == "severity" and isinstance(node, ast.Constant):
        node.value = SEVERITY_SHIFT[node.value]
    elif kind == "remove" and isinstance(node, ast.Set | ast.Tuple | ast.List):
        del node.elts[int(arg)]
    elif kind == "dropkw" and isinstance(node, ast.Call):
        del node.keywords[int(arg)]
    else:
        return False
    return True


class _DropNot(ast.NodeTransformer):
    def __init__(self, target: ast.AST) -> None:
        self.target = target

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        return node.operand if node is self.target else node


def mutants_of(path: Path) -> Iterator[Mutant]:
    rel = str(path.relative_to(ROOT))
    original = ast.parse(path.read_text(encoding="utf-8"))
    count = sum(1 for _ in _points(original))
    for index in range(count):
        tree = copy.deepcopy(original)
        node, operator = list(_points(tree))[index]
        line = getattr(node, "lineno", 0)
        if operator == "not":
            tree = _DropNot(node).visit(tree)
        elif not _apply(node, operator):
            continue
        ast.fix_missing_locations(tree)
        yield Mutant(rel, index, line, operator, ast.unparse(tree))


def _prepare(workdir: Path, python: str) -> Path:
    shutil.copytree(
        ROOT,
        workdir,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build"),
        dirs_exist_ok=True,
    )
    venv = workdir / ".venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin/pip"), "install", "-q", "-e", f"{workdir}[test]"],
        check=True,
    )
    return venv / "bin/python"


def _run_tests(python: Path, workdir: Path, tests: list[str]) -> bool:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=900,
    )
    return done.returncode == 0


def _worker(
    workdir: Path, python: Path, tests: list[str], batch: list[Mutant]
) -> list[tuple[Mutant, bool]]:
    results = []
    for mutant in batch:
        target = workdir / mutant.path
        original = target.read_text(encoding="utf-8")
        try:
            target.write_text(mutant.source, encoding="utf-8")
            for cache in target.parent.glob("__pycache__"):
                shutil.rmtree(cache, ignore_errors=True)
            survived = _run_tests(python, workdir, tests)
        except subprocess.TimeoutExpired:
            survived = False  # a hang is a detected change
        finally:
            target.write_text(original, encoding="utf-8")
        results.append((mutant, survived))
        # progress as it goes: a long run that is cut off still shows its survivors
        verdict = "SURVIVED" if survived else "killed"
        print(
            f"{mutant.path}:{mutant.line} {mutant.operator} {verdict}"
            + (f": {_original_line(mutant)}" if survived else ""),
            flush=True,
        )
    return results


def _selected(mutant: Mutant, wanted: set[str]) -> bool:
    where = f"{mutant.path}:{mutant.line}"
    return where in wanted or f"{where}:{mutant.operator}" in wanted


def _original_line(mutant: Mutant) -> str:
    """The source line the mutation point starts on (``ast.unparse`` renumbers lines)."""
    original = (ROOT / mutant.path).read_text(encoding="utf-8").splitlines()
    return original[mutant.line - 1].strip() if 0 < mutant.line <= len(original) else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--files", nargs="*", default=list(DEFAULT_FILES))
    parser.add_argument("--tests", nargs="*", default=list(DEFAULT_TESTS))
    parser.add_argument("--limit", type=int, default=0, help="only the first N mutants")
    parser.add_argument(
        "--every", type=int, default=1, help="a deterministic sample: every K-th mutant"
    )
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "MUTATION.md")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="FILE:LINE[:OP]",
        help="run only these mutants (all of a line, or one operator) and write no report",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run none")
    args = parser.parse_args()

    files = sorted({p for pattern in args.files for p in ROOT.glob(pattern)})
    files = [p for p in files if p.name not in LEFT_OUT]
    tests = [t for t in args.tests if (ROOT / t).exists()]
    if args.only:
        wanted = set(args.only)
        files = sorted({ROOT / w.split(":")[0] for w in wanted})
        mutants = [m for path in files for m in mutants_of(path) if _selected(m, wanted)]
        if not mutants:
            print("no mutant matches --only", file=sys.stderr)
            return 2
    else:
        mutants = [m for path in files for m in mutants_of(path)]
        mutants = mutants[:: max(1, args.every)]
    if args.limit:
        mutants = mutants[: args.limit]
    if args.list:
        for mutant in mutants:
            print(f"{mutant.path}:{mutant.line}:{mutant.operator}: {_original_line(mutant)}")
        return 0
    print(f"{len(mutants)} mutants in {len(files)} files; tests: {' '.join(tests)}", flush=True)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="thymoscope-mutants-") as tmp:
        workers = []
        for job in range(max(1, args.jobs)):
            workdir = Path(tmp) / f"job{job}"
            python = _prepare(workdir, args.python)
            if not _run_tests(python, workdir, tests):
                print("the unmutated test selection fails: fix it first", file=sys.stderr)
                return 2
            workers.append((workdir, python))
        batches = [mutants[i :: len(workers)] for i in range(len(workers))]
        results: list[tuple[Mutant, bool]] = []
        with concurrent.futures.ThreadPoolExecutor(len(workers)) as pool:
            futures = [
                pool.submit(_worker, workdir, python, tests, batch)
                for (workdir, python), batch in zip(workers, batches, strict=True)
            ]
            for future in futures:
                results.extend(future.result())
    elapsed = time.monotonic() - started
    if args.only:
        killed = sum(1 for _, survived in results if not survived)
        print(f"{killed}/{len(results)} killed in {elapsed / 60:.1f} min (no report written)")
        return 0

    results.sort(key=lambda r: (r[0].path, r[0].index))
    killed = sum(1 for _, survived in results if not survived)
    total = len(results)
    score = 100.0 * killed / total if total else 0.0
    lines = [
        "# Mutation run over the knowledge base",
        "",
        f"Command: `python benchmarks/mutate_kb.py --jobs {args.jobs} --every {args.every}`"
        f" (files: {' '.join(args.files)}; tests: {' '.join(tests)})",
        "",
        f"**{killed}/{total} mutants killed = {score:.1f}%** in {elapsed / 60:.1f} min.",
        "",
        "| file | total | killed |",
        "|---|---|---|",
    ]
    for path in sorted({m.path for m, _ in results}):
        rows = [s for m, s in results if m.path == path]
        lines.append(f"| {path} | {len(rows)} | {sum(1 for s in rows if not s)} |")
    lines += ["", "## Survivors", ""]
    for mutant, survived in results:
        if survived:
            lines.append(
                f"- `{mutant.path}:{mutant.line}` {mutant.operator}: `{_original_line(mutant)}`"
            )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:8]))
    print(f"survivors listed in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
