"""thymoscope: explains, rule by rule, why Thymalfasin studies disagree.

It interprets *studies*, not patients; nothing it prints is treatment advice.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("thymoscope")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

RESEARCH_NOTICE = (
    "Research use only: thymoscope interprets published or planned studies, "
    "not individual patients, and gives no treatment advice."
)
