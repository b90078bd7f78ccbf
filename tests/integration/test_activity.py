"""The activity table (calls and creations per day, person and tool) behind the home page and the
people index: it holds what the events say, after a first ingest and after later ones, and the pages
answer the same from it as from the events while it is behind them."""

from __future__ import annotations

import pytest

from cloudblame.queries import overview as overview_module
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people
from cloudblame.store.lifecycle import ACTIVITY_SQL, ACTOR_NAMES_SQL
from tests.conftest import build_store, dataset

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
def test_activity_holds_what_the_events_say_after_each_ingest(tmp_path, name, monkeypatch):
    files = sorted(p for p in dataset(name).rglob("*") if p.is_file() and p.suffix in (".json", ".gz", ".jsonl"))
    half = len(files) // 2
    store, _ = build_store(tmp_path / "store.duckdb", *files[:half])
    try:
        _stored_equals_live(store)
        from cloudblame.ingest import ingest_paths

        ingest_paths(store, [str(p) for p in files[half:]])  # the people and days grow
        _stored_equals_live(store)
        from_table = _pages(store)
        assert from_table[1], "the dataset resolves no person"
        monkeypatch.setattr(overview_module, "derived_tables_stale", lambda s: True)  # as while behind the events
        assert _pages(store) == from_table
    finally:
        store.close()
