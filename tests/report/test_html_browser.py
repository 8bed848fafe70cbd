"""The HTML reports in headless Chromium: one study, several studies and a comparison
render, make no request beyond the page itself, need no horizontal scrollbar at 1280
and at 390 pixels wide, and print each study from a new page.

The browser plumbing (Debian's chromium driven by playwright, skipped with its reason
when Chromium is missing outside CI) is the slide-deck test's, imported from there.
Screenshots go to artifacts/; with THYMOSCOPE_UPDATE_DOCS=1 also to docs/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import diagnose, make_study
from tests.demo.test_slides_browser import LOCAL, _browser  # noqa: F401 (the fixture)
from thymoscope.api import diagnose_file
from thymoscope.cli.app import app
from thymoscope.report.document import report_document
from thymoscope.report.render import render

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "kb" / "cases"
WIDTHS = (1280, 390)
PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def _diagnosis_html(*names: str) -> str:
    diagnoses = [diagnose_file(CASES / f"{n}.yaml") for n in names]
    for diagnosis, name in zip(diagnoses, names, strict=True):
        diagnosis.source = f"kb/cases/{name}.yaml"  # as given from the repository's root
    return render(report_document(diagnoses), "html")


def _comparison_html() -> str:
    result = CliRunner().invoke(app, ["compare", "--pair", "chb-end-vs-12-months", "-f", "html"])
    assert result.exit_code == 0, result.output
    return result.stdout


REPORTS = {
    "one-study": lambda: _diagnosis_html("sepsis-meta-analysis-11-rcts"),
    "several-studies": lambda: _diagnosis_html(
        "sepsis-meta-analysis-11-rcts", "sepsis-large-double-blind-null", "chb-rct-end-of-therapy"
    ),
    "comparison": _comparison_html,
}


def _open(browser: Any, path: Path, width: int, requests: list[str]) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("request", lambda request: requests.append(request.url))
    page.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
    page.goto(path.as_uri())
    return page


def _overflow(page: Any) -> int:
    """Pixels the page is wider than its window (0: no horizontal scrollbar)."""
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(REPORTS))
def test_report_renders_offline_without_horizontal_scrolling(
    browser: Any, tmp_path: Path, kind: str, width: int
) -> None:
    path = tmp_path / f"{kind}.html"
    path.write_text(REPORTS[kind](), encoding="utf-8")
    requests: list[str] = []
    page = _open(browser, path, width, requests)
    assert page.locator("main h1").inner_text().strip()
    assert page.locator("footer .notice").inner_text().startswith("Research use only")
    if kind != "comparison":
        assert page.locator(".verdict").first.is_visible()
        assert page.locator("details.how").count() >= 1
    assert _overflow(page) <= 0, f"{kind} at {width}px scrolls sideways"
    assert requests and [url for url in requests if not url.startswith(LOCAL)] == []
    if kind == "one-study":
        artifacts = REPO / "artifacts"
        artifacts.mkdir(exist_ok=True)
        shot = artifacts / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        if os.environ.get("THYMOSCOPE_UPDATE_DOCS"):
            page.screenshot(path=str(REPO / "docs" / f"report-{width}.png"), full_page=False)
    page.close()


def _pdf_pages(browser: Any, tmp_path: Path, text: str, name: str) -> int:
    path = tmp_path / f"{name}.html"
    path.write_text(text, encoding="utf-8")
    page = _open(browser, path, 1280, [])
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    page.close()
    return len(PAGE.findall(pdf))


def test_print_starts_each_study_on_a_new_page(browser: Any, tmp_path: Path) -> None:
    """Short studies (no finding fired) fit one page each: the summary takes the first
    page, then one page per study; a single study prints on one page."""
    studies = [
        diagnose(make_study(id=f"short-{n}", title=f"Short study {n}", result={"primary": None}))
        for n in range(3)
    ]
    one = _pdf_pages(browser, tmp_path, render(report_document(studies[:1]), "html"), "one")
    assert one == 1
    several = render(report_document(studies), "html")
    assert _pdf_pages(browser, tmp_path, several, "several") == 1 + len(studies)


def test_print_of_bundled_cases_gives_each_study_its_own_pages(
    browser: Any, tmp_path: Path
) -> None:
    names = ("sepsis-meta-analysis-11-rcts", "chb-rct-end-of-therapy")
    alone = [_pdf_pages(browser, tmp_path, _diagnosis_html(n), n) for n in names]
    together = _pdf_pages(browser, tmp_path, _diagnosis_html(*names), "together")
    # the summary page, then each study's pages as when printed alone
    assert together == 1 + sum(alone)
