"""Issue #15, crash-safe, at random points: `cloudblame ingest` (with its worker processes: the input is over
4 MB) killed with SIGKILL, the whole process group, after a random delay (fixed seeds; delays spread over an
uninterrupted run's duration: workers reading and writing, commits, publish) leaves a store that answers
consistently from its last snapshot, ends identical to an uninterrupted ingest after a re-run, and holds no
data file that no commit names. (The same at chosen points, reached deterministically: test_lake_crash.py.)"""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import pytest

from cloudblame.store import Store
from tests.lake_helpers import (
    assert_same_content,
    broken_invariants,
    cli_ingest,
    content,
    kill_group,
    leftover_files,
    snapshot_rows,
    start,
    wait_group_gone,
)


@pytest.fixture(scope="module")
def trail(tmp_path_factory) -> Path:
    from cloudblame.demo.generator import generate_sample_trail

    root = tmp_path_factory.mktemp("crash-random") / "trail"
    summary = generate_sample_trail(root, records=32000, seed=67)
    assert summary.bytes > 4_000_000  # `cloudblame ingest` runs workers for it
    return root


@pytest.fixture(scope="module")
def reference(trail, tmp_path_factory) -> tuple[dict, float]:
    """The uninterrupted ingest's content, and how long it took."""
    db = tmp_path_factory.mktemp("reference") / "store"
    started = time.monotonic()
    proc = start(cli_ingest([trail], db))
    out, err = proc.communicate(timeout=300)
    took = time.monotonic() - started
    assert proc.returncode == 0, err[-3000:]
    assert json.loads(out)["new"] > 30000
    return content(db), took


def _started(db: Path) -> bool:  # the ingest registered its writer (it is listing and reading files)
    return any((db / ".writers").glob("*.lock"))


def _worker_file(db: Path) -> bool:  # a worker is writing its events files
    return any((db / "events").rglob("*.parquet"))


def _events_commit(db: Path) -> bool:  # the first events files are committed (ledger entries follow)
    return (db / "events" / "_delta_log" / f"{1:020d}.json").exists()


def _publishing(db: Path) -> bool:  # the publish has committed its first derived table
    return (db / "event_resources" / "_delta_log" / f"{1:020d}.json").exists()


# (seed, the moment the delay starts from, the range the delay is drawn from in seconds): the kills land while
# workers read and write, right after the first events commit (between commits), and during the publish.
KILLS = [(1, _started, (0.0, 1.0)), (2, _worker_file, (0.0, 0.05)), (3, _events_commit, (0.0, 0.1)),
         (4, _publishing, (0.0, 0.3)), (5, _publishing, (0.2, 0.8))]


def _wait_until(moment, db: Path, proc, timeout: float = 120.0) -> bool:
    """Wait until ``moment(db)`` holds (True), or the process ended first (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if moment(db):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError(f"{moment.__name__} did not happen within {timeout}s")


@pytest.mark.parametrize("seed,moment,delays", KILLS, ids=[f"seed{s}-{m.__name__[1:]}" for s, m, _ in KILLS])
def test_cli_ingest_killed_after_a_random_delay(seed, moment, delays, trail, reference, tmp_path):
    expected, took = reference
    db = tmp_path / "store"
    delay = random.Random(seed).uniform(*delays)
    proc = start(cli_ingest([trail], db))
    try:
        assert _wait_until(moment, db, proc), f"the ingest ended before {moment.__name__[1:]}"
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:  # still running: the kill lands
            pass
    finally:
        kill_group(proc)
        wait_group_gone(proc)
    proc.communicate()
    assert proc.returncode in (-9, 0), proc.returncode  # killed, or it had just finished ((a)-(c) hold as well)
    where = f"killed {delay:.2f}s after {moment.__name__[1:]} (an uninterrupted run takes {took:.1f}s)"

    if (db / "snapshots" / "_delta_log").is_dir():  # the store exists: (a) it answers from its last snapshot
        with Store.open(db, read_only=True) as store:
            broken = broken_invariants(store)
            assert not broken, f"{where}: the store is inconsistent: {broken}"
            published = {r["snapshot"]: r["events"] for r in snapshot_rows(db)}
            if store.snapshot is None:  # killed while the store was being created: nothing published, all empty
                assert not published, f"{where}: snapshots were published but the store opens on none"
                assert store.scalar("SELECT count(*) FROM events") == 0, f"{where}: events without a snapshot"
            else:
                assert published[store.snapshot.snapshot] == store.snapshot.events

    rerun = start(cli_ingest([trail], db))
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, f"{where}, the re-run failed:\n{err[-3000:]}"
    assert_same_content(expected, content(db), f"{where}, then ingested again")
    assert leftover_files(db) == {}, f"{where}: data files no commit names are left"
