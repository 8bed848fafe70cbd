"""The study file `thymoscope ask` keeps its answers in, written without losing anything.

The file an interview starts from (``--resume`` or ``--from``) is read a second time
with a round-trip YAML reader (ruamel.yaml, imported only here), and each save
applies the interview's answers on top of it: the user's comments, the fields the
interview does not ask about, every list item and anything it could not use stay
as written. New keys go in the study model's order. A text value that YAML would
read as something else (``1e5``, ``yes``, ``010``, ``null``...) is quoted, and every
saved text is checked with the study loader itself: when ``diagnose`` would refuse
it, the file's header says why, and so does :func:`saved_problem` for the terminal.
"""

from __future__ import annotations

import io
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from thymoscope import RESEARCH_NOTICE
from thymoscope.errors import ThymoscopeError
from thymoscope.study.yaml_source import one_line

HEADER = "# Answers from `thymoscope ask`"
SKIPPED_MARK = "# thymoscope-ask skipped:"
INCOMPLETE_MARK = "# thymoscope-ask: not yet a valid study:"
_OWN_LINES = (HEADER, SKIPPED_MARK, INCOMPLETE_MARK, f"# {RESEARCH_NOTICE}")
_STR_TAG = "tag:yaml.org,2002:str"


class RoundTripError(ThymoscopeError, ValueError):
    """The starting file could not be read back for a round trip (one line)."""


def _misread(text: str) -> bool:
    """Whether plain ``text`` would not come back as this text from a study file."""
    import yaml

    from thymoscope.study.yaml_source import _EXPONENT

    resolver: Any = yaml.resolver.Resolver()  # its stubs leave resolve() untyped
    resolved = resolver.resolve(yaml.ScalarNode, text, (True, False))
    return resolved != _STR_TAG or bool(_EXPONENT.fullmatch(text.strip()))


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    def represent_str(representer: Any, data: str) -> Any:
        style = "'" if _misread(data) else None
        return representer.represent_scalar(_STR_TAG, data, style=style)

    Representer.add_representer(str, represent_str)
    handler = YAML(typ="rt")
    handler.Representer = Representer
    handler.width = 88
    handler.allow_unicode = True
    return handler


def _is_items(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)


def _differs(old: Any, new: Any) -> bool:
    return bool(old != new) or isinstance(old, bool) != isinstance(new, bool)


def merge(base: Any, data: Mapping[str, Any], removed: set[str], prefix: str = "") -> None:
    """Apply ``data`` (answers, in model order) onto the round-trip mapping ``base``.

    Keys only in ``base`` stay, unless their dotted path is in ``removed`` (answers
    left unknown); lists of mappings are merged item by item and cut to ``data``'s length.
    """
    order = list(data)
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in base:
            later = [k for k in base if k in order and order.index(k) > order.index(key)]
            position = list(base).index(later[0]) if later else len(base)
            base.insert(position, key, value)
            continue
        old = base[key]
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            merge(old, value, removed, path + ".")
        elif _is_items(value) and _is_items(old):
            for index, item in enumerate(value):
                if index < len(old):
                    merge(old[index], item, removed, f"{path}.{index}.")
                else:
                    old.append(item)
            del old[len(value) :]
        elif _differs(old, value):
            base[key] = value
    for key in [k for k in base if k not in data and f"{prefix}{k}" in removed]:
        del base[key]


def _split_header(text: str) -> tuple[list[str], str]:
    """(leading comment and blank lines, the rest) of a YAML text."""
    lines = text.splitlines(keepends=True)
    count = 0
    while count < len(lines) and (not lines[count].strip() or lines[count].startswith("#")):
        count += 1
    return lines[:count], "".join(lines[count:])


def skipped_from(text: str) -> tuple[list[str], int]:
    """The paths the file's skip mark names, and its line (0 without one).

    Only the leading comment block counts, where `ask` writes it.
    """
    head, _ = _split_header(text)
    for number, line in enumerate(head, start=1):
        if line.startswith(SKIPPED_MARK):
            paths = [p.strip() for p in line[len(SKIPPED_MARK) :].split(",") if p.strip()]
            return paths, number
    return [], 0


@dataclass
class AnswerFile:
    """What a save writes: the starting file's text (or none) with the answers applied."""

    base_text: str | None = None
    _base: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.base_text is None:
            return
        from ruamel.yaml.error import YAMLError

        try:
            self._base = _yaml().load(self.base_text)
        except (YAMLError, ValueError) as exc:
            reason = one_line(" ".join(str(exc).split()))[:160]
            raise RoundTripError(f"cannot be read back for saving: {reason}") from None
        if not isinstance(self._base, Mapping):
            raise RoundTripError("a study file is a YAML mapping")

    def text(self, data: Mapping[str, Any], skipped: set[str], resume_hint: str) -> str:
        """The file's new text: header, the user's own leading comments, then the data."""
        import copy

        from ruamel.yaml.comments import CommentedMap

        handler = _yaml()
        document = copy.deepcopy(self._base) if self._base is not None else CommentedMap()
        merge(document, data, set(skipped))
        buffer = io.StringIO()
        handler.dump(document, buffer)
        comments, body = _split_header(buffer.getvalue())
        own = [c for c in comments if not c.startswith(_OWN_LINES)]
        while own and not own[0].strip():
            own.pop(0)
        hint = one_line(shlex.quote(resume_hint))
        header = [
            f"{HEADER} (resume with: thymoscope ask --resume {hint})",
            f"# {RESEARCH_NOTICE}",
        ]
        if skipped:
            header.append(f"{SKIPPED_MARK} {', '.join(sorted(skipped))}")
        # checked with the warning line in place, so the line numbers it gives hold
        marked = [*header, f"{INCOMPLETE_MARK} ?"]
        problem = saved_problem("\n".join(marked) + "\n" + "".join(own) + body)
        if problem is not None:
            header.append(f"{INCOMPLETE_MARK} {problem}")
        return "\n".join(header) + "\n" + "".join(own) + body


def saved_problem(text: str) -> str | None:
    """Why ``diagnose`` would refuse this saved text (the first problem), or None."""
    from thymoscope.study.loader import StudyFileError, parse_study

    try:
        parse_study(text, "")
    except StudyFileError as exc:
        first = exc.problems[0]
        where = f"line {first.line}: " if first.line else ""
        field_name = f"{first.field}: " if first.field else ""
        more = len(exc.problems) - 1
        rest = f" (and {more} more)" if more else ""
        return one_line(f"{where}{field_name}{first.message}{rest}")
    return None
