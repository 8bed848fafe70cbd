"""The result objects: one document per result, in every format, valid against the
published schemas, and shown in a notebook cell with its forest plot."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from thymoscope import RESEARCH_NOTICE, api
from thymoscope.notebook import SCOPE_CLASS, notebook_fragment, scope_css
from thymoscope.report.comparison_schema import comparison_schema
from thymoscope.report.document import report_document
from thymoscope.report.schema import report_schema
from thymoscope.results import Rendered
from thymoscope.synthesis.schema import review_schema

FOREST_CASE = "sepsis-meta-analysis-11-rcts"  # reports its strata: a forest plot


@pytest.fixture(scope="module")
def results() -> dict[str, Rendered]:
    return {
        "diagnosis": api.diagnose(FOREST_CASE),
        "many": api.diagnose_many([FOREST_CASE, "sepsis-small-open-rct", "no-such-case"]),
        "comparison": api.compare("sepsis-small-vs-large"),
        "review": api.review("sepsis-quality", by="design.blinding"),
        "rules": api.rules(),
        "rule": api.rule("high-risk-of-bias"),
    }


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "diagnosis": report_schema,
    "many": report_schema,
    "comparison": comparison_schema,
    "review": review_schema,
}


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_to_json_is_valid_against_the_published_schema(
    results: dict[str, Rendered], kind: str
) -> None:
    schema = SCHEMAS[kind]()
    document = json.loads(results[kind].to_json())
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.mark.parametrize("kind", ["diagnosis", "many", "comparison", "review", "rules", "rule"])
def test_to_json_is_the_dict_and_the_dict_is_a_fresh_copy(
    results: dict[str, Rendered], kind: str
) -> None:
    result = results[kind]
    document = result.to_dict()
    assert json.loads(result.to_json()) == document
    document.clear()
    assert result.to_dict() != {}


@pytest.mark.parametrize("kind", ["diagnosis", "many", "comparison", "review", "rules", "rule"])
@pytest.mark.parametrize("fmt", ["to_text", "to_markdown", "to_html"])
def test_every_format_keeps_the_research_notice(
    results: dict[str, Rendered], kind: str, fmt: str
) -> None:
    text = getattr(results[kind], fmt)()
    words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert " ".join(RESEARCH_NOTICE.split()) in words


def test_the_diagnosis_document_is_the_report_document(results: dict[str, Rendered]) -> None:
    diagnosis = results["diagnosis"]
    assert isinstance(diagnosis, api.StudyDiagnosis)
    assert diagnosis.to_dict() == report_document([diagnosis])
    assert diagnosis.study["id"] == FOREST_CASE
    assert diagnosis.study["forest"] is not None


def test_many_studies_report_their_input_errors(results: dict[str, Rendered]) -> None:
    many = results["many"]
    assert isinstance(many, api.DiagnosisReport)
    document = many.to_dict()
    assert [s["id"] for s in document["studies"]] == [FOREST_CASE, "sepsis-small-open-rct"]
    assert document["errors"] == list(many.errors)
    assert document["errors"][0].startswith("no-such-case: no such study file or bundled case")


@pytest.mark.parametrize("kind", ["diagnosis", "comparison", "review"])
def test_a_notebook_cell_shows_the_report_with_its_forest_plot(
    results: dict[str, Rendered], kind: str
) -> None:
    shown = results[kind]._repr_html_()
    assert shown.startswith(f'<div class="{SCOPE_CLASS}">')
    assert "<svg" in shown and "Forest plot" in shown
    assert not re.search(r"<(html|head|body)[\s>]", shown)
    assert RESEARCH_NOTICE in shown


def test_the_notebook_view_restyles_nothing_outside_the_report(
    results: dict[str, Rendered],
) -> None:
    shown = results["diagnosis"]._repr_html_()
    css = re.search(r"<style>(.*?)</style>", shown, re.DOTALL)
    assert css is not None
    preludes = [p.strip() for p in re.findall(r"([^{}]+)\{", css.group(1))]
    selectors = [s.strip() for p in preludes if not p.startswith("@") for s in p.split(",")]
    assert len(selectors) > 20
    assert [s for s in selectors if not s.startswith(f".{SCOPE_CLASS}")] == []


@pytest.mark.parametrize("kind", ["diagnosis", "comparison", "review", "rules"])
def test_findings_is_an_attribute_of_objects_with_the_same_names(
    results: dict[str, Rendered], kind: str
) -> None:
    findings = results[kind].findings  # type: ignore[attr-defined]
    assert findings
    for finding in findings:
        for name in ("id", "title", "factor", "explanation", "next_steps", "faq"):
            assert hasattr(finding, name), (kind, name)


def test_a_comparison_is_named_by_its_pair(results: dict[str, Rendered]) -> None:
    (pair,) = results["comparison"].to_dict()["comparisons"]
    assert pair["pair"]["id"] == "sepsis-small-vs-large"
    assert pair["verdict"] == results["comparison"].verdict  # type: ignore[attr-defined]


def test_one_rule_is_the_rules_document_with_that_finding_selected(
    results: dict[str, Rendered],
) -> None:
    document = results["rule"].to_dict()
    assert document["kind"] == "rules"
    assert document["selected"]["id"] == "high-risk-of-bias"
    assert "sepsis-small-open-rct" in document["selected"]["fired_by"]
    assert "high-risk-of-bias" in results["rule"].to_text()


# --- the notebook fragment -----------------------------------------------------------


def test_scope_css_scopes_plain_rules_and_the_page_root() -> None:
    css = ":root { --ink: #000; }\nhtml, body { margin: 0 }\nh1, .meta > p { color: red; }"
    assert scope_css(css) == (
        f".{SCOPE_CLASS} {{ --ink: #000; }}\n"
        f".{SCOPE_CLASS}, .{SCOPE_CLASS} {{ margin: 0 }}\n"
        f".{SCOPE_CLASS} h1, .{SCOPE_CLASS} .meta > p {{ color: red; }}\n"
    )


def test_scope_css_scopes_inside_media_and_drops_page_rules_and_comments() -> None:
    css = "/* a { x } */ @media print { h2 { break-before: page; } } @page { margin: 1cm }"
    assert scope_css(css) == f"@media print {{\n.{SCOPE_CLASS} h2 {{ break-before: page; }}\n}}\n"


def test_notebook_fragment_keeps_the_body_and_every_head_style() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>t</title><style>p { a: b }</style>"
        "<style>h1 { c: d }</style></head><body><main><p>hi</p></main></body></html>"
    )
    fragment = notebook_fragment(page)
    assert fragment == (
        f'<div class="{SCOPE_CLASS}">\n<style>\n.{SCOPE_CLASS} p {{ a: b }}\n'
        f".{SCOPE_CLASS} h1 {{ c: d }}\n</style>\n<main><p>hi</p></main>\n</div>"
    )


def test_results_equal_the_engine_objects_they_extend() -> None:
    from thymoscope.kb.comparison import compare
    from thymoscope.study.loader import load_study

    path = api.bundled_cases()[FOREST_CASE]
    engine_diagnosis = api.diagnoser().diagnose(load_study(path), f"bundled case {FOREST_CASE}")
    assert engine_diagnosis == api.diagnose(path) == engine_diagnosis
    assert api.diagnose(path) != api.diagnose(path, "another name")

    names = ("sepsis-small-open-rct", "sepsis-large-double-blind-null")
    a, b = (load_study(api.bundled_cases()[n]) for n in names)
    engine_pair = compare(a, b, *(f"bundled case {n}" for n in names))
    bundled = api.compare("sepsis-small-vs-large")
    assert engine_pair == bundled == engine_pair
    assert api.StudyComparison.of(engine_pair) != bundled  # not named by the pair


@pytest.mark.parametrize("kind", ["diagnosis", "many", "comparison"])
def test_to_model_is_the_schema_model_of_the_same_document(
    results: dict[str, Rendered], kind: str
) -> None:
    model = results[kind].to_model()  # type: ignore[attr-defined]
    assert model.model_dump(mode="json") == results[kind].to_dict()


def test_to_model_gives_typed_access() -> None:
    model = api.diagnose(FOREST_CASE).to_model()
    (study,) = model.studies
    assert study.finding_ids == [f.id for f in api.diagnose(FOREST_CASE).findings]
    assert study.groups[0].findings[0].severity == "major"


def test_reprs_of_collections_are_one_line_summaries(results: dict[str, Rendered]) -> None:
    assert repr(results["many"]) == (
        f"DiagnosisReport(studies=['{FOREST_CASE}', 'sepsis-small-open-rct'], errors=1)"
    )
    assert repr(results["review"]) == (
        "Review(title='sepsis-quality', outcomes=1, findings=6, errors=0)"
    )
    assert re.fullmatch(r"RuleBook\(\d+ findings\)", repr(results["rules"]))
