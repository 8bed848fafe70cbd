"""`thymoscope rules [ID]` (usability review item 24, issue 12 item 6).

The review: `rules ID` was not supported, and the listing showed module:line instead
of what each rule tests.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.app import app
from thymoscope.engine.core import Diagnoser
from thymoscope.kb import knowledge, thresholds
from thymoscope.kb.comparison import bundled_case_path, bundled_pairs, compare, pair_knowledge
from thymoscope.report.rules import bundled_firings, condition_words, rules_document
from thymoscope.study.loader import load_study

runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["rules", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_listing_in_every_format_has_no_module_places(fmt: str) -> None:
    out = runner.invoke(app, ["rules", "-f", fmt]).stdout
    assert "thymoscope.kb.rules" not in out
    assert "Flat dose outside usual range" in out


def test_listing_says_what_each_rule_tests_not_where_it_lives() -> None:
    text = runner.invoke(app, ["rules"]).stdout
    assert not re.search(r"thymoscope\.kb\.rules\.\w+:\d+", text)
    assert not re.search(r"\S+\.py:\d+", text)
    # the dose rule in words: its name, its enabling value and what it reads, labelled
    assert "rule flat_dose_outside_usual_range: Flat dose outside usual range; only" in text
    assert "Dose unit is mg." in " ".join(text.split())
    assert "reads: Dose unit, Dose" in text
    assert "intervention.dose_unit" not in text
    # the pair findings are listed too
    assert "differs-in-study-quality" in text and "Pairs of studies" in text


def test_listing_json_keeps_paths_and_places() -> None:
    document = _json()
    rule = next(
        r
        for factor in document["factors"]
        for f in factor["findings"]
        for r in f["rules"]
        if r["rule"] == "flat_dose_outside_usual_range"
    )
    assert rule["reads"] == ["intervention.dose_unit", "intervention.dose"]
    assert rule["when"] == {"intervention.dose_unit": ["mg"]}
    assert rule["module"] == "thymoscope.kb.rules.dosing" and rule["line"] > 0
    assert document == json.loads(json.dumps(rules_document()))


def test_one_finding_in_full() -> None:
    result = runner.invoke(app, ["rules", "low-dose-advanced-fibrosis"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Lower dose in advanced fibrosis" in text
    assert "only in studies of chronic hepatitis B" in text
    assert "Liver fibrosis is advanced and Dose unit is mg" in text
    # thresholds with their value and source
    assert "LOW_DOSE_COMPARED_MG = 0.8 FAQ figure (FAQ 3)" in text
    assert "ADVANCED_FIBROSIS_DOSE_MG = 1.6 FAQ figure (FAQ 3)" in text
    assert "FAQ section 3" in text
    assert "As written for bundled case chb-low-dose-advanced-fibrosis" in text
    assert "Evidence note:" in text
    assert text.endswith(" ".join(RESEARCH_NOTICE.split()))


def test_heuristic_thresholds_are_called_the_projects() -> None:
    document = _json("high-risk-of-bias")
    kinds = {t["name"]: t["kind"] for t in document["selected"]["thresholds"]}
    assert kinds["SMALL_TRIAL_PATIENTS"] == "heuristic"
    text = runner.invoke(app, ["rules", "high-risk-of-bias"]).stdout
    assert "SMALL_TRIAL_PATIENTS = 100" in text
    assert "project heuristic" in text


def test_thresholds_listed_are_the_registered_ones_with_their_values() -> None:
    for factor in rules_document()["factors"]:
        for finding in factor["findings"]:
            selected = _json(finding["id"])["selected"]
            for t in selected["thresholds"]:
                source = thresholds.PROVENANCE[t["name"]]
                assert t["kind"] == source.kind and t["why"] == source.why
                assert t["faq_sections"] == list(source.faq)


@pytest.mark.parametrize("finding_id", ["dose-outside-usual-range", "end-of-therapy-endpoint"])
def test_bundled_cases_that_fire_it_are_those_the_engine_fires_on(finding_id: str) -> None:
    diagnoser = Diagnoser(knowledge())
    expected = []
    for path in sorted(bundled_case_path("x").parent.glob("*.yaml")):
        found = diagnoser.diagnose(load_study(path)).finding_ids()
        if finding_id in found:
            expected.append(path.stem)
    assert expected, "the example needs a bundled case that fires it"
    assert _json(finding_id)["selected"]["fired_by"] == expected


def test_pair_finding_names_the_bundled_pairs_that_fire_it() -> None:
    selected = _json("differs-in-endpoint-timing")["selected"]
    assert selected["kind"] == "pair"
    expected = []
    for pair in bundled_pairs().values():
        a, b = (load_study(bundled_case_path(r)) for r in (pair.a, pair.b))
        if "differs-in-endpoint-timing" in [f.id for f in compare(a, b).findings]:
            expected.append(f"pair {pair.id}")
    assert selected["fired_by"] == expected == ["pair chb-end-vs-12-months"]


def test_every_finding_of_both_knowledge_bases_can_be_shown() -> None:
    for kb in (knowledge(), pair_knowledge()):
        for finding_id in kb.catalogue:
            assert _json(finding_id)["selected"]["id"] == finding_id
    assert set(bundled_firings()) <= set(knowledge().catalogue) | set(pair_knowledge().catalogue)


def test_a_rule_name_shows_its_finding() -> None:
    selected = _json("flat_dose_outside_usual_range")["selected"]
    assert selected["id"] == "dose-outside-usual-range"
    assert selected["asked_for"] == "flat_dose_outside_usual_range"


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("dose-outside-usual-rnage", "did you mean dose-outside-usual-range?"),
        ("end-of-therapy", "did you mean end-of-therapy-endpoint"),
        ("flat_dose_outside_range", "did you mean dose-outside-usual-range?"),
        ("zzzz", "see thymoscope rules for the list"),
    ],
)
def test_unknown_id_is_one_line_with_did_you_mean(name: str, suggestion: str) -> None:
    result = runner.invoke(app, ["rules", name])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"thymoscope: error: no finding or rule named '{name}'")
    assert suggestion in result.stderr


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_one_finding_in_every_format(fmt: str) -> None:
    out = runner.invoke(app, ["rules", "dose-outside-usual-range", "-f", fmt]).stdout
    assert "USUAL_DOSE_MG" in out and "FAQ figure" in out
    assert "cancer-phase2-monotherapy" in out
    assert "thymoscope.kb.rules" not in out
    assert RESEARCH_NOTICE in out


def test_condition_words_use_labels_and_negation() -> None:
    assert condition_words({"primary_endpoint.timing": {"not": ("end_of_therapy",)}}) == [
        "Endpoint read is not at end of therapy"
    ]
    assert condition_words({"intervention.role": ("monotherapy",)}) == [
        "Role of thymalfasin is alone (monotherapy)"
    ]
