"""Ingest with worker processes: the same store as in one process, duplicates across workers' batches
dropped once, and a worker that fails stops the ingest clearly without entering its files in the ledger."""

from __future__ import annotations

import gzip
import os
import pickle
import shutil

import orjson
import pyarrow.parquet as pq
import pytest

from cloudblame.demo.generator import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.pipeline.workers import ContentTask, FileTask, WorkerError, run_tasks, serve
from cloudblame.store import Store

SNAPSHOT = {
    "events": "SELECT event_id, event_time, event_name, actor, tool, raw FROM events ORDER BY event_id",
    "event_resources": "SELECT * FROM event_resources ORDER BY ALL",
    "credentials": "SELECT * FROM credentials ORDER BY ALL",
    "resources": "SELECT * EXCLUDE (events) FROM resources ORDER BY ALL",
    "files": "SELECT path, size, records FROM objects ORDER BY path",
}


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel") / "trail"
    generate_sample_trail(root, records=3000, seed=11)
    return root


def _snapshot(store: Store) -> dict:
    return {name: store.conn.execute(sql).fetchall() for name, sql in SNAPSHOT.items()}


def test_two_workers_build_the_same_store_as_one_process(trail, tmp_path):
    with Store.open(tmp_path / "one-store") as one, Store.open(tmp_path / "two-store") as two:
        a = ingest_paths(one, [str(trail)], jobs=1)
        b = ingest_paths(two, [str(trail)], jobs=2, task_bytes=20_000)
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
    with Store.open(tmp_path / "s-store") as store:
        summary = ingest_paths(store, [str(copies)], jobs=2, task_bytes=1)
        assert summary.records == 3 * records
        assert (summary.new, summary.duplicates) == (records, 2 * records)
        assert store.scalar("SELECT count(*) FROM events") == records
        rows = store.scalar("SELECT count(*) FROM event_resources")
        assert rows == store.scalar("SELECT count(*) FROM (SELECT DISTINCT * FROM event_resources)")


def test_worker_results_come_back_in_task_order_then_each_workers_files(trail, tmp_path):
    """Results in task order, each naming its files; then one last result per worker with the events data
    files it wrote (nothing written before: fewer events than a worker holds), which hold every event."""
    files = sorted(trail.rglob("*.json.gz"))[:12]
    tasks = [ContentTask([(f.read_bytes(), _report(f))]) for f in files]
    results = list(run_tasks(tasks, jobs=2, root=tmp_path, writer_id="test"))
    assert [r.files[0].path for _, r in results[:12]] == [str(f) for f in files]
    assert [w for w, _ in results[:12]] == [0, 1] * 6 and all(r.records > 0 and not r.written for _, r in results[:12])
    last = results[12:]
    assert sorted(w for w, _ in last) == [0, 1] and all(not r.files and r.written for _, r in last)
    written = [tmp_path / "events" / a.path for _, r in last for a in r.written]
    assert sum(pq.read_metadata(p).num_rows for p in written) == sum(r.records for _, r in results[:12])


class ExplodingTask(FileTask):
    def run(self, builder):
        raise OSError("disk on fire")


def test_a_task_that_fails_in_a_worker_raises_a_clear_error(tmp_path):
    with pytest.raises(WorkerError, match="disk on fire"):
        list(run_tasks([ExplodingTask([])], jobs=2, root=tmp_path, writer_id="test"))


def test_a_task_that_cannot_be_sent_to_a_worker_fails_at_once(tmp_path):
    class LocalTask(FileTask):  # not importable by the worker: cannot be pickled
        pass

    with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
        list(run_tasks([LocalTask([])], jobs=2, root=tmp_path, writer_id="test"))


def test_the_worker_loop_answers_each_task_and_flush_then_stops_at_end_of_input(trail, tmp_path):
    import io

    from cloudblame.pipeline.workers import _FLUSH, _receive, _send

    f = sorted(trail.rglob("*.json.gz"))[0]
    inbox, outbox = io.BytesIO(), io.BytesIO()
    _send(inbox, ContentTask([(f.read_bytes(), _report(f))]))
    _send(inbox, _FLUSH)
    inbox.seek(0)
    serve(str(tmp_path), "test", inbox, outbox)
    outbox.seek(0)
    (ok, result), (flushed, files) = _receive(outbox), _receive(outbox)
    records = len(orjson.loads(gzip.decompress(f.read_bytes()))["Records"])
    assert ok and result.records == records and not result.written
    assert flushed and sum(pq.read_metadata(tmp_path / "events" / a.path).num_rows for a in files.written) == records


def _report(path):
    from cloudblame.sources.files import file_report

    return file_report(path)


def test_a_worker_process_loads_no_duckdb():
    """A worker writes Parquet with pyarrow alone: DuckDB (~20 MB resident) stays out of every worker's memory."""
    import subprocess
    import sys

    code = "import sys, cloudblame.pipeline.workers; print('duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_files_named_with_odd_paths_are_read_once_and_entered_as_named(trail, tmp_path, monkeypatch):
    """The listing holds each path as folder and name: put back together, every path is the file's absolute
    path (a doubled slash, a ``.``, a bare name in the working folder given), so the ledger knows each file
    and a second ingest reads none of them again."""
    files = sorted(trail.rglob("*.json.gz"))[:3]
    odd = tmp_path / "odd dir" / "x"
    odd.mkdir(parents=True)
    for f in files[:2]:
        shutil.copy(f, odd / f.name)
    shutil.copy(files[2], tmp_path / files[2].name)
    monkeypatch.chdir(tmp_path)
    named = [f"{odd}//{files[0].name}", f"{tmp_path}/odd dir/./x/{files[1].name}", files[2].name]
    with Store.open(tmp_path / "store") as store:
        first = ingest_paths(store, named, jobs=1)
        again = ingest_paths(store, named, jobs=1)
        paths = {row[0] for row in store.conn.execute("SELECT path FROM objects").fetchall()}
    assert first.files_read == 3 and again.files_read == 0 and again.files_unchanged == 3
    assert paths == {os.path.abspath(name) for name in named}
