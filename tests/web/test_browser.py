"""A real browser (Debian's chromium driven by Playwright) on a real server: search by resource name,
open an event, follow it to the resource and to the person; charts drawn by the locally served
plotly.js; the copy button; hostile records never execute. Screenshots go to a temporary folder, or to
$CLOUDBLAME_SCREENSHOTS (`make screenshots` refreshes the README's, in docs/screenshots/)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.web.test_security import HOSTILE_PAGES

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("CLOUDBLAME_SCREENSHOTS") or Path(tempfile.gettempdir()) / "cloudblame-screenshots")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not at /usr/bin/chromium (`make test` installs it: apt-get install -y chromium)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, page errors, dialogs and CSP violations are recorded."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=base_url)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
            "{directive: e.violatedDirective, source: e.sourceFile}));")
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def violations(self) -> list[dict]:
        return self.page.evaluate("window.__violations")

    def close(self) -> None:
        self.context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover highlight in the picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


def only_plotly_style_attempts(violations: list[dict]) -> bool:
    """plotly.js tries to inject a <style> element, which the CSP blocks (app.css has the rules it
    needs); anything else (a script, our own code) would be a real violation."""
    return all(v["directive"] == "style-src-elem" and v["source"].endswith("/vendor/plotly.min.js")
               for v in violations)


def test_search_by_resource_name_then_event_then_resource_then_person(browser, demo_server):
    w = Watched(browser, demo_server.url)
    page = w.page
    page.goto("/events")
    page.get_by_role("textbox", name="Resource name").fill("tom-load-test")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/events?*resource_name=tom-load-test*")
    assert page.url.endswith("/events?resource_name=tom-load-test")  # empty fields and defaults stay out
    rows = page.locator("#events tbody tr")
    assert rows.count() >= 1
    shot(page, "events")

    page.locator("#events a.event", has_text="RunInstances").first.click()
    page.wait_for_url("**/events/*")
    assert page.locator("h1").inner_text().startswith("RunInstances")
    page.get_by_role("button", name="Copy").click()
    page.locator(".copied", has_text="copied").wait_for()
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["eventName"] == "RunInstances" and copied["eventID"] in page.url
    shot(page, "event")

    page.locator("table.grid a.resource", has_text="i-").first.click()
    page.wait_for_url("**/resources/i-*")
    assert "tom-load-test" in page.locator("h1").inner_text()
    assert page.locator("h1 .tag.delete").inner_text() == "deleted"
    shot(page, "resource")

    created = page.locator("dt:text-is('Created') + dd")
    created.locator("a.person", has_text="tom.becker@example.com").first.click()
    page.wait_for_url("**/people/tom.becker@example.com")
    page.locator("#chart-activity[data-drawn]").wait_for()
    assert page.locator("h1").inner_text() == "tom.becker@example.com"
    shot(page, "person")
    assert not w.errors and not w.dialogs and only_plotly_style_attempts(w.violations())
    w.close()


def test_charts_are_drawn_from_local_plotly(browser, demo_server):
    w = Watched(browser, demo_server.url)
    requests: list[str] = []
    w.page.on("request", lambda r: requests.append(r.url))
    w.page.goto("/")
    for chart in ("chart-tools", "chart-people", "chart-creations", "chart-cost"):
        w.page.locator(f"#{chart}[data-drawn] .main-svg").first.wait_for()
    assert w.page.locator("#chart-tools .legendtext", has_text="terraform").count() == 1
    shot(w.page, "overview")
    w.page.goto("/forgotten?idle=14d")
    w.page.locator("#chart-forgotten[data-drawn] .main-svg").first.wait_for()
    shot(w.page, "forgotten")
    assert all(url.startswith(demo_server.url) or url.startswith("data:") for url in requests), requests
    assert not w.errors and only_plotly_style_attempts(w.violations())
    w.close()


def test_time_range_controls(browser, demo_server):
    w = Watched(browser, demo_server.url)
    page = w.page
    page.goto("/events")
    page.locator("#since").fill("2026-10-10T00:00")
    assert page.locator("#range").input_value() == "custom"
    page.locator("#until").fill("2026-10-11T00:00")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**range=custom*")
    times = page.locator("#events td.col-time time").all_inner_texts()
    assert times and all(t.startswith("2026-10-10T") for t in times)
    page.locator("#range").select_option("7d")
    assert page.locator("#since").input_value() == ""
    w.close()


# Fire the events an injected handler would wait for on every element of the page.
DISPATCH_EVERYWHERE = """() => document.querySelectorAll('*').forEach(el => {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'load', 'error']) el.dispatchEvent(new Event(type));
})"""


def test_hostile_records_never_execute(browser, hostile_server):
    w = Watched(browser, hostile_server.url)
    for path in HOSTILE_PAGES:
        w.page.goto(path)
        w.page.wait_for_load_state("load")
        w.page.evaluate(DISPATCH_EVERYWHERE)
        assert w.page.evaluate("typeof window.__pwned") == "undefined", path
    w.page.goto("/people/" + quote("mallory</script><script>window.__pwned=1;alert(2)</script>", safe=""))
    assert "mallory</script>" in w.page.locator("h1").inner_text()
    assert w.page.evaluate("typeof window.__pwned") == "undefined"
    assert not w.dialogs and not w.errors
    assert only_plotly_style_attempts(w.violations())
    w.close()
