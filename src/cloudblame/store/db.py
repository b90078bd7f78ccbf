"""The one gateway to DuckDB: opening (with lock waits), schema versions, parameterized SQL."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import duckdb
import pyarrow as pa

from cloudblame.store import schema

DEFAULT_DB = "cloudblame.duckdb"
ENV_DB = "CLOUDBLAME_DB"


class StoreError(Exception):
    """A store that cannot be used, with a message meant for the user."""


def default_db_path() -> str:
    return os.environ.get(ENV_DB) or DEFAULT_DB


def _unique_name(kind: str) -> str:
    """A table name no other block on any connection uses at the same time."""
    return f"_{kind}_{uuid.uuid4().hex}"


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


WAL_CHECKPOINT = "64MB"


class Store:
    """An open store. Use ``Store.open`` (or as a context manager) rather than the constructor."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: str, read_only: bool):
        self.conn = conn
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | os.PathLike | None = None, *, read_only: bool = False,
             wait: float = 30.0) -> "Store":
        """Open (and for writers create or migrate) the store at ``path``.

        Another process holding the write lock is waited for up to ``wait`` seconds, then a clear
        StoreError says who holds it. Opening a store written by a newer cloudblame fails clearly.
        """
        path = str(path or default_db_path())
        if read_only and not Path(path).exists():
            raise StoreError(f"no store at {path}: run `cloudblame ingest PATH...` first (or pass --db)")
        conn = cls._connect(path, read_only, wait)
        store = cls(conn, path, read_only)
        try:
            conn.execute("SET enable_progress_bar = false")  # a long rebuild would draw DuckDB's own bar
            if not read_only:  # bulk loads: fold the write-ahead log into the file every 64 MB, not 16
                conn.execute(f"SET checkpoint_threshold = '{WAL_CHECKPOINT}'")
            store._check_version()
        except Exception:
            conn.close()
            raise
        return store

    @staticmethod
    def _connect(path: str, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + max(wait, 0.0)
        delay = 0.05
        while True:
            try:
                return duckdb.connect(path, read_only=read_only)
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise StoreError(f"cannot open store {path}: {exc}") from None
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"store {path} is in use by another cloudblame process (waited {wait:g}s): {exc}"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            except duckdb.Error as exc:
                raise StoreError(f"cannot open store {path}: {exc}") from None

    def _check_version(self) -> None:
        has_meta = self.conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchall()[0][0]
        version = None
        if has_meta:
            row = next(iter(self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()), None)
            version = int(row[0]) if row else None
        if version is not None and version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} was written by a newer cloudblame (schema version {version}; "
                f"this one reads up to {schema.SCHEMA_VERSION}): upgrade cloudblame"
            )
        if self.read_only:
            if version is None:
                raise StoreError(f"{self.path} is not a cloudblame store (no schema version)")
            return
        self._create_or_migrate(version)

    def _create_or_migrate(self, version: int | None) -> None:
        if version == schema.SCHEMA_VERSION:
            return
        steps = [] if version is None else list(range(version, schema.SCHEMA_VERSION))
        with self.transaction():
            if version is None:
                for ddl in schema.CREATE:
                    self.conn.execute(ddl)
            for step in steps:
                for statement in schema.MIGRATIONS[step]:
                    self.conn.execute(statement)
            self.conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(schema.SCHEMA_VERSION)]
            )
        rebuild = {table for step in steps for table in schema.REBUILD_AFTER.get(step, ())}
        if rebuild:
            from cloudblame.store.identity import rebuild_credentials, resolve_sessions
            from cloudblame.store.lifecycle import rebuild_resources

            if "credentials" in rebuild:
                rebuild_credentials(self)
            resolve_sessions(self)
            rebuild_resources(self)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def limit_memory(self, limit: str) -> str:
        """Cap DuckDB's memory (e.g. ``"256MB"``, a library constant); returns the previous cap."""
        previous = self.conn.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        self.conn.execute(f"SET memory_limit = '{limit}'")
        return previous

    def under_cap(self, cap: str | None, step: Callable[[], Any]) -> Any:
        """``step()`` run with DuckDB's memory capped at ``cap`` (None: as it is). A step that runs out of
        memory there (a store larger than the cap was sized for: some joins and ordered aggregates cannot
        spill) is run again with the cap doubled, up to 80% of the machine's memory, DuckDB's own default.
        Only for steps whose transactions commit whole or not at all, so running them again is safe."""
        limit = _bytes(cap) if cap else None
        while True:
            try:
                if limit is not None:  # DuckDB refuses a cap below what it holds pinned: that too doubles it
                    self.limit_memory(f"{limit // 10**6}MB")
                return step()
            except duckdb.OutOfMemoryException:
                if limit is None or limit >= _MAX_MEMORY:
                    raise
                limit = min(limit * 2, _MAX_MEMORY)

    def run_script(self, script: str) -> None:
        """Run the library's own multi-statement SQL (statements end with ``;`` and a newline) in one
        transaction."""
        with self.transaction():
            for statement in script.split(";\n"):
                if statement.strip():
                    self.conn.execute(statement)

    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[dict]:
        """Rows as dicts. SQL text is the library's own; every value goes in ``params``."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def arrow(self, sql: str, params: Sequence[Any] | dict = ()) -> pa.Table:
        """The result as an Arrow table (columnar: compact for many rows)."""
        return self.conn.sql(sql, params=params or None).to_arrow_table()

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
    def temp_table(self, select: str, params: Sequence[Any] | dict = ()) -> Iterator[str]:
        """The result of ``select`` as a temporary table of this connection (read-only stores too) under
        the name yielded, dropped after the block: for a result several queries read."""
        name = _unique_name("temp")
        self.conn.execute(f"CREATE TEMP TABLE {name} AS {select}", params)
        try:
            yield name
        finally:
            self.conn.execute(f"DROP TABLE IF EXISTS {name}")

    def insert(self, table: str, rows: pa.Table) -> None:
        """Append ``rows`` (columns named as ``table``'s; ``table`` is the library's own name)."""
        with self.registered(rows) as name:
            self.conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        rows = self.conn.execute(sql, params).fetchall()  # all of it: DuckDB refuses new work on an unfinished result
        return rows[0][0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> None:
        self.conn.execute(sql, params)

    def reader(self) -> "Store":
        """Another connection to this open store (a DuckDB cursor), for another thread: it reads a
        consistent snapshot while this store's own connection writes."""
        return Store(self.conn.cursor(), self.path, read_only=True)

    def concurrently(self, *calls: Callable[["Store"], Any]) -> list[Any]:
        """Each of ``calls`` run with its own reader (``reader()``) on a thread of its own, at once; their
        results in order. For independent point lookups: each scans a row group or two, and DuckDB runs
        them side by side (a blame's three took ~20 ms one after another)."""
        readers = [self.reader() for _ in calls]
        try:
            futures = [_lookup_pool().submit(call, reader) for call, reader in zip(calls, readers)]
            return [f.result() for f in futures]
        finally:
            for reader in readers:
                reader.close()

    def writer(self) -> "Store":
        """Another read-write connection to this open store, for a writing thread."""
        if self.read_only:
            raise StoreError(f"store {self.path} is open read-only")
        return Store(self.conn.cursor(), self.path, read_only=False)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@lru_cache(maxsize=1)
def _lookup_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="cloudblame-lookup")


_MAX_MEMORY = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8)


def _bytes(size: str) -> int:
    """``"600MB"`` (a library constant: KB, MB or GB, decimal as DuckDB reads them) in bytes."""
    units = {"KB": 10**3, "MB": 10**6, "GB": 10**9}
    return int(float(size[:-2]) * units[size[-2:].upper()])
