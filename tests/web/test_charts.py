"""The charts drawn on the server as SVG (web/charts.py): bars and their numbers, links, escaping of
hostile keys, the pages' charts against their queries; and the static files: hashed names kept for a
year, plain names revalidated, everything compressed."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

import pytest

from cloudblame.queries.overview import overview
from cloudblame.store import Store
from cloudblame.web import charts
from tests.web.hostile import PAYLOADS

CHART_BLOCK = re.compile(r'<div class="chart" id="([^"]+)">\s*(<figure class="chart-box">.*?</figure>)', re.DOTALL)


def parse(markup: str) -> ET.Element:
    """A chart's markup as XML (what the server writes is well-formed, whatever the keys hold)."""
    return ET.fromstring(str(markup))


def bars(figure: ET.Element) -> list[dict]:
    """Every bar: key, day (stacked charts), value, and the link around it (None when not linked)."""
    parent = {child: element for element in figure.iter() for child in element}
    return [{"key": rect.get("data-key"), "day": rect.get("data-day"), "value": float(rect.get("data-value")),
             "href": parent[rect].get("href") if parent[rect].tag == "a" else None, "title": rect.findtext("title")}
            for rect in figure.iter("rect") if rect.get("class") == "bar"]


def page_charts(html: str) -> dict[str, ET.Element]:
    """The charts of a page by the id of their box."""
    return {chart_id: parse(markup) for chart_id, markup in CHART_BLOCK.findall(html)}


ROWS = [
    {"day": "2025-01-01", "key": "terraform", "events": 3},
    {"day": "2025-01-01", "key": "console", "events": 5},
    {"day": "2025-01-04", "key": "terraform", "events": 4},
    {"day": "2025-01-04", "key": "other", "events": 1},
]


def test_stacked_bars_hold_every_row_with_tooltips_and_event_links():
    figure = parse(charts.stacked_per_day(ROWS, "Events per day by tool", link="tool"))
    drawn = bars(figure)
    assert sorted((b["day"], b["key"], b["value"]) for b in drawn) == sorted(
        (r["day"], r["key"], r["events"]) for r in ROWS)
    console = next(b for b in drawn if b["key"] == "console")
    assert console["title"] == "2025-01-01 · console: 5 events"
    assert console["href"] == "/events?tool=console&since=2025-01-01&until=2025-01-02"
    assert next(b for b in drawn if b["key"] == "other")["href"] is None  # many keys summed: nothing to link
    svg = figure.find("svg")
    assert svg.get("role") == "img" and "2025-01-01 to 2025-01-04: 13 events" in svg.get("aria-label")
    assert figure.findtext("figcaption") == "Events per day by tool"
    day_labels = [t.text for g in svg.findall("g[@class='axis']") for t in g.findall("text")]
    assert "2025-01-02" in day_labels and "2025-01-03" in day_labels  # days without events keep their place


def test_stacked_bars_stack_the_biggest_key_at_the_bottom_and_scale_to_the_axis():
    figure = parse(charts.stacked_per_day(ROWS, "t", link=None))
    first_day = [r for r in figure.iter("rect") if r.get("data-day") == "2025-01-01"]
    assert [r.get("data-key") for r in first_day] == ["terraform", "console"]  # 7 events in all against 5
    assert float(first_day[0].get("y")) > float(first_day[1].get("y"))  # drawn from the bottom up
    heights = {r.get("data-key"): float(r.get("height")) for r in first_day}
    assert heights["console"] / heights["terraform"] == pytest.approx(5 / 3, rel=0.02)
    assert not list(figure.iter("a")) and len(list(figure.iter("rect"))) == 4 + 3  # bars + legend swatches


def test_legend_gives_the_numbers_as_text_and_distinct_colours():
    figure = parse(charts.stacked_per_day(ROWS, "t", link="tool"))
    items = ["".join(li.itertext()).strip() for li in figure.iter("li")]
    assert items == ["terraform 7 events", "console 5 events", "other 1 events"]
    people = [f"person{i}@example.com" for i in range(12)]
    colours = charts.colours_of(people)
    assert len(set(colours.values())) == len(people)
    assert colours == charts.colours_of(people)  # the same keys get the same colours every time
    assert charts.colours_of(["terraform"])["terraform"] == charts.TOOL_COLOURS["terraform"]


def test_no_rows_no_chart():
    assert charts.stacked_per_day([], "t") is None
    assert charts.cost_by_owner([{"key": "bob", "usd_per_month": None}]) is None


def test_cost_bars_costliest_first_each_linking_to_the_owners_inventory():
    groups = [{"key": "alice", "usd_per_month": 12.5}, {"key": "bob & co", "usd_per_month": 300.0},
              {"key": "carol", "usd_per_month": None}, {"key": "unknown", "usd_per_month": 4.0}]
    figure = parse(charts.cost_by_owner(groups))
    drawn = bars(figure)
    assert [(b["key"], b["value"]) for b in drawn] == [("bob & co", 300.0), ("alice", 12.5), ("unknown", 4.0)]
    assert drawn[0]["href"] == "/inventory?owner=bob+%26+co"
    assert dict(parse_qsl(urlsplit(drawn[0]["href"]).query)) == {"owner": "bob & co"}
    assert drawn[2]["href"] is None  # no owner known: no inventory filter to link to
    links = list(figure.iter("a"))
    assert [a.get("aria-label") for a in links] == ["bob & co: $300.00 per month", "alice: $12.50 per month"]
    widths = [float(r.get("width")) for r in figure.iter("rect")]
    assert widths[0] / widths[1] == pytest.approx(300 / 12.5, rel=0.02)
    assert "$300.00" in [t.text for t in figure.iter("text")]


def test_hostile_keys_stay_text():
    rows = [{"day": "2025-01-02", "key": payload, "events": i + 1} for i, payload in enumerate(PAYLOADS)]
    groups = [{"key": payload, "usd_per_month": float(i + 1)} for i, payload in enumerate(PAYLOADS)]
    for markup in (charts.stacked_per_day(rows, "<b>title</b>", link="username"), charts.cost_by_owner(groups)):
        text = str(markup)
        for payload in PAYLOADS:
            assert payload not in text
        figure = parse(text)
        assert {b["key"] for b in bars(figure)} == set(PAYLOADS)
        for element in figure.iter():
            assert element.tag in {"figure", "figcaption", "svg", "title", "g", "line", "text", "a", "rect", "ul",
                                   "li", "span"}, element.tag
            assert not [name for name in element.attrib if name.startswith("on")]
            assert element.get("href") is None or element.get("href").startswith(("/events?", "/inventory?"))


@pytest.fixture(scope="module")
def store(demo):
    with Store.open(demo[0], read_only=True) as s:
        yield s


def test_overview_charts_draw_the_overview_query(demo_client, store, demo):
    drawn = page_charts(demo_client.get("/").text)
    assert set(drawn) == {"chart-tools", "chart-people", "chart-creations", "chart-cost"}
    data = overview(store)
    for chart_id, rows, value in (("chart-tools", data["events_per_day_by_tool"], "events"),
                                  ("chart-people", data["events_per_day_by_person"], "events"),
                                  ("chart-creations", data["creations_per_day"], "resources")):
        assert sorted((b["day"], b["key"], b["value"]) for b in bars(drawn[chart_id])) == sorted(
            (r["day"], r["key"], r[value]) for r in rows), chart_id
    assert sum(b["value"] for b in bars(drawn["chart-tools"])) == data["span"]["events"] == demo[1].records
    cost = {b["key"]: b["value"] for b in bars(drawn["chart-cost"])}
    assert cost == {g["key"]: round(g["usd_per_month"], 2) for g in data["cost_by_owner"] if g["usd_per_month"]}


def test_a_bars_link_finds_the_events_it_counts(demo_client):
    drawn = page_charts(demo_client.get("/").text)
    for chart_id in ("chart-tools", "chart-people"):
        linked = [b for b in bars(drawn[chart_id]) if b["href"]]
        biggest = max(linked, key=lambda b: b["value"])
        found = demo_client.get("/api" + biggest["href"]).json()
        assert found["count"]["count"] == biggest["value"], (chart_id, biggest)


def test_pages_link_static_files_by_content_hash_kept_for_a_year(demo_client):
    page = demo_client.get("/events")
    css, js = (re.search(rf'"(/static/app\.[0-9a-f]{{12}}\.{ext})"', page.text).group(1) for ext in ("css", "js"))
    for url, media in ((css, "text/css"), (js, "text/javascript")):
        response = demo_client.get(url)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content == demo_client.get(url.replace(url.split(".")[1] + ".", "")).content
    assert demo_client.get("/static/app.000000000000.css").status_code == 404


def test_plain_static_names_are_revalidated_by_etag(demo_client):
    first = demo_client.get("/static/app.css")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    again = demo_client.get("/static/app.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    for bad in ("/static/..%2Fapp.py", "/static/app.py", "/static/.hidden.js", "/static/nope.css"):
        assert demo_client.get(bad).status_code == 404, bad


@pytest.mark.parametrize("path", ["/static/app.css", "/static/app.js", "/", "/events", "/api/events"])
def test_responses_are_compressed(demo_client, path):
    with demo_client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip" and "accept-encoding" in response.headers["vary"].lower()
        sent = b"".join(response.iter_raw())
    plain = demo_client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.status_code == 200
    assert gzip.decompress(sent) == plain.content and len(sent) < len(plain.content) / 2


def test_pages_without_copy_buttons_or_filters_load_no_script(demo_client):
    scripts = re.compile(r"<script\b[^>]*>")
    for path in ("/", "/forgotten", "/people", "/people/tom.becker@example.com"):
        assert not scripts.findall(demo_client.get(path).text), path
    for path in ("/events",):
        assert [s for s in scripts.findall(demo_client.get(path).text) if "/static/app." in s], path

