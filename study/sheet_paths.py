"""Which paths name extraction sheets, told by the suffix alone.

Kept apart from :mod:`thymoscope.study.sheet` (the reader, with its column tables and
field labels) so that sorting command-line arguments into study files and sheets does
not load the reader: a ``thymoscope diagnose CASE`` never needs it.
"""

from __future__ import annotations

import os
from pathlib import Path

SHEET_SUFFIXES = (".csv", ".xlsx")


def is_sheet(path: str | os.PathLike[str]) -> bool:
    """Whether a path names an extraction sheet (``.csv`` or ``.xlsx``) by its suffix."""
    return Path(path).suffix.lower() in SHEET_SUFFIXES
