"""Every page and its JSON twin on the project's own sample trail (2,000 records, known answers)."""

from __future__ import annotations

import csv
import io
import json
import re

import orjson
import pytest
from typer.testing import CliRunner

from cloudblame.cli import app as cli_app
from cloudblame.queries.blame import blame
from cloudblame.queries.event import get_event
from cloudblame.queries.events import EventFilter, search_events
from cloudblame.queries.inventory import forgotten
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people, person
from cloudblame.store import Store
from tests.web.test_charts import bars, page_charts

SPOTLIGHT_NAME = "tom-load-test"


def as_json(data):
    """What the library's result looks like after a trip through JSON (as the CLI prints it)."""
    return json.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))


@pytest.fixture(scope="module")
def store(demo):
    with Store.open(demo[0], read_only=True) as s:
        yield s


def test_overview_page_draws_four_charts_from_the_overview_query(demo_client, store, demo):
    page = demo_client.get("/")
    assert page.status_code == 200
    charts = page_charts(page.text)
    assert set(charts) == {"chart-tools", "chart-people", "chart-creations", "chart-cost"}
    data = overview(store)
    tools = {b["key"] for b in bars(charts["chart-tools"])}
    assert tools == {r["key"] for r in data["events_per_day_by_tool"]}
    people_chart = {b["key"] for b in bars(charts["chart-people"])}
    assert "maria.lopez@example.com" in people_chart and "config.amazonaws.com" not in people_chart
    total = sum(b["value"] for b in bars(charts["chart-tools"]))
    assert total == data["span"]["events"] == demo[1].records
    assert "<script" not in page.text  # the charts are SVG drawn on the server
    assert demo_client.get("/api/overview").json() == as_json(data)


def test_events_page_lists_the_newest_events_with_console_columns(demo_client, store, demo):
    page = demo_client.get("/events")
    assert page.status_code == 200
    for header in ("Event time", "Event name", "User name", "Event source", "Resource type", "Resource name",
                   "Tool", "Error"):
        assert f">{header}" in page.text
    assert f"{demo[1].records:,}\n    events match" in page.text or f"{demo[1].records:,}" in page.text
    newest = search_events(store, EventFilter(limit=50))
    ids = re.findall(r'<a class="event" href="/events/([0-9a-f-]+)">', page.text)
    assert ids == [e["event_id"] for e in newest]


def test_events_api_pages_through_everything_with_cursors(demo_client, store, demo):
    everything = [e["event_id"] for e in search_events(store, EventFilter(limit=100_000))]
    seen, url, pages = [], "/api/events?limit=300", 0
    while url:
        body = demo_client.get(url).json()
        seen += [e["event_id"] for e in body["events"]]
        pages += 1
        url = f"/api/events?limit=300&after={body['next']}" if body["next"] else None
    assert seen == everything and pages == 7
    assert body["count"] == {"count": demo[1].records, "exact": True}
    back = demo_client.get(f"/api/events?limit=300&before={body['prev']}").json()
    assert [e["event_id"] for e in back["events"]] == everything[1500:1800]


def test_events_page_links_to_the_next_and_previous_pages(demo_client):
    first = demo_client.get("/events?limit=25&sort=time_asc")
    next_url = re.search(r'<a href="([^"]+)" rel="next">', first.text).group(1).replace("&amp;", "&")
    assert "sort=time_asc" in next_url and "limit=25" in next_url and "after=" in next_url
    second = demo_client.get(next_url)
    prev_url = re.search(r'<a href="([^"]+)" rel="prev">', second.text).group(1).replace("&amp;", "&")
    again = demo_client.get(prev_url)
    ids = re.compile(r'<a class="event" href="/events/([0-9a-f-]+)">')
    assert ids.findall(again.text) == ids.findall(first.text)
    assert ids.findall(second.text) and set(ids.findall(second.text)).isdisjoint(ids.findall(first.text))


def test_filters_combine_and_the_url_holds_them(demo_client, store):
    url = "/api/events?username=maria.lopez@example.com&read_only=false&tool=terraform&limit=1000"
    body = demo_client.get(url).json()
    assert body["events"]
    assert all(e["actor"]["human"] == "maria.lopez@example.com" and e["tool"]["id"] == "terraform"
               and e["read_only"] is False for e in body["events"])
    assert body["filters"] == {"username": "maria.lopez@example.com", "read_only": False, "tool": "terraform"}
    expected = search_events(store, EventFilter(username="maria.lopez@example.com", read_only=False, tool="terraform",
                                                limit=1000))
    assert body["events"] == as_json(expected)
    page = demo_client.get(url.replace("/api/events", "/events").replace("limit=1000", "limit=100"))
    assert 'value="maria.lopez@example.com"' in page.text and '<option value="false" selected>' in page.text


def test_absolute_time_range_and_resource_name_filters(demo_client):
    body = demo_client.get("/api/events?since=2026-10-10T00:00&until=2026-10-11T00:00&limit=1000").json()
    assert body["events"] and all("2026-10-10T" in e["time"] for e in body["events"])
    named = demo_client.get(f"/api/events?resource_name={SPOTLIGHT_NAME}").json()
    assert "RunInstances" in {e["event_name"] for e in named["events"]}
    assert all(any(r["name"] == SPOTLIGHT_NAME for r in e["resources"]) for e in named["events"])


def test_sort_orders(demo_client):
    by_name = demo_client.get("/api/events?sort=event_name&limit=500").json()["events"]
    names = [e["event_name"] for e in by_name]
    assert names == sorted(names)
    oldest = demo_client.get("/api/events?sort=time_asc&limit=500").json()["events"]
    times = [e["time"] for e in oldest]
    assert times == sorted(times) and times[0] == "2026-10-01T00:14:29Z"
    by_user = demo_client.get("/api/events?sort=user&limit=500").json()["events"]
    users = [e["actor"]["human"] or "" for e in by_user]
    assert users == sorted(users)


def test_chosen_columns_are_the_only_ones_shown(demo_client):
    page = demo_client.get("/events?cols=time&cols=source_ip&cols=access_key&limit=5")
    headers = re.findall(r'<th scope="col" class="col-([a-z_]+)">', page.text)
    assert headers == ["time", "source_ip", "access_key"]
    assert 'name="cols" value="source_ip" checked' in page.text
    assert 'name="cols" value="tool">' in page.text


def test_downloads_are_the_cli_output_of_the_same_search(demo_client, demo):
    db = str(demo[0])
    got = demo_client.get("/api/events/download?format=json&tool=console&rows=100")
    assert got.headers["content-disposition"] == 'attachment; filename="cloudblame-events.json"'
    cli = CliRunner().invoke(cli_app, ["events", "--db", db, "--tool", "console", "--limit", "100", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert got.json() == json.loads(cli.stdout)
    got_csv = demo_client.get("/api/events/download?format=csv&tool=console&rows=100")
    cli_csv = CliRunner().invoke(cli_app, ["events", "--db", db, "--tool", "console", "--limit", "100",
                                           "--format", "csv"])
    assert got_csv.headers["content-type"].startswith("text/csv")
    assert got_csv.text == cli_csv.stdout
    rows = list(csv.DictReader(io.StringIO(got_csv.text)))
    assert len(rows) == 100 and {r["tool.id"] for r in rows} == {"console"}


def test_event_detail_page_and_api(demo_client, store):
    created = blame(store, SPOTLIGHT_NAME)["created"]
    page = demo_client.get(f"/events/{created['event_id']}")
    assert page.status_code == 200
    assert "tom.becker@example.com" in page.text and "RunInstances" in page.text
    assert re.search(r'<a class="resource" href="/resources/i-[0-9a-f]+\?type=AWS%3A%3AEC2%3A%3AInstance">', page.text)
    assert '<span class="nt">"eventName"</span>' in page.text  # highlighted on the server
    assert 'data-copy-target="raw-record"' in page.text and 'id="raw-record"' in page.text
    api = demo_client.get(f"/api/events/{created['event_id'][:10]}").json()  # a unique prefix is enough
    assert api == as_json(get_event(store, created["event_id"]))


def test_resource_page_shows_the_blame_and_timeline(demo_client, demo, store):
    sample = demo[1]
    spot = next(e for e in sample.expected if e.name == SPOTLIGHT_NAME)
    page = demo_client.get(f"/resources/{spot.resource_id}")
    assert page.status_code == 200
    assert f"{SPOTLIGHT_NAME} " in page.text and '<span class="tag delete">deleted</span>' in page.text
    created_at = page.text.index("<dt>Created</dt>")
    deleted_at = page.text.index("<dt>Deleted</dt>")
    assert 'href="/people/tom.becker@example.com"' in page.text[created_at:deleted_at]
    assert 'href="/people/maria.lopez@example.com"' in page.text[deleted_at:]
    result = blame(store, spot.resource_id)
    timeline_links = re.findall(r'<a class="event" href="/events/([0-9a-f-]+)">', page.text.split("Timeline", 1)[1])
    assert timeline_links == [t["event_id"] for t in result["timeline"]]
    assert demo_client.get(f"/api/resources/{spot.resource_id}").json() == as_json(result)


def test_resource_ids_with_slashes_and_ambiguous_names(demo_client):
    secret = demo_client.get("/api/resources/storefront/db-password").json()
    assert secret["resource"]["type"] == "AWS::SecretsManager::Secret"
    assert secret["created"]["actor"]["human"] == "maria.lopez@example.com"
    both = demo_client.get("/api/resources/orders-worker")
    assert both.status_code == 300
    assert {c["type"] for c in both.json()["candidates"]} == {"AWS::IAM::Role", "AWS::Lambda::Function"}
    page = demo_client.get("/resources/orders-worker")
    assert page.status_code == 300 and "/resources/orders-worker?type=AWS%3A%3ALambda%3A%3AFunction" in page.text
    one = demo_client.get("/resources/orders-worker?type=AWS::Lambda::Function")
    assert one.status_code == 200 and "alice" in one.text


def test_people_index_and_person_page(demo_client, store):
    index = demo_client.get("/people")
    assert index.status_code == 200
    assert 'href="/people/maria.lopez@example.com"' in index.text and "config.amazonaws.com" not in index.text
    assert "config.amazonaws.com" in demo_client.get("/people?services=true").text
    assert demo_client.get("/api/people").json() == as_json(people(store))
    page = demo_client.get("/people/tom.becker@example.com")
    assert page.status_code == 200
    assert bars(page_charts(page.text)["chart-activity"])
    data = person(store, "tom.becker@example.com")
    assert data["owned"]["resources"] and data["tools"]
    for item in data["owned"]["resources"]:
        assert f"/resources/{item['id']}" in page.text
    assert demo_client.get("/api/people/tom.becker@example.com").json() == as_json(data)


def test_person_page_for_a_name_with_slashes_and_spaces(demo_client):
    who = "github:example-org/platform-infra (refs/heads/main)"
    page = demo_client.get("/people/github:example-org/platform-infra%20(refs/heads/main)")
    assert page.status_code == 200 and "sandbox-eks" in page.text
    assert demo_client.get("/api/people/github:example-org/platform-infra%20(refs/heads/main)").json()["query"] == who


def test_forgotten_page_and_api(demo_client, store):
    page = demo_client.get("/forgotten?idle=14d")
    assert page.status_code == 200
    result = forgotten(store, idle="14d", by="owner")
    assert result["resources"] and result["count"] == len(result["resources"])  # the demo's are all listed
    costs = [i["cost"]["usd_per_month"] for i in result["resources"] if i["cost"]["usd_per_month"] is not None]
    assert costs == sorted(costs, reverse=True)
    for item in result["resources"]:
        assert f"/resources/{item['id']}" in page.text
    chart = {b["key"]: b["value"] for b in bars(page_charts(page.text)["chart-forgotten"])}
    by_owner: dict = {}
    for item in result["resources"]:  # the groups, summed here from the items
        by_owner[item["owner"] or "unknown"] = by_owner.get(item["owner"] or "unknown", 0) + (item["cost"]["usd_per_month"] or 0)
    assert {k: round(v, 2) for k, v in by_owner.items() if v} == {g["key"]: g["usd_per_month"] for g in result["groups"]
                                                               if g["usd_per_month"]}
    assert chart == {g["key"]: g["usd_per_month"] for g in result["groups"] if g["usd_per_month"]}
    api = demo_client.get("/api/forgotten?idle=14d").json()
    assert api == as_json({**result, "by_owner": result.pop("groups")})


def test_docs_page_lists_every_api_route(demo_client):
    spec = demo_client.get("/openapi.json").json()
    api_paths = [p for p in spec["paths"] if p.startswith("/api/")]
    assert {"/api/overview", "/api/events", "/api/events/download", "/api/events/{event_id}",
            "/api/resources/{resource}", "/api/people", "/api/people/{who}", "/api/forgotten",
            "/api/inventory", "/api/inventory/download", "/api/insights", "/api/insights/download",
            "/api/insights/{insight_id}", "/api/costs", "/api/costs/download", "/api/sync"} == set(api_paths)
    docs = demo_client.get("/docs")
    assert docs.status_code == 200
    for path in api_paths:
        assert f"GET {path}" in docs.text
    assert "cdn" not in docs.text.lower()


def test_our_static_files(demo_client):
    assert demo_client.get("/vendor/plotly.min.js").status_code == 404  # no chart library: SVG from the server
    assert demo_client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert demo_client.get("/static/app.css").headers["content-type"].startswith("text/css")
    for bad in ("/static/..%2Fapp.py", "/static/app.py", "/static/.hidden.js", "/static/nope.css"):
        assert demo_client.get(bad).status_code == 404, bad


def test_the_api_schema_declares_each_answer_by_its_contract_and_real_answers_fit_it(demo_client):
    """The 200 of each JSON route is its contract in /openapi.json, and what the route answers on the sample
    trail validates against that contract (pydantic reads the TypedDicts the queries are typed with)."""
    from pydantic import TypeAdapter

    from cloudblame.core import contracts

    spec = demo_client.get("/openapi.json").json()
    event_id = demo_client.get("/api/events?limit=1").json()["events"][0]["event_id"]
    resource = demo_client.get("/api/inventory?limit=1").json()["resources"][0]["id"]
    person = demo_client.get("/api/people").json()[0]["human"]
    routes = {"/api/overview": ("/api/overview", contracts.Overview),
              "/api/events": ("/api/events?limit=5", contracts.EventsApiPage),
              "/api/events/{event_id}": (f"/api/events/{event_id}", contracts.EventDetail),
              "/api/resources/{resource}": (f"/api/resources/{resource}", contracts.Blame),
              "/api/people/{who}": (f"/api/people/{person}", contracts.Person),
              "/api/forgotten": ("/api/forgotten?idle=7d", contracts.ForgottenByOwner),
              "/api/inventory": ("/api/inventory?limit=5", contracts.InventoryPage)}
    for route, (url, shape) in routes.items():
        ok = spec["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{shape.__name__}"}, route
        answer = demo_client.get(url)
        assert answer.status_code == 200, url
        TypeAdapter(shape).validate_python(answer.json(), strict=False)
    people_schema = spec["paths"]["/api/people"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert people_schema["items"] == {"$ref": "#/components/schemas/PersonRow"}
