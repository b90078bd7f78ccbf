"""The insights pages and their JSON twins over a composed store with insights planted
(tests/insight_store.py): /insights (filters as the CLI's, totals per kind and severity, paging, downloads),
/insights/{id} (the minute series drawn as SVG with its baseline, attributions, resources, events), the API
answering the CLI's JSON and its contracts, the home page's card, every link answering, and no page wider
than a laptop's or a phone's window."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest

from cloudblame.core.insight_contracts import InsightDetail, InsightsPage
from cloudblame.queries.anchor import time_anchor
from cloudblame.queries.insights import insight_detail, insights_page
from cloudblame.store import Store
from tests.insight_store import AWS_RATE, CALL_RATE, COST, ERROR_RATE, KEY, OPEN_RATE, PLANTED, SAME_PREFIX
from tests.web.conftest import client_for
from tests.web.test_charts import bars, page_charts
from tests.web.test_links import assert_every_link_answers, links_of


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from tests.insight_store import build_insight_store

    return build_insight_store(tmp_path_factory.mktemp("insight-pages"))


@pytest.fixture(scope="module")
def client(planted):
    with client_for(planted.db) as opened:
        yield opened


@pytest.fixture
def store(planted):
    with Store.open(planted.db, read_only=True) as opened:
        yield opened


NEXT = re.compile(r'<a href="([^"]*)" rel="next">')


def as_json(data):
    return json.loads(json.dumps(data))


def test_the_list_page_shows_every_insight_newest_first_with_totals(client, store):
    page = client.get("/insights")
    assert page.status_code == 200
    whole = insights_page(store, limit=50)
    shown = [link.removeprefix("/insights/") for link in dict.fromkeys(links_of(page.text))
             if link.startswith("/insights/")]
    assert shown == [i["id"] for i in whole["insights"]]
    assert set(PLANTED) <= set(shown)
    for kind, n in whole["by_kind"].items():
        assert f'<a href="/insights?kind={kind}">{kind}</a> <span class="muted">{n}</span>' in page.text
    assert "$6,701.40" in page.text and "$0.00" not in page.text
    assert 'aria-current="page"' in page.text.split('href="/insights"', 1)[1][:30]  # the nav marks the page


def test_filters_are_the_url_and_bad_ones_a_400(client, store):
    page = client.get("/insights?kind=api-call-rate&severity=high&person=alice")
    ids = {link.removeprefix("/insights/") for link in links_of(page.text) if link.startswith("/insights/")}
    assert ids & set(PLANTED) == {CALL_RATE}
    assert 'value="api-call-rate" checked' in page.text and 'value="high" checked' in page.text
    api = client.get("/api/insights?kind=api-call-rate&kind=api-error-rate&limit=2&offset=1").json()
    assert api == as_json(insights_page(store, kinds=["api-call-rate", "api-error-rate"], limit=2, offset=1))
    for bad in ("kind=api-rate", "severity=urgent", "source=amazon", "since=someday", "limit=0", "limit=5000"):
        assert client.get(f"/insights?{bad}").status_code == 400, bad
        assert client.get(f"/api/insights?{bad}").status_code == 400, bad


def test_paging_links_walk_through_every_insight(client, store):
    seen, url, pages = [], "/insights?limit=2", 0
    while url:
        text = client.get(url).text
        seen += [link.removeprefix("/insights/") for link in dict.fromkeys(links_of(text))
                 if link.startswith("/insights/")]
        following = NEXT.search(text)
        url, pages = html.unescape(following.group(1)) if following else None, pages + 1
    assert seen == [i["id"] for i in insights_page(store, limit=1000)["insights"]]
    assert pages == -(-len(seen) // 2)


def test_downloads_are_every_match(client, store):
    every = insights_page(store, limit=1000)["insights"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/insights/download?format=csv").text)))
    assert [r["id"] for r in rows] == [i["id"] for i in every]
    assert next(r for r in rows if r["id"] == COST)["monthly_cost_added"] == "6701.4"
    assert next(r for r in rows if r["id"] == CALL_RATE)["monthly_cost_added"] == ""  # unknown, not 0
    assert client.get("/api/insights/download?format=json&kind=cost-burst").json() == as_json(
        insights_page(store, kinds="cost-burst", limit=1000)["insights"])
    assert client.get("/api/insights/download?format=xml").status_code == 400


def test_the_detail_page_draws_the_series_with_its_baseline(client, store):
    detail = insight_detail(store, CALL_RATE)
    page = client.get(f"/insights/{CALL_RATE}")
    assert page.status_code == 200
    figure = page_charts(page.text)["chart-series"]
    drawn = bars(figure)
    assert [b["value"] for b in drawn] == [p["count"] for p in detail["series"]]
    inside = [rect.get("data-key") for rect in figure.iter("rect") if rect.get("data-inside") == "true"]
    assert inside == [f"10:0{n}" for n in range(10)]
    assert drawn[0]["title"] == "2025-03-04T09:00:00Z · 0 calls"
    assert next(b for b in drawn if b["value"] == 3)["title"].endswith("3 calls (baseline 0.05)")
    baseline = figure.find(".//{*}g[@class='baseline']") or figure.find(".//g[@class='baseline']")
    assert baseline is not None and baseline.find("polyline") is not None
    assert baseline.find("line").get("class") == "reference"
    assert "Top callers" in page.text and "Top user agents" in page.text
    events = [link for link in links_of(page.text) if link.startswith("/events/")]
    assert {e["event_id"] for e in detail["events"]} == {link.removeprefix("/events/") for link in events}
    assert '/events?event_name=RunInstances&amp;account=111122223333&amp;region=eu-west-1' in page.text


def test_other_kinds_show_their_resources_and_events_and_no_chart(client, planted):
    page = client.get(f"/insights/{COST}")
    assert page.status_code == 200 and "chart-series" not in page.text
    resources = [unquote(link) for link in links_of(page.text) if link.startswith("/resources/")]
    assert "/resources/i-0burst00000000000?type=AWS::EC2::Instance&account=111122223333" in resources
    assert "GPU instance p3.2xlarge" in page.text
    assert {link.removeprefix("/events/") for link in links_of(page.text) if link.startswith("/events/")} == set(
        planted.run_ids[:3])
    assert "No event behind it in the store." in client.get(f"/insights/{SAME_PREFIX}").text


def test_a_prefix_resolves_or_offers_a_choice_and_unknown_is_404(client, store):
    assert client.get(f"/insights/{COST[:6]}").status_code == 200
    choice = client.get("/insights/a1b2c3")
    assert choice.status_code == 300
    assert {link for link in links_of(choice.text) if link.startswith("/insights/")} == {
        f"/insights/{i}" for i in (CALL_RATE, ERROR_RATE, SAME_PREFIX)}
    api = client.get("/api/insights/a1b2c3")
    assert api.status_code == 300 and len(api.json()["candidates"]) == 3
    assert client.get("/insights/ffffffffffff").status_code == 404
    assert client.get("/api/insights/ffffffffffff").status_code == 404
    assert client.get("/api/insights/a1b").status_code == 400
    assert client.get(f"/api/insights/{ERROR_RATE}").json() == as_json(insight_detail(store, ERROR_RATE))


def test_the_api_declares_its_contracts_and_answers_fit_them(client):
    from pydantic import TypeAdapter

    spec = client.get("/openapi.json").json()
    for route, url, shape in (("/api/insights", "/api/insights", InsightsPage),
                              ("/api/insights/{insight_id}", f"/api/insights/{CALL_RATE}", InsightDetail)):
        ok = spec["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{shape.__name__}"}, route
        TypeAdapter(shape).validate_python(client.get(url).json(), strict=False)
    for url in (f"/api/insights/{KEY}", f"/api/insights/{OPEN_RATE}", f"/api/insights/{AWS_RATE}"):
        TypeAdapter(InsightDetail).validate_python(client.get(url).json(), strict=False)


def test_the_home_page_counts_the_last_weeks_insights_by_severity(client, store):
    since = time_anchor(store).now - timedelta(days=7)
    counts = insights_page(store, since=since, limit=0)
    card = client.get("/").text.split('id="insights-card"', 1)[1].split("</li>", 1)[0]
    assert f"<strong>{counts['total']}</strong> insight" in card
    for severity, n in counts["by_severity"].items():
        assert f'severity={severity}">{n} {severity}</a>' in card
    assert counts["total"] >= 1  # the archive's last week holds the open one


def test_every_link_of_the_insights_pages_answers(client):
    status = assert_every_link_answers(client, ["/", "/insights", f"/insights/{CALL_RATE}", f"/insights/{COST}",
                                                "/insights/a1b2c3"])
    assert {f"/insights/{i}" for i in (CALL_RATE, COST, KEY)} <= set(status)


def test_the_sample_trails_burst_and_storm_are_on_the_pages(demo_client):
    """The sample trail plants a burst of RunInstances and a storm of AccessDenied: the derive steps find them
    and the pages show them, each with its series drawn against its baseline."""
    found = demo_client.get("/api/insights?kind=api-call-rate&kind=api-error-rate&limit=100").json()["insights"]
    burst = next(i for i in found if i["kind"] == "api-call-rate" and i["event_name"] == "RunInstances")
    storm = next(i for i in found if i["kind"] == "api-error-rate" and i["error_code"] == "AccessDenied")
    listed = demo_client.get("/insights").text
    for one in (burst, storm):
        assert f'href="/insights/{one["id"]}"' in listed
        page = demo_client.get(f"/insights/{one['id']}")
        drawn = page_charts(page.text)["chart-series"]
        rects = [r for r in drawn.iter("rect") if r.get("class") == "bar"]
        inside = [float(r.get("data-value")) for r in rects if r.get("data-inside") == "true"]
        outside = [float(r.get("data-value")) for r in rects if r.get("data-inside") != "true"]
        assert inside and max(inside) > max(outside, default=0), one["id"]
        events = {link for link in links_of(page.text) if link.startswith("/events/")}
        assert events and all(demo_client.get(link).status_code == 200 for link in sorted(events)[:3])
    assert '<strong>' in demo_client.get("/").text.split('id="insights-card"', 1)[1][:200]


def test_a_download_pages_through_every_match(client, store, monkeypatch):
    import cloudblame.web.insights as web_insights

    monkeypatch.setattr(web_insights, "MAX_LIMIT", 2)  # pages of two: the download still holds them all
    every = [i["id"] for i in insights_page(store, limit=1000)["insights"]]
    assert [i["id"] for i in client.get("/api/insights/download?format=json&rows=0").json()] == every
    assert [i["id"] for i in client.get("/api/insights/download?format=json&rows=3").json()] == every[:3]
