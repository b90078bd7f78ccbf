"""The store on disk: a directory of Delta Lake tables (store/tables.py), read and written through
``deltalake`` (delta-rs). Commits are Delta's own (atomic, optimistic, concurrent appends); this module
adds what ties the tables together:

- ``snapshots``: a Delta table of its own, one row per published state, naming the version of every table
  that belong together. Readers open the newest and see nothing newer: ingest appends events and the
  derived tables follow, and none of it is visible until its snapshot row is committed.
- one publisher at a time (an advisory lock on ``.publish.lock``): publishing reads the tables, derives and
  commits several of them; ingests append events concurrently and queue only to publish.
- data files named after the writer that made them (``part-<writer>-...``), and a lock each writer holds
  while it runs: files of a writer that died without committing them are found and removed.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable
from deltalake.transaction import AddAction, CommitProperties, RemoveAction

from cloudblame.core.errors import StoreError
from cloudblame.store.files import FileAction, write_data_file
from cloudblame.store.locks import LockBusy, hold_writer, lock
from cloudblame.store.tables import SCHEMA_VERSION, SNAPSHOTS, TABLES, Table

DEFAULT_DB = "cloudblame-store"
ENV_DB = "CLOUDBLAME_DB"
_DUCKDB_MAGIC = b"DUCK"
# Delta checkpoints every this many commits: opening a table replays at most this many commit files.
CHECKPOINT_INTERVAL = "25"


def default_db_path() -> str:
    return os.environ.get(ENV_DB) or DEFAULT_DB


@dataclass(frozen=True)
class Snapshot:
    """A published state: the version of every table that belong together."""

    snapshot: int
    published_at: datetime | None
    versions: dict[str, int]
    events: int  # rows of events at this state
    schema_version: int = 0  # the SCHEMA_VERSION of the cloudblame that published it


def _is_old_store(path: Path) -> bool:
    """A single-file DuckDB store, as cloudblame wrote before the lake (schema versions 1-8)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == _DUCKDB_MAGIC
    except OSError:
        return False


class Lake:
    """A store directory. ``Lake.open`` checks it; ``create=True`` makes a new one."""

    def __init__(self, root: Path):
        # canonical, as delta-rs names the data files (file_uris): paths built from the root compare equal to them
        self.root = Path(os.path.realpath(root))

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, create: bool = False) -> Lake:
        root = Path(path or default_db_path())
        if root.is_file():
            if _is_old_store(root):
                raise StoreError(f"{root} is a store of an earlier cloudblame (one DuckDB file): run "
                                 f"`cloudblame migrate {root}` to copy it into a store directory",
                                 reason="the store is a single-file store of an earlier cloudblame: migrate it")
            raise StoreError(f"{root} is a file, not a cloudblame store (a directory)",
                             reason="the store path is a file, not a store directory")
        lake = cls(root)
        if not (root / SNAPSHOTS.name / "_delta_log").is_dir():
            if not create:
                raise StoreError(f"no store at {root}: run `cloudblame ingest PATH...` first (or pass --db)",
                                 reason="there is no store yet: ingest some CloudTrail records first")
            lake._create()
        lake._check_version()
        if create and (any(not (root / t / "_delta_log").is_dir() for t in TABLES) or lake.latest_snapshot() is None):
            lake._create()  # a table the store's writer had not, or a creation cut short: completed
        return lake

    # --- tables

    def path_of(self, table: str) -> Path:
        return self.root / table

    @property
    def scratch(self) -> Path:
        """The store's folder for working files (DuckDB's spills, staged uploads): never a table's."""
        return self.root / ".tmp"

    def table(self, name: str, version: int | None = None) -> DeltaTable:
        return DeltaTable(str(self.path_of(name)), version=version)

    def _create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with self.publish_lock(), self.writer() as writer_id:
            versions = {}
            for table in TABLES.values():
                if not (self.path_of(table.name) / "_delta_log").is_dir():
                    DeltaTable.create(str(self.path_of(table.name)), schema=table.delta_schema,
                                      partition_by=list(table.partition_by) or None, mode="ignore",
                                      name=table.name, description=table.doc,
                                      configuration={"delta.checkpointInterval": CHECKPOINT_INTERVAL})
                versions[table.name] = self.table(table.name).version()
            if self.latest_snapshot() is None:
                self.publish({k: v for k, v in versions.items() if k != SNAPSHOTS.name}, events=0, reason="create",
                             writer_id=writer_id)

    def _check_version(self) -> None:
        snap = self._newest_row()
        version = int(snap["schema_version"]) if snap else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(f"store {self.root} was written by a newer cloudblame (schema version {version}; "
                             f"this one reads up to {SCHEMA_VERSION}): upgrade cloudblame",
                             reason="the store was written by a newer cloudblame: upgrade cloudblame")

    # --- snapshots

    def add_actions(self, name: str, version: int | None = None) -> pa.Table:
        """The add actions of a table's data files (path, size_bytes, modification_time, partition.*,
        min.*, max.*...)."""
        return pa.table(self.table(name, version).get_add_actions(flatten=True))

    def _newest_row(self) -> dict[str, Any] | None:
        actions = self.add_actions(SNAPSHOTS.name)
        if actions.num_rows == 0:
            return None
        newest = pc.index(actions.column("max.snapshot"), pc.max(actions.column("max.snapshot")))
        path = actions.column("path")[newest.as_py()].as_py()
        rows = pq.read_table(str(self.path_of(SNAPSHOTS.name) / path)).to_pylist()
        newest_row: dict[str, Any] = max(rows, key=lambda r: r["snapshot"])
        return newest_row

    def latest_snapshot(self) -> Snapshot | None:
        row = self._newest_row()
        if row is None:
            return None
        return Snapshot(row["snapshot"], row["published_at"], json.loads(row["versions"]), row["events"],
                        int(row["schema_version"]))

    def publish(self, versions: dict[str, int], *, events: int, reason: str, writer_id: str) -> Snapshot:
        """Commit a snapshot row naming ``versions``: from now on readers see the tables at them."""
        previous = self.latest_snapshot()
        number = previous.snapshot + 1 if previous else 0
        now = datetime.now(UTC).replace(tzinfo=None)
        row = pa.table({"snapshot": [number], "published_at": pa.array([now], pa.timestamp("us")),
                        "schema_version": [SCHEMA_VERSION], "versions": [json.dumps(versions, sort_keys=True)],
                        "events": [events], "reason": [reason]}, schema=SNAPSHOTS.schema)
        commit(self, SNAPSHOTS, [write_data_file(self.root, SNAPSHOTS, row, writer_id=writer_id, sequence=number)])
        return Snapshot(number, now, dict(versions), events, SCHEMA_VERSION)

    def snapshot_version(self) -> int:
        """The snapshots table's own version: it changes exactly when a snapshot is published (cheap to
        watch for a server that keeps a reader open)."""
        log = self.path_of(SNAPSHOTS.name) / "_delta_log"
        newest = -1
        for entry in os.scandir(log):
            if entry.name.endswith(".json") and entry.name[:20].isdigit():
                newest = max(newest, int(entry.name[:20]))
        return newest

    # --- locks

    def publish_lock(self, wait: float | None = None) -> AbstractContextManager[None]:
        """Hold the store's publish lock (one publisher at a time); waits for it, up to ``wait`` seconds."""
        return self._held(".publish.lock", wait, f"store {self.root} is being published by another process")

    def events_lock(self, wait: float | None = None) -> AbstractContextManager[None]:
        """Hold the lock under which events are committed: appends are short; a publish holds it while it
        fixes which events it publishes (so no append lands between its reading and its dedupe commit)."""
        return self._held(".events.lock", wait, f"events of store {self.root} are being committed by another process")

    @contextmanager
    def _held(self, name: str, wait: float | None, busy: str) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / name, "a+") as fh:
            try:
                lock(fh, wait, busy)
            except LockBusy as exc:
                raise StoreError(str(exc), reason="the store is busy: another process is writing it",
                                 user=False) from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def writer(self) -> Iterator[str]:
        """A writer id for data files, registered while the block runs: its lock file is held (shared) by
        this process and by every worker that writes under it (``hold_writer``)."""
        folder = self.root / ".writers"
        folder.mkdir(parents=True, exist_ok=True)
        writer_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
        path = folder / f"{writer_id}.lock"
        with hold_writer(self.root, writer_id):
            try:
                yield writer_id
            finally:
                path.unlink(missing_ok=True)

    def dead_writers(self) -> list[str]:
        """Writers that registered and are gone without unregistering (killed): no process holds their lock."""
        folder = self.root / ".writers"
        dead = []
        for path in sorted(folder.glob("*.lock")) if folder.is_dir() else ():
            with open(path, "a+") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                fcntl.flock(fh, fcntl.LOCK_UN)
            dead.append(path.stem)
        return dead

    def forget_writer(self, writer_id: str) -> None:
        (self.root / ".writers" / f"{writer_id}.lock").unlink(missing_ok=True)


def commit(lake: Lake, table: Table, actions: Sequence[FileAction | RemoveAction], *,
           metadata: dict[str, str] | None = None) -> int:
    """Commit ``actions`` (data files to add, and removals) to ``table`` in one Delta transaction; returns
    the table's version after it."""
    delta = lake.table(table.name)
    delta_actions: list[AddAction | RemoveAction] = [
        AddAction(a.path, a.size, a.partition_values, a.modification_time, a.data_change, a.stats)
        if isinstance(a, FileAction) else a for a in actions]
    delta.create_write_transaction(delta_actions, mode="append", schema=table.delta_schema,
                                   partition_by=list(table.partition_by) or None,
                                   commit_properties=CommitProperties(custom_metadata=metadata, max_commit_retries=50))
    delta.update_incremental()
    return delta.version()
