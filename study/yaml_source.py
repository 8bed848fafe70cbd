"""Read YAML study text safely, keeping the line of every key.

Limits are checked on the event stream *before* anything is built, so hostile
documents (alias bombs, very deep nesting, huge files) are refused in bounded time
and memory.  Only plain YAML is accepted: mappings, sequences and the core scalar
types; any other tag (``!!python/object`` and friends) is refused, never constructed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C implementation is much faster; fall back to pure Python
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 100_000

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

Path = tuple[str | int, ...]


class YamlProblem(Exception):
    """A problem with the YAML text itself, at a 1-based line (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class SourceDocument:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise YamlProblem(0, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlProblem(line, "contains a NUL character; a study file is text")
    return text


def _mark_line(exc: yaml.MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else 0


def _check_events(text: str) -> None:
    """Refuse too-deep, too-large (after alias expansion) or multi-document input."""
    stack: list[list[Any]] = []  # [anchor, expanded node count]
    sizes: dict[str, int] = {}
    documents = 0

    def attach(count: int, anchor: str | None, line: int) -> None:
        if anchor:
            sizes[anchor] = count
        if stack:
            stack[-1][1] += count
            if stack[-1][1] > MAX_NODES:
                raise YamlProblem(
                    line,
                    f"document expands to more than {MAX_NODES:,} values "
                    "(aliases included); refused",
                )

    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlProblem(line, "holds more than one YAML document; a study file holds one")
        elif isinstance(event, yaml.ScalarEvent):
            attach(1, event.anchor, line)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                raise YamlProblem(line, f"alias *{event.anchor} refers to no finished anchor")
            attach(sizes[event.anchor], None, line)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(line, f"nested deeper than {MAX_DEPTH} levels; refused")
            stack.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            attach(count, anchor, line)


class _Builder:
    def __init__(self) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        self.lines: dict[Path, int] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                raise YamlProblem(line, f"unsupported YAML tag {node.tag}; refused")
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlProblem(key_node.start_mark.line + 1, "merge keys (<<) are not supported")
                key = self.build(key_node, (*path, "<key>"))
                if not isinstance(key, str):
                    raise YamlProblem(
                        key_node.start_mark.line + 1, f"key {key!r} is not a name; keys must be text"
                    )
                key_line = key_node.start_mark.line + 1
                if key in result:
                    first = self.lines.get((*path, key), key_line)
                    dotted = ".".join(str(p) for p in (*path, key))
                    raise YamlProblem(
                        key_line, f"{dotted}: duplicate key (first given on line {first})"
                    )
                self.lines[(*path, key)] = key_line
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise YamlProblem(line, f"unsupported YAML tag {node.tag}; refused")
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(line, f"unsupported YAML tag {node.tag}; refused")
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise YamlProblem(line, f"unreadable value {node.value!r}: {exc}") from None


def parse_yaml(text: str) -> SourceDocument:
    """Parse one YAML document into plain data plus a path -> line map."""
    try:
        _check_events(text)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or str(exc)
        raise YamlProblem(_mark_line(exc), f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(0, f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlProblem(0, f"nested deeper than {MAX_DEPTH} levels; refused") from None
    if node is None:
        raise YamlProblem(1, "file is empty; a study file is a YAML mapping")
    builder = _Builder()
    data = builder.build(node, ())
    return SourceDocument(data=data, lines=builder.lines)
