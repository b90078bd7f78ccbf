"""The insights pages fit the screen (1366x768 and 390x844): no page wider than the window, over a composed
store with insights planted (tests/insight_store.py). Debian's chromium driven by Playwright."""

from __future__ import annotations

import pytest

from tests.insight_store import CALL_RATE, COST, ERROR_RATE, build_insight_store
from tests.web.browsing import SCREENSHOTS, needs_chromium
from tests.web.conftest import RunningServer
from tests.web.hostile import HOSTILE_FINDING, HOSTILE_RATE
from tests.web.test_viewports import VIEWPORTS

pytestmark = needs_chromium
PAGES = ("/insights", f"/insights/{CALL_RATE}", f"/insights/{COST}", f"/insights/{ERROR_RATE}", "/insights/a1b2c3", "/")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with RunningServer(build_insight_store(tmp_path_factory.mktemp("insight-viewports")).db) as running:
        yield running


def too_wide(browser, url: str, paths, viewport: str) -> dict:
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=url)
    page = context.new_page()
    wide = {}
    for path in paths:
        page.goto(path)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            wide[path] = (width, inner)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if paths[1].startswith("/insights/"):
        page.goto(paths[1])
        page.screenshot(path=str(SCREENSHOTS / f"insight-{viewport}.png"), full_page=True)
    context.close()
    return wide


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_insight_page_is_wider_than_the_window(browser, server, viewport):
    assert not too_wide(browser, server.url, PAGES, viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_nor_one_of_hostile_records(browser, hostile_server, viewport):
    paths = ("/insights", f"/insights/{HOSTILE_RATE}", f"/insights/{HOSTILE_FINDING}")
    assert not too_wide(browser, hostile_server.url, paths, viewport)
