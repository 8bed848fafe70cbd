"""thymoscope: explains, rule by rule, why Thymalfasin studies disagree.

It interprets *studies*, not patients; nothing it prints is treatment advice.
"""

# The single source of the version (pyproject.toml reads it from here).
__version__ = "0.1.0"

RESEARCH_NOTICE = (
    "Research use only: thymoscope interprets published or planned studies, "
    "not individual patients, and gives no treatment advice."
)
