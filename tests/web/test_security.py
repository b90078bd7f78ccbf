"""Security of the web face: hostile record values are escaped everywhere, headers (CSP, nosniff) on
every response, no inline script, the token, the Host check, and errors without tracebacks."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from tests.web.conftest import client_for
from tests.web.hostile import (
    EVIL_BUCKET,
    EVIL_NAME,
    EVIL_USER,
    HOSTILE_FINDING,
    HOSTILE_RATE,
    IMG,
    INSTANCE,
    PAYLOADS,
    SCRIPT,
)
from tests.web.test_charts import bars, page_charts

HOSTILE_PAGES = [
    "/", "/events", "/events?cols=time&cols=user&cols=resource_name&cols=error&cols=source_ip&cols=tool",
    f"/events?text={quote('<script>')}", "/events/7d3f2e10-aaaa-bbbb-cccc-000000000101",
    "/events/7d3f2e10-aaaa-bbbb-cccc-000000000102", "/events/7d3f2e10-aaaa-bbbb-cccc-000000000103",
    f"/resources/{INSTANCE}", f"/resources/{quote(EVIL_BUCKET, safe='')}", "/people",
    f"/people/{quote(EVIL_USER, safe='')}", "/forgotten", "/insights", f"/insights?person={quote(EVIL_USER, safe='')}",
    f"/insights/{HOSTILE_RATE}", f"/insights/{HOSTILE_FINDING}",
]


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_values_are_escaped_on_every_page(hostile_client, path):
    page = hostile_client.get(path)
    assert page.status_code == 200, page.text
    for payload in PAYLOADS:
        assert payload not in page.text
    tags = tags_of(page.text)
    assert not [t for t, _ in tags if t in ("img", "b", "iframe")]
    assert all(attrs.get("class") in ("chart-svg", "swatch") for t, attrs in tags if t == "svg")  # our charts' only
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]
    # the attribute injection stayed text (x is a coordinate of the charts' bars and labels only)
    assert not [a for t, attrs in tags for a in attrs if a == "x" and t not in ("rect", "text")]
    for tag, attrs in tags:
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs


def test_hostile_values_are_kept_intact_as_text(hostile_client):
    page = hostile_client.get("/events/7d3f2e10-aaaa-bbbb-cccc-000000000101").text
    assert "aws-cli/2.15 &lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    person = hostile_client.get(f"/people/{quote(EVIL_USER, safe='')}")
    assert person.status_code == 200 and "mallory&lt;/script&gt;&lt;script&gt;" in person.text
    overview = hostile_client.get("/").text
    assert EVIL_USER in {b["key"] for b in bars(page_charts(overview)["chart-people"])}
    api = hostile_client.get(f"/api/resources/{INSTANCE}").json()
    assert api["resource"]["name"] == EVIL_NAME and api["tags"]["Project<svg onload=window.__pwned=1>"] == SCRIPT
    assert hostile_client.get("/api/events?text=__pwned").json()["count"]["count"] == 3


def test_hostile_values_in_downloads_stay_data(hostile_client):
    csv_text = hostile_client.get("/api/events/download?format=csv").text
    assert IMG.replace('"', '""') in csv_text  # quoted by the CSV writer, not interpreted
    downloaded = hostile_client.get("/api/events/download?format=json")
    assert downloaded.headers["content-type"] == "application/json"
    assert EVIL_USER in {e["actor"]["human"] for e in downloaded.json()}


SECURITY_PATHS = ["/", "/events", "/api/events", "/static/app.js", "/static/app.css", "/docs", "/openapi.json",
                  "/events/nope", "/api/events/nope", "/events?limit=0", "/nowhere"]


@pytest.mark.parametrize("path", SECURITY_PATHS)
def test_security_headers_on_every_response(demo_client, path):
    response = demo_client.get(path)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_pages_carry_no_inline_script_or_style(demo_client):
    for path in ("/", "/events", "/people", "/people/alice", "/forgotten", "/docs", "/resources/sandbox-nat"):
        tags = tags_of(demo_client.get(path).text)
        assert not [a for _, attrs in tags for a in attrs if a == "style" or a.startswith("on")], path
        assert not [t for t, _ in tags if t == "style"], path
        scripts = [attrs for t, attrs in tags if t == "script"]
        assert all(s.get("src") or s.get("type") == "application/json" for s in scripts), path


@pytest.mark.parametrize("path,reason", [
    ("/events?limit=abc", "limit"), ("/events?limit=5000", "limit must be between 1 and 1000"),
    ("/events?range=custom&since=yesterday-ish", "since: cannot read time"),
    ("/events?range=3w", "range must be one of"), ("/events?sort=random", "sort must be one of"),
    ("/events?read_only=maybe", "read_only must be true or false"), ("/events?cols=password", "unknown column"),
    ("/events?after=not-a-cursor", "bad paging cursor"),
    ("/events?since=2026-10-02&until=2026-10-01", "since is after"),
    ("/forgotten?idle=forever", "cannot read time"), ("/people?services=perhaps", "services"),
])
def test_bad_values_are_400_with_the_reason(demo_client, path, reason):
    page = demo_client.get(path)
    assert page.status_code == 400 and reason in page.text and "Traceback" not in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = demo_client.get("/api" + path)
    assert api.status_code == 400 and reason in api.json()["error"]


def test_download_rejects_bad_format_and_size(demo_client):
    assert "format must be csv or json" in demo_client.get("/api/events/download?format=xml").json()["error"]
    assert demo_client.get("/api/events/download?rows=-1").status_code == 400


def test_download_of_every_event_streams_them_all(demo_client):
    """rows=0: every matching event, whatever the count (streamed: no cap)."""
    total = demo_client.get("/api/events?limit=1").json()["count"]["count"]
    rows = demo_client.get("/api/events/download?format=json&rows=0").json()
    assert len(rows) == len({r["event_id"] for r in rows}) == total > 1000
    lines = demo_client.get("/api/events/download?format=csv&rows=0").text.splitlines()
    assert len(lines) == total + 1 and lines[0].startswith("time,event_id")


@pytest.mark.parametrize("path", ["/events/0000000000-nope", "/resources/vpc-doesnotexist", "/people/nobody-at-all",
                                  "/no/such/page"])
def test_unknown_ids_are_404_pages_and_json(demo_client, path):
    page = demo_client.get(path)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found" in page.text
    api = demo_client.get("/api" + path)
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    assert api.json()["status"] == 404 and api.json()["error"]


def test_token_is_checked_on_every_request(demo):
    with client_for(demo[0], token="s3cret-token") as client:
        for path in ("/", "/api/events", "/static/app.css", "/static/app.js", "/docs"):
            refused = client.get(path)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer", path
        assert client.get("/api/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/api/events", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert client.get("/events?token=nope").status_code == 401
        entry = client.get("/events?tool=console&token=s3cret-token", follow_redirects=False)
        assert entry.status_code == 303 and entry.headers["location"] == "/events?tool=console"
        cookie = entry.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert client.get("/events?tool=console").status_code == 200  # the cookie now carries it


def test_without_a_token_only_loopback_host_names_are_answered(demo_client):
    assert demo_client.get("/", headers={"Host": "localhost:8321"}).status_code == 200
    rebound = demo_client.get("/api/events", headers={"Host": "attacker.example:8321"})
    assert rebound.status_code == 400 and "only on localhost" in rebound.json()["error"]
