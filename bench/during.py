"""Measurements taken while an ingest runs: query latencies, and the web server's (bench/serveload.py).

``BackgroundIngest`` keeps a ``cloudblame ingest`` subprocess running into a store for as long as a
measurement lasts: first the increment corpus (new records: the ingest commits and publishes a new
snapshot), then, when the measurement outlasts it, the same files again with ``--force`` (read,
normalized and written again, every record a duplicate the publish removes), one run after another. When
the measurement ends, the first ingest is waited for; a re-read still running is stopped (SIGTERM to its
process group: it is there only to keep an ingest running). The runs are recorded (wall time, records,
new, failures) with the share of the measurement during which one was running.

``queries_during_ingest`` times bench/queries.py's queries on a copy of a store while an ingest runs into
that copy; the reader moves to each snapshot the ingest publishes, as the server's does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import queries as Q


@dataclass
class IngestRun:
    """One ``cloudblame ingest`` of a background (times: ``time.perf_counter``)."""

    started_s: float
    ended_s: float
    returncode: int
    force: bool  # a re-read of files already ingested (--force)
    stopped: bool = False  # a re-read stopped when the measurement ended
    records: int | None = None
    new: int | None = None
    error: str = ""

    @property
    def wall_s(self) -> float:
        return self.ended_s - self.started_s


class BackgroundIngest:
    """Ingests of ``trail`` into ``db``, one after another in subprocesses, while the ``with`` block runs
    (see the module doc). The first ingest has started when the block begins; leaving the block waits for
    it, or stops a re-read. A failed ingest is recorded and ends the background."""

    def __init__(self, command: list[str], trail: Path, db: Path):
        self.command = command + ["ingest", str(trail), "--db", str(db), "--format", "json"]
        self.runs: list[IngestRun] = []
        self._stop = threading.Event()
        self._started = threading.Event()
        self._first_done = threading.Event()
        self._lock = threading.Lock()
        self._rereading: subprocess.Popen | None = None  # the re-read running now
        self._signalled: subprocess.Popen | None = None  # the re-read stopped by __exit__
        self._thread = threading.Thread(target=self._loop, name="background-ingest", daemon=True)

    def __enter__(self) -> BackgroundIngest:
        self._thread.start()
        self._started.wait()
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._stop.set()
            if self._rereading is not None:
                self._signalled = self._rereading
                try:
                    os.killpg(self._rereading.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        self._thread.join()

    @property
    def first_done(self) -> bool:
        """Whether the first ingest (the new records) has ended."""
        return self._first_done.is_set()

    def _loop(self) -> None:
        try:
            force = False
            while not self._stop.is_set():
                run = self._run_once(force)
                if run is None:
                    break
                self.runs.append(run)
                self._first_done.set()
                if run.returncode != 0:
                    break
                force = True
        finally:  # never leave a waiter hanging
            self._started.set()
            self._first_done.set()

    def _run_once(self, force: bool) -> IngestRun | None:
        """One ingest (a re-read with ``force``); None when the background was stopped first."""
        with self._lock:
            if self._stop.is_set():
                return None
            started = time.perf_counter()
            proc = subprocess.Popen(self.command + (["--force"] if force else []), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
            self._rereading = proc if force else None
        self._started.set()
        out, err = proc.communicate()
        with self._lock:
            self._rereading = None
            stopped = self._signalled is proc
        run = IngestRun(started, time.perf_counter(), proc.returncode, force, stopped)
        if stopped:
            return run
        if proc.returncode != 0:
            run.error = err.decode(errors="replace").strip()[-300:]
            return run
        try:
            summary = json.loads(out)
            summary = summary[0] if isinstance(summary, list) else summary
            run.records, run.new = summary["records"], summary["new"]
        except (ValueError, KeyError, IndexError) as exc:
            run.error = f"unreadable summary: {exc}"
        return run

    def report(self, start: float, end: float) -> dict:
        """The runs, and the share of ``start..end`` (a measurement's span) during which one ran."""
        covered = sum(max(0.0, min(r.ended_s, end) - max(r.started_s, start)) for r in self.runs)
        return {"span_s": end - start, "busy_share": covered / (end - start) if end > start else 0.0,
                "ingest_runs": [asdict(r) | {"wall_s": r.wall_s} for r in self.runs],
                "ingest_failures": sum(not r.stopped and (r.returncode != 0 or bool(r.error)) for r in self.runs)}


def fresh_copy(store: Path, copy: Path) -> Path:
    """``copy``: a new copy of the store directory ``store``."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    return copy


def queries_during_ingest(command: list[str], store: Path, trail: Path, work: Path, plan: Q.Plan) -> dict:
    """The query timings on a copy of ``store`` while ``trail`` is ingested into it (the copy is removed
    afterwards)."""
    copy = fresh_copy(store, work / f"{store.name}-queries-during-ingest")
    try:
        with BackgroundIngest(command, trail, copy) as background:
            started = time.perf_counter()
            timings, moved = Q.run_queries(str(copy), plan, follow=True)
            ended = time.perf_counter()
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    return {"queries": [asdict(t) for t in timings], "snapshots_followed": moved,
            **background.report(started, ended)}
