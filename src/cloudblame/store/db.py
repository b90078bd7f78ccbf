"""Reading the store: one published snapshot of the lake (store/lake.py) seen through DuckDB.

``Store.open`` pins the newest snapshot: each table is a DuckDB view over exactly the data files of its
version in that snapshot, so a reader sees one consistent state however long it reads, and nothing a
writer commits meanwhile (readers never wait for writers, nor writers for readers). ``events`` is the
events table with the human that identity resolution found behind each call's session joined in
(``resolved_human``, ``resolved_kind``, ``resolved_confidence``, ``resolved_chain``); ``event_rows`` is
the table alone. SQL text is the library's own; every value goes in parameters.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Self

import duckdb
import pyarrow as pa

from cloudblame.core.errors import StoreError
from cloudblame.store.lake import DEFAULT_DB, ENV_DB, Lake, Snapshot, default_db_path
from cloudblame.store.tables import (
    EVENTS,
    SNAPSHOTS,
    TABLES,
    console_join,
    session_tool,
)

__all__ = ["DEFAULT_DB", "ENV_DB", "Params", "Row", "Store", "StoreError", "default_db_path", "view_of"]

# A result row: column name -> value, as DuckDB returns it (untyped: the SQL decides what each holds).
Row = dict[str, Any]
# SQL parameters: positional (``?``) or named (``$name``).
Params = Sequence[Any] | dict[str, Any]

RESOLVED = f"""SELECT e.* REPLACE ({session_tool('e', 'cs')} AS tool), sa.human AS resolved_human, sa.kind AS resolved_kind,
       sa.confidence AS resolved_confidence, sa.chain AS resolved_chain
FROM {{rows}} e LEFT JOIN session_actors sa ON sa.access_key_id = e.access_key_id AND sa.principal = e.principal
{console_join('e', 'cs')}"""
EVENTS_VIEW = "CREATE OR REPLACE VIEW events AS " + RESOLVED.format(rows="event_rows")
# What RESOLVED reads: the events views are made again when one of these moves (on an engine whose views keep
# the plan of what they read: Spark's).
RESOLVED_READS = frozenset({"events", "session_actors", "console_sessions"})


def view_of(table: str) -> str:
    """The view a table's rows are read by: its name, but ``event_rows`` for ``events`` (the view ``events``
    is those rows with their resolution joined in)."""
    return "event_rows" if table == "events" else table


def _unique_name(kind: str) -> str:
    """A table name no other block on any connection uses at the same time."""
    return f"_{kind}_{uuid.uuid4().hex}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def new_connection(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up for the store's views. What it spills beyond its memory goes to
    the store's scratch folder (DuckDB's default is a ``.tmp`` in the working folder: the user's, not ours)."""
    conn = duckdb.connect()
    conn.execute("SET enable_progress_bar = false")
    conn.execute("SET parquet_metadata_cache = true")
    conn.execute("SET temp_directory = ?", [str(lake.scratch)])
    return conn


def define_views(conn: duckdb.DuckDBPyConnection, files: dict[str, list[str]]) -> None:
    """A view per table over its data files (an empty table of its columns when it has none)."""
    for name, uris in files.items():
        view = view_of(name)
        if uris:
            conn.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet([{', '.join(map(_quote, uris))}])")
        else:
            conn.register("_empty", pa.table({f.name: pa.array([], f.type) for f in TABLES[name].schema}))
            conn.execute(f"CREATE OR REPLACE TABLE _empty_{view} AS SELECT * FROM _empty")
            conn.unregister("_empty")
            conn.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM _empty_{view}")
    if "events" in files:
        conn.execute(EVENTS_VIEW)


def published_files(lake: Lake, snapshot: Snapshot | None) -> dict[str, list[str]]:
    """The data files of each table in ``snapshot`` (None, no snapshot yet: every table empty)."""
    return snapshot_files(lake, snapshot.versions) if snapshot else {n: [] for n in TABLES if n != SNAPSHOTS.name}


def snapshot_files(lake: Lake, versions: dict[str, int]) -> dict[str, list[str]]:
    """The data files of each table at its version (tables opened side by side)."""
    names = [name for name in TABLES if name in versions]
    uris = _pool().map(lambda name: lake.table(name, versions[name]).file_uris(), names)
    files = dict(zip(names, uris))
    if EVENTS.name in versions:  # a table newer than the snapshot (a store an older cloudblame wrote): empty
        files.update({name: [] for name in TABLES if name not in versions and name != SNAPSHOTS.name})
    return files


class Store:
    """A read-only view of one published snapshot. Use ``Store.open`` (or as a context manager)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, lake: Lake, snapshot: Snapshot | None,
                 event_files: list[str] | None = None):
        self.conn = conn
        self.lake = lake
        self.snapshot = snapshot
        self.path = str(lake.root)
        self.read_only = True
        self.days = _by_day(event_files or [])  # the events' data files of each day (their partition)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = False, wait: float = 30.0,
             create: bool | None = None) -> Store:
        """The newest published snapshot of the store at ``path``; a new empty store is created where there
        is none unless ``read_only`` (or ``create=False``). Every reader is read-only and never waits
        (``wait`` is accepted for older callers)."""
        lake = Lake.open(path or default_db_path(), create=not read_only if create is None else create)
        return cls.at(lake, lake.latest_snapshot())

    @classmethod
    def at(cls, lake: Lake, snapshot: Snapshot | None, *, files: dict[str, list[str]] | None = None) -> Store:
        """A reader of ``snapshot`` (``files``: the data files of each table, when the caller has them)."""
        conn = new_connection(lake)
        if files is None:  # no snapshot yet (a store whose creation was cut short): every table empty
            files = published_files(lake, snapshot)
        try:
            define_views(conn, files)
        except Exception:
            conn.close()
            raise
        return cls(conn, lake, snapshot, files.get("events"))

    def refresh(self) -> bool:
        """Move to the newest published snapshot (a long-lived reader: a server); True when it moved."""
        snapshot = self.lake.latest_snapshot()
        if snapshot is None or (self.snapshot is not None and snapshot.snapshot == self.snapshot.snapshot):
            return False
        files = snapshot_files(self.lake, snapshot.versions)
        define_views(self.conn, files)
        self.snapshot, self.days = snapshot, _by_day(files.get("events", []))
        return True

    def newest_event_time(self) -> datetime | None:
        """The time of the newest event (read from the newest day's data files alone)."""
        if not self.days:
            return None
        newest = max(self.days)
        newest_time: datetime | None = self.scalar(
            f"SELECT max(event_time) FROM {self.events_from(days=[newest], resolved=False)}")
        return newest_time

    def events_from(self, low: datetime | None = None, high: datetime | None = None, *,
                    days: Iterable[date] | None = None, resolved: bool = True) -> str:
        """FROM text (alias it) of the events of the days from ``low`` to ``high`` (or of ``days``): the rows
        of ``events`` (``resolved``: with the resolution joined in) or of ``event_rows``, read from those
        days' data files only (a lookup over every file of a big store opens them all)."""
        if days is None and low is None and high is None:
            return "events" if resolved else "event_rows"
        if days is None:
            first, last = (low or datetime.min).date(), (high or datetime.max).date()
            wanted = [d for d in self.days if first <= d <= last]
        else:
            wanted = sorted({d for d in days if d in self.days})
        files = [f for d in wanted for f in self.days[d]]
        rows = f"read_parquet([{', '.join(map(_quote, files))}])" if files else "(SELECT * FROM event_rows WHERE false)"
        return f"({RESOLVED.format(rows=rows)})" if resolved else rows

    def limit_memory(self, limit: str) -> None:
        """Cap DuckDB's memory for this reader's work (``"500MB"``, a library constant); beyond it DuckDB
        spills to the store's scratch folder (new_connection)."""
        self.conn.execute(f"SET memory_limit = '{limit}'")

    def lock_down(self) -> None:
        """From now on this reader's SQL reads no file outside the store and writes none (for SQL that
        is not the library's own: `cloudblame sql`)."""
        self.conn.execute("SET allowed_directories = [?]", [str(self.lake.root.resolve())])
        self.conn.execute("SET enable_external_access = false")

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows as dicts. SQL text is the library's own; every value goes in ``params``."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def arrow(self, sql: str, params: Params = ()) -> pa.Table:
        """The result as an Arrow table (columnar: compact for many rows)."""
        return self.conn.sql(sql, params=params or None).to_arrow_table()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        rows = self.conn.execute(sql, params).fetchall()  # all of it: DuckDB refuses new work on an unfinished result
        return rows[0][0] if rows else None

    def execute(self, sql: str, params: Params = ()) -> None:
        self.conn.execute(sql, params)

    @contextmanager
    def registered(self, rows: pa.Table) -> Iterator[str]:
        """``rows`` visible to this connection's SQL under the name yielded, for the block's length."""
        name = _unique_name("rows")
        self.conn.register(name, rows)
        try:
            yield name
        finally:
            self.conn.unregister(name)

    @contextmanager
    def temp_table(self, select: str, params: Params = ()) -> Iterator[str]:
        """The result of ``select`` as a temporary table of this connection under the name yielded,
        dropped after the block: for a result several queries read."""
        name = _unique_name("temp")
        self.conn.execute(f"CREATE TEMP TABLE {name} AS {select}", params)
        try:
            yield name
        finally:
            self.conn.execute(f"DROP TABLE IF EXISTS {name}")

    # --- what a publish does with the store beside reading it (derive/work.py); SparkStore has its own

    def files_relation(self, table: str, uris: Sequence[str]) -> str:
        """FROM text of the rows of ``uris``, data files of ``table`` (none: an empty relation of its columns)."""
        if not uris:
            return f"(SELECT * FROM {view_of(table)} WHERE false)"
        return f"read_parquet([{', '.join(map(_quote, uris))}])"

    def file_rows(self, table: str, uris: Sequence[str]) -> str:
        """FROM text of the rows of ``uris`` (data files of ``table``, at least one) with each row's
        ``file_name`` (its file's last path part) and ``file_row_number`` (its place in the file, from 0)."""
        files = f"[{', '.join(map(_quote, uris))}]"
        return (f"(SELECT * EXCLUDE (filename), parse_filename(filename) AS file_name "
                f"FROM read_parquet({files}, filename = true, file_row_number = true))")

    def define_view(self, view: str, select: str) -> None:
        """``view`` (made again) as the rows of ``select``."""
        self.conn.execute(f"CREATE OR REPLACE VIEW {view} AS {select}")

    def point_view(self, table: str, uris: list[str]) -> None:
        """``table``'s view (and what reads it) over the data files ``uris`` from now on."""
        define_views(self.conn, {table: uris})

    def replace_rows(self, temp: str, select: str, params: Params = ()) -> None:
        """``temp`` (a table of ``temp_table``) holds the rows of ``select`` instead (its columns by name)."""
        self.conn.execute(f"DELETE FROM {temp}")
        self.append_rows(temp, select, params, by_name=True)

    def append_rows(self, temp: str, select: str, params: Params = (), *, by_name: bool = False) -> None:
        """Add the rows of ``select`` to ``temp``, a table of ``temp_table`` (``by_name``: its columns matched by
        name, those missing NULL)."""
        self.conn.execute(f"INSERT INTO {temp} {'BY NAME ' if by_name else ''}{select}", params)

    def reader(self) -> Store:
        """Another connection to the same snapshot (a DuckDB cursor), for another thread."""
        reader = Store(self.conn.cursor(), self.lake, self.snapshot)
        reader.days = self.days
        return reader

    def concurrently(self, *calls: Callable[[Store], Any]) -> list[Any]:
        """Each of ``calls`` run with its own reader on a thread of its own, at once; their results in
        order. For independent point lookups (a blame's three took ~20 ms one after another)."""
        readers = [self.reader() for _ in calls]
        try:
            futures = [_pool().submit(call, reader) for call, reader in zip(calls, readers)]
            return [f.result() for f in futures]
        finally:
            for reader in readers:
                reader.close()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DAY = re.compile(r"/event_date=(\d{4}-\d{2}-\d{2})/")


def _by_day(files: list[str]) -> dict[date, list[str]]:
    """The events' data files by the day of their partition."""
    days: dict[date, list[str]] = {}
    for f in files:
        m = _DAY.search(f)
        if m:
            days.setdefault(date.fromisoformat(m.group(1)), []).append(f)
    return dict(sorted(days.items()))


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="cloudblame-store")
