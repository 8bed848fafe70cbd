"""Read YAML study text safely, keeping the line of every key.

Limits are checked on the event stream *before* anything is built, so hostile
documents (alias bombs, very deep nesting, huge files) are refused in bounded time
and memory.  Only plain YAML is accepted: mappings, sequences and the core scalar
types, resolved from how the value is written; an explicit tag on a value (``!!int``,
``!!bool``... all but ``!!str``) and any other tag (``!!python/object`` and friends) is
refused, never constructed.  No value may hold a control or bidirectional character,
however it is written (raw or as a YAML escape), so study text cannot steer a terminal.

Throughput (issue 14): a study file is a *plain* document (no anchor, alias or tag), read
in one pass over libyaml's events (:class:`_PlainReader`): one call per collection, a
key and its value read together, a plain scalar's value looked up by its text alone
(:data:`_PLAIN_MEMO`) and a quoted one taken as text after the unsafe-character check;
nodes are counted per collection.  The lines of its keys, which only a problem needs,
are worked out when first asked for (:class:`SourceDocument`).  ASCII text skips the
raw check for characters that are all outside ASCII.  Anything else goes to the careful
two-pass reading, which gives the messages; tests/study/test_plain_reader.py checks
both read alike.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import yaml

from thymoscope.errors import ThymoscopeError

try:  # the C implementation is much faster; fall back to pure Python
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# The limits below are checked before any value is built; README "What thymoscope
# accepts and refuses" lists them.  Change them there too.
MAX_BYTES = 1_000_000  # size of one study file, in bytes (UTF-8)
MAX_DEPTH = 32  # mappings and lists inside each other
MAX_NODES = 20_000  # values and keys, counting each alias as the values it repeats
MAX_NUMBER_CHARS = 100  # digits (and signs, dots, exponent) of one number
MAX_SHOWN = 60  # characters of an offending value quoted in a message

# YAML's printable characters (YAML 1.1, section 5.1); anything else is refused up front
# so the message can say which character and on which line.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# Characters that can steer a terminal or disguise text even where YAML allows them:
# C0/C1 controls (ESC, CSI, NUL, CR... but not tab and line feed), DEL, the line and
# paragraph separators, and the bidirectional controls ("Trojan source").  Refused in
# the raw text (after YAML's own check) and in every value, so escapes such as ``"\\e"``,
# ``"\\x9b"``, ``"\\0"`` or ``"\\u202e"`` cannot bring them in either.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# Those of them YAML lets through in the raw text (NEL, the separators, bidi controls).
_UNSAFE_RAW = re.compile("[\x85\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# YAML 1.1 reads these plain scalars as numbers in ways nobody writing a study means:
# base 60 (``1:30`` is 90) and octal (``010`` is 8).
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

Path = tuple[str | int, ...]


class YamlProblem(ThymoscopeError):
    """A problem with the YAML text itself, at a 1-based line (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class SourceDocument:
    """The data of a document and the line of every key (``lines``: path -> line).

    Lines are only read to locate a problem, which most documents do not have: for a
    plain document they are worked out from its ``text`` when first asked for (by the
    careful reading, which gives the lines the one pass would have given).
    """

    __slots__ = ("_lines", "_text", "data")

    def __init__(
        self, data: Any, lines: dict[Path, int] | None = None, *, text: str | None = None
    ) -> None:
        self.data = data
        self._lines = lines if lines is not None or text is not None else {}
        self._text = text

    @property
    def lines(self) -> dict[Path, int]:
        if self._lines is None:
            self._lines = _lines_of(self._text or "")
            self._text = None
        return self._lines

    def __repr__(self) -> str:
        return f"SourceDocument(data={self.data!r})"

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def shown(value: Any) -> str:
    """``repr(value)`` cut to :data:`MAX_SHOWN` characters, for one-line messages."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_<>*-]+$")


def dotted(path: tuple[Any, ...]) -> str:
    """``design.sample_size``; a part that is not a plain name is quoted (``' '``)."""
    return ".".join(
        str(p) if isinstance(p, int) or _PLAIN_NAME.match(str(p)) else shown(str(p)) for p in path
    )


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _too_large(size: int) -> YamlProblem:
    return YamlProblem(0, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes")


def decode(raw: bytes) -> str:
    """UTF-8 bytes (a leading BOM is dropped) to text, refusing anything else."""
    if len(raw) > MAX_BYTES:
        raise _too_large(len(raw))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlProblem(1, "file is UTF-16 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            line,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
        ) from None
    return text


def check_characters(text: str) -> None:
    """Refuse characters YAML does not allow, naming the first one and its line."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return
    char = found.group()
    line = text.count("\n", 0, found.start()) + 1
    if char == "\x00":
        raise YamlProblem(line, "contains a NUL character (U+0000); a study file is text")
    raise YamlProblem(line, f"contains the character U+{ord(char):04X}, which YAML does not allow")


def _check_unsafe_raw(text: str) -> None:
    found = _UNSAFE_RAW.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise YamlProblem(line, f"contains the character {_named(found.group())}; refused")


def _named(char: str) -> str:
    """``U+202E (a bidirectional control, which can disguise text)`` and the like."""
    code = f"U+{ord(char):04X}"
    if char in "\u061c\u200e\u200f" or "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return f"{code} (a bidirectional control, which can disguise text)"
    if char in "\u2028\u2029\x85":
        return f"{code} (a line separator)"
    return f"{code} (a control character, which can steer a terminal)"


def _mark_line(exc: yaml.MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else 0


def _check_events(text: str) -> list[yaml.Event]:
    """Refuse too-deep, too-large (after alias expansion) or multi-document input; return
    the events, checked as they stream in (a refusal stops the parser early)."""
    events: list[yaml.Event] = []
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
        events.append(event)
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlProblem(line, "holds more than one YAML document; a study file holds one")
        elif isinstance(event, yaml.ScalarEvent):
            _refuse_explicit_tag(event.tag, line)
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
    return events


def _refuse_explicit_tag(tag: str | None, line: int) -> None:
    """Refuse ``!!int '010'``, ``!!bool 'maybe'``, ``!!timestamp nope`` and the like.

    An explicit core tag would make YAML build a number, truth value, date or null
    from text the number rules never saw (``!!int "010"`` is 8, ``!!int '1:30'`` is 90)
    or crash its constructors; a study never needs one.  ``!!str`` only says "text"
    and stays allowed; any other tag is refused when the value is built.
    """
    if tag is None or tag in ("!", _STR_TAG) or tag not in _SCALAR_TAGS:
        return
    short = "!!" + tag.rsplit(":", 1)[-1]
    raise YamlProblem(
        line,
        f"explicit YAML tag {short} refused; write the value without a tag "
        "(a plain number, true/false, null or a date), or quote it for text",
    )


_MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVER = yaml.resolver.Resolver()


def _resolved_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag YAML gives an untagged scalar written this way (PyYAML's safe resolver);
    short values, which repeat across study files (keys, numbers, words), are cached."""
    if len(value) <= 64:
        return _resolved_short(value, implicit)
    return str(_RESOLVER.resolve(yaml.ScalarNode, value, implicit))  # type: ignore[no-untyped-call]


@functools.lru_cache(maxsize=4096)
def _resolved_short(value: str, implicit: tuple[bool, bool]) -> str:
    return str(_RESOLVER.resolve(yaml.ScalarNode, value, implicit))  # type: ignore[no-untyped-call]


def _line(event: yaml.Event) -> int:
    """The 1-based line an event starts on (0 when the parser gave no mark)."""
    return event.start_mark.line + 1 if event.start_mark is not None else 0


class _Builder:
    """Builds plain data, and the line of every key, straight from the checked event stream
    (the text is parsed once, by libyaml when present; no node graph is composed).

    An alias is built again at its own path from the events of its anchor, as if written
    out there; ``_check_events`` has already bounded what that expansion can cost.
    """

    def __init__(self, events: list[yaml.Event]) -> None:
        self.events = events
        self.constructor = yaml.constructor.SafeConstructor()
        self.lines: dict[Path, int] = {}
        self.anchors: dict[str, int] = {}  # anchor -> index of the event that defines it

    def document(self) -> tuple[bool, Any]:
        """(whether the stream holds a document, its data)."""
        for index, event in enumerate(self.events):
            if isinstance(event, yaml.DocumentStartEvent):
                return True, self.build(index + 1, ())[0]
        return False, None

    @staticmethod
    def _scalar_tag(event: yaml.ScalarEvent) -> str:
        if event.tag is None or event.tag == "!":
            return _resolved_tag(event.value, event.implicit)
        return str(event.tag)

    def _anchor(self, event: yaml.Event, index: int, line: int) -> None:
        anchor: str | None = getattr(event, "anchor", None)
        if anchor is None or self.anchors.get(anchor) == index:
            return  # no anchor, or its own definition built again through an alias
        if anchor in self.anchors:
            first = _line(self.events[self.anchors[anchor]])
            raise YamlProblem(line, f"anchor &{anchor} is defined twice (first on line {first})")
        self.anchors[anchor] = index

    def build(self, index: int, path: Path) -> tuple[Any, int]:
        """The value whose events start at ``index``, and the index just past them."""
        event = self.events[index]
        line = _line(event)
        self.lines.setdefault(path, line)
        if isinstance(event, yaml.AliasEvent):
            if event.anchor is None or event.anchor not in self.anchors:  # checked before
                raise YamlProblem(line, f"alias *{event.anchor} refers to no finished anchor")
            return self.build(self.anchors[event.anchor], path)[0], index + 1
        self._anchor(event, index, line)
        if isinstance(event, yaml.MappingStartEvent):
            return self._mapping(event, index + 1, path, line)
        if isinstance(event, yaml.SequenceStartEvent):
            if event.tag not in (None, "!", _SEQ_TAG):
                raise YamlProblem(line, f"unsupported YAML tag {event.tag}; refused")
            items: list[Any] = []
            index += 1
            while not isinstance(self.events[index], yaml.SequenceEndEvent):
                item, index = self.build(index, (*path, len(items)))
                items.append(item)
            return items, index + 1
        if not isinstance(event, yaml.ScalarEvent):  # the parser allows nothing else here
            raise YamlProblem(line, f"unexpected YAML {type(event).__name__}")
        return self._scalar(event, path, line), index + 1

    def _mapping(
        self, event: yaml.MappingStartEvent, index: int, path: Path, line: int
    ) -> tuple[Any, int]:
        if event.tag not in (None, "!", _MAP_TAG):
            raise YamlProblem(line, f"unsupported YAML tag {event.tag}; refused")
        result: dict[Any, Any] = {}
        while not isinstance(self.events[index], yaml.MappingEndEvent):
            key_event = self.events[index]
            key_line = _line(key_event)
            if isinstance(key_event, yaml.ScalarEvent) and key_event.anchor is None:
                # the common case, built here: a plain or quoted key without an anchor
                self.lines.setdefault((*path, "<key>"), key_line)
                if self._scalar_tag(key_event) == _MERGE_TAG:
                    raise YamlProblem(key_line, "merge keys (<<) are not supported")
                key = self._scalar(key_event, (*path, "<key>"), key_line)
                index += 1
            else:
                key, index = self.build(index, (*path, "<key>"))
            if not isinstance(key, str):
                raise YamlProblem(key_line, f"key {shown(key)} is not a name; keys must be text")
            if key in result:
                first = self.lines.get((*path, key), key_line)
                raise YamlProblem(
                    key_line,
                    f"{dotted((*path, key))}: duplicate key (first given on line {first})",
                )
            self.lines[(*path, key)] = key_line
            result[key], index = self.build(index, (*path, key))
        return result, index + 1

    def _scalar(self, event: yaml.ScalarEvent, path: Path, line: int) -> Any:
        tag = self._scalar_tag(event)
        if tag not in _SCALAR_TAGS:
            raise YamlProblem(line, f"unsupported YAML tag {tag}; refused")
        plain = not event.style  # a scalar written without quotes
        if plain and tag in (_INT_TAG, _FLOAT_TAG):
            _refuse_surprising_number(event.value, line, path)
        if plain and tag == _STR_TAG and _EXPONENT.fullmatch(event.value):
            # YAML 1.1 reads `1e5` (no dot) as text; YAML 1.2 and users read a number.
            _refuse_surprising_number(event.value, line, path)
            number = float(event.value)
            if not math.isfinite(number):
                raise YamlProblem(line, f"{_dotted(path)}: {event.value!r} is not a finite number")
            return number
        if tag == _STR_TAG:
            value: Any = event.value
        else:
            node = yaml.ScalarNode(tag, event.value, style=event.style)
            try:
                value = self.constructor.construct_object(node, deep=True)
            except Exception as exc:  # any constructor failure is this file's problem only
                text = one_line(str(exc)).strip()
                reason = text.splitlines()[0] if text else type(exc).__name__
                raise YamlProblem(
                    line,
                    f"{_dotted(path)}: unreadable value {shown(event.value)}: {reason[:120]}",
                ) from None
        if isinstance(value, str):
            found = _UNSAFE.search(value)
            if found is not None:
                raise YamlProblem(
                    line,
                    f"{_dotted(path)}: contains the character {_named(found.group())}; "
                    "refused, even when written as a YAML escape",
                )
        return value


_EXPONENT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")


def _dotted(path: Path) -> str:
    return dotted(path) or "(top)"


def _refuse_surprising_number(value: str, line: int, path: Path) -> None:
    if len(value) > MAX_NUMBER_CHARS:
        raise YamlProblem(
            line, f"{_dotted(path)}: a number {len(value):,} characters long is refused"
        )
    if _SEXAGESIMAL.match(value):
        raise YamlProblem(
            line,
            f"{_dotted(path)}: {value!r} would be read as a base-60 number; "
            "quote it if it is text, or write the number in decimal",
        )
    if _OCTAL.match(value):
        raise YamlProblem(
            line,
            f"{_dotted(path)}: {value!r} would be read as an octal number; "
            "drop the leading zero, or quote it if it is text",
        )


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    line = _mark_line(exc)
    problem = (exc.problem or "").strip()
    mark = exc.problem_mark
    if "maximum nesting depth" in problem:
        return YamlProblem(line, f"nested deeper than {MAX_DEPTH} levels; refused")
    if mark is not None and problem.startswith("found character"):
        row = text.split("\n")[mark.line] if mark.line < text.count("\n") + 1 else ""
        if row[mark.column : mark.column + 1] == "\t":
            return YamlProblem(line, "a tab is used for indentation; YAML indents with spaces")
    context = (exc.context or "").strip()
    message = problem or context or "not valid YAML"
    if context and problem:
        message = f"{problem} ({context})"
    return YamlProblem(line, f"YAML syntax error: {' '.join(message.split())}")


def parse_yaml(text: str) -> SourceDocument:
    """Parse one YAML document into plain data plus a path -> line map.

    Size, characters, nesting, alias expansion and the number of documents are
    checked before any node is built; only then is the document composed.  A plain
    document (see :func:`_plain_document`), what study files are, is read in one pass.
    """
    ascii = text.isascii()
    size = len(text) if ascii else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise _too_large(size)
    text = text.removeprefix("\ufeff")
    check_characters(text)
    if not ascii:  # every character _check_unsafe_raw looks for is outside ASCII
        _check_unsafe_raw(text)
    plain = _plain_document(text)
    if plain is not None:
        return plain
    try:
        events = _check_events(text)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except yaml.YAMLError as exc:  # e.g. a ReaderError the character check did not foresee
        reason = " ".join(str(exc).split())
        raise YamlProblem(0, f"YAML error: {reason[:200]}") from None
    except RecursionError:  # pragma: no cover - the event check limits nesting first
        raise YamlProblem(0, f"nested deeper than {MAX_DEPTH} levels; refused") from None
    builder = _Builder(events)
    found, data = builder.document()
    if not found:
        raise YamlProblem(1, "file is empty; a study file is a YAML mapping")
    return SourceDocument(data=data, lines=builder.lines)


def _lines_of(text: str) -> dict[Path, int]:
    """The line of every key of an already accepted plain document (the careful path's)."""
    try:
        builder = _Builder(_check_events(text))
        builder.document()
    except (YamlProblem, yaml.YAMLError, RecursionError):  # pragma: no cover - read before
        return {}
    return builder.lines


# --- one pass for plain documents -----------------------------------------------------

_REFUSED = object()  # a scalar the careful path must judge
_SCALAR_BUILDER = _Builder([])
# A plain (unquoted, untagged) scalar's value depends only on its text: without a tag,
# libyaml and PyYAML's parser both mark a plain scalar implicit (True, False) and a
# quoted one (False, True), so the style fixes the rest.  Short ones (keys, words,
# numbers, which repeat across study files) are remembered; every value built is
# immutable (text, numbers, booleans, None, dates).
_PLAIN_MEMO: dict[str, Any] = {}
_MEMO_ENTRIES = 20_000
_MEMO_CHARS = 64
# The constructor the remembered values were built by: one replaced (a test's stand-in)
# builds values of its own, so the memo starts afresh.
_MEMO_BUILT_BY: list[Any] = [None]

_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceEndEvent = yaml.SequenceEndEvent


def _plain_scalar(event: yaml.ScalarEvent) -> Any:
    """The value of a scalar without anchor or tag, checked exactly as the careful path
    checks it (its :meth:`_Builder._scalar`), or :data:`_REFUSED` for any problem.

    A quoted (or block) scalar without a tag is always text, refused only for an unsafe
    character a YAML escape brought in; a plain one is built once per text (see
    :data:`_PLAIN_MEMO`).
    """
    text = event.value
    if event.style:
        return _REFUSED if _UNSAFE.search(text) is not None else text
    found = _PLAIN_MEMO.get(text, _REFUSED)
    if found is not _REFUSED:
        return found
    try:
        value = _SCALAR_BUILDER._scalar(event, (), 0)
    except YamlProblem:
        return _REFUSED
    finally:
        _SCALAR_BUILDER.constructor.constructed_objects.clear()
    if len(text) <= _MEMO_CHARS:
        if len(_PLAIN_MEMO) >= _MEMO_ENTRIES:
            _PLAIN_MEMO.clear()
        _PLAIN_MEMO[text] = value
    return value


def _plain_document(text: str) -> SourceDocument | None:
    """The document in one pass over libyaml's events, when it is *plain*: one mapping,
    no anchor, alias or tag, every key a new text, within the depth and size limits, and
    every value accepted; else None, and the careful two-pass reading decides (it gives
    the same data and lines for a plain document, and the message for anything else).
    """
    construct = yaml.constructor.SafeConstructor.construct_object
    if _MEMO_BUILT_BY[0] is not construct:
        _PLAIN_MEMO.clear()
        _MEMO_BUILT_BY[0] = construct
    loader = _Loader(text)
    try:
        data = _plain_events(loader.get_event)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None if data is None else SourceDocument(data, text=text)


class _Plain(Exception):
    """Not a plain document: the careful path decides."""


def _accepted_scalar(event: yaml.ScalarEvent) -> Any:
    """A scalar's value (a remembered plain one looked up at once, without a call);
    :class:`_Plain` for an anchor, a tag or a value the careful path must judge."""
    if event.anchor is not None or event.tag is not None:
        raise _Plain
    value = _PLAIN_MEMO.get(event.value, _REFUSED) if not event.style else _REFUSED
    if value is _REFUSED:
        value = _plain_scalar(event)
        if value is _REFUSED:
            raise _Plain
    return value


class _PlainReader:
    """Reads a plain document's data from the events, one call per collection (a key and
    its value read together); the lines of its keys are left for later
    (:class:`SourceDocument`), as most documents never need them.

    Nodes are counted per collection when it ends; a document over :data:`MAX_NODES`
    is left to the careful path (without aliases it costs at most one pass over text
    already limited to :data:`MAX_BYTES`).
    """

    __slots__ = ("count", "next_event")

    def __init__(self, next_event: Any) -> None:
        self.next_event = next_event
        self.count = 1  # the top mapping

    def collection(self, event: Any, depth: int) -> Any:
        if event.anchor is not None or event.tag is not None or depth >= MAX_DEPTH:
            raise _Plain
        if type(event) is _MappingStartEvent:
            return self.mapping(depth + 1)
        return self.sequence(depth + 1)

    def mapping(self, depth: int) -> dict[str, Any]:
        next_event = self.next_event
        result: dict[str, Any] = {}
        while True:
            event = next_event()
            if type(event) is not _ScalarEvent:
                if type(event) is _MappingEndEvent:
                    break
                raise _Plain  # a collection or alias as a key
            key = _accepted_scalar(event)
            if type(key) is not str or key in result:
                raise _Plain
            event = next_event()
            if type(event) is _ScalarEvent:
                result[key] = _accepted_scalar(event)
            elif type(event) is _MappingStartEvent or type(event) is _SequenceStartEvent:
                result[key] = self.collection(event, depth)
            else:  # an alias
                raise _Plain
        self.count += 2 * len(result)
        if self.count > MAX_NODES:
            raise _Plain
        return result

    def sequence(self, depth: int) -> list[Any]:
        next_event = self.next_event
        result: list[Any] = []
        while True:
            event = next_event()
            kind = type(event)
            if kind is _ScalarEvent:
                result.append(_accepted_scalar(event))
            elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                result.append(self.collection(event, depth))
            elif kind is _SequenceEndEvent:
                break
            else:  # an alias
                raise _Plain
        self.count += len(result)
        if self.count > MAX_NODES:
            raise _Plain
        return result


def _plain_events(next_event: Any) -> dict[str, Any] | None:
    if type(next_event()) is not yaml.StreamStartEvent:
        return None
    if type(next_event()) is not yaml.DocumentStartEvent:
        return None
    event = next_event()
    if type(event) is not _MappingStartEvent or event.anchor or event.tag is not None:
        return None
    try:
        root = _PlainReader(next_event).mapping(1)
    except _Plain:
        return None
    if type(next_event()) is not yaml.DocumentEndEvent:
        return None
    if type(next_event()) is not yaml.StreamEndEvent:  # a second document
        return None
    return root
