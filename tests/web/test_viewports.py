"""Every page fits the screen: on a laptop (1366x768) and a phone (390x844) no page is wider than the
window (wide tables scroll inside their own box); the inventory's column chooser works without script.
Debian's chromium driven by Playwright, on a real server over the sample trail."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from cloudblame.queries.blame import blame
from cloudblame.store import Store
from tests.web.browsing import SCREENSHOTS, needs_chromium
from tests.web.test_pages import SPOTLIGHT_NAME

pytestmark = needs_chromium

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
ALL_EVENT_COLUMNS = "&".join(f"cols={c}" for c in ("time", "event_name", "user", "event_source", "resource_type",
                                                   "resource_name", "tool", "error", "region", "account",
                                                   "source_ip", "access_key", "read_only", "event_id"))
ALL_INVENTORY_COLUMNS = "&".join(f"cols={c}" for c in ("type", "resource", "status", "owner", "tool", "size",
                                                       "region", "account", "created", "last_activity", "cost",
                                                       "tags"))


@pytest.fixture(scope="module")
def pages(demo) -> list[str]:
    """A page of every kind, with the widest choices: every column, long names, a chooser, an error."""
    with Store.open(demo[0], read_only=True) as store:
        spot = blame(store, SPOTLIGHT_NAME)
    who = quote("github:example-org/platform-infra (refs/heads/main)", safe="/:")
    return ["/", "/events", f"/events?{ALL_EVENT_COLUMNS}&limit=200", "/inventory",
            f"/inventory?status=all&{ALL_INVENTORY_COLUMNS}&limit=200", "/people", "/people?services=true",
            "/people/tom.becker@example.com", f"/people/{who}", f"/resources/{spot['resource']['id']}",
            "/resources/storefront/db-password", "/resources/orders-worker", f"/events/{spot['created']['event_id']}",
            "/forgotten?idle=14d", "/insights", "/insights?since=7d&severity=high", "/costs", "/docs", "/no-such-page"]


def wider_than_the_window(page, paths, shown: str = "") -> dict[str, tuple[int, int]]:
    """(page width, window width) of each of ``paths`` wider than the window (``shown``: a locator each must show)."""
    too_wide = {}
    for path in paths:
        page.goto(path)
        if shown:
            assert page.locator(shown).count(), path
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            too_wide[path] = (width, inner)
    return too_wide


def screenshot(page, path: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(path)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_page_is_wider_than_the_window(browser, demo_server, pages, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=demo_server.url)
    page = context.new_page()
    too_wide = wider_than_the_window(page, pages)
    screenshot(page, "/inventory", f"inventory-{viewport}")
    context.close()
    assert not too_wide, too_wide


def test_a_wide_table_scrolls_inside_its_box_on_a_phone(browser, demo_server):
    context = browser.new_context(viewport=VIEWPORTS["phone"], base_url=demo_server.url)
    page = context.new_page()
    page.goto(f"/inventory?{ALL_INVENTORY_COLUMNS}")
    box = page.locator(".table-wrap", has=page.locator("#inventory"))
    inner, outer = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert inner > outer  # wider than the phone: it scrolls in its box, not the page
    box.evaluate("el => el.scrollLeft = el.scrollWidth")
    assert box.evaluate("el => el.scrollLeft") > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_the_column_chooser_works_without_script(browser, demo_server):
    context = browser.new_context(viewport=VIEWPORTS["phone"], base_url=demo_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/inventory")
    assert page.locator("#inventory th.col-tags").count() == 0
    page.locator("details.columns summary").click()
    page.get_by_role("checkbox", name="Tags").check()
    page.get_by_role("checkbox", name="Account").uncheck()
    page.locator("details.columns").get_by_role("button", name="Apply").click()
    page.wait_for_url("**/inventory?*cols=tags*")
    headers = page.locator("#inventory thead th").evaluate_all("ths => ths.map(th => th.className)")
    assert "col-tags" in headers and "col-account" not in headers and "col-cost num" in headers
    context.close()


@pytest.fixture(scope="module")
def billed_server(demo, tmp_path_factory):
    """The sample trail's store with a bill imported (tests/web/billed.py), served."""
    from tests.web.billed import billed_copy
    from tests.web.conftest import RunningServer

    with RunningServer(billed_copy(demo[0], tmp_path_factory.mktemp("billed-viewports"))[0]) as server:
        yield server


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_costs_page_is_wider_than_the_window(browser, billed_server, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=billed_server.url)
    page = context.new_page()
    too_wide = wider_than_the_window(page, ("/costs", "/costs?limit=0", "/costs?by=owner", "/costs?by=tool",
                                            "/costs?by=service", "/costs?period=2026-02", "/costs?period=1999-01"),
                                     shown="main table, #no-bill, h1")
    screenshot(page, "/costs", f"costs-{viewport}")
    context.close()
    assert not too_wide, too_wide
