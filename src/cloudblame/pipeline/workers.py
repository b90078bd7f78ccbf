"""Reading, normalizing and writing on every core: tasks of whole files (or downloaded objects) go to
worker processes; each worker normalizes its tasks into Arrow, and once it holds ``FLUSH_ROWS`` events (or
is asked to) writes them as events data files of the store, one per day they fall on, sorted by time.
The process that runs the ingest commits those files and marks the objects they hold as read.

Small inputs are done in-process (starting workers costs more than it saves). At most ``2 * jobs`` tasks
are in flight, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from cloudblame.core.memory import release_memory
from cloudblame.normalize.batch import BatchBuilder, NormalizedBatch
from cloudblame.sources.files import FileReport, read_content, read_file
from cloudblame.store.files import FileAction, write_data_file
from cloudblame.store.locks import hold_writer
from cloudblame.store.tables import EVENTS

TASK_BYTES = 500_000  # compressed bytes per task: a few thousand records
PARALLEL_MIN_BYTES = 4_000_000  # below this, workers are not worth starting
FLUSH_ROWS = 32_768  # events a worker holds before writing them (~65 MB of Arrow at ~2 KB a record)


class Task(Protocol):
    """Work for a worker: records to normalize into ``builder``, or a batch normalized already."""

    def run(self, builder: BatchBuilder) -> NormalizedBatch | None: ...


@dataclass
class FileTask:
    """Files on disk to read and normalize together."""

    files: list[tuple[str | Path, FileReport]]

    def run(self, builder: BatchBuilder) -> None:
        for path, report in self.files:
            builder.add_content(read_file(path, report), report)


@dataclass
class ContentTask:
    """Downloaded objects (their bytes) to normalize together."""

    objects: list[tuple[bytes, FileReport]]

    def run(self, builder: BatchBuilder) -> None:
        for data, report in self.objects:
            builder.add_content(read_content(data, report), report)


@dataclass
class BatchTask:
    """Records already normalized (an API page's), to be written with the rest."""

    batch: NormalizedBatch

    def run(self, builder: BatchBuilder) -> NormalizedBatch:
        return self.batch


@dataclass
class TaskResult:
    """What one task read, and the events data files written after it (covering every task of the same
    worker since its previous files: those tasks' objects are done once these files are committed)."""

    files: list[FileReport]
    records: int = 0
    duplicates: int = 0
    bad_records: int = 0
    bytes: int = 0
    written: list[FileAction] = field(default_factory=list)  # the events data files


class Writer:
    """A worker's state: the events normalized since its last files, and how to write them."""

    def __init__(self, root: Path, writer_id: str, flush_rows: int | None = None):
        # FLUSH_ROWS read now, not when the module loaded (a test sets it lower to commit every so many events)
        self.flush_rows = FLUSH_ROWS if flush_rows is None else flush_rows
        self.root, self.writer_id = root, writer_id
        self.pending: list[pa.Table] = []
        self.rows = 0
        self.sequence = 0
        self.ids: set[str] = set()  # eventIDs held: an event twice among them is kept once

    def run(self, task: Task) -> TaskResult:
        builder = BatchBuilder(ids=self.ids)
        made = task.run(builder)
        batch = made if isinstance(made, NormalizedBatch) else builder.build()
        if batch.rows:
            self.pending.append(batch.events)
            self.rows += batch.rows
        result = TaskResult(batch.files, batch.records, batch.duplicates, batch.bad_records, batch.bytes)
        if self.rows >= self.flush_rows:
            result.written = self.flush()
        return result

    def flush(self) -> list[FileAction]:
        """Write the events held as data files (one per day they fall on, in EVENTS' order); their actions.
        Written a row group at a time from one sort of them all: no second copy of the events is held."""
        if not self.pending:
            return []
        events = pa.concat_tables(self.pending)
        self.pending, self.rows = [], 0
        self.ids.clear()
        order, days = sort_events(events)
        written = []
        for day, start, length in days:
            self.sequence += 1
            written.append(write_data_file(self.root, EVENTS, events, writer_id=self.writer_id, sequence=self.sequence,
                                           partition={"event_date": day}, order=order.slice(start, length)))
        del events, order
        release_memory()
        return written


def sort_events(rows: pa.Table) -> tuple[pa.Array, list[tuple[str, int, int]]]:
    """The order of ``rows`` in the events table's files: by day (a file each), then hour, then account,
    region and caller, then time (EVENTS.sort_by). Point lookups by time still read a row group or two of
    a day; the raw records of one caller side by side compress ~25% smaller than in plain time order
    (measured on the bench corpus). Returns the indices, and each day's (date, start, length) in them."""
    hour = pc.floor_temporal(rows.column("event_time"), unit="hour")
    keys = pa.table({"_hour": hour, **{c: rows.column(c) for c in EVENTS.sort_by}})
    order = pc.sort_indices(keys, sort_keys=[("_hour", "ascending")] + [(c, "ascending") for c in EVENTS.sort_by])
    days = pc.cast(pc.take(hour, order), pa.date32())
    runs = pc.run_end_encode(days.combine_chunks() if isinstance(days, pa.ChunkedArray) else days)
    ends = runs.run_ends.to_pylist()
    starts = [0, *ends[:-1]]
    return order, [(d.isoformat(), s, e - s) for d, s, e in zip(runs.values.to_pylist(), starts, ends)]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


Item = TypeVar("Item")
Made = TypeVar("Made")


def group_by_size(items: Iterable[Item], size_of: Callable[[Item], int], make_task: Callable[[list[Item]], Made],
                  limit: int = TASK_BYTES) -> Iterator[Made]:
    """Tasks of consecutive items holding about ``limit`` bytes each."""
    group: list[Item] = []
    total = 0
    for item in items:
        group.append(item)
        total += size_of(item)
        if total >= limit:
            yield make_task(group)
            group, total = [], 0
    if group:
        yield make_task(group)


def run_tasks(tasks: Iterable[Task], *, jobs: int, root: Path, writer_id: str,
              flush_rows: int | None = None) -> Iterator[tuple[int, TaskResult]]:
    """(worker, result) of each task in task order, then each worker's last files (a result with no
    file of its own): in ``jobs`` worker processes when ``jobs > 1``, else here (writing files once it
    holds ``flush_rows`` events: fault injection flushes every task)."""
    if jobs <= 1:
        writer = Writer(root, f"{writer_id}-w0", flush_rows)
        for task in tasks:
            yield 0, writer.run(task)
        yield 0, TaskResult([], written=writer.flush())
        return
    workers = [_Worker(root, f"{writer_id}-w{i}") for i in range(jobs)]
    try:
        pending: deque[int] = deque()
        for i, task in enumerate(tasks):
            workers[i % jobs].submit(task)
            pending.append(i % jobs)
            if len(pending) >= 2 * jobs:
                index = pending.popleft()
                yield index, workers[index].result()
        while pending:
            index = pending.popleft()
            yield index, workers[index].result()
        for index, worker in enumerate(workers):
            worker.submit(_FLUSH)
        for index, worker in enumerate(workers):
            yield index, worker.result()
    finally:
        for worker in workers:
            worker.close()


_FLUSH = "flush"
# A worker's reply: (True, the task's result) or (False, what went wrong).
Reply = tuple[bool, TaskResult | str]
# Arrow on the C library's allocator in the workers: what a flush frees goes back to the system (measured at
# 1M records: workers peaked at 360-380 MB against 416-444 MB on Arrow's default, mimalloc, at the same speed).
WORKER_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system"}
WORKER_NICENESS = 10  # below the ingest that runs them
INGEST_NICENESS = 5  # an ingest command's own process (commits, publish): below the readers beside it


def yield_to_readers(niceness: int = INGEST_NICENESS) -> None:
    """Lower this process's CPU priority: a batch writer next to readers and servers on the same cores lets
    them answer first (alone, it loses nothing)."""
    try:
        os.nice(niceness)
    except OSError:  # not allowed here: run at the priority given
        pass


class WorkerError(RuntimeError):
    """A worker process died or failed (what it held is lost; nothing of it was committed)."""


class _Worker:
    """One ``python -m cloudblame.pipeline.workers ROOT WRITER`` process: pickled tasks in on stdin, results out on
    stdout.

    Its own interpreter (not fork: the parent holds DuckDB's and delta-rs's threads; not multiprocessing's
    spawn, which re-imports the caller's main script). A feeder thread writes tasks, so a big task never
    blocks the parent while the worker is busy writing a result; a reader thread takes each result as
    soon as it is written, so the worker goes on with its next task while the parent commits.
    """

    def __init__(self, root: Path, writer_id: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cloudblame.pipeline.workers", str(root), writer_id],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **WORKER_ENV})
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are pipes
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.tasks: queue.Queue[bytes | None] = queue.Queue()
        self.results: queue.Queue[Reply | None] = queue.Queue()
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.feeder.start()
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                ok, value = _receive(self.stdout)
            except EOFError:
                self.results.put(None)  # the worker exited (or died): result() reports it if one was due
                return
            except Exception as exc:  # noqa: BLE001 - a reply that cannot be read: the ingest fails, it never hangs
                self.results.put((False, f"unreadable reply from worker {self.proc.pid}: {type(exc).__name__}: {exc}"))
                return
            self.results.put((ok, value))

    def _feed(self) -> None:
        try:
            while (data := self.tasks.get()) is not None:
                _write_frame(self.stdin, data)
        except (BrokenPipeError, OSError):  # the worker died: result() reports it
            return
        finally:  # whatever stopped the feeder, the worker sees end of input and exits: never a hang
            try:
                self.stdin.close()
            except OSError:
                pass

    def submit(self, task: Task | str) -> None:
        self.tasks.put(pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL))

    def result(self) -> TaskResult:
        reply = self.results.get()
        if reply is None:
            self.results.put(None)  # every later result() fails the same way
            raise WorkerError(f"worker process {self.proc.pid} died (exit {self.proc.poll()})")
        ok, value = reply
        if not ok or isinstance(value, str):
            raise WorkerError(str(value))
        return value

    def close(self) -> None:
        self.tasks.put(None)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.feeder.join(timeout=1)
        self.reader.join(timeout=1)
        self.stdout.close()


def _send(stream: IO[bytes], obj: object) -> None:
    _write_frame(stream, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(struct.pack("<Q", len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next object a peer sent (a pickle of ours: a task, or a reply)."""
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError("worker closed its output")
    size = struct.unpack("<Q", head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("worker output cut short")
    return pickle.loads(data)


def serve(root: str, writer_id: str, stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """The worker's loop: run tasks (and flushes) until stdin closes, holding the ingest's writer
    registration meanwhile (a worker that outlives its ingest still has its files counted as a live
    writer's, never taken for a dead one's). At a lower priority: queries and pages answered meanwhile
    get the cores first (alone, the ingest loses nothing)."""
    yield_to_readers(WORKER_NICENESS)
    with hold_writer(Path(root), writer_id.rsplit("-w", 1)[0]):
        _serve(Writer(Path(root), writer_id), stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)


def _serve(writer: Writer, stdin: IO[bytes], stdout: IO[bytes]) -> None:
    while True:
        try:
            task = _receive(stdin)
        except EOFError:
            return
        reply: Reply
        try:
            reply = (True, TaskResult([], written=writer.flush()) if task == _FLUSH else writer.run(task))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the ingest clearly
            reply = (False, f"{type(exc).__name__}: {exc}")
        _send(stdout, reply)
        del task, reply
        release_memory(collect=False)


if __name__ == "__main__":  # the module's own classes (not __main__'s copies) go into the replies
    from cloudblame.pipeline import workers  # noqa: PLW0406 - see above

    workers.serve(sys.argv[1], sys.argv[2])
