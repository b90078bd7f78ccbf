"""The queries on Spark (cloudblame.spark.SparkStore) answer as on the embedded engine, record for record: blame,
events, inventory, forgotten, who and insights over one store written by the embedded engine, read by both: here
the demo trail with live checks and CloudWatch readings added; test_spark_queries_dataset.py runs the same tests
on a real account's trail of ../shared/datasets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from cloudblame.core.errors import UserError
from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, count_events, event_page, search_events
from cloudblame.queries.insights import insight_detail, insights_page
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.queries.who import who
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from cloudblame.store.readings import append_and_publish
from cloudblame.store.tables import LIVE_STATE, USAGE_EVIDENCE
from tests.spark_fixtures import sample_store

pytest_plugins = ["tests.spark_fixtures"]


def add_readings(db: Path) -> None:
    """Live checks of the three costliest alive resources (the first checked twice: present, then gone) and
    CloudWatch readings of two (one idle, one in use), appended and published as `inventory --live` and
    `forgotten --metrics` do."""
    with Store.open(db, read_only=True) as store:
        alive = store.query("SELECT resource_type, resource_id, account_id, region, created_time, last_time "
                            "FROM inventory ORDER BY usd_per_month DESC NULLS LAST, resource_id LIMIT 3")
    lake = Lake.open(db)
    checked = max(r["last_time"] for r in alive) + timedelta(hours=1)
    checks = [(alive[0], "present", checked - timedelta(minutes=30)), (alive[0], "gone", checked),
              (alive[1], "stopped", checked), (alive[2], "present", checked)]
    append_and_publish(lake, LIVE_STATE, pa.Table.from_pylist([
        {"resource_type": r["resource_type"], "resource_id": r["resource_id"], "account_id": r["account_id"],
         "region": r["region"], "state": state, "aws_state": state, "size": '{"instance_type": "m5.large"}',
         "changed": "{}", "checked_at": at, "detail": None} for r, state, at in checks], schema=LIVE_STATE.schema),
        reason="test")
    append_and_publish(lake, USAGE_EVIDENCE, pa.Table.from_pylist([
        {"resource_type": r["resource_type"], "resource_id": r["resource_id"], "account_id": r["account_id"],
         "region": r["region"], "namespace": "AWS/EC2", "metric": "CPUUtilization", "statistic": "Maximum",
         "dimensions": "{}", "value": value, "datapoints": 14, "used_above": 5.0,
         "window_start": checked - timedelta(days=14), "window_end": checked, "read_at": checked, "verdict": verdict}
        for r, value, verdict in ((alive[1], 0.4, "idle"), (alive[2], 85.0, "used"))], schema=USAGE_EVIDENCE.schema),
        reason="test")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = sample_store(tmp_path_factory.mktemp("spark-queries"), 1500)
    add_readings(db)
    return db


def both_engines(db: Path, spark) -> Iterator[tuple[Store, Store]]:
    """The store at ``db`` read by the embedded engine and by Spark."""
    from cloudblame.spark import SparkStore

    with Store.open(db, read_only=True) as embedded, SparkStore.open(db, session=spark) as on_spark:
        yield embedded, on_spark


@pytest.fixture(scope="module")
def engines(demo_db, spark) -> Iterator[tuple[Store, Store]]:
    yield from both_engines(demo_db, spark)


def answer(store: Store, ask: Callable[[Store], Any]) -> Any:
    """What ``ask`` answers on ``store``, as JSON would carry it (a user error: its kind and message)."""
    try:
        return orjson.loads(orjson.dumps(ask(store), option=orjson.OPT_NON_STR_KEYS))
    except UserError as exc:
        return [type(exc).__name__, str(exc)]


def assert_same(engines: tuple[Store, Store], ask: Callable[[Store], Any]) -> Any:
    embedded, on_spark = engines
    expected = answer(embedded, ask)
    assert answer(on_spark, ask) == expected
    return expected


def people(store: Store, n: int) -> list[str]:
    """The ``n`` busiest humans the store names."""
    return [r["name"] for r in store.query(
        "SELECT name FROM identity_names WHERE role = 'actor' AND name NOT LIKE '%.amazonaws.com' "
        "ORDER BY events DESC, name LIMIT ?", [n])]


def test_blame(engines):
    embedded, _ = engines
    picks = embedded.query(  # deleted ones, alive ones (the costliest: with live checks), ones never created
        """(SELECT resource_id FROM resources WHERE deleted_event_id IS NOT NULL ORDER BY events DESC, resource_id LIMIT 2)
           UNION ALL (SELECT resource_id FROM inventory ORDER BY usd_per_month DESC NULLS LAST, resource_id LIMIT 2)
           UNION ALL (SELECT resource_id FROM resources WHERE NOT alive AND deleted_event_id IS NULL
                      ORDER BY resource_id LIMIT 1)""")
    assert len(picks) >= 3
    for pick in [*(p["resource_id"] for p in picks), "no-such-resource"]:
        assert_same(engines, lambda s, pick=pick: blame(s, pick))


def test_events(engines):
    embedded, _ = engines
    names = [r["resource_id"] for r in embedded.query(
        "SELECT resource_id FROM resources ORDER BY events DESC, resource_id LIMIT 2")]
    filters = [EventFilter(limit=25), EventFilter(limit=25, sort="event_name", error=True),
               EventFilter(limit=25, username=people(embedded, 2)), EventFilter(limit=25, resource_name=names),
               EventFilter(limit=25, resource_type="Instance", sort="time_asc"),
               EventFilter(limit=25, text="create", read_only=False)]
    for f in filters:
        assert_same(engines, lambda s, f=f: search_events(s, f))
    first = assert_same(engines, lambda s: event_page(s, EventFilter(limit=10, sort="user")))
    if first["next"]:  # the page after the cursor: the same keyset on both
        assert_same(engines, lambda s: event_page(s, EventFilter(limit=10, sort="user", after=first["next"])))
    assert_same(engines, lambda s: count_events(s, EventFilter(text="a")))


def test_inventory(engines):
    embedded, _ = engines
    for options in ({"status": "all", "sort": "oldest", "limit": None, "by": "type"},
                    {"size": ["m5.large", "gp3", "t3.micro"], "text": "a", "sort": "newest", "limit": 5, "offset": 2}):
        assert_same(engines, lambda s, options=options: inventory(s, **options))
    live = assert_same(engines, lambda s: inventory(s, view="live", by="owner"))
    checked = embedded.scalar("SELECT count(DISTINCT resource_id) FROM live_state")
    assert sum(n for state, n in live["view"]["states"].items() if state != "unchecked") == checked
    assert live["view"]["left_out"] == (1 if checked else 0)  # the one checked present, then gone


def test_forgotten(engines):
    for options in ({}, {"idle": "1d", "by": "tool", "limit": None}):
        assert_same(engines, lambda s, options=options: forgotten(s, **options))


def test_who(engines):
    embedded, _ = engines
    asked = people(embedded, 2) + [r["access_key_id"] for r in embedded.query(
        "SELECT access_key_id FROM calls WHERE access_key_id IS NOT NULL ORDER BY events DESC, access_key_id LIMIT 1")]
    assert_same(engines, lambda s: who(s, asked[0], limit=None))
    for query in [*asked[1:], "nobody-at-all"]:
        assert_same(engines, lambda s, query=query: who(s, query))


def test_insights(engines):
    embedded, _ = engines
    page = assert_same(engines, lambda s: insights_page(s, limit=200))
    assert_same(engines, lambda s: insights_page(s, severity=["high", "medium"], person=people(embedded, 3), limit=5))
    for kind in sorted({i["kind"] for i in page["insights"]})[:2]:  # one of two kinds (rate insights: series)
        first = next(i["id"] for i in page["insights"] if i["kind"] == kind)
        assert_same(engines, lambda s, first=first: insight_detail(s, first))


def test_registered_rows_temp_tables_and_day_views(engines):
    """What current_inventory (rows derived under another price table) and who (an identity's events) lean on."""
    embedded, _ = engines
    rows = pa.table({"resource_id": ["a", "b"], "events": [3, 4]})
    newest = embedded.newest_event_time()

    def ask(s: Store) -> Any:
        with s.registered(rows) as name, s.temp_table(
                "SELECT resource_id, events FROM resources WHERE events > ? ORDER BY events DESC LIMIT 3", [1]) as top:
            both = s.query(f"SELECT * FROM {name} UNION ALL BY NAME (SELECT events, resource_id FROM {top}) "
                           "ORDER BY events, resource_id")
        day = s.query(f"SELECT count(*) AS n, max(e.event_time) AS last FROM {s.events_from(days=[newest.date()])} e")
        return {"both": both, "day": day, "newest": s.newest_event_time(), "span": s.events_from(newest, newest) != ""}

    assert_same(engines, ask)
