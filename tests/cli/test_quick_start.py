"""What keeps the command line quick to start gives the results it replaces.

* cli/coercion.py: every parameter of every command coerces a value exactly as typer's
  own pydantic-based coercion does (same value and type, or the same error message);
* cli/app.py: a command's module is imported only when that command runs, and parsing
  the options of ``diagnose`` builds no pydantic adapter.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer._click.core import Context
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter
from typer.main import get_command

from thymoscope.cli.app import COMMANDS, YOUNG_GENERATION_THRESHOLD, app
from thymoscope.cli.coercion import QuickCoercion

SAMPLES: list[Any] = [
    None,
    "",
    "text",
    "JSON",
    "json",
    "md",
    "Markdown",
    "reml",
    "DL",
    "bash",
    "major",
    "Always",
    "0",
    "1",
    "2",
    "02",
    " 3",
    "-1",
    "1_000",
    "abc",
    "1.5",
    "nan",
    "-",
    "/tmp",
    "/no/such/folder/report.json",
    "design.blinding",
    "é",
    ["a", "b"],
    ("a",),
    (),
    ["a", 1],
    True,
    False,
    0,
    3,
    2.5,
    float("inf"),
    Path("report.json"),
]


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, str]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # the message the user would read
        return "error", f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
    return "value", f"{type(result).__name__}: {result!r}"


def _parameters() -> list[tuple[str, Any, Context]]:
    group = get_command(app)
    root = Context(group, info_name="thymoscope")
    found = [("thymoscope", p, root) for p in group.get_params(root)]
    for name in COMMANDS:
        command = group.get_command(root, name)
        assert command is not None
        ctx = Context(command, info_name=name, parent=root)
        found += [(name, p, ctx) for p in command.get_params(ctx)]
    return [(n, p, c) for n, p, c in found if isinstance(p, _TyperParameter)]


PARAMETERS = _parameters()


@pytest.mark.parametrize(
    ("command", "param", "ctx"), PARAMETERS, ids=[f"{n}-{p.name}" for n, p, _ in PARAMETERS]
)
def test_values_are_coerced_as_typer_coerces_them(command: str, param: Any, ctx: Context) -> None:
    quick = param.get_runtime_param()
    assert isinstance(quick, QuickCoercion)
    typer_own = build_runtime_param(param.type_descriptor)
    for value in SAMPLES:
        assert _outcome(quick, value, param, ctx) == _outcome(typer_own, value, param, ctx), value


def test_diagnose_imports_only_its_own_command_and_no_adapter() -> None:
    """Also shows that the values of a real command line take the quick way."""
    case = resources.files("thymoscope.kb.cases") / "cancer-phase2-monotherapy.yaml"
    script = (
        "import atexit, json, sys\n"
        "import gc\n"
        "atexit.register(lambda: sys.stderr.write(json.dumps(\n"
        "    [sorted(sys.modules), gc.get_threshold()[0], gc.get_freeze_count()])))\n"
        "from thymoscope.cli.app import main\n"
        "sys.argv = ['thymoscope', 'diagnose', sys.argv[1], '-f', 'json']\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "THYMOSCOPE_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(case)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["studies"][0]["id"] == "cancer-phase2-monotherapy"
    loaded, young_threshold, frozen = json.loads(done.stderr)
    modules = set(loaded)
    assert "thymoscope.cli.diagnose" in modules
    others = {f"thymoscope.cli.{name}" for name in COMMANDS if name != "diagnose"}
    assert modules & others == set()
    assert "typer._adapters" not in modules
    # nor what only other inputs or outputs need: the extraction-sheet reader, the
    # Python API's result classes, the pairs engine, the HTML entity table
    unused = {"thymoscope.study.sheet", "thymoscope.api", "thymoscope.results"}
    assert modules & (unused | {"thymoscope.engine.pairs", "html"}) == set()
    # the collector ran in larger steps, and what lived to the end was frozen before the
    # collection at exit
    assert young_threshold == YOUNG_GENERATION_THRESHOLD
    assert frozen > 0


def test_main_freezes_nothing_in_a_process_that_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The freeze waits for the interpreter's exit: a test or notebook that calls main and
    goes on still has its garbage collected (only in larger steps)."""
    from thymoscope.cli import app as app_module

    seen: list[int] = []

    def command() -> None:
        seen.append(gc.get_threshold()[0])
        raise SystemExit(0)

    monkeypatch.setattr(app_module, "_run_app", command)
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit):
            app_module.main()
        assert seen == [YOUNG_GENERATION_THRESHOLD]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.set_threshold(*before)


def test_the_cli_and_the_api_share_one_rule_network() -> None:
    """The CLI hands batches ``thymoscope.kb.knowledge``; the API's factory must be that
    same function, or a process using both would build the rule network twice."""
    from thymoscope import api
    from thymoscope.engine.batch import diagnoser_for
    from thymoscope.kb import knowledge

    assert api.default_knowledge is knowledge
    assert diagnoser_for(knowledge) is api.diagnoser()
