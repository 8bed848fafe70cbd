"""Rendering the report document: every format, its content, escaping and colour."""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any

import pytest

from tests.report.helpers import EVIDENCE_NOTE, WITH_FINDINGS, document
from thymoscope import RESEARCH_NOTICE
from thymoscope.kb.labels import field_label, generic_path, labelled_fields
from thymoscope.report.render import FORMATS, environment, findings_by_id, md_code, render, show

ANSI = re.compile(r"\x1b\[")
FORMATS_RENDERED = ("text", "markdown", "html")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document(WITH_FINDINGS)


@pytest.fixture(scope="module")
def several() -> dict[str, Any]:
    return document(WITH_FINDINGS, EVIDENCE_NOTE, {}, errors=("bad.yaml:4: indication: nope",))


def _words(out: str, fmt: str) -> str:
    """The rendered output as readable words (tags, escapes and line breaks removed)."""
    if fmt == "html":
        out = html.unescape(re.sub(r"<[^>]+>", "", out))
    elif fmt == "markdown":
        out = re.sub(r"\\(.)", r"\1", out)
    return " ".join(out.split())


def _last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_ends_with_the_notice(doc: dict[str, Any], fmt: str) -> None:
    out = render(doc, fmt)
    assert out.endswith("\n")
    if fmt == "json":
        assert list(json.loads(out))[-1] == "notice"
        assert _last_line(out).strip() == "}" and RESEARCH_NOTICE in out.splitlines()[-2]
    elif fmt == "html":
        body = out[: out.index("</body>")]
        assert re.sub(r"<[^>]+>", "", body).strip().splitlines()[-1] == RESEARCH_NOTICE
    else:
        assert RESEARCH_NOTICE in _last_line(out)


def test_json_is_the_document(doc: dict[str, Any]) -> None:
    out = render(doc, "json")
    assert out == json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    assert json.loads(out) == doc


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_report_shows_each_finding_with_how_and_next_steps(doc: dict[str, Any], fmt: str) -> None:
    out = render(doc, fmt)
    words = _words(out, fmt)
    study = doc["studies"][0]
    for group in study["groups"]:
        assert group["title"] in out  # the factor, shown with each of its findings
        for f in group["findings"]:
            assert f["id"] in out
            for rule in f["rules"]:
                assert rule in out
            for fact in f["facts"]:  # cited facts in words, not as "path = value"
                assert labelled_fields()[generic_path(fact["path"])].label in words
                assert f"{fact['path']} = " not in words
            assert f["severity"].upper() in out.upper()
            assert "FAQ section" in out
    # the explanation and next steps are there
    first = study["groups"][0]["findings"][0]
    assert " ".join(first["explanation"].split()) in words
    assert "Next steps" in out


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_each_finding_is_printed_once_most_severe_first(doc: dict[str, Any], fmt: str) -> None:
    """Usability review item 3: no second listing of the findings by factor."""
    out = render(doc, fmt)
    words = _words(out, fmt)
    study = doc["studies"][0]
    findings = findings_by_id(study)
    assert len(findings) >= 2
    for f in findings.values():
        assert words.count(" ".join(f["explanation"].split())) == 1
        shown = f'<span class="id">{f["id"]}</span>' if fmt == "html" else f["id"]
        assert out.count(shown) == 1, f["id"]
    positions = [words.index(" ".join(findings[i]["explanation"].split())) for i in study["ranked"]]
    assert positions == sorted(positions)
    assert study["ranked"][0] == "high-risk-of-bias"  # the major one comes first
    assert "Findings by factor" not in out and "Ranked findings" not in out


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_evidence_note_is_shown(fmt: str) -> None:
    doc = document(EVIDENCE_NOTE)
    note = doc["studies"][0]["groups"][0]["findings"][0]["evidence_note"]
    assert note
    out = render(doc, fmt)
    assert "Evidence note" in out
    assert " ".join(note.split()) in _words(out, fmt)


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_no_finding_says_so_and_lists_the_checks(fmt: str) -> None:
    doc = document({})
    study = doc["studies"][0]
    assert study["finding_ids"] == []
    out = render(doc, fmt)
    assert "No finding fired" in out
    for check in study["checks"]:
        assert check["finding"] in out
    assert "Not triggered".lower() in out.lower()
    assert "not applicable" in out.lower()
    assert "Findings in detail" not in out


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_unknown_fields_of_unassessable_checks_are_named(fmt: str) -> None:
    doc = document({"population": {"immune_status": None}, "result": {"primary": None}})
    out = render(doc, fmt)
    unassessable = [c for c in doc["studies"][0]["checks"] if c["status"] == "not_assessable"]
    assert unassessable
    for check in unassessable:
        for field in check["unknown"]:
            assert field_label(field) in out
    assert "not assessable" in out.lower()


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_several_studies_get_a_summary_table_and_the_errors(
    several: dict[str, Any], fmt: str
) -> None:
    out = render(several, fmt)
    assert "Summary" in out
    words = _words(out, fmt)
    last = several["studies"][-1]["verdict"]["text"]
    summary = words[words.index("Summary") : words.index(last) + len(last)]
    for study in several["studies"]:  # titles and verdicts, not ids only (review item 26)
        assert study["title"] in summary
        assert study["id"] in summary
        assert study["source"] in summary
        assert study["verdict"]["summary"] in summary
    assert "bad.yaml:4: indication: nope" in out
    assert "Input errors" in out
    # one report per study
    for study in several["studies"]:
        assert out.count(study["title"]) >= 1


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_a_single_study_has_no_summary_table(doc: dict[str, Any], fmt: str) -> None:
    assert "Summary" not in render(doc, fmt)


@pytest.mark.parametrize("fmt", FORMATS_RENDERED)
def test_only_errors(fmt: str) -> None:
    doc = document(errors=("a.yaml: no such file", "b.yaml:2: id: bad"))
    out = render(doc, fmt)
    assert "No study could be diagnosed" in out
    assert "a.yaml: no such file" in out and "b.yaml:2: id: bad" in out


def test_unknown_key_facts_nothing_relies_on_are_left_out(doc: dict[str, Any]) -> None:
    study = doc["studies"][0]
    unknown = [f["path"] for f in study["key_facts"] if f["value"] is None]
    assert "cancer_type" in unknown  # a sepsis study: cancer_type is null in the document
    out = render(doc, "text")
    key_facts = out[out.index("Key facts") : out.index("Findings in detail")]
    assert "Cancer type" not in key_facts
    assert "Sample size: 60" in key_facts


# --- text: colour and rich markup --------------------------------------------------


def test_text_without_colour_has_no_ansi_escapes(several: dict[str, Any]) -> None:
    assert not ANSI.search(render(several, "text"))


def test_text_with_colour_is_styled(several: dict[str, Any]) -> None:
    out = render(several, "text", color=True)
    assert ANSI.search(out)
    assert ANSI.sub("", re.sub(r"\x1b\[[0-9;]*m", "", out)) == render(several, "text")


def _replace_strings(value: Any, make: Any) -> Any:
    if isinstance(value, str):
        return make(value)
    if isinstance(value, dict):
        return {
            k: (v if k in ("kind", "severity", "status") else _replace_strings(v, make))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_replace_strings(v, make) for v in value]
    return value


def test_study_data_cannot_inject_rich_markup(several: dict[str, Any]) -> None:
    hostile = _replace_strings(
        copy.deepcopy(several), lambda s: f"[bold red]{s}[/] [link=x]y[/link]\\"
    )
    out = render(hostile, "text", color=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    title = hostile["studies"][0]["title"]
    assert title in plain
    assert "[link=x]y[/link]" in plain
    assert "\x1b]8;" not in out  # no hyperlink escape was produced


def test_text_wraps_to_the_width(doc: dict[str, Any]) -> None:
    narrow = render(doc, "text", width=60)
    prose = [
        line for line in narrow.splitlines() if line.startswith("    ") and " " in line.strip()
    ]
    assert prose and max(len(line) for line in prose) <= 60


# --- HTML ---------------------------------------------------------------------------


def test_html_escapes_script_in_study_data() -> None:
    doc = document({**WITH_FINDINGS, "title": "<script>alert('x')</script> & <b>bold</b>"})
    doc["studies"][0]["source"] = "<img src=x onerror=alert(1)>.yaml"
    doc["errors"] = ["<script>bad()</script>.yaml: no such file"]
    out = render(doc, "html")
    assert "<script" not in out.lower()
    assert "<img" not in out.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in out


def test_html_is_self_contained(several: dict[str, Any]) -> None:
    out = render(several, "html")
    assert out.startswith("<!DOCTYPE html>")
    assert "<style>" in out
    assert not re.search(r"<(link|script|img|iframe|object)\b", out, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", out, re.IGNORECASE)
    assert "@import" not in out and "url(" not in out
    assert "default-src 'none'" in out


def test_html_turns_backtick_spans_of_knowledge_base_texts_into_code() -> None:
    doc = document(WITH_FINDINGS)
    out = render(doc, "html")
    assert "<code>design.risk_of_bias_domains</code>" in out
    assert "`" not in out[out.index("<main>") :]


# --- Markdown -----------------------------------------------------------------------


def test_markdown_escapes_study_data() -> None:
    doc = document({**WITH_FINDINGS, "title": "<script>x</script> *bold* [link](y) | pipe"})
    out = render(doc, "markdown")
    assert "<script>" not in out
    assert r"\<script\>x\</script\> \*bold\* \[link\](y) \| pipe" in out


def test_markdown_code_span_holds_backticks() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code("a|b", cell=True) == r"`a\|b`"
    assert md_code(None) == "`unknown`"


def test_show_values() -> None:
    assert [show(v) for v in (None, True, False, 1.0, 0.7, [], ["a", "b"], "x_y")] == [
        "unknown",
        "true",
        "false",
        "1",
        "0.7",
        "none",
        "a, b",
        "x_y",
    ]


# --- dispatch -----------------------------------------------------------------------


def test_unknown_format_is_refused(doc: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(doc, "pdf")


def test_templates_are_found_by_kind(doc: dict[str, Any]) -> None:
    import jinja2

    with pytest.raises(jinja2.TemplateNotFound, match=r"nonsense\.text\.j2"):
        render({**doc, "kind": "nonsense"}, "text")


def test_autoescape_only_for_html() -> None:
    env = environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "<b>"
    assert env.autoescape("x.html.j2") and not env.autoescape("x.md.j2")
    assert not env.autoescape("x.text.j2")


def test_shared_layout_and_macros_can_be_reused() -> None:
    env = environment()
    page = env.from_string(
        '{% extends "base.html.j2" %}{% import "_macros.html.j2" as m %}'
        "{% block content %}{{ m.severity('major') }}{{ title }}{% endblock %}"
    )
    # from_string templates have no name, so autoescape is off for them: escape by hand
    out = page.render(doc={"generator": "g", "notice": RESEARCH_NOTICE}, title="T")
    assert 'class="severity severity-major"' in out and RESEARCH_NOTICE in out
    for name in ("_macros.text.j2", "_macros.md.j2", "_macros.html.j2"):
        module = env.get_template(name).module
        assert callable(module.study_report) and callable(module.summary_table)


def test_plain_text_is_what_rich_would_print(several: dict[str, Any]) -> None:
    """The no-colour fast path (markup parsed, no console layout) equals rich's output."""
    import io

    from rich.console import Console

    from thymoscope.report.render import _rich_escaped, rich_to_text

    markup = (
        environment().get_template("diagnosis.text.j2").render(doc=_rich_escaped(several), width=88)
    )
    buffer = io.StringIO()
    Console(
        file=buffer,
        color_system=None,
        no_color=True,
        width=88,
        soft_wrap=True,
        highlight=False,
        emoji=False,
        _environ={},
    ).print(markup, end="")
    assert rich_to_text(markup) == buffer.getvalue()
