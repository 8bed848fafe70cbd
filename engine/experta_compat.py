"""Import experta 1.9.4 safely on Python 3.10+.

experta has three import-time problems that this module contains:

* it pins ``frozendict==1.2``, whose class body subclasses ``collections.Mapping``,
  an alias removed in Python 3.10; importing it raises ``AttributeError``.  We
  provide the alias only for the duration of the import and remove it afterwards,
  so nothing else in the process sees a patched ``collections``;
* ``experta.engine`` and ``experta.watchers`` call ``logging.basicConfig()`` at import,
  which would install a root handler in the host application; we restore the root
  logger's handlers and level;
* its ``DepthStrategy`` can leave a cancelled activation on the agenda (see
  :mod:`thymoscope.engine.strategy`), which is fixed there, not here.

One change of speed, not of behaviour: the RETE network copies a token at every node it
passes, and ``Token.copy`` rebuilt it through ``Token.__new__``, which checks again that
every fact in it is a ``Fact`` (a fifth of the matching time of a study).  A copy of a
token holds the same, already checked facts, so :func:`_copy_token` makes it directly.

Everything in thymoscope imports experta through this module.
"""

from __future__ import annotations

import collections
import collections.abc
import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

_ALIASES = ("Mapping", "MutableMapping", "Sequence", "Callable", "Hashable", "Iterable")


def _import_experta() -> ModuleType:
    if "experta" in sys.modules:
        return sys.modules["experta"]
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    added = [name for name in _ALIASES if not hasattr(collections, name)]
    for name in added:
        setattr(collections, name, getattr(collections.abc, name))
    try:
        import experta
    finally:
        for name in added:
            delattr(collections, name)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    module: ModuleType = experta
    return module


experta = _import_experta()

_Token = experta.matchers.rete.token.Token


def _copy_token(token: Any) -> Any:
    """``Token.copy``: a new token of the same tag, its facts and context copied."""
    return tuple.__new__(type(token), (token.tag, set(token.data), token.context.copy()))


_Token.copy = _copy_token

from experta import (  # noqa: E402
    AS,
    MATCH,
    NOT,
    OR,
    TEST,
    KnowledgeEngine,
    L,
    P,
    W,
)

_F = TypeVar("_F", bound=Callable[..., Any])

if TYPE_CHECKING:
    # experta ships no type information. For a type checker, say what the project relies
    # on: a fact is a dict of field values, and ``@Rule(...)`` gives back the method it
    # decorates (at run time it returns the Rule object, which calls that method).

    class Fact(dict[str, Any]):
        pass

    class Rule:
        def __init__(self, *conditions: Any, salience: int = 0) -> None: ...

        def __call__(self, method: _F) -> _F: ...

else:
    from experta import Fact, Rule

__all__ = ["AS", "MATCH", "NOT", "OR", "TEST", "Fact", "KnowledgeEngine", "L", "P", "Rule", "W"]
