"""thymoscope: explains, rule by rule, why Thymalfasin studies disagree.

It interprets *studies*, not patients; nothing it prints is treatment advice.

The public Python API is :mod:`thymoscope.api` (``diagnose``, ``diagnose_many``,
``compare``, ``review``, ``rules``, ``rule``, the bundled cases, pairs and review sets);
its results are described in :mod:`thymoscope.results`, and every error raised on
purpose derives from :class:`thymoscope.errors.ThymoscopeError`. Importing this package
imports nothing else, so the command line starts quickly.
"""

# The single source of the version (pyproject.toml reads it from here).
__version__ = "0.1.0"

RESEARCH_NOTICE = (
    "Research use only: thymoscope interprets published or planned studies, "
    "not individual patients, and gives no treatment advice."
)
