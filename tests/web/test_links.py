"""No link leads nowhere: a crawler follows every link of the pages reachable from the overview (and from
a resource's blame, a person and an event) on the sample trail, the real invictus-aws logs and a trail of
hostile records, and every one answers (a 300 chooser for a name several resources share is an answer;
a 404 or a 500 is not)."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest

from cloudblame.queries.blame import blame
from cloudblame.store import Store

HREF = re.compile(r'\bhref="([^"]*)"')
PER_KIND = 3  # pages crawled per kind of link (path's first segment and query parameter names)
PAGING = {"after": "page", "before": "page", "offset": "page", "at": None}  # one kind: a page of the same search
ANSWERS = {200, 300}


def kind_of(url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the path's first segment, or two under /api/; the query's parameter names, paging ones as one)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")[1:3 if parts.path.startswith("/api/") else 2]
    names = {PAGING.get(k, k) for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - {None}
    return tuple(segments), tuple(sorted(n for n in names if n))


def links_of(page: str) -> list[str]:
    found = (html.unescape(h) for h in HREF.findall(page))
    return [h.split("#", 1)[0] for h in found if h.startswith("/") and not h.startswith("//")]


def crawl(client, starts: list[str], per_kind: int = PER_KIND) -> tuple[dict[str, int], dict[str, str]]:
    """Every link reachable from ``starts`` (at most ``per_kind`` of each kind): url -> status, and the
    page each was first found on."""
    status: dict[str, int] = {}
    found_on = {url: "(start)" for url in starts}
    kinds: dict[tuple, int] = {}
    queue = deque(starts)
    while queue:
        url = queue.popleft()
        response = client.get(url)
        status[url] = response.status_code
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        for link in links_of(response.text):
            kind = kind_of(link)
            if link in found_on or kinds.get(kind, 0) >= per_kind:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            found_on[link] = url
            queue.append(link)
    return status, found_on


def assert_every_link_answers(client, starts: list[str], per_kind: int = PER_KIND) -> dict[str, int]:
    status, found_on = crawl(client, starts, per_kind)
    broken = {url: (code, found_on[url]) for url, code in status.items() if code not in ANSWERS}
    assert not broken, broken
    return status


def starts_of(db) -> list[str]:
    """The overview, and a resource's blame, a person and an event of the store."""
    with Store.open(db, read_only=True) as store:
        row = store.query("SELECT resource_id, resource_type FROM resources WHERE created_event_id IS NOT NULL "
                          "ORDER BY events DESC, resource_id LIMIT 1")[0]
        result = blame(store, row["resource_id"], resource_type=row["resource_type"])
    created = result["created"]
    return ["/", f"/resources/{row['resource_id']}?type={row['resource_type']}", f"/events/{created['event_id']}",
            f"/people/{created['actor']['human']}"]


def test_crawler_finds_a_broken_link(demo_client):
    status, _ = crawl(demo_client, ["/events/no-such-event-id-at-all"], per_kind=0)
    assert status == {"/events/no-such-event-id-at-all": 404}
    with pytest.raises(AssertionError, match="no-such-event"):
        assert_every_link_answers(demo_client, ["/events/no-such-event-id-at-all"], per_kind=0)


def test_every_link_of_the_sample_trail_answers(demo_client, demo):
    status = assert_every_link_answers(demo_client, starts_of(demo[0]))
    pages = {kind_of(url)[0][0] for url in status}
    assert {"", "events", "resources", "people", "inventory", "forgotten", "api", "docs"} <= pages
    assert len(status) > 120


def test_every_link_of_the_invictus_logs_answers(invictus_client, invictus_db):
    assert len(assert_every_link_answers(invictus_client, starts_of(invictus_db))) > 100


def test_every_link_of_hostile_records_answers(hostile_client):
    status = assert_every_link_answers(hostile_client, ["/", "/forgotten?idle=1d", "/inventory?status=all",
                                                        "/insights", "/costs"])
    assert len(status) > 30 and {"/insights/badbadbadbad0001", "/insights/badbadbadbad0002"} <= set(status)


@pytest.mark.parametrize("path", ["/forgotten?idle=14d", "/forgotten?idle=1d"])
def test_forgotten_ask_links_answer(demo_client, path):
    page = demo_client.get(path).text
    asked = [link for link in links_of(page) if link.startswith(("/people/", "/inventory"))]
    assert asked
    for link in asked:
        assert demo_client.get(link).status_code == 200, link
