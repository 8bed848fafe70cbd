"""kb/thresholds.py: every constant says whether it is the FAQ's figure or a project choice."""

from __future__ import annotations

import re

from thymoscope.kb import thresholds

SEED_FAQ_SECTIONS = {"1", "2", "3", "4"}


def public_constants() -> set[str]:
    return {
        name
        for name, value in vars(thresholds).items()
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and not isinstance(value, type)
    } - {"PROVENANCE"}


def test_every_constant_has_a_provenance_entry() -> None:
    constants = public_constants()
    register = thresholds.provenance()
    assert constants - set(register) == set(), "constants without provenance"
    assert set(register) - constants == set(), "provenance for missing constants"


def test_faq_entries_name_real_sections_and_others_name_none() -> None:
    for name, source in thresholds.provenance().items():
        if source.kind == "FAQ":
            assert source.faq and set(source.faq) <= SEED_FAQ_SECTIONS, name
        else:
            assert source.faq == (), f"{name}: only FAQ figures cite FAQ sections"
        assert len(source.why.split()) >= 6, f"{name}: say why in a sentence"


def test_the_review_cut_offs_are_labelled_as_project_heuristics() -> None:
    # Methodology review, "Also:" line: these cut-offs have no FAQ source.
    for name in (
        "SMALL_TRIAL_PATIENTS",
        "UNDERPOWERED_NULL_PATIENTS",
        "REFERENCE_BODY_SURFACE_M2",
        "PRECISE_RATIO_BOUNDS",
        "MANY_SUBGROUPS",
    ):
        assert thresholds.PROVENANCE[name].kind == "heuristic", name


def test_faq_figures_are_the_faqs() -> None:
    assert thresholds.USUAL_DOSE_MG == (0.8, 1.6)
    # FAQ 3: 6-12 months after therapy; the rule uses the lower end, the text the range.
    assert thresholds.CHB_MIN_FOLLOW_UP_MONTHS == 6.0
    assert thresholds.CHB_REFERENCE_READING_MONTHS == 12.0
    # FAQ 3 compared 0.8 mg with 1.6 mg: nothing is known about doses in between.
    assert (thresholds.LOW_DOSE_COMPARED_MG, thresholds.ADVANCED_FIBROSIS_DOSE_MG) == (0.8, 1.6)
    # APACHE II and SOFA are severity scores, not immune markers (review item 14).
    assert not thresholds.SEVERITY_SCORES & thresholds.IMMUNE_MARKERS["sepsis"]
