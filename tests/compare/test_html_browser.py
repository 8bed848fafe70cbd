"""The comparison and rules HTML pages in headless Chromium: no horizontal scrollbar at
1,280 and 390 pixels wide, no network requests, and the side-by-side rows that differ
painted differently from the rows that are the same.

The browser fixture (Debian's `chromium` through playwright, skipped only when Chromium
is missing outside CI) is the slide-deck test's, imported from there.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.demo.test_slides_browser import LOCAL, _browser  # noqa: F401 (the fixture)
from thymoscope.cli.app import app

CASES = Path(str(files("thymoscope.kb.cases")))
runner = CliRunner()


def _page(tmp_path: Path, name: str, args: list[str]) -> Path:
    result = runner.invoke(app, [*args, "-f", "html"])
    assert result.exit_code == 0, result.output
    path = tmp_path / f"{name}.html"
    path.write_text(result.stdout, encoding="utf-8")
    return path


PAGES = {
    "matrix": ["compare", str(CASES)],
    "brief": ["compare", str(CASES), "--cross-indication", "--brief"],
    "rule": ["rules", "low-dose-advanced-fibrosis"],
    "rules": ["rules"],
}


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("width", [1280, 390])
def test_no_horizontal_scrollbar_and_no_requests(
    browser: Any, tmp_path: Path, name: str, width: int
) -> None:
    path = _page(tmp_path, name, PAGES[name])
    page = browser.new_page(viewport={"width": width, "height": 800})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    page.close()
    assert scroll <= client
    assert [r for r in requests if not r.startswith(LOCAL)] == []


def test_differing_rows_are_painted(browser: Any, tmp_path: Path) -> None:
    path = _page(tmp_path, "pair", ["compare", "--pair", "sepsis-small-vs-large"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    colours = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('table.side-by-side tbody tr')]
            .map(r => [r.children[1].title, getComputedStyle(r.children[1]).backgroundColor]))"""
    )
    page.close()
    assert colours["design.blinding"] != colours["intervention.dose"]
    assert colours["design.blinding"] == colours["design.sample_size"]
