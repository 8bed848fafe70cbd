"""The report side of the usability review (shared/reviews/usability.md), one test per
item, each built from the review's own example: 1 (the study's effect), 3 (main point
first, each finding once, one screen before the detail, --brief), 11 (60 columns) and 26
(HTML title, summary table, "how" lists of subgroups, "0.0 months")."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import bundled_case_names, diagnose, make_study
from tests.report.helpers import document
from thymoscope.api import diagnose_file
from thymoscope.report.document import report_document
from thymoscope.report.render import render

FORMATS_RENDERED = ("text", "markdown", "html")
SCREEN = 40  # lines of one terminal screen
DETAIL_STARTS = ("Findings in detail", "No finding fired")
REPO = Path(__file__).resolve().parents[2]


def _case(name: str) -> dict[str, Any]:
    from importlib.resources import as_file, files

    with as_file(files("thymoscope.kb.cases").joinpath(f"{name}.yaml")) as path:
        return report_document([diagnose_file(path)])


def _words(out: str, fmt: str) -> str:
    if fmt == "html":
        out = html.unescape(re.sub(r"<[^>]+>", " ", out))
    elif fmt == "markdown":
        out = re.sub(r"\\(.)", r"\1", out).replace("|", " ").replace("**", "")
    return " ".join(out.split())


# --- item 1: the effect estimate --------------------------------------------------


def test_item_1_effect_with_ci_and_p_in_key_facts_json_and_every_format() -> None:
    """The review: text and JSON key facts lacked result.effect."""
    doc = _case("sepsis-small-open-rct")
    study = doc["studies"][0]
    facts = {f["path"]: f["value"] for f in study["key_facts"]}
    assert facts["result.effect.measure"] == "odds_ratio"
    assert (facts["result.effect.estimate"], facts["result.effect.ci_low"]) == (0.42, 0.19)
    assert (facts["result.effect.ci_high"], facts["result.effect.p_value"]) == (0.93, 0.03)
    assert study["effect"]["text"] == "OR 0.42 (95% CI 0.19 to 0.93), p = 0.03"
    assert json.loads(render(doc, "json"))["studies"][0]["effect"]["estimate"] == 0.42
    for fmt in FORMATS_RENDERED:
        words = _words(render(doc, fmt), fmt)
        assert "OR 0.42 (95% CI 0.19 to 0.93), p = 0.03" in words, fmt
        assert "Effect on the primary endpoint" in words, fmt


# --- item 3: main point first, each finding once ------------------------------------


@pytest.mark.parametrize("case", [n.removesuffix(".yaml") for n in bundled_case_names()])
def test_item_3_one_study_fits_a_40_line_screen_before_its_detail(case: str) -> None:
    """The review: 111 lines, 16 lines of key facts before the first finding."""
    lines = render(_case(case), "text").splitlines()
    detail = next(i for i, line in enumerate(lines) if line.startswith(DETAIL_STARTS))
    assert detail < SCREEN, f"{case}: the detail begins on line {detail + 1}"
    verdict = lines.index("Verdict")
    assert verdict < lines.index("Key facts") < detail  # the verdict comes first


def test_item_3_the_verdict_says_what_was_shown_and_what_may_explain_a_disagreement() -> None:
    verdict = _case("sepsis-meta-analysis-11-rcts")["studies"][0]["verdict"]
    assert verdict["summary"] == (
        "This meta-analysis (11 trials, 1927 participants) in sepsis showed a difference in"
        " favour of thymalfasin on 28-day all-cause mortality: OR 0.73 (95% CI 0.59 to 0.90)."
    )
    assert verdict["leading"] == ["quality-subgroups-disagree", "low-credibility-subgroup-claim"]
    assert verdict["factors"].startswith(
        "Most likely to explain a disagreement with other studies: Lower- and higher-quality"
        " strata disagree (major); Subgroup claim of limited credibility (moderate)"
    )
    # a null result is "a difference was not shown", never "no effect"
    null = _case("sepsis-large-double-blind-null")["studies"][0]["verdict"]["summary"]
    assert "did not show a difference on 28-day all-cause mortality" in null
    assert "no effect" not in null.lower() and "patient" not in null.lower()


def test_item_3_a_study_without_findings_says_so_in_its_verdict() -> None:
    doc = document({})
    verdict = doc["studies"][0]["verdict"]
    assert verdict["leading"] == []
    assert verdict["factors"].startswith("No factor the knowledge base checks was found")


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_item_3_each_finding_printed_once(fmt: str) -> None:
    doc = _case("sepsis-meta-analysis-11-rcts")
    out = render(doc, fmt)
    for group in doc["studies"][0]["groups"]:
        for f in group["findings"]:
            assert _words(out, fmt).count(" ".join(f["explanation"].split())) == 1


# --- item 11: 60 columns ------------------------------------------------------------


def test_item_11_text_holds_at_60_columns() -> None:
    """The review: headlines not wrapped, lone "." lines at 60 columns."""
    diagnoses = [diagnose_file(REPO / "kb" / "cases" / name) for name in bundled_case_names()]
    for diagnosis, name in zip(diagnoses, bundled_case_names(), strict=True):
        diagnosis.source = f"kb/cases/{name}"  # as given from the repository's root
    doc = report_document(diagnoses)
    lines = render(doc, "text", width=60).splitlines()
    too_wide = [line for line in lines if len(line) > 60]
    assert too_wide == []
    lone = [line for line in lines if line.strip() and not re.search(r"[\w─═]", line)]
    assert lone == []
    title = doc["studies"][0]["title"]
    assert len(title) > 58  # the headline had to be wrapped
    assert any(title.startswith(line.strip()) for line in lines if line.strip())


# --- item 26: HTML title, summary, "how" lists, numbers ----------------------------


def test_item_26_html_title_names_the_studies() -> None:
    one = _case("chb-rct-end-of-therapy")
    title = re.search(r"<title>(.*?)</title>", render(one, "html")).group(1)
    assert html.unescape(title).startswith(one["studies"][0]["title"])
    several = document({}, {"id": "second", "title": "Second trial"})
    title = html.unescape(re.search(r"<title>(.*?)</title>", render(several, "html")).group(1))
    assert title.startswith("2 studies: Baseline test study; Second trial")


def test_item_26_summary_table_shows_titles_and_verdicts() -> None:
    doc = document({}, {"id": "second", "title": "Second trial"})
    out = render(doc, "html")
    table = out[out.index('<table class="summary">') : out.index("</table>")]
    for study in doc["studies"]:
        assert html.escape(study["title"]) in table
        assert study["verdict"]["text"] in html.unescape(table)


def test_item_26_how_lists_of_subgroups_are_grouped_and_collapsible() -> None:
    """The review: 10 lines of subgroups.1.effect.ci_low, not collapsible."""
    doc = _case("sepsis-meta-analysis-11-rcts")
    out = render(doc, "html")
    assert re.search(
        r'<details class="subgroup"[^>]*>\s*<summary>Subgroup 1: Lower-quality trials</summary>',
        out,
    )
    assert '<details class="how"' in out
    for fmt in ("text", "markdown", "html"):
        text = render(doc, fmt)
        assert "subgroups.0." not in text and "subgroups.1." not in text
        words = _words(text, fmt)
        assert words.count("Subgroup 2: Higher-quality trials") == 1
        assert "effect: estimate 0.82 (95% CI 0.65 to 1.03), p = 0.09" in words


def test_item_26_no_zero_point_zero_months() -> None:
    doc = report_document([diagnose(make_study(follow_up_months_after_therapy=0.0))])
    for fmt in FORMATS_RENDERED:
        out = _words(render(doc, fmt), fmt)
        assert "0.0 months" not in out
        assert "Follow-up after the end of therapy: 0 months" in out or (
            "Follow-up after the end of therapy 0 months" in out
        )


def test_words_not_paths_but_json_keeps_the_paths() -> None:
    """Issue 12 item 2's example: primary_endpoint.timing = end_of_therapy."""
    doc = _case("chb-rct-end-of-therapy")
    for fmt in FORMATS_RENDERED:
        out = render(doc, fmt)
        assert "Endpoint read: at end of therapy" in _words(out, fmt).replace(
            "Endpoint read at end of therapy", "Endpoint read: at end of therapy"
        )
        assert "primary_endpoint.timing" not in out
    assert '"path": "primary_endpoint.timing"' in render(doc, "json")
