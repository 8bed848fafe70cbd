"""(c) importing the engine leaves the root logger alone; (e) no collections.Mapping leak.

Both run in a fresh interpreter, since experta may already be imported here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_importing_the_engine_keeps_root_logger_handlers() -> None:
    out = run_python(
        """
        import logging
        root = logging.getLogger()
        marker = logging.NullHandler()
        root.addHandler(marker)
        root.setLevel(logging.ERROR)
        before = list(root.handlers)
        import thymoscope.engine.core, thymoscope.api
        thymoscope.api.diagnoser()
        assert root.handlers == before, root.handlers
        assert root.level == logging.ERROR
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_importing_the_engine_adds_no_handler_to_a_bare_root_logger() -> None:
    out = run_python(
        """
        import logging
        import thymoscope.engine
        import thymoscope.engine.core
        print(len(logging.getLogger().handlers), logging.getLogger().level)
        """
    )
    assert out.stdout.split() == ["0", str(30)]


def test_raw_experta_would_configure_the_root_logger() -> None:
    """The guard matters: plain experta calls logging.basicConfig() at import."""
    out = run_python(
        """
        import collections, collections.abc, logging
        collections.Mapping = collections.abc.Mapping
        import experta
        print(len(logging.getLogger().handlers))
        """
    )
    assert int(out.stdout) >= 1


@pytest.mark.skipif(sys.version_info < (3, 10), reason="the alias exists before 3.10")
def test_compat_leaves_collections_mapping_absent_and_experta_works() -> None:
    out = run_python(
        """
        import collections
        assert not hasattr(collections, "Mapping")
        from thymoscope.engine.experta_compat import Fact, KnowledgeEngine, Rule
        for name in ("Mapping", "MutableMapping", "Sequence", "Callable", "Hashable",
                     "Iterable"):
            assert not hasattr(collections, name), name
        import frozendict
        assert frozendict.frozendict({"a": 1})["a"] == 1

        class Ping(Fact):
            pass

        class Engine(KnowledgeEngine):
            seen = []

            @Rule(Ping(n=2))
            def two(self):
                self.seen.append("two")

        engine = Engine()
        engine.reset()
        engine.declare(Ping(n=1), Ping(n=2))
        engine.run()
        assert Engine.seen == ["two"], Engine.seen
        print("ok")
        """
    )
    assert out.stdout.strip() == "ok"


def test_frozendict_alone_cannot_be_imported_on_this_python() -> None:
    """Documents why experta_compat exists (frozendict 1.2 on Python >= 3.10)."""
    result = subprocess.run(
        [sys.executable, "-c", "import frozendict"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "Mapping" in result.stderr
