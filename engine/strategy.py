"""A conflict-resolution strategy that really removes cancelled activations.

experta's ``DepthStrategy`` keeps the agenda sorted by ``(salience, fact ids)`` and,
to cancel an activation, looks only at the three slots around its bisect position.
When three or more activations share a key, the cancelled one can sit further away
and survives: a rule whose ``NOT(...)`` became false may then still fire.  This
strategy orders the agenda the same way but removes cancelled activations by
equality over the whole agenda, and computes keys without experta's unbounded
``lru_cache`` on activations.  Like the rest of thymoscope's engines it reports nothing
to experta's watchers (see :mod:`thymoscope.engine.experta_compat`): experta's
``update_agenda`` logged every change to its ``ACTIVATIONS`` watcher when enabled.
"""

from __future__ import annotations

import bisect
from typing import Any

from thymoscope.engine.experta_compat import experta

_Strategy = experta.abstract.Strategy


def activation_key(activation: Any) -> tuple[int, list[int]]:
    facts = sorted((fact["__factid__"] for fact in activation.facts), reverse=True)
    return (activation.rule.salience, facts)


class ExactDepthStrategy(_Strategy):  # type: ignore[misc,valid-type]
    """Depth-first like experta's default, with exact removal of cancelled activations."""

    def update_agenda(self, agenda: Any, added: list[Any], removed: list[Any]) -> None:
        # experta's version first logs each change to its ACTIVATIONS watcher; the
        # engines of thymoscope report nothing to experta's watchers (see
        # thymoscope.engine.experta_compat)
        self._update_agenda(agenda, added, removed)

    def _update_agenda(self, agenda: Any, added: list[Any], removed: list[Any]) -> None:
        if removed:
            for act in removed:
                act.key = activation_key(act)
            agenda.activations[:] = [a for a in agenda.activations if a not in removed]
        for act in added:
            act.key = activation_key(act)
            bisect.insort(agenda.activations, act)
