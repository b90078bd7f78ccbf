"""The Event History query the page and the CLI share: source IP and free-text filters, sort orders,
keyset paging in both directions, the capped count, and the CLI options."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app as cli_app
from cloudblame.queries.events import SORTS, EventFilter, count_events, event_page, search_events
from cloudblame.store import Store
from cloudblame.web.forms import EventQuery, time_bounds
from tests.web.hostile import IMG, INSTANCE


@pytest.fixture(scope="module")
def store(demo):
    with Store.open(demo[0], read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def hostile(hostile_db):
    with Store.open(hostile_db, read_only=True) as s:
        yield s


def ids(rows):
    return [r["event_id"] for r in rows]


def test_source_ip_filter(store):
    ip = store.scalar("SELECT source_ip FROM events WHERE source_ip LIKE '%.%.%.%' "
                      "GROUP BY 1 ORDER BY count(*), 1 LIMIT 1")
    rows = search_events(store, EventFilter(source_ip=ip, limit=1000))
    assert rows and {r["source_ip"] for r in rows} == {ip}
    assert len(rows) == store.scalar("SELECT count(*) FROM events WHERE source_ip = ?", [ip])


def test_free_text_matches_names_users_resources_errors_and_agents(hostile):
    def texts(text):
        return {r["event_id"][-3:] for r in search_events(hostile, EventFilter(text=text, limit=100))}

    assert texts("createbucket") == {"102"}                # event name, any case
    assert texts("CAROL") == {"104"}                       # user
    assert texts("0badc0ffee") == {"101"}                  # resource id
    assert texts("onerror=") == {"101", "102", "103"}      # tag name of the instance, agent, error message
    assert texts("<b>accessdenied</b>") == {"103"}         # error code
    assert texts("aws-cli/2.15.30") == {"104"}             # user agent
    assert texts("window.__pwned") == {"101", "102", "103"}
    assert texts("window.%") == set() and texts("window_") == set()  # no wildcards: % and _ are plain text


def test_text_combines_with_other_filters(hostile):
    rows = search_events(hostile, EventFilter(text="pwned", event_name="CreateBucket"))
    assert [r["event_name"] for r in rows] == ["CreateBucket"]
    assert [r["event_name"] for r in search_events(hostile, EventFilter(text=IMG, resource_name=INSTANCE))] == [
        "RunInstances"]  # the instance's Name tag holds the text
    assert search_events(hostile, EventFilter(text=IMG, username="carol")) == []


@pytest.mark.parametrize("sort", list(SORTS))
def test_keyset_pages_cover_everything_once_in_both_directions(store, demo, sort):
    everything = ids(search_events(store, EventFilter(sort=sort, limit=100_000)))
    assert len(everything) == demo[1].records and len(set(everything)) == demo[1].records
    pages, f = [], EventFilter(sort=sort, limit=170)
    while True:
        page = event_page(store, f)
        pages.append(page)
        if not page["next"]:
            break
        f = EventFilter(sort=sort, limit=170, after=page["next"])
    assert [i for p in pages for i in ids(p["events"])] == everything and len(pages) == 12
    assert pages[0]["prev"] is None and all(p["prev"] for p in pages[1:])
    back, page = [], pages[-1]
    while page["prev"]:
        page = event_page(store, EventFilter(sort=sort, limit=170, before=page["prev"]))
        back = ids(page["events"]) + back
    assert back + ids(pages[-1]["events"]) == everything


def test_paging_keeps_the_filters(store):
    f = EventFilter(username="alice", read_only=True, limit=7)
    first = event_page(store, f)
    second = event_page(store, EventFilter(username="alice", read_only=True, limit=7, after=first["next"]))
    assert ids(first["events"]) + ids(second["events"]) == ids(search_events(store, EventFilter(
        username="alice", read_only=True, limit=14)))
    assert all(e["actor"]["human"] == "alice" and e["read_only"] for e in second["events"])


@pytest.mark.parametrize("bad,message", [
    (EventFilter(after="%%%"), "bad paging cursor"), (EventFilter(after="WyJ4Il0"), "another sort order"),
    (EventFilter(after="WyJub3QgYSB0aW1lIiwiaWQiXQ"), "bad paging cursor"),
    (EventFilter(after="WyJ4Il0", before="WyJ4Il0"), "not both"), (EventFilter(sort="size"), "sort must be one of"),
])
def test_bad_paging_values(store, bad, message):
    with pytest.raises(ValueError, match=message):
        event_page(store, bad)


def test_count_is_capped(store, demo):
    assert count_events(store, EventFilter()) == {"count": demo[1].records, "exact": True}
    assert count_events(store, EventFilter(read_only=True), cap=100) == {"count": 100, "exact": False}
    writes = store.scalar("SELECT count(*) FROM events WHERE NOT read_only")
    assert count_events(store, EventFilter(read_only=False)) == {"count": writes, "exact": True}


def test_time_presets_count_back_from_now_and_custom_is_absolute():
    now = datetime(2026, 11, 1, 12, 0)
    assert time_bounds(EventQuery(range="24h"), now) == (datetime(2026, 10, 31, 12, 0), None)
    assert time_bounds(EventQuery(range="90d", since="2020-01-01"), now) == (datetime(2026, 8, 3, 12, 0), None)
    assert time_bounds(EventQuery(range="all", since="2020-01-01"), now) == (None, None)
    assert time_bounds(EventQuery(since="2026-10-01T10:00", until="2026-10-02"), now) == (
        datetime(2026, 10, 1, 10, 0), datetime(2026, 10, 2))
    assert time_bounds(EventQuery(range="custom", since="7d"), now)[0] is not None


def test_cli_source_ip_text_and_sort_options(demo):
    db = str(demo[0])
    result = CliRunner().invoke(cli_app, ["events", "--db", db, "--text", "LAMBDA-EXEC", "--sort", "time_asc",
                                          "--limit", "500", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert all(any("lambda-exec" in (x["id"] + (x["name"] or "")).lower() for x in r["resources"])
               or "lambda-exec" in json.dumps(r).lower() for r in rows)
    ip = rows[0]["source_ip"]
    by_ip = CliRunner().invoke(cli_app, ["events", "--db", db, "--source-ip", ip, "--format", "json", "-n", "5"])
    assert {r["source_ip"] for r in json.loads(by_ip.stdout)} == {ip}
    bad = CliRunner().invoke(cli_app, ["events", "--db", db, "--sort", "size"])
    assert bad.exit_code == 2 and "'size' is not one of 'time_desc'" in bad.stderr  # a choice, checked as read
