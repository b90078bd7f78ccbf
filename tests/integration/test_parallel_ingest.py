"""Ingest with worker processes: the same store as in one process, duplicates across workers' batches
dropped once, and a worker that fails stops the ingest clearly without marking its files."""

from __future__ import annotations

import gzip
import pickle
import shutil

import orjson
import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.ingest import ingest_paths
from cloudblame.store import Store
from cloudblame.workers import ContentTask, FileTask, WorkerError, run_tasks, serve

SNAPSHOT = {
    "events": "SELECT event_id, event_time, event_name, actor, tool, raw FROM events ORDER BY event_id",
    "event_resources": "SELECT * FROM event_resources ORDER BY ALL",
    "credentials": "SELECT * FROM credentials ORDER BY ALL",
    "resources": "SELECT * EXCLUDE (events) FROM resources ORDER BY ALL",
    "files": "SELECT path, size, records FROM ingested_files ORDER BY path",
}


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel") / "trail"
    generate_sample_trail(root, records=3000, seed=11)
    return root


def _snapshot(store: Store) -> dict:
    return {name: store.conn.execute(sql).fetchall() for name, sql in SNAPSHOT.items()}


def test_two_workers_build_the_same_store_as_one_process(trail, tmp_path):
    with Store.open(tmp_path / "one.duckdb") as one, Store.open(tmp_path / "two.duckdb") as two:
        a = ingest_paths(one, [str(trail)], jobs=1)
        b = ingest_paths(two, [str(trail)], jobs=2, task_bytes=20_000, batch_size=700)
        assert (a.records, a.new, a.files_read) == (b.records, b.new, b.files_read)
        assert a.records > 2900 and b.bytes == a.bytes
        assert _snapshot(one) == _snapshot(two)


def test_a_copy_of_a_file_in_another_workers_batch_is_stored_once(trail, tmp_path):
    copies = tmp_path / "copies"
    first = sorted(trail.rglob("*.json.gz"))[0]
    for name in ("a", "b", "c"):
        (copies / name).mkdir(parents=True)
        shutil.copy(first, copies / name / first.name)
    records = len(orjson.loads(gzip.decompress(first.read_bytes()))["Records"])
    with Store.open(tmp_path / "s.duckdb") as store:
        summary = ingest_paths(store, [str(copies)], jobs=2, task_bytes=1)
        assert summary.records == 3 * records
        assert (summary.new, summary.duplicates) == (records, 2 * records)
        assert store.scalar("SELECT count(*) FROM events") == records
        rows = store.scalar("SELECT count(*) FROM event_resources")
        assert rows == store.scalar("SELECT count(*) FROM (SELECT DISTINCT * FROM event_resources)")


def test_worker_results_come_back_in_task_order(trail):
    files = sorted(trail.rglob("*.json.gz"))[:12]
    tasks = [ContentTask([(f.read_bytes(), _report(f))]) for f in files]
    batches = list(run_tasks(tasks, jobs=2))
    assert [b.files[0].path for b in batches] == [str(f) for f in files]
    assert all(b.rows > 0 for b in batches)


class ExplodingTask(FileTask):
    def run(self):
        raise OSError("disk on fire")


def test_a_task_that_fails_in_a_worker_raises_a_clear_error():
    with pytest.raises(WorkerError, match="disk on fire"):
        list(run_tasks([ExplodingTask([])], jobs=2))


def test_a_task_that_cannot_be_sent_to_a_worker_fails_at_once():
    class LocalTask(FileTask):  # not importable by the worker: cannot be pickled
        pass

    with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
        list(run_tasks([LocalTask([])], jobs=2))


def test_the_worker_loop_answers_each_task_then_stops_at_end_of_input(trail):
    import io

    from cloudblame.workers import _receive, _send

    f = sorted(trail.rglob("*.json.gz"))[0]
    inbox, outbox = io.BytesIO(), io.BytesIO()
    _send(inbox, ContentTask([(f.read_bytes(), _report(f))]))
    inbox.seek(0)
    serve(inbox, outbox)
    outbox.seek(0)
    ok, batch = _receive(outbox)
    assert ok and batch.rows == len(orjson.loads(gzip.decompress(f.read_bytes()))["Records"])


def _report(path):
    from cloudblame.sources.files import file_report

    return file_report(path)
