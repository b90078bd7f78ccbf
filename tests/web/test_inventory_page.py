"""The inventory page and its JSON twin on the sample trail: every filter, the sorts, paging, totals
(unknown cost is never $0), downloads equal to the CLI's; the overview links to it; a name several
resources share opens a chooser; the event history says where a page is and what presets count from."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app as cli_app
from cloudblame.queries.inventory import inventory
from cloudblame.store import Store
from tests.web.test_pages import as_json


@pytest.fixture(scope="module")
def store(demo):
    with Store.open(demo[0], read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def everything(store) -> list[dict]:
    """Every alive resource, as the library lists them (the expectations are computed from these)."""
    return as_json(inventory(store, limit=None))["resources"]


def api(client, query: str) -> dict:
    response = client.get(f"/api/inventory?{query}")
    assert response.status_code == 200, response.text
    return response.json()


def ids(items: list[dict]) -> set[tuple]:
    return {(i["type"], i["id"], i["account"]) for i in items}


def test_api_is_the_library_result_with_its_offset(demo_client, store):
    assert api(demo_client, "") == {**as_json(inventory(store, limit=50)), "offset": 0}
    body = api(demo_client, "owner=bob&limit=5&offset=1")
    assert body == {**as_json(inventory(store, owner="bob", limit=5, offset=1)), "offset": 1}


def test_resources_are_found_by_size(demo_client, everything):
    sizes = {i["size"]["instance_type"] for i in everything if "instance_type" in i["size"]}
    assert {"c6i.large", "t3.medium", "p3.2xlarge"} <= sizes
    for size in sizes:
        found = api(demo_client, f"size={size.upper()}&limit=1000")
        expected = [i for i in everything if size in {str(v) for v in i["size"].values()}]
        assert found["count"] == len(expected) and ids(found["resources"]) == ids(expected), size
    two = api(demo_client, "size=c6i.large&type=AWS::EC2::Instance")
    assert two["count"] == 2 and {i["owner"] for i in two["resources"]} == {"maria.lopez@example.com"}
    assert two["total_usd_per_month"] == round(sum(i["cost"]["usd_per_month"] for i in two["resources"]), 2)


@pytest.mark.parametrize(("query", "keep"), [
    ("owner=BOB", lambda i: (i["owner"] or "").lower() == "bob"),
    ("type=AWS::EC2::Instance&type=AWS::S3::Bucket", lambda i: i["type"] in ("AWS::EC2::Instance", "AWS::S3::Bucket")),
    ("tool=terraform", lambda i: i["created"] and i["created"]["tool"] == "terraform"),
    ("region=us-east-1", lambda i: i["region"] == "us-east-1"),
    ("account=111122223333", lambda i: i["account"] == "111122223333"),
    ("q=STOREFRONT", lambda i: "storefront" in json.dumps([i["id"], i["name"], i["type"], i["size"], i["tags"]]).lower()),
    ("min_usd=100", lambda i: (i["cost"]["usd_per_month"] or 0) >= 100),
    ("max_usd=$30.37", lambda i: i["cost"]["usd_per_month"] is not None and i["cost"]["usd_per_month"] <= 30.37),
    ("priced=false", lambda i: i["cost"]["usd_per_month"] is None),
    ("owner=bob&tool=console&min_usd=300", lambda i: i["owner"] == "bob" and i["created"]["tool"] == "console"
     and i["cost"]["usd_per_month"] >= 300),
])
def test_each_filter_lists_exactly_its_matches(demo_client, everything, query, keep):
    expected = [i for i in everything if keep(i)]
    found = api(demo_client, f"{query}&limit=1000")
    assert expected and found["count"] == len(expected) and ids(found["resources"]) == ids(expected)


def test_ages_and_activity_count_back_from_the_newest_event(demo_client, store, everything):
    newest = store.newest_event_time()
    ago = (newest - timedelta(days=21)).isoformat() + "Z"
    for query, keep in (("created_since=3w", lambda i: i["created"] and i["created"]["time"] >= ago),
                        ("created_before=3w", lambda i: (i["created"]["time"] if i["created"] else i["first_seen"])
                         <= ago),
                        ("active_since=3w", lambda i: i["last_activity"]["time"] >= ago),
                        ("idle_since=3w", lambda i: i["last_activity"]["time"] <= ago)):
        expected = [i for i in everything if keep(i)]
        found = api(demo_client, f"{query}&limit=1000")
        assert 0 < len(expected) < len(everything) and ids(found["resources"]) == ids(expected), query
    assert api(demo_client, f"created_since={ago}")["count"] == api(demo_client, "created_since=21d")["count"]


def test_deleted_resources_cost_nothing_and_are_not_unpriced(demo_client, demo, everything):
    gone = api(demo_client, "status=deleted&limit=1000")
    spot = next(e for e in demo[1].expected if e.name == "tom-load-test")
    assert spot.resource_id in {i["id"] for i in gone["resources"]}
    assert all(not i["alive"] and i["cost"]["usd_per_month"] is None for i in gone["resources"])
    assert gone["unpriced"] == 0 and gone["total_usd_per_month"] == 0.0
    both = api(demo_client, "status=all&limit=1")
    alive = api(demo_client, "limit=1")
    assert both["count"] == alive["count"] + gone["count"] == len(everything) + gone["count"]
    assert (both["total_usd_per_month"], both["unpriced"]) == (alive["total_usd_per_month"], alive["unpriced"])
    page = demo_client.get("/inventory?status=deleted&cols=resource&cols=status&cols=cost").text
    table = page.split('id="inventory"')[1]
    assert "none (deleted)" in table and "$0.00" not in table and "unknown" not in table
    assert "Their monthly cost: <strong>$0.00</strong>" in page  # known: nothing deleted costs anything now


def test_sorts(demo_client):
    costs = [i["cost"]["usd_per_month"] or 0 for i in api(demo_client, "limit=1000")["resources"]]
    assert costs == sorted(costs, reverse=True)
    for sort, reverse in (("oldest", False), ("newest", True)):
        items = api(demo_client, f"sort={sort}&limit=1000&status=all")["resources"]
        times = [i["created"]["time"] if i["created"] else i["first_seen"] for i in items]
        assert times == sorted(times, reverse=reverse), sort
    page = demo_client.get("/inventory?sort=oldest").text
    assert 'href="/inventory?sort=newest"' in page and "↑ oldest first" in page


def test_totals_of_what_is_shown_never_count_unknown_as_zero(demo_client, everything):
    priced = [i["cost"]["usd_per_month"] for i in everything if i["cost"]["usd_per_month"] is not None]
    unpriced = len(everything) - len(priced)
    body = api(demo_client, "limit=5")
    assert body["count"] == len(everything) and body["unpriced"] == unpriced > 0
    assert body["total_usd_per_month"] == round(sum(priced), 2)
    page = demo_client.get("/inventory").text
    assert f"${sum(priced):,.2f} + {unpriced} unpriced" in page
    unknown = demo_client.get("/inventory?priced=false&cols=resource&cols=cost").text
    assert f"unknown ({unpriced} unpriced)" in unknown
    cells = re.findall(r'<td class="col-cost num">(.*?)</td>', unknown, re.DOTALL)
    assert len(cells) == unpriced and all(">unknown<" in c for c in cells)


def test_paging_says_where_you_are(demo_client, everything):
    n = len(everything)
    first = demo_client.get("/inventory?limit=50").text
    assert f"1–50 of {n:,}" in first and 'rel="prev"' not in first
    next_url = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert next_url == "/inventory?offset=50"
    second = demo_client.get(next_url).text
    assert f"51–{min(100, n)} of {n:,}" in second
    prev_url = re.search(r'<a href="([^"]+)" rel="prev">', second).group(1).replace("&amp;", "&")
    assert prev_url == "/inventory"
    seen = []
    for offset in range(0, n, 50):
        seen += api(demo_client, f"offset={offset}")["resources"]
    assert [i["id"] for i in seen] == [i["id"] for i in everything]


def test_downloads_are_the_cli_output_of_the_same_filters(demo_client, demo):
    db = str(demo[0])
    got = demo_client.get("/api/inventory/download?format=json&owner=maria.lopez@example.com&rows=7")
    assert got.headers["content-disposition"] == 'attachment; filename="cloudblame-inventory.json"'
    cli = CliRunner().invoke(cli_app, ["inventory", "--db", db, "--owner", "maria.lopez@example.com", "--limit", "7",
                                       "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert got.json() == json.loads(cli.stdout)["resources"] and len(got.json()) == 7
    got_csv = demo_client.get("/api/inventory/download?format=csv&type=AWS::EC2::Instance&rows=0")
    cli_csv = CliRunner().invoke(cli_app, ["inventory", "--db", db, "--type", "AWS::EC2::Instance", "--limit", "0",
                                           "--format", "csv"])
    assert got_csv.headers["content-type"].startswith("text/csv") and got_csv.text == cli_csv.stdout
    sized = list(csv.DictReader(io.StringIO(
        demo_client.get("/api/inventory/download?format=csv&size=t3.medium&sort=oldest").text)))
    assert sized and {r["size.instance_type"] for r in sized} == {"t3.medium"}
    page = demo_client.get("/inventory?size=t3.medium&sort=oldest&offset=0").text
    assert 'href="/api/inventory/download?size=t3.medium&amp;sort=oldest&amp;format=csv"' in page


@pytest.mark.parametrize("query", ["sort=bogus", "status=gone", "min_usd=lots", "limit=0", "cols=nope",
                                   "created_since=yesterday", "priced=maybe", "offset=-1"])
def test_bad_parameters_are_a_400_with_the_reason(demo_client, query):
    body = demo_client.get(f"/api/inventory?{query}")
    assert body.status_code == 400 and body.json()["error"]
    assert demo_client.get(f"/inventory?{query}").status_code == 400


def test_overview_cards_and_owners_link_to_the_inventory(demo_client, store):
    page = demo_client.get("/").text
    assert '<a href="/inventory"><strong>' in page and 'href="/inventory?status=all"' in page
    assert 'href="/inventory?priced=false"' in page
    groups = inventory(store, by="owner", limit=0)["groups"]
    for g in groups:
        if g["key"] == "unknown":
            continue
        href = f'/inventory?owner={g["key"]}'
        linked = re.search(r'href="(/inventory\?owner=[^"]+)">' + re.escape(g["key"]) + "<", page)
        assert linked, g["key"]
        body = api(demo_client, linked.group(1).replace("&amp;", "&").split("?", 1)[1])
        assert body["count"] == g["resources"], href
    from cloudblame.web.forms import inventory_href
    assert inventory_href(owner="a b/c") == "/inventory?owner=a+b%2Fc"
    assert inventory_href(size="m4.16xlarge", status="all") == "/inventory?size=m4.16xlarge&status=all"


def test_a_name_several_resources_share_opens_a_chooser(demo_client):
    page = demo_client.get("/resources/orders-worker")
    assert page.status_code == 300
    assert "--type" not in page.text and "2 resources are called “orders-worker”: choose one." in page.text
    links = re.findall(r'<a class="resource" href="([^"]+)">', page.text)
    assert len(links) == 2
    titles = set()
    for link in links:
        one = demo_client.get(link.replace("&amp;", "&"))
        assert one.status_code == 200
        titles.add(re.search(r"<title>(.*?)</title>", one.text).group(1))
    assert len(titles) == 1  # the same name, two resources
    assert demo_client.get("/api/resources/orders-worker").status_code == 300  # the API keeps its candidates


def test_event_pages_say_where_they_are_and_presets_count_from_the_newest_event(demo_client, store, demo):
    first = demo_client.get("/events?limit=100").text
    assert f"1–100 of {demo[1].records:,}" in first
    second = demo_client.get(re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")).text
    assert f"101–200 of {demo[1].records:,}" in second
    back = demo_client.get(re.search(r'<a href="([^"]+)" rel="prev">', second).group(1).replace("&amp;", "&")).text
    assert f"1–100 of {demo[1].records:,}" in back
    newest = store.newest_event_time()
    week = demo_client.get("/api/events?range=7d&limit=1000").json()
    since = (newest - timedelta(days=7)).isoformat() + "Z"
    assert week["events"] and all(e["time"] >= since for e in week["events"])
    page = demo_client.get("/events?range=7d").text
    assert f"Last 7 days: from {since} to the newest stored event" in page


@pytest.mark.parametrize("path", [
    "/inventory", "/inventory?status=all&cols=type&cols=resource&cols=owner&cols=size&cols=tags&cols=last_activity",
    "/inventory?q=%3Cscript%3E", "/inventory?owner=%22%20onmouseover%3D%22window.__pwned%3D1%22%20x%3D%22",
    "/api/inventory/download?format=csv&status=all",
])
def test_hostile_values_are_escaped_on_the_inventory(hostile_client, path):
    from tests.web.hostile import INSTANCE, PAYLOADS
    from tests.web.test_security import tags_of

    page = hostile_client.get(path)
    assert page.status_code == 200, page.text
    if path.startswith("/api/"):
        assert INSTANCE in page.text  # a download is data, not a page: the values are there as they are
        return
    assert INSTANCE in page.text or "owner=" in path  # the hostile instance is listed, its values escaped
    for payload in PAYLOADS:
        assert payload not in page.text
    assert not [t for t, _ in tags_of(page.text) if t in ("img", "b", "iframe", "svg")]
