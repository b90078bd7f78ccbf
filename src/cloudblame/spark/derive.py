"""A publish on Spark: the derived tables brought forward by the same steps as the embedded publish
(cloudblame.derive: the same SQL, transpiled by spark/dialect.py, run as Spark jobs over the tables' data
files), their rows written by Spark's executors and committed by the driver as the embedded publish commits
DuckDB's files.

``spark_engine(session)`` is the ``Engine`` to give ``cloudblame.derive.publish.publish``: its reader is a
SparkStore over the tables' files as the publish brings them forward, its Work writes a table's rows as
Parquet data files sorted in the table's order (range-partitioned on it: files of non-overlapping key
ranges, as many as the rows' size asks), named under the publisher's writer id (a dead publisher's are
found and removed like DuckDB's), each file's Delta statistics read from its footer.

What stays on the driver: the steps whose rows go through Python (the inventory's rows and the creations,
priced by the catalog's Python, fetched a chunk at a time as from DuckDB), the pairing of AWS's Insight
records (``Work.on_driver``: DuckDB's JSON functions), the rewriting of the events files that hold a duplicate
(found on Spark, before the derive, under the events lock: cloudblame.derive.dedup) and the Delta commits.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudblame.derive.work import Engine, Work
from cloudblame.spark.store import SparkStore
from cloudblame.store.files import FileAction, data_file_action, declared_columns
from cloudblame.store.lake import Lake
from cloudblame.store.tables import Table

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SparkWork", "spark_engine"]

# Parquet as the store's own writer writes it: zstd, small row groups (point lookups read one or two).
WRITE_OPTIONS = {"compression": "zstd", "parquet.compression.codec.zstd.level": "1",
                 "parquet.block.size": str(8 * 1024 * 1024)}


# Spark 4.3 fails to plan the session walk's recursive query with this optimizer rule ("The plan was previously
# resolved and now became unresolved"); the rule only removes redundant aliases, the plans run without it.
DERIVE_CONF = {"spark.sql.optimizer.excludedRules": "org.apache.spark.sql.catalyst.optimizer.RemoveRedundantAliases"}


class SparkWork(Work):
    """A publish's Work whose store is a SparkStore: rows written by Spark (see the module doc)."""

    store: SparkStore

    def write_files(self, table: Table, select: str, params: dict[str, Any] | None = None) -> list[FileAction]:
        sort = list(table.sort_by)
        rows = self.store.frame(f"SELECT {declared_columns(table)} FROM ({select}) _rows", params or {})
        staging = self.lake.scratch / f"spark-{self.writer_id}-{uuid.uuid4().hex[:8]}"
        writer = rows.repartitionByRange(*sort).sortWithinPartitions(*sort).write.mode("overwrite")
        for key, value in WRITE_OPTIONS.items():
            writer = writer.option(key, value)
        try:  # (a file moved and left uncommitted is the writer's: the next publish removes it once it is gone)
            writer.parquet(str(staging))
            return [a for a in (self._place(table, part) for part in sorted(staging.glob("part-*.parquet")))
                    if a is not None]
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @contextmanager
    def on_driver(self) -> Iterator[Work]:
        """An embedded Work over this one's files: DuckDB in the driver's process."""
        with self._embedded_copy() as driver:
            yield driver

    def _place(self, table: Table, part: Path) -> FileAction | None:
        """A file Spark wrote, moved into the table's folder under the writer's name; None (and gone) when it
        holds no row."""
        return data_file_action(self.lake.root, table, writer_id=self.writer_id, sequence=self._next(),
                                move=part)


def spark_reader(session: SparkSession) -> Callable[[Lake, dict[str, list[str]]], SparkStore]:
    """The reader of a Spark publish: a SparkStore on ``session`` over the given data files of each table."""

    def reader(lake: Lake, files: dict[str, list[str]]) -> SparkStore:
        store = SparkStore.at(lake, None, files=files, session=session)
        for key, value in DERIVE_CONF.items():
            store.spark.conf.set(key, value)
        return store

    return reader


def spark_engine(session: SparkSession) -> Engine:
    """The Engine that derives on ``session`` (see the module doc)."""
    return Engine(reader=spark_reader(session), work=SparkWork)
