"""The store's read layout: event_resources sorted by resource, every spelling of a resource in
resource_keys, events fetched by their (eventID, eventTime) keys; and the answers do not change."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.derive import shapes
from cloudblame.derive.shapes import events_by_key
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame, find_resources
from cloudblame.store import Store


def _resource_ids(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT resource_id FROM event_resources").fetchall()]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """A demo trail split by files: 60% ingested, then 2% (below the re-sort share), then the rest."""
    tmp = tmp_path_factory.mktemp("layout")
    generate_sample_trail(tmp / "trail", records=3000, seed=11)
    files = sorted(p for p in (tmp / "trail").rglob("*.json.gz"))
    cut1, cut2 = int(len(files) * 0.60), int(len(files) * 0.62)
    for part, chosen in (("first", files[:cut1]), ("second", files[cut1:cut2]), ("third", files[cut2:])):
        for f in chosen:
            target = tmp / part / f.relative_to(tmp / "trail")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    db = tmp / "s-store"
    with Store.open(db) as store:
        ingest_paths(store, [str(tmp / "first")])
    return tmp, db


def test_event_resources_are_sorted_by_resource_in_each_data_file(sample_store):
    """Each publish adds event_resources as one data file sorted by resource (a resource's rows are a
    row group or two of it)."""
    import pyarrow.parquet as pq

    tmp, db = sample_store
    with Store.open(db) as store:
        files = store.lake.table("event_resources").file_uris()
        assert len(files) == 1
        ids = pq.read_table(files[0], columns=["resource_id"]).column("resource_id").to_pylist()
        assert ids == sorted(ids) and len(ids) > 500 and len(_resource_ids(store)) == len(ids)


def test_every_spelling_of_a_resource_finds_it(sample_store):
    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        named = store.query("SELECT DISTINCT resource_type, resource_id, account_id, arn, name FROM event_resources "
                            "WHERE arn IS NOT NULL AND name IS NOT NULL AND name <> resource_id "
                            "AND resource_type IS NOT NULL ORDER BY resource_id LIMIT 5")
        assert named
        for r in named:
            wanted = (r["resource_type"], r["resource_id"], r["account_id"])
            for spelling in (r["resource_id"], r["arn"], r["name"], r["resource_id"].upper()):
                found = {(c["type"], c["id"], c["account"]) for c in find_resources(store, spelling)}
                assert wanted in found, spelling
        assert find_resources(store, "no-such-resource-anywhere") == []


def test_blame_answers_the_same_from_the_layout_as_from_a_scan(sample_store):
    """The timeline read through resource_keys and events_by_key equals a plain join over all rows."""
    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        rows = store.query("SELECT resource_type, resource_id, account_id FROM resources WHERE creator_known "
                           "ORDER BY resource_id LIMIT 25")
        assert len(rows) == 25
        for r in rows:
            result = blame(store, r["resource_id"], resource_type=r["resource_type"], account=r["account_id"])
            expected = store.query(
                f"SELECT e.event_id FROM event_resources x JOIN {shapes.EVENTS_FROM} "
                "ON e.event_id = x.event_id AND e.event_time = x.event_time "
                "WHERE x.resource_id = ? AND x.account_id IS NOT DISTINCT FROM ? "
                "AND (x.resource_type = ? OR x.resource_type IS NULL) ORDER BY e.event_time, e.event_id",
                [r["resource_id"], r["account_id"], r["resource_type"]])
            assert [t["event_id"] for t in result["timeline"]] == [e["event_id"] for e in expected]


def test_events_by_key_gives_the_same_rows_by_point_lookups_and_by_join(sample_store, monkeypatch):
    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        keys = [tuple(k) for k in store.conn.execute(
            "SELECT event_id, event_time FROM events ORDER BY hash(event_id) LIMIT 40").fetchall()]
        keys.append(("not-an-event", keys[0][1]))
        keys.append((keys[1][0], keys[1][1] + timedelta(seconds=1)))  # a known id at another time: no event
        by_points = events_by_key(store, keys)
        monkeypatch.setattr(shapes, "POINT_LOOKUPS", 5)
        by_join = events_by_key(store, keys)
        assert by_points == by_join
        assert sorted(by_points) == sorted(keys[:40])
        assert all(row["event_id"] == key[0] for key, row in by_points.items())


def test_newest_first_pages_are_the_same_with_and_without_the_lookback_windows(sample_store, monkeypatch):
    """Pages found window by window (a day, a week, a month back, then all) equal the plain top-N, for
    busy and rare users and across cursors."""
    from cloudblame.queries import events as events_module
    from cloudblame.queries.events import EventFilter, event_page

    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        users = [r[0] for r in store.conn.execute(
            "SELECT user_name FROM events WHERE user_name IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC").fetchall()]
        assert len(users) >= 3

        def pages(user):
            out, cursor = [], None
            for _ in range(4):
                page = event_page(store, EventFilter(username=user, limit=7, after=cursor))
                out.append([e["event_id"] for e in page["events"]])
                cursor = page["next"]
                if cursor is None:
                    break
            return out

        chosen = [users[0], users[len(users) // 2], users[-1]]
        windowed = [pages(u) for u in chosen]
        monkeypatch.setattr(events_module, "LOOKBACK", (None,))
        assert windowed == [pages(u) for u in chosen]
        assert any(len(p) > 1 for p in windowed)


def test_an_events_request_id_is_read_from_its_raw_record(sample_store):
    from cloudblame.queries.event import get_event

    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        event_id = store.scalar("SELECT event_id FROM events WHERE raw LIKE '%\"requestID\"%' LIMIT 1")
        event = get_event(store, event_id)
        assert event["request_id"] and event["request_id"] == event["raw"]["requestID"]
        assert "request_id" not in {r[0] for r in store.conn.execute("DESCRIBE events").fetchall()}


def test_username_by_its_spellings_finds_what_a_case_insensitive_scan_finds(sample_store, monkeypatch):
    """`--username` looks up the name's exact spellings and time span in identity_names first; the pages
    and counts equal those of comparing every event's names ignoring case."""
    from cloudblame.queries import events as events_module
    from cloudblame.queries.events import EventFilter, count_events, event_page

    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        names = [r[0] for r in store.conn.execute(
            "SELECT name FROM identity_names GROUP BY 1 ORDER BY min(events), name").fetchall()]
        assert len(names) >= 4
        asked = [names[0], names[-1].upper(), names[len(names) // 2].title(), "nobody-by-this-name"]

        def answers():
            out = []
            for name in asked:
                for limit in (3, 50):
                    out.append([e["event_id"] for e in event_page(store, EventFilter(username=name, limit=limit))["events"]])
                out.append(count_events(store, EventFilter(username=name)))
            return out

        by_spellings = answers()
        assert events_module.spellings_of(store, asked[1]).user_names + events_module.spellings_of(store, asked[1]).actors
        monkeypatch.setattr(events_module, "spellings_of", lambda store, name: None)
        assert by_spellings == answers()
        assert sum(1 for a in by_spellings if a and a != {"count": 0, "exact": True}) >= 6


def test_an_events_resources_are_its_stored_rows(sample_store):
    """Event pages derive an event's resources again from its record (event_resources is sorted by
    resource): the same rows ingest stored."""
    from cloudblame.queries.event import get_event

    _, db = sample_store
    with Store.open(db, read_only=True) as store:
        ids = [r[0] for r in store.conn.execute(
            "SELECT DISTINCT event_id FROM event_resources ORDER BY hash(event_id) LIMIT 60").fetchall()]
        for event_id in ids:
            stored = {(r["resource_type"], r["resource_id"], r["arn"], r["name"], r["action"]) for r in store.query(
                "SELECT resource_type, resource_id, arn, name, action FROM event_resources WHERE event_id = ?", [event_id])}
            shown = get_event(store, event_id)["resources"]
            assert {(r["type"], r["id"], r["arn"], r["name"], r["action"]) for r in shown} == stored
            assert len(shown) == len(stored)
