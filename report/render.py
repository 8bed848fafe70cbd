"""Render a report document (``report.document``) as text, Markdown, HTML or JSON.

Templates live in the package ``thymoscope.templates`` and are named
``<kind>.<format>.j2`` after the document's ``kind`` (``diagnosis.text.j2``,
``diagnosis.md.j2``, ``diagnosis.html.j2``...), so a new kind of document only needs
its templates. Shared pieces: ``base.html.j2`` (page layout, inline CSS) and the
macro files ``_macros.text.j2``, ``_macros.md.j2`` and ``_macros.html.j2``.

Escaping, per format:

* HTML: jinja2 autoescape (on for ``*.html.j2`` only).
* text: the template writes rich markup; in every string of the document "[" and
  "\\" are swapped for inert stand-ins *before* rendering and restored after the
  markup is parsed, so study data can never style the output and prints as written
  (emoji codes such as ``:100:`` are not replaced).
* every format: control and bidirectional characters in document strings (a file
  name, say) are shown escaped (``\\x1b``); JSON writes them as ``\\uXXXX``.
* Markdown: templates pass data through the ``md`` filter (prose) or ``code``
  (inline code span).
"""

from __future__ import annotations

import io
import json
import os
import re
import textwrap
from collections.abc import Mapping
from functools import cache
from typing import Any

FORMATS = ("text", "markdown", "html", "json")
# Template file extension per output format.
TEMPLATE_EXT = {"text": "text", "markdown": "md", "html": "html"}
DEFAULT_WIDTH = 88
# The JSON output is the document dumped with exactly these options.
JSON_OPTIONS: dict[str, Any] = {"indent": 2, "sort_keys": False, "ensure_ascii": False}


def show(value: Any) -> str:
    """A study value as written in a study file: lists comma-joined, ``unknown`` for None."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) if value else "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
    return str(value)


_MD_SPECIAL = re.compile(r"([\\*_\[\]<>|#~&!{}])")


def md_escape(value: Any) -> str:
    """Markdown prose: special characters backslash-escaped, whitespace folded.

    Backticks are kept, so the knowledge base's `field.names` stay code spans.
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def md_code(value: Any, cell: bool = False) -> str:
    """An inline Markdown code span that holds ``value`` literally, backticks included
    (``cell``: inside a table, where GitHub-flavoured Markdown needs ``|`` escaped)."""
    text = " ".join(show(value).split())
    if cell:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# Kept on one line by :func:`wrap`: a number and the word after it ("12 months",
# "1 minor"), "p = 0.02", "95% CI".  A private-use character stands for the space while
# the paragraph is filled.
_GLUE = "\ue000"
_KEEP_TOGETHER = re.compile(
    r"(?<=\d) (?=[A-Za-z%])|(?<=\bp) (?=[=<>])|(?<=[=<>]) (?=\d)|(?<=%) (?=CI)"
    r"|(?<=\bFAQ) (?=\d)|(?<=\bsection) (?=\d)|(?<=\bsections) (?=\d)"
)


def wrap(value: Any, width: int = DEFAULT_WIDTH, indent: int = 0, first: int | None = None) -> str:
    """Fill a paragraph to ``width`` columns; ``indent`` spaces before each line
    (``first`` spaces before the first, when given). A number stays with the word after
    it and ``p = 0.02`` on one line."""
    lead = " " * (indent if first is None else first)
    text = _KEEP_TOGETHER.sub(_GLUE, " ".join(str(value).split()))
    return textwrap.fill(
        text,
        width=max(width, indent + 20),
        initial_indent=lead,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    ).replace(_GLUE, " ")


def rstrip_lines(value: Any) -> str:
    """A macro's output without its trailing line break (the call site adds its own)."""
    return str(value).rstrip("\n")


def html_code(value: Any) -> Any:
    """HTML-escape text, then show its `backtick` spans as <code> (autoescape-safe)."""
    from markupsafe import Markup, escape

    escaped = str(escape(str(value)))
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def md_inline(value: Any) -> str:
    """Markdown prose that keeps its `code spans` unescaped (for knowledge-base texts)."""
    parts = re.split(r"(`[^`]+`)", " ".join(str(value).split()))
    return "".join(
        p if p.startswith("`") and p.endswith("`") else _MD_SPECIAL.sub(r"\\\1", p) for p in parts
    )


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def findings_by_id(study: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A study's findings (report document) by id."""
    return {f["id"]: f for group in study["groups"] for f in group["findings"]}


def shown_key_facts(study: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The key facts worth showing: the known ones, and unknown ones a finding or a
    check depends on (an unknown key fact nothing looked at is noise)."""
    relevant = {fact["path"] for f in findings_by_id(study).values() for fact in f["facts"]}
    relevant.update(path for check in study["checks"] for path in check["unknown"])
    return [f for f in study["key_facts"] if f["value"] is not None or f["path"] in relevant]


def pack(items: list[str], width: int = DEFAULT_WIDTH, indent: int = 2, sep: str = " · ") -> str:
    """Short items side by side, ``sep`` between them, as many to a line as fit in ``width``
    (an item longer than a line is wrapped on its own)."""
    lines: list[str] = []
    current = ""
    for item in items:
        item = " ".join(item.split())
        if current and indent + len(current) + len(sep) + len(item) <= width:
            current += sep + item
            continue
        if current:
            lines.append(" " * indent + current)
        current = item
        if indent + len(item) > width:
            lines.append(wrap(item, width, indent + 2, indent))
            current = ""
    if current:
        lines.append(" " * indent + current)
    return "\n".join(lines)


def forest_at(forest: Mapping[str, Any], width: int) -> Mapping[str, Any]:
    """The study's forest plot with its text lines laid out again to fit ``width``
    columns (the document holds them at :data:`~thymoscope.report.estimates_plot.TEXT_WIDTH`)."""
    from thymoscope.report.estimates_plot import TEXT_WIDTH
    from thymoscope.report.forest import ForestLayout, ForestRow, text_lines

    if width >= TEXT_WIDTH:
        return forest
    layout = ForestLayout(
        title=str(forest["title"]),
        rows=tuple(
            ForestRow(
                kind=row["kind"],
                label=str(row["label"]),
                numbers=str(row["numbers"]),
                weight=None,
                x=row["x"],
                x_low=row["x_low"],
                x_high=row["x_high"],
                clipped_low=bool(row["clipped_low"]),
                clipped_high=bool(row["clipped_high"]),
                size=float(row["size"]),
            )
            for row in forest["rows"]
        ),
        ticks=tuple((float(t["x"]), str(t["label"])) for t in forest["ticks"]),
        null_x=forest["null_x"],
        log_scale=bool(forest["log_scale"]),
        favours=(str(forest["favours"]["low"]), str(forest["favours"]["high"])),
        measure=str(forest["measure"]),
    )
    for layout_width in range(width, 39, -1):  # the narrowest layout that fits, if any
        lines = text_lines(layout, layout_width)
        if max(len(line.text) for line in lines) <= width:
            break
    return {**forest, "lines": [{"kind": line.kind, "text": line.text} for line in lines]}


def page_title(studies: list[Mapping[str, Any]], limit: int = 120) -> str:
    """An HTML page's title naming its studies: the title of one study; for several,
    how many and their titles, cut at ``limit`` characters."""
    if not studies:
        return "no study diagnosed"
    if len(studies) == 1:
        return str(studies[0]["title"])
    text = f"{len(studies)} studies: " + "; ".join(str(s["title"]) for s in studies)
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ;") + "…"


@cache
def environment() -> Any:
    """The jinja2 environment over ``thymoscope.templates`` (templates compiled lazily)."""
    import jinja2

    from thymoscope import RESEARCH_NOTICE, __version__
    from thymoscope.cache import jinja_bytecode_cache
    from thymoscope.engine.diagnosis import SEVERITY_ORDER

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("thymoscope.templates", "."),
        autoescape=lambda name: name is not None and name.endswith((".html.j2", ".html")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=jinja_bytecode_cache(),
    )
    from thymoscope.report.words import fact_words, how_groups, key_fact_lines, unknown_words

    env.filters.update(
        pack=pack,
        rstrip=rstrip_lines,
        show=show,
        md=md_escape,
        code=md_code,
        md_inline=md_inline,
        wrap=wrap,
        html_code=html_code,
        plural=plural,
    )
    env.globals.update(findings_by_id=findings_by_id, shown_key_facts=shown_key_facts)
    env.globals.update(
        how_groups=how_groups,
        key_fact_lines=key_fact_lines,
        unknown_words=unknown_words,
        forest_at=forest_at,
        fact_words=fact_words,
        page_title=page_title,
    )
    env.globals.update(
        RESEARCH_NOTICE=RESEARCH_NOTICE,
        DEFAULT_WIDTH=DEFAULT_WIDTH,
        VERSION=__version__,
        SEVERITIES=SEVERITY_ORDER,
        STATUSES=("fired", "not_triggered", "not_applicable", "not_assessable"),
    )
    return env


# Study text reaches the rich-markup templates with "[" and "\\" swapped for these two
# stand-ins (control characters: the loader refuses them in study files and
# :func:`_terminal_safe` escapes them in everything else), and they are swapped back
# after the markup is parsed.  So the study's own characters are printed as written:
# ``[bold]`` stays, a trailing backslash stays single, and nothing can close or open a
# template's tag.  Emoji codes (``:100:``) are not replaced either (``emoji=False``).
_OPEN_BRACKET = "\x01"
_BACKSLASH = "\x02"
_STAND_INS = str.maketrans({"[": _OPEN_BRACKET, "\\": _BACKSLASH})
_RESTORED = str.maketrans({_OPEN_BRACKET: "[", _BACKSLASH: "\\"})


def _rich_escaped(value: Any) -> Any:
    """A copy of the document with every string's markup characters made inert."""
    if isinstance(value, str):
        return value.translate(_STAND_INS) if "[" in value or "\\" in value else value
    if isinstance(value, Mapping):
        return {k: _rich_escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rich_escaped(v) for v in value]
    return value


# What must never reach a terminal from a document string (a file name, say): C0 and C1
# controls but tab and line feed, DEL, line/paragraph separators, bidirectional controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


_UNSAFE_LINE = re.compile(f"{_UNSAFE.pattern[:-1]}\\t\\n]")


def _escape_char(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def _terminal_safe(value: Any, one_line: bool = False) -> Any:
    """A copy of the document whose strings show control characters as ``\\x1b`` etc.

    A file name (a ``source``) is shown on one line: its line breaks are escaped too.
    """
    if isinstance(value, str):
        unsafe = _UNSAFE_LINE if one_line else _UNSAFE
        return unsafe.sub(_escape_char, value) if unsafe.search(value) else value
    if isinstance(value, Mapping):
        return {k: _terminal_safe(v, one_line or k == "source") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_terminal_safe(v) for v in value]
    return value


def shown_name(path: str | os.PathLike[str]) -> str:
    """A file name as text that is valid UTF-8: undecodable bytes shown as ``\\xNN``.

    Python keeps the bytes of a name that is not UTF-8 as lone surrogates (``\\udcfe``);
    this is the one place that turns them back into the bytes' usual display.  Other
    characters are kept (see :func:`terminal_line` to show control characters escaped).
    """
    text = os.fspath(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate no file name decodes to
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def terminal_line(text: str) -> str:
    """``text`` (a name given on the command line, say) safe to print as one line:
    undecodable bytes as ``\\xNN``, control, bidirectional and line-break characters as
    ``\\x1b``, ``\\u202e``, ``\\n``."""
    text = shown_name(text)
    return _UNSAFE_LINE.sub(_escape_char, text) if _UNSAFE_LINE.search(text) else text


def json_safe(text: str) -> str:
    """JSON text with the controls json.dumps leaves raw (C1, bidi...) as ``\\uXXXX``.

    Such characters only occur inside JSON strings, where the escape means the same
    character, so the data is unchanged and a terminal sees only ASCII escapes.

    Every character ``_UNSAFE`` matches is non-printable (a control, format or separator
    character), so a text printable but for its line feeds has none and is returned
    as it is: one pass in C, cheaper than the regular expression's search (issue 14;
    tests/perf/test_json_safe.py checks both claims).
    """
    if text.replace("\n", " ").isprintable():
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def rich_to_text(markup: str, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """Rich markup -> terminal text: ANSI styles when ``color``, plain text otherwise."""
    from rich.console import Console
    from rich.markup import render as parse_markup

    text = parse_markup(markup, emoji=False)
    if _OPEN_BRACKET in text.plain or _BACKSLASH in text.plain:
        text.plain = text.plain.translate(_RESTORED)  # same length: styles stay in place
    if not color:
        # the same characters the console would print, without its (slow) layout pass
        return text.plain
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=width,
        soft_wrap=True,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        _environ={},  # TERM, NO_COLOR, COLUMNS... were already decided by the caller
    )
    console.print(text, end="")
    return buffer.getvalue()


def template_name(kind: str, fmt: str) -> str:
    return f"{kind}.{TEMPLATE_EXT[fmt]}.j2"


def brief_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of ``--brief``: each study's id, title, source and verdict text."""
    return {
        "kind": "diagnosis_brief",
        "generator": document.get("generator"),
        "studies": [
            {k: s[k] for k in ("id", "title", "source")} | {"verdict": s["verdict"]["text"]}
            for s in document.get("studies", ())
        ],
        "errors": list(document.get("errors", ())),
        "notice": document.get("notice"),
    }


def render(
    document: Mapping[str, Any],
    fmt: str,
    *,
    color: bool = False,
    width: int = DEFAULT_WIDTH,
    brief: bool = False,
) -> str:
    """The document in ``fmt`` (text | markdown | html | json), ending with a newline.

    ``color`` only affects text (ANSI styles); ``width`` is the text wrap width;
    ``brief`` (a diagnosis) keeps only each study's verdict: one line per study in text.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "json":
        data = brief_document(document) if brief else document
        return json_safe(json.dumps(data, **JSON_OPTIONS)) + "\n"
    document = _terminal_safe(document)
    kind = str(document.get("kind", "diagnosis"))
    template = environment().get_template(template_name(kind, fmt))
    if fmt == "text":
        markup = template.render(doc=_rich_escaped(document), width=width, brief=brief)
        out = rich_to_text(markup, color=color, width=width)
    else:
        out = template.render(doc=document, width=width, brief=brief)
        if fmt == "markdown":
            out = re.sub(r"\n{3,}", "\n\n", out)  # blank lines between blocks: one is enough
    return out.rstrip("\n") + "\n"
