"""The Thymalfasin knowledge base: rules (kb/rules/), texts (kb/findings.yaml),
thresholds and reference protocols (kb/thresholds.py) and bundled cases (kb/cases/)."""

from __future__ import annotations

from functools import cache

from thymoscope.engine.diagnosis import KnowledgeBase


@cache
def knowledge() -> KnowledgeBase:
    """The bundled Thymalfasin knowledge base, loaded once per process.

    ``thymoscope.api.default_knowledge`` is this function: batches build one rule
    network per knowledge factory, so every caller passes this same one.
    """
    from thymoscope.engine.rules import declared_catalogue
    from thymoscope.kb.catalogue import catalogue, factor_titles, render_text
    from thymoscope.kb.facts import SCOPE_FIELD, to_facts
    from thymoscope.kb.rules import RULE_SETS
    from thymoscope.study.loader import StudyFileError, load_study

    titles = factor_titles()
    return KnowledgeBase(
        rule_sets=RULE_SETS,
        catalogue=declared_catalogue(catalogue(), RULE_SETS),
        factor_order=tuple(titles),
        factor_titles=titles,
        render_text=render_text,
        load=load_study,
        load_error=StudyFileError,
        to_facts=to_facts,
        scope_field=SCOPE_FIELD,
    )
