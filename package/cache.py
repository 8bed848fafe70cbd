"""A per-user cache of compiled jinja2 templates, so a cold start does not recompile them.

Compiling the report and explanation templates costs tens of milliseconds at every
start; jinja2 can keep the compiled bytecode on disk, keyed by template name and
source checksum, so an edited template is recompiled and a stale one never used.
The cache lives in ``$XDG_CACHE_HOME/thymoscope`` (``~/.cache/thymoscope``) and is
skipped silently when that place cannot be written; ``THYMOSCOPE_NO_CACHE=1`` turns
it off.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from thymoscope import __version__


@cache
def jinja_bytecode_cache() -> Any:
    """A ``jinja2.FileSystemBytecodeCache`` for this version and Python, or None."""
    if os.environ.get("THYMOSCOPE_NO_CACHE") == "1":
        return None
    import jinja2

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = f"jinja-{__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    folder = base / "thymoscope" / tag
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return None
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))
