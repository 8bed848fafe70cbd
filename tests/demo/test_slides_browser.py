"""Open the HTML slides and the handout in headless Chromium: render, keyboard
navigation, no network, every slide within its box at 1280×720 and 1920×1080 (no
scrollbar, no word broken across lines), one slide per printed page, speaker notes
hidden on screen, and screenshots kept as test artifacts (docs/ with
THYMOSCOPE_UPDATE_DOCS=1).

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
    html = slides_html(walk)
    target.write_text(html, encoding="utf-8")
    return target, html.count('<section class="slide')


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
    assert page.locator(".slide.active h1").inner_text().strip()  # the part's opening

    page.keyboard.press("ArrowRight")
    assert _active(page) == (1, [1])  # the study's facts
    page.keyboard.press("Space")
    assert _active(page) == (2, [2])  # the first finding
    assert page.locator(".slide.active .explanation").count() == 1
    assert page.locator(".slide.active .beside li").count() >= 1  # the facts it rests on
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
    page.keyboard.press("ArrowRight")

    def size(selector: str) -> float:
        script = "e => parseFloat(getComputedStyle(e).fontSize)"
        return float(page.eval_on_selector(f".slide.active {selector}", script))

    assert size(".explanation") >= 19
    assert size("h1") >= 28
    page.keyboard.press("Home")

    page.keyboard.press("ArrowRight")
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


# --- the whole course at both projector sizes (usability item 23, issue 13) ------------

# For every slide in turn: whether its content needs a scrollbar, any element that
# leaves the slide's box, and any word broken across two lines (a word's range has
# rects on two lines; words split at spaces, hyphens and dashes only).
CHECK_SLIDES = """() => {
  const problems = [];
  const slides = [...document.querySelectorAll('.slide')];
  slides.forEach((slide, index) => {
    slides.forEach(s => s.classList.remove('active'));
    slide.classList.add('active');
    const box = slide.getBoundingClientRect();
    const where = (index + 1) + ' ' + ((slide.querySelector('h1') || {}).innerText || '');
    const content = slide.querySelector('.content');
    if (content.scrollHeight > content.clientHeight + 1
        || content.scrollWidth > content.clientWidth + 1) {
      problems.push(['scroll', where, content.scrollHeight, content.clientHeight]);
    }
    for (const e of slide.querySelectorAll('*')) {
      if (e.closest('.notes')) continue;
      const r = e.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1
          || r.left < box.left - 1 || r.top < box.top - 1) {
        problems.push(['outside', where, e.tagName + '.' + e.className]);
      }
    }
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.notes, svg')) continue;
      const re = /[^\\s\\-\\u2010-\\u2015\\/]+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        if (tops.size > 1) problems.push(['broken word', where, m[0]]);
      }
    }
  });
  return problems;
}"""

SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


@pytest.fixture(name="course", scope="module")
def _course(tmp_path_factory) -> Path:
    """The bundled course (every case, pair and review set) with the quiz."""
    from .conftest import run_demo

    target = tmp_path_factory.mktemp("course") / "course.html"
    result = run_demo("--html", str(target), "--quiz")
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_every_slide_of_the_course_fits_its_box(browser, course, size) -> None:
    width, height = size
    requests: list[str] = []
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("request", lambda request: requests.append(request.url))
    page.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
    page.goto(course.as_uri())
    assert page.locator(".slide").count() > 100  # the whole course
    problems = page.evaluate(CHECK_SLIDES)
    assert problems == [], problems[:10]
    scrollbars = page.evaluate(
        "() => [document.documentElement.scrollWidth > innerWidth,"
        " document.documentElement.scrollHeight > innerHeight]"
    )
    assert scrollbars == [False, False]
    assert not page.locator(".slide.active .notes").is_visible()  # notes hidden on screen
    # a pair's first slide, as a class sees it, kept for the docs
    page.evaluate(
        "() => { const s = [...document.querySelectorAll('.slide')];"
        " s.forEach(e => e.classList.remove('active'));"
        " s.find(e => e.classList.contains('slide-pair')).classList.add('active'); }"
    )
    name = f"slides-{width}.png"
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / name))
    if os.environ.get("THYMOSCOPE_UPDATE_DOCS"):
        page.screenshot(path=str(REPO / "docs" / name))
    assert [url for url in requests if not url.startswith(LOCAL)] == []
    page.close()


def test_course_prints_one_slide_per_page_in_words(browser, course) -> None:
    requests: list[str] = []
    page = _open(browser, course, requests)
    page.emulate_media(media="print")
    total = page.locator(".slide").count()
    text = page.eval_on_selector_all(".slide", "els => els.map(e => e.innerText).join('\\n')")
    assert not SNAKE_CASE.findall(text), sorted(set(SNAKE_CASE.findall(text)))[:10]
    # rule ids are snake_case (mixed_population_not_stratified): none is left either
    assert "Are the results in conflict?:" not in text
    assert "Speaker notes" not in text  # notes are not printed with the slides
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == total
    assert [url for url in requests if not url.startswith(LOCAL)] == []
    page.close()


def test_notes_view_shows_every_slide_with_its_speaker_notes(browser, deck) -> None:
    path, total = deck
    requests: list[str] = []
    page = _open(browser, path, requests)
    assert page.locator(".notes").count() >= 1
    assert not page.locator(".notes").first.is_visible()
    page.keyboard.press("n")
    assert page.locator(".notes").first.is_visible()
    visible = page.eval_on_selector_all(
        ".slide", "els => els.filter(e => e.getBoundingClientRect().height > 0).length"
    )
    assert visible == total
    page.keyboard.press("n")
    assert not page.locator(".notes").first.is_visible()
    page.close()


def test_handout_prints_with_its_answer_key_on_a_page_of_its_own(browser, tmp_path) -> None:
    from .conftest import run_demo

    target = tmp_path / "handout.html"
    result = run_demo(
        "chb-rct-end-of-therapy", "sepsis-small-vs-large", "sepsis-quality", "--handout",
        str(target),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for width, height in ((1280, 720), (1920, 1080)):
        requests: list[str] = []
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
        page.goto(target.as_uri())
        wide = page.evaluate("() => document.documentElement.scrollWidth > innerWidth")
        assert wide is False
        if width == 1280:
            artifacts = REPO / "artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "handout.png"))
            if os.environ.get("THYMOSCOPE_UPDATE_DOCS"):
                page.screenshot(path=str(REPO / "docs" / "handout.png"))
        page.emulate_media(media="print")
        key_break = page.eval_on_selector("#answer-key", "e => getComputedStyle(e).breakBefore")
        assert key_break == "page"
        without_key = page.evaluate(
            "() => { document.getElementById('answer-key').remove(); return 1; }"
        )
        assert without_key == 1
        pages_without = len(re.findall(rb"/Type\s*/Page(?!s)", page.pdf()))
        page.reload()
        page.emulate_media(media="print")
        pages_with = len(re.findall(rb"/Type\s*/Page(?!s)", page.pdf()))
        assert pages_with > pages_without >= 3  # one page per part at least, then the key
        assert [url for url in requests if not url.startswith(LOCAL)] == []
        page.close()


def test_long_titles_and_unbreakable_words_stay_inside_their_slides(browser, tmp_path) -> None:
    from .conftest import run_demo

    folder = tmp_path / "cases"
    (folder / "pairs").mkdir(parents=True)
    giant = "Thymalfasinthymalfasinthymalfasinthymalfasinthymalfasinthymalfasinthymalfasin"
    title = "A " + " ".join(["remarkably"] * 30) + f" long title of an open trial {giant}"
    text = (CASES / "sepsis-open-small.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", f'title: "{title}"', text)
    (folder / "long.yaml").write_text(text, encoding="utf-8")
    (folder / "other.yaml").write_text(
        (CASES / "chb-end-of-therapy.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "pairs" / "p.yaml").write_text(
        f'schema_version: 1\nid: p\ntitle: "{title}"\na: long\nb: other\nnote: "{title}"\n',
        encoding="utf-8",
    )
    target = tmp_path / "long.html"
    result = run_demo("--cases", str(folder), "--html", str(target), "--quiz")
    assert result.exit_code == 0, result.output
    for width, height in ((1280, 720), (1920, 1080)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(target.as_uri())
        problems = [p for p in page.evaluate(CHECK_SLIDES) if p[0] != "broken word"]
        assert problems == [], problems[:10]
        page.close()
