"""Reading and normalizing on every core: tasks of whole files (or downloaded objects) go to worker
processes, normalized Arrow batches come back in order to the one process that writes the store.

Small inputs are done in-process (starting workers costs more than it saves). At most ``2 * jobs``
tasks are in flight, so memory stays bounded whatever the input size.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from cloudblame.memory import release_memory
from cloudblame.normalize.batch import BatchBuilder, NormalizedBatch
from cloudblame.sources.files import FileReport, iter_content, iter_file

TASK_BYTES = 500_000  # compressed bytes per task: a few thousand records (a worker holds ~20x that while on it)
PARALLEL_MIN_BYTES = 4_000_000  # below this, workers are not worth starting


@dataclass
class FileTask:
    """Files on disk to read and normalize together."""

    files: list[tuple[str | Path, FileReport]]

    def run(self) -> NormalizedBatch:
        return _normalize(self.files, iter_file)


@dataclass
class ContentTask:
    """Downloaded objects (their bytes) to normalize together."""

    objects: list[tuple[bytes, FileReport]]

    def run(self) -> NormalizedBatch:
        return _normalize(self.objects, iter_content)


def _normalize(items: list[tuple], read: Callable) -> NormalizedBatch:
    """One batch of the records ``read(source, report)`` yields for each (source, report)."""
    builder = BatchBuilder()
    for source, report in items:
        builder.add_items(read(source, report), report)
    return builder.build()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def group_by_size(items: Iterable, size_of: Callable, make_task: Callable, limit: int = TASK_BYTES) -> Iterator:
    """Tasks of consecutive items holding about ``limit`` bytes each."""
    group, total = [], 0
    for item in items:
        group.append(item)
        total += size_of(item)
        if total >= limit:
            yield make_task(group)
            group, total = [], 0
    if group:
        yield make_task(group)


def run_tasks(tasks: Iterable[FileTask | ContentTask], *, jobs: int) -> Iterator[NormalizedBatch]:
    """Each task's batch, in task order: in ``jobs`` worker processes when ``jobs > 1``, else here."""
    if jobs <= 1:
        for task in tasks:
            yield task.run()
        return
    workers = [_Worker() for _ in range(jobs)]
    try:
        pending: deque[_Worker] = deque()
        for i, task in enumerate(tasks):
            worker = workers[i % jobs]
            worker.submit(task)
            pending.append(worker)
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for worker in workers:
            worker.close()


class WorkerError(RuntimeError):
    """A worker process died or failed (the batch it had is lost; nothing of it was written)."""


class _Worker:
    """One ``python -m cloudblame.workers`` process: pickled tasks in on stdin, batches out on stdout.

    Its own interpreter (not fork: the parent holds DuckDB's threads; not multiprocessing's spawn,
    which re-imports the caller's main script). A feeder thread writes tasks, so a big task never
    blocks the parent while the worker is busy writing a result; a reader thread takes each result as
    soon as it is written, so the worker goes on with its next task while the parent is inserting
    (measured: without it, workers sat blocked on a full pipe for the whole of every insert).
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cloudblame.workers"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.feeder.start()
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                ok, value = _receive(self.proc.stdout)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                self.results.put(None)  # the worker exited (or died): result() reports it if one was due
                return
            self.results.put((ok, value))

    def _feed(self) -> None:
        try:
            while (data := self.tasks.get()) is not None:
                _write_frame(self.proc.stdin, data)
        except (BrokenPipeError, OSError):  # the worker died: result() reports it
            return
        finally:  # whatever stopped the feeder, the worker sees end of input and exits: never a hang
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def submit(self, task) -> None:
        self.tasks.put(pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL))

    def result(self) -> NormalizedBatch:
        reply = self.results.get()
        if reply is None:
            self.results.put(None)  # every later result() fails the same way
            raise WorkerError(f"worker process {self.proc.pid} died (exit {self.proc.poll()})")
        ok, value = reply
        if not ok:
            raise WorkerError(value)
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
        self.proc.stdout.close()


def _send(stream, obj) -> None:
    _write_frame(stream, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _write_frame(stream, data: bytes) -> None:
    stream.write(struct.pack("<Q", len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError("worker closed its output")
    size = struct.unpack("<Q", head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("worker output cut short")
    return pickle.loads(data)


def serve(stdin=None, stdout=None) -> None:
    """The worker's loop: run tasks until stdin closes."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    while True:
        try:
            task = _receive(stdin)
        except EOFError:
            return
        try:
            reply = (True, task.run())
        except Exception as exc:  # reported to the parent, which fails the ingest clearly
            reply = (False, f"{type(exc).__name__}: {exc}")
        _send(stdout, reply)
        del task, reply
        release_memory(collect=False)


if __name__ == "__main__":
    serve()
