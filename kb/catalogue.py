"""Load the findings catalogue (kb/findings.yaml) and render its texts.

The catalogue holds what users read (titles, texts, severities, FAQ sections); what each
finding reads, needs and applies to is declared on the rules that conclude it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from thymoscope.engine.diagnosis import SEVERITY_ORDER, FindingSpec

# What a rule declares about itself (thymoscope.engine.rules.concludes); the catalogue
# gets these from the rules (see thymoscope.engine.rules.declared_catalogue).
RULE_DECLARED = frozenset({"reads", "needs", "applies_to", "when"})


@cache
def load_texts(filename: str) -> tuple[dict[str, str], dict[str, FindingSpec]]:
    """Factor titles and finding specs from a catalogue file in kb/ (findings.yaml style)."""
    text = files("thymoscope.kb").joinpath(filename).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(text, Loader=loader)
    factors = dict(raw["factors"])
    specs = {}
    for finding_id, entry in raw["findings"].items():
        if entry["factor"] not in factors or entry["severity"] not in SEVERITY_ORDER:
            raise ValueError(f"{filename}: {finding_id}: unknown factor or severity")
        declared_on_rules = sorted(set(entry) & RULE_DECLARED)
        if declared_on_rules:
            raise ValueError(
                f"{filename}: {finding_id}: {', '.join(declared_on_rules)} belong in the "
                "rules' @concludes declarations (kb/rules/), not in the catalogue"
            )
        specs[finding_id] = FindingSpec(
            id=finding_id,
            title=entry["title"],
            factor=entry["factor"],
            severity=entry["severity"],
            faq=tuple(entry["faq"]),
            explanation=entry["explanation"],
            next_steps=tuple(entry.get("next_steps", ())),
            evidence_note=(entry.get("evidence_note") or None),
        )
    return factors, specs


def factor_titles() -> dict[str, str]:
    return dict(load_texts("findings.yaml")[0])


def catalogue() -> dict[str, FindingSpec]:
    return load_texts("findings.yaml")[1]


_SOURCES: dict[str, str] = {}


def _source_by_name(name: str) -> str:
    return _SOURCES[name]


@cache
def _environment() -> Any:
    import jinja2

    from thymoscope.cache import jinja_bytecode_cache

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_source_by_name),
        bytecode_cache=jinja_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


@cache
def _template(source: str) -> Any:
    """The compiled text; named by its checksum so the bytecode cache can keep it."""
    name = hashlib.sha256(source.encode("utf-8")).hexdigest()
    _SOURCES[name] = source
    return _environment().get_template(name)


def render_text(source: str, values: Mapping[str, Any]) -> str:
    """Fill a catalogue text with a finding's values; whitespace folded to single spaces."""
    if "{" not in source:  # no jinja2 markup: the template would render the text as is
        return " ".join(source.split())
    return " ".join(_template(source).render(**values).split())
