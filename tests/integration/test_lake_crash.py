"""Issue #15, crash-safe: an ingest killed (SIGKILL, the whole process group: the ingest and its workers) at
each point where it has done part of its reading and committing leaves a store that

(a) opens and answers consistently from its last published snapshot (every invariant of a snapshot),
(b) after a re-run of the same ingest ends identical to an uninterrupted ingest, every table, and
(c) holds no data file that no Delta commit names (what the dead ingest wrote and never committed is gone).

The kill points are reached deterministically: a subprocess runs the ingest with one step of it wrapped to
kill the process group at that step (tests/lake_crash.py). The input is a demo trail (workers: jobs=2) plus
copies of a few of its files under other paths, so every publish also deduplicates. (Kills inside the
publish: test_lake_crash_publish.py; after random delays of the plain CLI: test_lake_crash_random.py.)"""

from __future__ import annotations

import pytest

from tests.lake_crash import (
    ahead,
    consistent,
    kill_at,
    rerun_equals_reference,
)
from tests.lake_helpers import leftover_files

# Kill points reached in the ingest's reading and committing: (where, jobs, flush_rows, what must be left).
INGEST_POINTS = [
    ("before-the-first-events-commit", 2, None, "worker files"),  # workers wrote their files, none committed
    ("worker-writes-its-files", 2, None, None),  # a worker's file appears (it may be written or being written)
    ("between-an-events-commit-and-its-ledger-entry", 1, 2000, "events ahead"),
    ("before-the-publish", 2, None, "events ahead"),  # all committed and entered, nothing published
]


@pytest.mark.parametrize("where,jobs,flush_rows,left", INGEST_POINTS, ids=[p[0] for p in INGEST_POINTS])
def test_killed_while_ingesting(where, jobs, flush_rows, left, crash_inputs, crash_reference, tmp_path):
    db = tmp_path / "store"
    kill_at(db, crash_inputs, where, jobs=jobs, flush_rows=flush_rows)
    state = consistent(db)
    assert state == {"snapshot": 0, "events": 0}  # nothing published yet: the store answers as created
    if left == "worker files":
        assert leftover_files(db).get("events"), "the workers' uncommitted files were expected on disk"
    elif left == "events ahead":
        assert "events" in ahead(db), "committed but unpublished events were expected"
    rerun_equals_reference(db, crash_inputs, crash_reference)


def test_killed_twice_then_ingested_again(crash_inputs, crash_reference, tmp_path):
    """Killed in a publish, then killed again in the publish of the re-run (after it rolled the first one's
    derived tables back and derived again), then ingested to the end."""
    db = tmp_path / "store"
    kill_at(db, crash_inputs, "after-update-resources", jobs=2)
    assert consistent(db) == {"snapshot": 0, "events": 0}
    kill_at(db, crash_inputs, "after-update-activity", jobs=1)
    assert consistent(db) == {"snapshot": 0, "events": 0}
    assert set(ahead(db)) >= {"events", "calls", "activity"}
    rerun_equals_reference(db, crash_inputs, crash_reference)


def test_a_store_whose_creation_was_cut_short_reads_empty_and_takes_an_ingest(tmp_path, monkeypatch):
    """Killed between creating the tables and publishing the first (empty) snapshot: readers see an empty
    store (not an error), and the next ingest creates what is missing and publishes."""
    from cloudblame.pipeline.ingest import ingest_paths
    from cloudblame.store import Store
    from cloudblame.store.lake import Lake
    from tests.integration.sample_records import sample_records

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed before the first snapshot")

    monkeypatch.setattr(Lake, "publish", killed)
    with pytest.raises(KeyboardInterrupt):
        Lake.open(tmp_path / "s", create=True)
    monkeypatch.undo()
    assert Lake(tmp_path / "s").latest_snapshot() is None
    with Store.open(tmp_path / "s", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM event_rows") == 0 and store.query("SELECT * FROM resources") == []
    records, _ = sample_records()
    (tmp_path / "a.json").write_text(__import__("json").dumps({"Records": records}))
    with Store.open(tmp_path / "s") as store:
        assert ingest_paths(store, [str(tmp_path / "a.json")]).snapshot is not None
    with Store.open(tmp_path / "s", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM events") == len({r["eventID"] for r in records})
