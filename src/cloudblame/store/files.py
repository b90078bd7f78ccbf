"""Data files: the Parquet files of the store's tables, written by whichever process made the rows (ingest's
workers too, which need nothing of Delta for it), each with the statistics Delta keeps for it. Committing
them is the Delta log's business (store/lake.py)."""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from cloudblame.store.tables import Table

if TYPE_CHECKING:  # the workers that write data files never load DuckDB (~20 MB each)
    import duckdb

ROW_GROUP_ROWS = 16_384  # rows per Parquet row group: a point lookup reads one or two
COMPRESSION_LEVEL = 1  # zstd; the raw records compress to ~0.6x their gzip input at level 1
_STATS_TEXT = 32  # longer texts get no Delta statistics (a cut max would be below the real one)
# Delta's per-file statistics: numRecords, minValues, maxValues, nullCount (column -> value).
FileStats = dict[str, Any]


@dataclass(frozen=True)
class FileAction:
    """A data file written and not committed yet: what a Delta add action says of it."""

    path: str  # relative to the table's folder
    size: int
    partition_values: dict[str, str] = field(default_factory=dict)
    modification_time: int = 0  # ms
    data_change: bool = True
    stats: str = "{}"  # Delta's statistics, as JSON

    @property
    def rows(self) -> int:
        rows: int = json.loads(self.stats).get("numRecords", 0)
        return rows


def data_file_name(writer_id: str, sequence: int) -> str:
    return f"part-{writer_id}-{sequence:05d}-{uuid.uuid4().hex[:8]}.zstd.parquet"


def _place(root: Path, table: Table, writer_id: str, sequence: int, partition: dict[str, str] | None) -> tuple[str, Path]:
    folder = "/".join(f"{k}={v}" for k, v in (partition or {}).items())
    relative = f"{folder}/{data_file_name(writer_id, sequence)}" if folder else data_file_name(writer_id, sequence)
    target = root / table.name / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    return relative, target


def _action(relative: str, target: Path, partition: dict[str, str] | None, stats: FileStats,
            data_change: bool = True) -> FileAction:
    return FileAction(relative, target.stat().st_size, dict(partition or {}), int(time.time() * 1000), data_change,
                      json.dumps(stats))


def write_data_file(root: Path, table: Table, rows: pa.Table, *, writer_id: str, sequence: int,
                    partition: dict[str, str] | None = None, order: pa.Array | None = None) -> FileAction:
    """Write ``rows`` as one data file of ``table`` (in ``order``, indices into ``rows``, when given: taken a
    row group at a time, so no second copy of them is ever held) and return the file's action."""
    relative, target = _place(root, table, writer_id, sequence, partition)
    schema = rows.schema
    with pq.ParquetWriter(target, schema, compression="zstd", compression_level=COMPRESSION_LEVEL,
                          use_dictionary=[n for n in schema.names if n != "raw"],
                          write_statistics=_stats_columns(schema)) as writer:
        count = len(order) if order is not None else rows.num_rows
        for start in range(0, count, ROW_GROUP_ROWS):
            chunk = (rows.take(order.slice(start, ROW_GROUP_ROWS)) if order is not None
                     else rows.slice(start, ROW_GROUP_ROWS))
            writer.write_table(chunk, row_group_size=ROW_GROUP_ROWS)
            del chunk  # before the next row group is taken: one copy at a time
    stats = footer_stats(target)
    return _action(relative, target, partition, stats)


def copy_data_file(conn: duckdb.DuckDBPyConnection, root: Path, table: Table, select: str,
                   params: dict[str, Any] | None = None, *, writer_id: str, sequence: int,
                   partition: dict[str, str] | None = None, order: str | None = None,
                   data_change: bool = True) -> FileAction | None:
    """Write the rows of ``select`` (the library's DuckDB SQL on ``conn``, with ``params``) as one data file
    of ``table``, in ``order`` (default: the table's sort order), DuckDB streaming them to the file; the
    file's action, or None (and no file) when there are none."""
    relative, target = _place(root, table, writer_id, sequence, partition)
    order = order or ", ".join(table.sort_by)
    columns = declared_columns(table)
    conn.execute(f"COPY (SELECT {columns} FROM ({select}) ORDER BY {order}) TO '{target}' (FORMAT parquet, "
                 f"COMPRESSION zstd, COMPRESSION_LEVEL {COMPRESSION_LEVEL}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})",
                 params or {})
    stats = footer_stats(target)
    if not stats["numRecords"]:
        target.unlink()
        return None
    return _action(relative, target, partition, stats, data_change)


def data_file_action(root: Path, table: Table, *, writer_id: str, sequence: int, move: Path) -> FileAction | None:
    """``move``, a Parquet file of ``table``'s rows another writer made (Spark's), moved into the table's folder
    under the writer's name; its action, or None (and no file) when it holds no row."""
    relative, target = _place(root, table, writer_id, sequence, None)
    os.replace(move, target)
    stats = footer_stats(target)
    if not stats["numRecords"]:
        target.unlink()
        return None
    return _action(relative, target, None, stats)


_CASTS = {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.float64(): "DOUBLE"}


def declared_columns(table: Table) -> str:
    """The select list that gives a query's columns as ``table`` declares them (see ``_declared``)."""
    return ", ".join(map(_declared, table.schema))


def _declared(field: pa.Field) -> str:
    """A column of the select as the table declares it: a number in its declared type (DuckDB's ``sum`` of
    integers is a HUGEINT or a DOUBLE; the files must hold what the Delta schema says, for every reader)."""
    cast = _CASTS.get(field.type)
    return f"CAST({field.name} AS {cast}) AS {field.name}" if cast else field.name


def _stats_columns(schema: pa.Schema) -> list[str]:
    return [f.name for f in schema if f.name != "raw" and not pa.types.is_nested(f.type)]


def footer_stats(path: Path) -> FileStats:
    """Delta's per-file statistics (record count, and min, max and null count of each flat column, texts
    up to 32 characters) read from a data file's footer: external engines and our own readers skip files
    by them."""
    meta = pq.read_metadata(path)
    mins: dict[str, Any] = {}
    maxs: dict[str, Any] = {}
    nulls: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            column = group.column(c)
            name, stats = column.path_in_schema, column.statistics
            if "." in name or name == "raw" or stats is None:
                continue
            nulls[name] = nulls.get(name, 0) + (stats.null_count or 0)
            if not stats.has_min_max or isinstance(stats.min, (bool, bytes)):
                continue
            if isinstance(stats.min, str) and max(len(stats.min), len(stats.max)) > _STATS_TEXT:
                continue
            mins[name] = min(mins.get(name, stats.min), stats.min)
            maxs[name] = max(maxs.get(name, stats.max), stats.max)
    return {"numRecords": meta.num_rows, "minValues": {k: stat_value(v) for k, v in mins.items()},
            "maxValues": {k: stat_value(v) for k, v in maxs.items()}, "nullCount": nulls}


def stat_value(value: Any) -> Any:
    """A statistic as Delta's JSON writes it (times as ISO text with milliseconds)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


