"""Issue #15, readers never wait and no reader sees half a commit: a reader pins one published snapshot and
answers from it identically however much is committed and published meanwhile; readers opened while an
ingest commits and publishes (in another process) see one of the published states, whole, never one in
between; and opening or querying a store never waits for a writer's locks."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from tests.lake_helpers import (
    broken_invariants,
    kill_group,
    python_script,
    snapshot_rows,
    start,
    table_rows,
    wait_group_gone,
)

# Ingests of several batches, one after the other (a publish each), each committing its events a few hundred
# at a time, and each publish slowed down once it has committed event_resources, credentials, session_keys,
# resources and resource_keys (derived tables ahead of the published snapshot for a while): a reader that
# followed the tables rather than the snapshot would see events and derived facts that do not agree.
SLOW_INGEST = """
    import json, sys, time
    import cloudblame.derive.publish as publish
    import cloudblame.pipeline.ingest as ingest
    import cloudblame.pipeline.workers as workers
    from cloudblame.store.lake import Lake

    args = json.loads(sys.argv[1])
    workers.FLUSH_ROWS = args["flush_rows"]  # the in-process writer commits every few hundred events
    real = publish.update_resources

    def slow(*a, **k):
        changed = real(*a, **k)
        time.sleep(args["pause"])
        return changed

    publish.update_resources = slow
    lake = Lake.open(args["db"])
    for batch in args["batches"]:
        summary = ingest.ingest_paths(lake, batch, jobs=1, task_bytes=args["task_bytes"])
        print(json.dumps({"new": summary.new, "snapshot": summary.snapshot}), flush=True)
"""


@pytest.fixture(scope="module")
def trail(tmp_path_factory) -> list[list[str]]:
    """A demo trail's files in 8 batches (by delivery time)."""
    root = tmp_path_factory.mktemp("readers") / "trail"
    generate_sample_trail(root, records=12000, seed=41)
    files = sorted(str(p) for p in root.rglob("*.json.gz"))
    files.sort(key=lambda p: Path(p).name.split("_")[3])  # delivery time
    return [files[len(files) * i // 8: len(files) * (i + 1) // 8] for i in range(8)]


def _fingerprint(store: Store) -> tuple:
    """Cheap to compute, and changed by any row added, removed or altered in the main tables."""
    return store.conn.execute(
        "SELECT (SELECT count(*) FROM event_rows), (SELECT sum(hash(event_id, raw)) FROM event_rows), "
        "(SELECT count(*) FROM event_resources), (SELECT sum(hash(r)) FROM resources r), "
        "(SELECT sum(events) FROM calls), (SELECT count(*) FROM session_actors), (SELECT count(*) FROM inventory)"
    ).fetchall()[0]


def test_readers_see_whole_published_snapshots_while_another_process_ingests(trail, tmp_path):
    db = tmp_path / "store"
    ingest_paths(Lake.open(db, create=True), trail[0], jobs=1)
    old = Store.open(db, read_only=True)
    before, before_print = table_rows(old), _fingerprint(old)
    assert old.snapshot.events > 0 and not broken_invariants(old)

    args = {"db": str(db), "batches": trail[1:7], "flush_rows": 500, "task_bytes": 40_000, "pause": 0.25}
    proc = start(python_script(SLOW_INGEST) + [json.dumps(args)])
    seen: dict[int, int] = {}  # snapshot -> count(event_rows) a reader opened meanwhile saw
    bad: list[str] = []
    readers, deadline = 0, time.monotonic() + 240
    try:
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the ingest did not end within 240s"
            with Store.open(db, read_only=True) as store:
                readers += 1
                count = store.conn.execute("SELECT count(*) FROM event_rows").fetchall()[0][0]
                seen.setdefault(store.snapshot.snapshot, count)
                if seen[store.snapshot.snapshot] != count:
                    bad.append(f"snapshot {store.snapshot.snapshot} read as {seen[store.snapshot.snapshot]} "
                               f"and as {count} events")
                broken = broken_invariants(store)
                if broken:
                    bad.append(f"snapshot {store.snapshot.snapshot}: {broken}")
            if _fingerprint(old) != before_print:
                bad.append(f"the reader opened before the ingest changed after {readers} readers")
        out, err = proc.communicate(timeout=120)
    finally:
        kill_group(proc)
        wait_group_gone(proc)
    assert proc.returncode == 0, err[-3000:]
    assert not bad, "\n".join(bad[:10])

    published = {r["snapshot"]: r["events"] for r in snapshot_rows(db)}
    wrong = {s: (n, published.get(s)) for s, n in seen.items() if published.get(s) != n}
    assert not wrong, f"readers saw counts that no snapshot published (snapshot: (seen, published)): {wrong}"
    during = [s for s in seen if s > old.snapshot.snapshot]
    # the ingest published many times and readers opened meanwhile saw some of those states
    assert len(published) >= 8 and len(during) >= 3, (published, seen)

    # the reader opened before: still the old snapshot, identical in every table
    assert table_rows(old) == before
    old.close()
    with Store.open(db, read_only=True) as new:
        assert new.snapshot.snapshot == max(published)
        total = len({e for batch in trail[:7] for e in _event_ids(batch)})
        assert new.snapshot.events == total == new.conn.execute("SELECT count(*) FROM event_rows").fetchall()[0][0]
        assert not broken_invariants(new)
    assert sum(json.loads(line)["new"] for line in out.splitlines()) == total - before["snapshot.events"][0][0]


def _event_ids(files: list[str]) -> set[str]:
    import gzip

    return {r["eventID"] for f in files for r in json.loads(gzip.decompress(Path(f).read_bytes()))["Records"]}


def test_a_reader_pinned_before_several_publishes_answers_as_before(trail, tmp_path):
    """In one process: a reader kept open across three more ingests (each a publish) answers exactly as it
    did; Store.refresh moves it to the newest snapshot, and a reader of an old snapshot still opens."""
    db = tmp_path / "store"
    lake = Lake.open(db, create=True)
    ingest_paths(lake, trail[0] + trail[1] + trail[2], jobs=1)
    old = Store.open(db, read_only=True)
    first = lake.latest_snapshot()
    before = table_rows(old)
    for batch in (trail[3] + trail[4], trail[5], trail[6] + trail[7]):
        ingest_paths(lake, batch, jobs=1)
        assert table_rows(old) == before
    again = Store.at(lake, first)  # the same snapshot opened after it was superseded
    assert table_rows(again) == before
    again.close()
    assert old.refresh() and old.snapshot.snapshot == lake.latest_snapshot().snapshot
    assert table_rows(old)["snapshot.events"] != before["snapshot.events"] and not broken_invariants(old)
    old.close()


HOLD_LOCKS = """
    import sys, time
    from cloudblame.store.lake import Lake

    lake = Lake.open(sys.argv[1])
    with lake.publish_lock(), lake.events_lock(), lake.writer():
        print("held", flush=True)
        time.sleep(120)
"""


def test_readers_never_wait_for_a_writers_locks(trail, tmp_path):
    """While another process holds the publish lock, the events lock and a writer registration (a publish
    under way), a reader opens and answers at once."""
    db = tmp_path / "store"
    ingest_paths(Lake.open(db, create=True), trail[0], jobs=1)
    holder = start(python_script(HOLD_LOCKS) + [str(db)])
    try:
        assert holder.stdout.readline().strip() == "held", holder.stderr.read()
        answers: list = []

        def read():
            started = time.monotonic()
            with Store.open(db, read_only=True) as store:
                answers.append((store.conn.execute("SELECT count(*) FROM events").fetchall()[0][0],
                                store.snapshot.events, time.monotonic() - started))

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        thread.join(timeout=20)
        assert not thread.is_alive(), "a reader waited for the writer's locks"
        (count, published, _), = answers
        assert count == published > 0
    finally:
        kill_group(holder)
        wait_group_gone(holder)
