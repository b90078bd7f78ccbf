"""The activity table (calls and creations per day, person and tool) behind the home page and the
people index: it holds what the events say, after a first ingest and after later ones (computed here
from the events themselves, as an oracle independent of the derivation)."""

from __future__ import annotations

import pytest

from cloudblame.queries.overview import overview
from cloudblame.queries.people import people
from tests.conftest import build_store, dataset

HUMAN, KIND = "coalesce(e.resolved_human, e.actor)", "coalesce(e.resolved_kind, e.actor_kind)"
ACTIVITY_SQL = f"""
SELECT day, human, kind, tool, sum(events)::BIGINT AS events, sum(writes)::BIGINT AS writes,
       sum(errors)::BIGINT AS errors, min(first_time) AS first_time, max(last_time) AS last_time,
       sum(created)::BIGINT AS created
FROM (
    SELECT e.event_time::DATE AS day, {HUMAN} AS human, {KIND} AS kind, e.tool AS tool,
           count(*) AS events, count(*) FILTER (WHERE NOT coalesce(e.read_only, false)) AS writes,
           count(*) FILTER (WHERE e.error_code IS NOT NULL) AS errors,
           min(e.event_time) AS first_time, max(e.event_time) AS last_time, 0::BIGINT AS created
    FROM events e GROUP BY ALL
    UNION ALL
    SELECT r.event_time::DATE, {HUMAN}, {KIND}, e.tool, 0, 0, 0, NULL, NULL, count(*)
    FROM event_resources r JOIN events e ON e.event_id = r.event_id AND e.event_time = r.event_time
    WHERE r.action = 'create' AND NOT r.failed GROUP BY ALL
) GROUP BY ALL"""
ACTOR_NAMES_SQL = f"""
SELECT {HUMAN} AS name, 'actor' AS role, min(e.event_time) AS first_time, max(e.event_time) AS last_time,
       count(*) AS events, count(DISTINCT e.access_key_id) AS access_keys FROM events e
WHERE {HUMAN} IS NOT NULL GROUP BY ALL"""

ORDER = " ORDER BY day, human NULLS FIRST, kind NULLS FIRST, tool NULLS FIRST"


def _stored_equals_live(store) -> None:
    stored = store.query("SELECT * FROM activity" + ORDER)
    assert stored and stored == store.query(f"SELECT * FROM ({ACTIVITY_SQL})" + ORDER)
    assert store.query("SELECT * FROM identity_names WHERE role = 'actor' ORDER BY name") == \
        store.query(f"SELECT * FROM ({ACTOR_NAMES_SQL}) ORDER BY name")
    totals = store.query("SELECT sum(events)::BIGINT AS events, sum(errors)::BIGINT AS errors, "
                         "sum(created)::BIGINT AS created FROM activity")[0]
    assert totals == store.query(
        "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM events WHERE error_code IS NOT NULL) AS errors, "
        "(SELECT count(*) FROM event_resources WHERE action = 'create' AND NOT failed) AS created")[0]


def _pages(store) -> tuple:
    return overview(store), people(store), people(store, services=True)


@pytest.mark.parametrize("name", ["invictus-aws", "stratus-red-team"])
def test_activity_holds_what_the_events_say_after_each_ingest(tmp_path, name):
    files = sorted(p for p in dataset(name).rglob("*") if p.is_file() and p.suffix in (".json", ".gz", ".jsonl"))
    half = len(files) // 2
    store, _ = build_store(tmp_path / "store-store", *files[:half])
    try:
        _stored_equals_live(store)
        from cloudblame.pipeline.ingest import ingest_paths

        ingest_paths(store, [str(p) for p in files[half:]])  # the people and days grow
        _stored_equals_live(store)
        assert _pages(store)[1], "the dataset resolves no person"
    finally:
        store.close()
