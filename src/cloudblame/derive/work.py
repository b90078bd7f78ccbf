"""What a publish works with: the store as it is being brought forward, and the ways a derived table is
written (append sorted rows; rewrite it: replace the rows of some keys, or all of them). Every file is
written by cloudblame under the publisher's writer id, so one a dead publisher left uncommitted is found.

``Work.store`` is a DuckDB reader whose views start at the last published snapshot, plus ``new_events``
(the events being published) and ``new_links`` (their resource rows); after each step commits a table,
its view follows the table's new version, so later steps read what earlier ones wrote.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from deltalake.transaction import RemoveAction

from cloudblame.store.db import Store
from cloudblame.store.files import FileAction, copy_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import Table

DERIVE_MEMORY = "500MB"  # DuckDB's cap while deriving (it spills to the store's .tmp beyond)


@dataclass
class Work:
    lake: Lake
    store: Store
    versions: dict[str, int]  # each table's version as the publish has brought it so far
    writer_id: str
    sequence: int = 0
    changed: dict[str, int] = field(default_factory=dict)  # rows written per table (the publish's report)
    files: dict[str, list[str]] = field(default_factory=dict)  # the data files each view reads now
    new_files: list[str] = field(default_factory=list)  # those of the events being published (``new_events``)

    def follow(self, name: str) -> None:
        """Point ``name``'s view at the table's newest version (after a step committed to it)."""
        delta = self.lake.table(name)
        self.versions[name] = delta.version()
        self.files[name] = delta.file_uris()
        self.store.point_view(name, self.files[name])

    @contextmanager
    def on_driver(self) -> Iterator[Work]:
        """This work as DuckDB in this process does it, for the steps an engine leaves there: this one is it."""
        yield self

    @contextmanager
    def _embedded_copy(self) -> Iterator[Work]:
        """An embedded Work over this one's files (for an engine's ``on_driver``); the tables it commits are
        followed after the block."""
        store = embedded_reader(self.lake, dict(self.files))
        store.define_view("new_events", f"SELECT * FROM {store.files_relation('events', self.new_files)}")
        driver = Work(self.lake, store, dict(self.versions), self.writer_id, changed=dict(self.changed),
                      files=dict(self.files), new_files=self.new_files)
        try:
            yield driver
        finally:
            store.close()
        for name, version in driver.versions.items():
            if version != self.versions.get(name):
                self.follow(name)
        self.changed = driver.changed

    def _next(self) -> int:
        self.sequence += 1
        return self.sequence

    def append_sql(self, table: Table, select: str) -> None:
        """Add the rows of ``select`` (over the work's views) as one data file in the table's sort order,
        written by DuckDB as it reads them (any number of rows, in bounded memory)."""
        actions = self.write_files(table, select)
        if actions:
            commit(self.lake, table, actions)
            self._count(table, sum(a.rows for a in actions))
        self.follow(table.name)

    def write_files(self, table: Table, select: str, params: dict[str, Any] | None = None) -> list[FileAction]:
        """The rows of ``select`` written as data files of ``table`` in its sort order, not committed (none when
        there are no rows): here one file, written by DuckDB as it reads them (any number of rows, in bounded
        memory); a Work of another engine writes them its way (cloudblame.spark.derive)."""
        action = copy_data_file(self.store.conn, self.lake.root, table, select, params, writer_id=self.writer_id,
                                sequence=self._next())
        return [action] if action is not None else []

    def rewrite(self, table: Table, *, keep: str, add: str, params: dict[str, Any] | None = None) -> None:
        """The table replaced, in one commit, by its rows ``t`` matching ``keep`` and the rows of ``add`` (both
        SQL over the work's views): one data file in the table's sort order, written by DuckDB in bounded
        memory. For the derived tables a publish changes in place (their size is the resources' or the
        sessions', not the events')."""
        old = self.lake.add_actions(table.name).to_pylist()
        select = f"SELECT t.* FROM {table.name} t WHERE {keep} UNION ALL BY NAME SELECT * FROM ({add})"
        actions = self.write_files(table, select, params)
        now = int(time.time() * 1000)
        removes = [RemoveAction(a["path"], True, now, a["size_bytes"], {}) for a in old]
        if removes or actions:
            commit(self.lake, table, [*removes, *actions])
            self._count(table, sum(a.rows for a in actions))
        self.follow(table.name)

    def upsert(self, table: Table, rows: str, keys: tuple[str, ...], *, delete: str | None = None) -> None:
        """The rows of ``rows`` (a table or view of the work's) replace the rows with the same ``keys``, or are
        added; rows whose keys are in ``delete`` (one too, or None) go."""
        same = " AND ".join(f"r.{k} IS NOT DISTINCT FROM t.{k}" for k in keys)
        gone = f" OR EXISTS (SELECT 1 FROM {delete} r WHERE {same})" if delete else ""
        keep = f"NOT (EXISTS (SELECT 1 FROM {rows} r WHERE {same}){gone})"
        self.rewrite(table, keep=keep, add=f"SELECT * FROM {rows}")

    def replace_all(self, table: Table, select: str, params: dict[str, Any] | None = None) -> None:
        """The whole table replaced by the rows of ``select`` (derived from derived tables, never from all
        events)."""
        self.rewrite(table, keep="false", add=select, params=params)

    def _count(self, table: Table, rows: int) -> None:
        self.changed[table.name] = self.changed.get(table.name, 0) + rows


def embedded_reader(lake: Lake, files: dict[str, list[str]]) -> Store:
    store = Store.at(lake, None, files=files)
    store.limit_memory(DERIVE_MEMORY)
    return store


@dataclass(frozen=True)
class Engine:
    """Where a publish derives: the reader its steps query (over the given data files of each table) and the
    Work that writes what they derive. The default is DuckDB in this process; cloudblame.spark.derive's runs
    the same steps, their SQL transpiled, on Spark."""

    reader: Callable[[Lake, dict[str, list[str]]], Store] = embedded_reader
    work: type[Work] = Work


EMBEDDED = Engine()



