"""Issue #15, two ingests at once: two processes ingesting overlapping and separate folders into the same store
both finish (exit 0), and the store ends equal to one ingest of the same files, every table, each event once
(the overlap's events published once between them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.store import Store
from cloudblame.store.lake import Lake
from tests.lake_helpers import (
    assert_same_content,
    broken_invariants,
    cli_ingest,
    content,
    kill_group,
    leftover_files,
    python_script,
    snapshot_rows,
    start,
    wait_group_gone,
)

# Ingests of a few folders each, one after the other (a publish each), committing a few hundred events at a
# time: two of these at once interleave their commits, dedupes and publishes many times over.
BUSY_INGEST = """
    import json, sys
    import cloudblame.pipeline.ingest as ingest
    import cloudblame.pipeline.workers as workers
    from cloudblame.store.lake import Lake

    args = json.loads(sys.argv[1])
    workers.FLUSH_ROWS = 1000  # the in-process writer's commits (workers' processes keep their own)
    lake, paths, total = Lake.open(args["db"]), args["paths"], {"new": 0, "files_read": 0, "files_unchanged": 0}
    for chunk in [paths[i::4] for i in range(4)]:
        summary = ingest.ingest_paths(lake, chunk, jobs=args["jobs"], task_bytes=60_000)
        for key in total:
            total[key] += getattr(summary, key)
    print(json.dumps(total))
"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict:
    """The trail's day folders in two overlapping sets (each 60% of them: a fifth of the trail in both)."""
    root = tmp_path_factory.mktemp("concurrent") / "trail"
    generate_sample_trail(root, records=20000, seed=53)
    leaves = sorted({p.parent for p in root.rglob("*.json.gz")}, key=lambda d: (d.parts[-3:], str(d)))
    cut1, cut2 = len(leaves) * 2 // 5, len(leaves) * 3 // 5
    return {"root": root, "first": leaves[:cut2], "second": leaves[cut1:], "overlap": leaves[cut1:cut2]}


@pytest.fixture(scope="module")
def reference(folders, tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("reference") / "store"
    ingest_paths(Lake.open(db, create=True), [str(folders["root"])])
    return content(db)


def _run_both(first: list[str], second: list[str]) -> list[dict]:
    procs = [start(first), start(second)]
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, f"an ingest failed (exit {proc.returncode}):\n{err[-3000:]}"
            results.append(json.loads(out))
    finally:
        for proc in procs:
            kill_group(proc)
            wait_group_gone(proc)
    return results


def _check(db: Path, reference: dict, summaries: list[dict], folders: dict) -> None:
    assert_same_content(reference, content(db), "two ingests at once")
    total = reference["snapshot.events"][0][0]
    with Store.open(db, read_only=True) as store:
        assert not broken_invariants(store), broken_invariants(store)
        assert store.conn.execute("SELECT count(*), count(DISTINCT event_id) FROM event_rows").fetchall() == [
            (total, total)]
    # every event published once: what the two ingests report as new adds up to the store's events
    assert sum(s["new"] for s in summaries) == total, [s["new"] for s in summaries]
    overlap = sum(1 for d in folders["overlap"] for _ in d.glob("*.json.gz"))
    assert sum(s["files_read"] + s["files_unchanged"] for s in summaries) == len(reference["objects"]) + overlap
    published = [r["events"] for r in snapshot_rows(db)]
    assert published == sorted(published) and published[-1] == total
    assert leftover_files(db) == {}


def test_two_cli_ingests_of_overlapping_folders_at_once(folders, reference, tmp_path):
    db = tmp_path / "store"
    Lake.open(db, create=True)
    summaries = _run_both(cli_ingest(folders["first"], db), cli_ingest(folders["second"], db))
    _check(db, reference, summaries, folders)


def test_two_ingests_interleaving_many_commits_and_publishes(folders, reference, tmp_path):
    """One in-process, one with two worker processes, each four ingests in a row (the in-process one committing
    a few hundred events at a time), so their appends, dedupes and publishes interleave."""
    db = tmp_path / "store"
    Lake.open(db, create=True)
    args = [{"db": str(db), "paths": [str(d) for d in folders["first"]], "jobs": 1},
            {"db": str(db), "paths": [str(d) for d in folders["second"]][::-1], "jobs": 2}]
    summaries = _run_both(*(python_script(BUSY_INGEST) + [json.dumps(a)] for a in args))
    _check(db, reference, summaries, folders)
    assert len(snapshot_rows(db)) >= 6  # they did publish many times


def test_two_cli_ingests_at_once_into_a_store_that_does_not_exist_yet(folders, reference, tmp_path):
    db = tmp_path / "new-store"
    summaries = _run_both(cli_ingest(folders["first"], db), cli_ingest(folders["second"], db))
    _check(db, reference, summaries, folders)
