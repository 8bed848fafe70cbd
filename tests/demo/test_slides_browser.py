"""Open the HTML slides in headless Chromium: render, keyboard navigation, no network,
one slide per printed page, and a screenshot kept as a test artifact.

Debian's `chromium` is driven through playwright's Python package with
``executable_path`` (playwright never downloads a browser here). Skipped only when
Chromium is missing outside CI; in CI (env CI set) a missing browser fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from thymoscope.api import diagnose_file
from thymoscope.kb import knowledge
from thymoscope.report.walkthrough import build_walkthrough, slides_html

from .conftest import CASES, REPO

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL = ("file:", "data:", "about:")


def _chromium() -> str:
    found = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
    )
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    return found


@pytest.fixture(name="browser", scope="module")
def _browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(name="deck")
def _deck(tmp_path: Path) -> tuple[Path, int]:
    walk = build_walkthrough(
        diagnose_file(CASES / "chb-end-of-therapy.yaml"), knowledge().factor_titles
    )
    target = tmp_path / "slides.html"
    target.write_text(slides_html(walk), encoding="utf-8")
    return target, len(walk.steps)


def _open(browser, path: Path, requests: list[str], **options):
    page = browser.new_page(viewport={"width": 1280, "height": 720}, **options)
    page.on("request", lambda request: requests.append(request.url))
    # anything not local is recorded above and then refused, never fetched
    page.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
    page.goto(path.as_uri())
    return page


def _active(page) -> tuple[int, list[int]]:
    """(body[data-slide], indices of the slides actually visible)."""
    index = int(page.get_attribute("body", "data-slide"))
    visible = page.eval_on_selector_all(
        ".slide",
        "els => els.map((e, i) => [i, e.getBoundingClientRect().height > 0])"
        ".filter(p => p[1]).map(p => p[0])",
    )
    return index, visible


def test_slides_render_navigate_by_keyboard_and_stay_offline(browser, deck) -> None:
    path, total = deck
    requests: list[str] = []
    page = _open(browser, path, requests)
    assert page.locator(".slide").count() == total
    assert _active(page) == (0, [0])
    assert page.locator(".slide.active h1").inner_text().strip()

    page.keyboard.press("ArrowRight")
    assert _active(page) == (1, [1])
    assert page.locator(".slide.active .finding .how code").count() >= 1  # the rule that fired
    assert page.locator(".slide.active .study-facts .fact.matched").count() >= 1  # facts beside
    page.keyboard.press("Space")
    assert _active(page)[0] == 2
    page.keyboard.press("PageUp")
    assert _active(page)[0] == 1
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # stays on the first slide
    assert _active(page) == (0, [0])
    page.keyboard.press("End")
    assert _active(page) == (total - 1, [total - 1])
    page.keyboard.press("PageDown")  # stays on the last slide
    assert _active(page)[0] == total - 1
    page.keyboard.press("Home")
    assert _active(page)[0] == 0

    # large type, relative to the screen: on a 1280 x 720 image the finding's text is
    # at least 19 px and its title at least 28 px (both scale up with the viewport)
    page.keyboard.press("ArrowRight")

    def size(selector: str) -> float:
        script = "e => parseFloat(getComputedStyle(e).fontSize)"
        return float(page.eval_on_selector(f".slide.active {selector}", script))

    assert size(".finding .explanation") >= 19
    assert size(".finding h5") >= 28
    page.keyboard.press("Home")

    page.keyboard.press("ArrowRight")
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "slides.png"))
    if os.environ.get("THYMOSCOPE_UPDATE_DOCS"):
        (REPO / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(REPO / "docs" / "slides.png"))
    assert (artifacts / "slides.png").stat().st_size > 10_000

    offline = [url for url in requests if not url.startswith(LOCAL)]
    assert requests and not offline, offline
    page.close()


def test_opening_at_a_slide_number_and_reload(browser, deck) -> None:
    path, _ = deck
    requests: list[str] = []
    page = _open(browser, path, requests)
    page.goto(path.as_uri() + "#3")
    page.reload()
    assert _active(page)[0] == 2
    page.close()


def test_print_layout_puts_each_slide_on_its_own_page(browser, deck) -> None:
    path, total = deck
    requests: list[str] = []
    page = _open(browser, path, requests)
    page.emulate_media(media="print")
    visible = page.eval_on_selector_all(
        ".slide", "els => els.filter(e => getComputedStyle(e).display !== 'none').length"
    )
    assert visible == total
    pdf = page.pdf(landscape=True, prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == total
    page.close()


def test_pair_and_quiz_decks_render_and_navigate(browser, tmp_path: Path) -> None:
    from .conftest import run_demo

    for name, extra in (("sepsis-vs-hepatitis", ()), ("chb-end-of-therapy", ("--quiz",))):
        target = tmp_path / f"{name}.html"
        result = run_demo("--cases", str(CASES), name, "--html", str(target), *extra)
        assert result.exit_code == 0, result.output
        requests: list[str] = []
        page = _open(browser, target, requests)
        total = page.locator(".slide").count()
        assert total >= 3
        page.keyboard.press("ArrowRight")
        assert _active(page) == (1, [1])
        page.keyboard.press("End")
        assert _active(page) == (total - 1, [total - 1])
        assert [url for url in requests if not url.startswith(LOCAL)] == []
        page.close()
