"""A real browser (Debian's chromium driven by Playwright) on a real server: search by resource name,
open an event, follow it to the resource and to the person; the charts (SVG drawn on the server) and
their links; the copy button; hostile records never execute; not one console message or
Content-Security-Policy violation on any page. Screenshots go to a temporary folder, or to
$CLOUDBLAME_SCREENSHOTS (`make screenshots` refreshes the README's, in docs/screenshots/)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from tests.web.browsing import SCREENSHOTS, needs_chromium
from tests.web.test_security import HOSTILE_PAGES

pytestmark = needs_chromium


class Watched:
    """A page whose console messages, page errors, dialogs and CSP violations are recorded."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=base_url)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
            "{directive: e.violatedDirective, source: e.sourceFile}));")
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def violations(self) -> list[dict]:
        return self.page.evaluate("window.__violations")

    def assert_clean(self) -> None:
        """Nothing went wrong on the page now shown, nor on any before it (the CSP report is per page)."""
        assert not self.errors and not self.dialogs and not self.console, (self.errors, self.dialogs, self.console)
        assert self.violations() == []

    def close(self) -> None:
        self.context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover highlight in the picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


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
    assert page.locator("#chart-activity svg.chart-svg rect.bar").count() > 0
    assert page.locator("h1").inner_text() == "tom.becker@example.com"
    shot(page, "person")
    w.assert_clean()
    w.close()


def test_charts_are_svg_from_the_server_and_their_bars_link_to_the_events(browser, demo_server):
    w = Watched(browser, demo_server.url)
    requests: list[str] = []
    w.page.on("request", lambda r: requests.append(r.url))
    w.page.goto("/")
    for chart in ("chart-tools", "chart-people", "chart-creations", "chart-cost"):
        assert w.page.locator(f"#{chart} svg.chart-svg rect.bar").count() > 0, chart
    assert w.page.locator("#chart-tools .chart-legend a", has_text="terraform").count() == 1
    box = w.page.locator("#chart-tools svg.chart-svg").bounding_box()
    assert box["width"] > 400 and box["height"] > 150  # scaled to its box by app.css
    shot(w.page, "overview")
    static = [url for url in requests if "/static/" in url]  # the stylesheet by its hashed name; no script
    assert len(static) == 1 and re.search(r"/static/app\.[0-9a-f]{12}\.css$", static[0]), static
    bar = w.page.locator("#chart-tools a rect.bar[data-key='console']").first
    day, count = bar.get_attribute("data-day"), bar.get_attribute("data-value")
    bar.click()
    w.page.wait_for_url("**/events?tool=console&since=*")
    assert w.page.locator("#since").input_value().startswith(day)
    assert f"{int(count):,} event" in w.page.locator(".result-bar").inner_text()
    w.page.goto("/forgotten?idle=14d")
    assert w.page.locator("#chart-forgotten svg.chart-svg a rect.bar").count() > 0
    shot(w.page, "forgotten")
    assert all(url.startswith((demo_server.url, "data:")) for url in requests), requests
    w.assert_clean()
    w.close()


def test_an_owners_cost_bar_opens_their_inventory(browser, demo_server):
    w = Watched(browser, demo_server.url)
    w.page.goto("/")
    bar = w.page.locator("#chart-cost a").first
    owner = bar.get_attribute("href").split("owner=", 1)[1]
    bar.click()
    w.page.wait_for_url(f"**/inventory?owner={owner}")
    rows = w.page.locator("#inventory tbody tr")
    assert rows.count() > 0
    assert "Their monthly cost: $" in w.page.locator(".count").inner_text()
    shot(w.page, "inventory")
    w.assert_clean()
    w.close()


def every_page(server_url: str) -> list[str]:
    """One page of each kind the UI has, with its links followed from the sample trail's data."""
    import httpx

    api = httpx.get(f"{server_url}/api/events?limit=1&resource_name=tom-load-test").json()
    event = api["events"][0]
    resource = next(r["id"] for r in event["resources"] if r["id"].startswith("i-"))
    return ["/", "/events", "/events?range=7d&sort=time_asc&cols=time&cols=tool", f"/events/{event['event_id']}",
            f"/resources/{resource}", "/people", "/people?services=true", "/people/tom.becker@example.com",
            "/forgotten", "/forgotten?idle=14d", "/inventory", "/inventory?status=all&sort=oldest&q=i-",
            "/inventory?owner=tom.becker@example.com&cols=type&cols=cost", "/docs"]


def test_no_console_message_or_csp_violation_on_any_page(browser, demo_server):
    w = Watched(browser, demo_server.url)
    for path in every_page(demo_server.url):
        w.page.goto(path)
        w.page.wait_for_load_state("load")
        assert w.page.locator("h1").count() >= 1, path
        w.assert_clean()
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
    w.assert_clean()
    w.close()
