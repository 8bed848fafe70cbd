"""A report page as a fragment a notebook cell can show (``_repr_html_``).

The HTML reports are whole pages whose style sheet styles ``body``, ``h1``, ``table``
... A notebook shows a cell's HTML inside its own page, so that style sheet would
restyle the whole notebook. :func:`notebook_fragment` keeps the page's ``<body>`` and
scopes every rule of its style sheets to one wrapping ``<div>`` (``:root``, ``html``
and ``body`` become the wrapper itself), so the report looks as it does in a browser
and the notebook around it does not change. The forest plots are inline ``<svg>``
elements and need nothing else.
"""

from __future__ import annotations

import re

SCOPE_CLASS = "thymoscope-report"
_SCOPE = f".{SCOPE_CLASS}"
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_HEAD = re.compile(r"<head[^>]*>.*?</head>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_PAGE_ROOT = re.compile(r"^(?::root|html|body)(?![\w-])")
# at-rules whose block holds rules to scope; every other block at-rule (@page,
# @font-face, @keyframes) is about the page or holds no selectors and is dropped
_NESTING_AT_RULES = ("@media", "@supports", "@container", "@layer")


def _scoped_selector(selector: str) -> str:
    selector = selector.strip()
    if _PAGE_ROOT.match(selector):
        return _PAGE_ROOT.sub(_SCOPE, selector, count=1)
    return f"{_SCOPE} {selector}"


def _blocks(css: str) -> list[tuple[str, str]]:
    """The top-level ``(prelude, body)`` blocks of a style sheet; statements such as
    ``@import x;`` come out with an empty body."""
    blocks: list[tuple[str, str]] = []
    depth, start, prelude = 0, 0, ""
    for index, char in enumerate(css):
        if char == "{":
            if depth == 0:
                prelude, start = css[start:index].strip(), index + 1
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                blocks.append((prelude, css[start:index]))
                start = index + 1
        elif char == ";" and depth == 0:
            blocks.append((css[start:index].strip(), ""))
            start = index + 1
    return blocks


def scope_css(css: str) -> str:
    """``css`` with every rule limited to elements inside the wrapper ``<div>``."""
    out: list[str] = []
    for prelude, body in _blocks(_COMMENT.sub("", css)):
        if not prelude:
            continue
        if prelude.startswith("@"):
            if prelude.startswith(_NESTING_AT_RULES):
                out.append(f"{prelude} {{\n{scope_css(body)}}}")
            continue  # @page, @font-face, @import ...: not for a fragment
        selectors = ", ".join(_scoped_selector(s) for s in prelude.split(","))
        out.append(f"{selectors} {{{body}}}")
    return "\n".join(out) + "\n"


def notebook_fragment(page: str) -> str:
    """The body of the HTML page ``page`` in a ``<div>``, with its styles scoped to it."""
    head = _HEAD.search(page)
    styles = _STYLE.findall(head.group(0)) if head else []
    body = _BODY.search(page)
    content = body.group(1) if body else page
    css = "".join(scope_css(style) for style in styles)
    # the wrapper stands in for the page: its own colours, not the notebook's
    return f'<div class="{SCOPE_CLASS}">\n<style>\n{css}</style>\n{content.strip()}\n</div>'
