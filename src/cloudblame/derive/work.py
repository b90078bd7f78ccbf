"""What a publish works with: the store as it is being brought forward, and the ways a derived table is
written (append sorted rows, replace the rows of some keys, replace rows matching a condition, replace all).

``Work.store`` is a DuckDB reader whose views start at the last published snapshot, plus ``new_events``
(the events being published) and ``new_links`` (their resource rows); after each step commits a table,
its view follows the table's new version, so later steps read what earlier ones wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyarrow as pa
from deltalake import write_deltalake
from deltalake.writer import WriterProperties

from cloudblame.store.db import Store, define_views
from cloudblame.store.files import COMPRESSION_LEVEL, copy_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import TABLES, Table

WRITER = WriterProperties(compression="ZSTD", compression_level=COMPRESSION_LEVEL)


@dataclass
class Work:
    lake: Lake
    store: Store
    versions: dict[str, int]  # each table's version as the publish has brought it so far
    writer_id: str
    sequence: int = 0
    changed: dict[str, int] = field(default_factory=dict)  # rows written per table (the publish's report)

    def follow(self, name: str) -> None:
        """Point ``name``'s view at the table's newest version (after a step committed to it)."""
        delta = self.lake.table(name)
        self.versions[name] = delta.version()
        define_views(self.store.conn, {name: delta.file_uris()})

    def _next(self) -> int:
        self.sequence += 1
        return self.sequence

    def append_sql(self, table: Table, select: str) -> None:
        """Add the rows of ``select`` (over the work's views) as one data file in the table's sort order,
        written by DuckDB as it reads them (any number of rows, in bounded memory)."""
        action = copy_data_file(self.store.conn, self.lake.root, table, select, writer_id=self.writer_id,
                                sequence=self._next())
        if action is not None:
            commit(self.lake, table, [action])
            self._count(table, json.loads(action.stats)["numRecords"])
        self.follow(table.name)

    def upsert(self, table: Table, rows: pa.Table, keys: tuple[str, ...], *, delete: pa.Table | None = None) -> None:
        """Rows of ``rows`` replace the rows with the same ``keys`` (or are added); rows whose keys are in
        ``delete`` go. One Delta merge: the files holding those keys are rewritten, the rest kept."""
        source = rows.cast(table.schema).append_column("_delete", pa.array([False] * rows.num_rows, pa.bool_()))
        if delete is not None and delete.num_rows:
            gone = self._not_in(delete.select(list(keys)), rows, keys).cast(
                pa.schema([table.schema.field(k) for k in keys]))
            filler = {f.name: pa.nulls(gone.num_rows, f.type) for f in table.schema if f.name not in keys}
            gone = pa.table({**{k: gone.column(k) for k in keys}, **filler}).select(table.schema.names)
            source = pa.concat_tables([source, gone.append_column("_delete", pa.array([True] * gone.num_rows, pa.bool_()))])
        if source.num_rows:
            on = " AND ".join(f"(t.{k} IS NOT DISTINCT FROM s.{k})" for k in keys)
            columns = {name: f"s.{name}" for name in table.schema.names}
            (self.lake.table(table.name).merge(source, on, source_alias="s", target_alias="t", writer_properties=WRITER)
             .when_matched_delete("s._delete").when_matched_update(columns)
             .when_not_matched_insert(columns, "NOT s._delete").execute())
            self._count(table, source.num_rows)
        self.follow(table.name)

    def _not_in(self, keys_rows: pa.Table, rows: pa.Table, keys: tuple[str, ...]) -> pa.Table:
        """The rows of ``keys_rows`` whose keys are not among ``rows``' (nulls equal)."""
        on = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in keys)
        with self.store.registered(keys_rows) as a, self.store.registered(rows.select(list(keys))) as b:
            return self.store.arrow(f"SELECT * FROM {a} a ANTI JOIN {b} b ON {on}")

    def replace_where(self, table: Table, rows: pa.Table, predicate: str) -> None:
        """The rows matching ``predicate`` (SQL over the table's columns, the library's own text) replaced
        by ``rows``, in one commit."""
        rows = rows.sort_by([(c, "ascending") for c in table.sort_by]) if table.sort_by else rows
        write_deltalake(str(self.lake.path_of(table.name)), rows.cast(table.schema), mode="overwrite",
                        predicate=predicate, writer_properties=WRITER)
        self._count(table, rows.num_rows)
        self.follow(table.name)

    def replace_all(self, table: Table, rows: pa.Table) -> None:
        """The whole table replaced by ``rows`` (derived from derived tables, never from all events)."""
        rows = rows.sort_by([(c, "ascending") for c in table.sort_by]) if table.sort_by else rows
        write_deltalake(str(self.lake.path_of(table.name)), rows.cast(table.schema), mode="overwrite",
                        writer_properties=WRITER)
        self._count(table, rows.num_rows)
        self.follow(table.name)

    def _count(self, table: Table, rows: int) -> None:
        self.changed[table.name] = self.changed.get(table.name, 0) + rows


def sql_rows(work: Work, name: str, select: str, params=()) -> pa.Table:
    """``select`` (over the work's views) as rows of table ``name``'s columns, in its order."""
    table = TABLES[name]
    result = work.store.arrow(select, params)
    return result.select(table.schema.names).cast(table.schema)
