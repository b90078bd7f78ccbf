"""Reading the store on Spark: the same published snapshot the embedded reader (store/db.py) reads, through the
same queries, their SQL transpiled (spark/dialect.py).

``SparkStore.open`` pins the newest snapshot and registers, in a Spark session of its own (temporary views of
one store do not meet another's), a view per table over exactly the Parquet data files of its version, read
with the table's declared schema (the partition columns, as ``events``' ``event_date``, from the files' paths),
and ``events``: the ``RESOLVED`` join of store/db.py, transpiled. It answers the library's SQL (DuckDB's, as
the queries write it) with the same rows: timestamps without zone come back as naive datetimes (the session
reads and writes ``TIMESTAMP_NTZ``), lists as lists, structs as dicts.
"""

from __future__ import annotations

import copy
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from cloudblame.core.errors import BadInput
from cloudblame.spark.dialect import spark_args, to_spark
from cloudblame.spark.session import spark_session
from cloudblame.store.db import RESOLVED, RESOLVED_READS, Params, Row, Store, published_files, snapshot_files, view_of
from cloudblame.store.lake import Lake, Snapshot, default_db_path
from cloudblame.store.tables import EVENTS, TABLES

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkStore"]

# The session settings a store's reads need: times without zone, read and compared as UTC; no inference of
# constraints (over the transpiled queries' wide projections and unions, it took minutes to plan one).
SESSION_CONF = {"spark.sql.timestampType": "TIMESTAMP_NTZ", "spark.sql.session.timeZone": "UTC",
                "spark.sql.constraintPropagation.enabled": "false"}


class SparkStore(Store):
    """A read-only view of one published snapshot on Spark, with the embedded reader's interface (``query``,
    ``arrow``, ``scalar``, ``events_from``...). Use ``SparkStore.open`` (or as a context manager)."""

    def __init__(self, session: SparkSession, lake: Lake, snapshot: Snapshot | None,
                 files: dict[str, list[str]]):  # (no DuckDB connection: Store.__init__ is not called)
        self.spark = session
        self.lake = lake
        self.snapshot = snapshot
        self.path = str(lake.root)
        self.read_only = True
        self._columns: dict[str, list[tuple[str, str]]] = {}  # view -> its columns (for stars to expand)
        self._sql: dict[str, str] = {}  # the library's SQL -> Spark's, transpiled once
        self._day_views: dict[tuple[date, ...], str] = {}
        self._owner = True  # closes the views (readers share them)
        self._define_views(files)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = True, wait: float = 30.0,
             create: bool | None = None, session: SparkSession | None = None) -> SparkStore:
        """The newest published snapshot of the store at ``path`` on ``session`` (default: the active
        SparkSession, or a local one: spark/session.py). Never creates a store (``read_only``, ``wait`` and
        ``create`` are accepted as Store.open's)."""
        lake = Lake.open(path or default_db_path(), create=False)
        return cls.at(lake, lake.latest_snapshot(), session=session)

    @classmethod
    def at(cls, lake: Lake, snapshot: Snapshot | None, *, files: dict[str, list[str]] | None = None,
           session: SparkSession | None = None) -> SparkStore:
        """A reader of ``snapshot`` (``files``: the data files of each table, when the caller has them)."""
        if files is None:
            files = published_files(lake, snapshot)
        # a query that fails raises its error; pyspark would also log it, a page of JSON on stderr
        logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        own = (session or spark_session()).newSession()
        for key, value in SESSION_CONF.items():
            own.conf.set(key, value)
        return cls(own, lake, snapshot, files)

    @property
    def conn(self) -> duckdb.DuckDBPyConnection:
        raise TypeError("a SparkStore has no DuckDB connection: use its query, arrow, scalar and execute")

    @conn.setter
    def conn(self, value: duckdb.DuckDBPyConnection) -> None:
        raise TypeError("a SparkStore has no DuckDB connection")

    # --- the views

    def _define_views(self, files: dict[str, list[str]]) -> None:
        for name, uris in files.items():
            self._register(view_of(name), self._read(name, uris))
        self.days = _by_day(files.get(EVENTS.name, []))
        self._day_views = {}
        if EVENTS.name in files:
            self._register("events", self.spark.sql(self._spark_sql(RESOLVED.format(rows="event_rows"))))

    def _read(self, name: str, uris: list[str]) -> DataFrame:
        """A table's data files with its declared columns (partition columns from the paths), each of the type
        its data files hold (as DuckDB reads them: the first file's)."""
        from pyspark.sql.pandas.types import from_arrow_schema

        declared = TABLES[name].delta_schema
        if not uris:
            return self.spark.createDataFrame([], from_arrow_schema(declared, prefer_timestamp_ntz=True))
        found = pq.read_schema(uris[0])
        columns = pa.schema([found.field(f.name) if f.name in found.names else f for f in declared])
        schema = from_arrow_schema(columns, prefer_timestamp_ntz=True)
        return self.spark.read.schema(schema).option("basePath", str(self.lake.path_of(name))).parquet(*uris)

    def _register(self, view: str, frame: DataFrame) -> None:
        frame.createOrReplaceTempView(view)
        self._columns[view] = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]

    def _spark_sql(self, sql: str) -> str:
        if (text := self._sql.get(sql)) is None:
            text = self._sql[sql] = to_spark(sql, self._columns)
        return text

    def refresh(self) -> bool:
        """Move to the newest published snapshot; True when it moved."""
        snapshot = self.lake.latest_snapshot()
        if snapshot is None or (self.snapshot is not None and snapshot.snapshot == self.snapshot.snapshot):
            return False
        self._sql = {}
        self._define_views(snapshot_files(self.lake, snapshot.versions))
        self.snapshot = snapshot
        return True

    def events_from(self, low: datetime | None = None, high: datetime | None = None, *,
                    days: Iterable[date] | None = None, resolved: bool = True) -> str:
        """As Store.events_from: a view of the events (``resolved``: with the resolution joined in) of the
        days from ``low`` to ``high`` (or of ``days``), over those days' data files only."""
        if days is None and low is None and high is None:
            return "events" if resolved else "event_rows"
        if days is None:
            first, last = (low or datetime.min).date(), (high or datetime.max).date()
            wanted = tuple(d for d in self.days if first <= d <= last)
        else:
            wanted = tuple(sorted({d for d in days if d in self.days}))
        if not wanted:
            return f"(SELECT * FROM {'events' if resolved else 'event_rows'} WHERE false)"
        rows = self._day_view(wanted)
        return f"{rows}_resolved" if resolved else rows

    def _day_view(self, days: tuple[date, ...]) -> str:
        """The views (rows, and ``<rows>_resolved``) of the events of ``days``, made once."""
        if (view := self._day_views.get(days)) is None:
            view = f"_days_{len(self._day_views)}"
            files = [f for d in days for f in self.days[d]]
            self._register(view, self._read(EVENTS.name, files))
            self._register(f"{view}_resolved", self.spark.sql(self._spark_sql(RESOLVED.format(rows=view))))
            self._day_views[days] = view
        return view

    # --- reading

    def _frame(self, sql: str, params: Params) -> DataFrame:
        return self.spark.sql(self._spark_sql(sql), args=spark_args(params) or None)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows as dicts, as Store.query gives them."""
        rows: list[Row] = self._frame(sql, params).toArrow().to_pylist()
        return rows

    def arrow(self, sql: str, params: Params = ()) -> pa.Table:
        return self._frame(sql, params).toArrow()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        table = self._frame(sql, params).toArrow()
        return table.column(0)[0].as_py() if table.num_rows else None

    def execute(self, sql: str, params: Params = ()) -> None:
        self._frame(sql, params).collect()

    def limit_memory(self, limit: str) -> None:
        """Nothing: Spark's memory is its session's (executors' settings)."""

    def lock_down(self) -> None:
        """Refused: SQL that is not the library's own runs on the embedded engine only."""
        raise BadInput("SQL of your own runs on the embedded engine only: leave out --engine spark")

    @contextmanager
    def registered(self, rows: pa.Table) -> Iterator[str]:
        """``rows`` visible to this store's SQL under the name yielded, for the block's length."""
        name = f"_rows_{uuid.uuid4().hex}"
        self._register(name, self.spark.createDataFrame(rows))
        try:
            yield name
        finally:
            self._drop(name)

    @contextmanager
    def temp_table(self, select: str, params: Params = ()) -> Iterator[str]:
        """The result of ``select``, computed once (a local checkpoint), under the name yielded for the block."""
        name = f"_temp_{uuid.uuid4().hex}"
        self._register(name, self._frame(select, params).localCheckpoint())
        try:
            yield name
        finally:
            self._drop(name)

    # --- what a publish does beside reading (derive/work.py: the store's own, on Spark)

    def frame(self, sql: str, params: Params = ()) -> DataFrame:
        """The rows of ``sql`` (the library's DuckDB SQL) as a Spark DataFrame."""
        return self._frame(sql, params)

    def files_relation(self, table: str, uris: Sequence[str]) -> str:
        """A view of the rows of ``uris``, data files of ``table`` (an empty one of its columns when none)."""
        name = f"_files_{uuid.uuid4().hex}"
        self._register(name, self._read(table, list(uris)))
        return name

    def file_rows(self, table: str, uris: Sequence[str]) -> str:
        """As Store.file_rows: a view of the rows of ``uris`` with ``file_name`` and ``file_row_number``, from
        Spark's file metadata (its file names are URL-encoded: those cloudblame writes need no escaping)."""
        name = f"_file_rows_{uuid.uuid4().hex}"
        frame = self._read(table, list(uris))
        self._register(name, frame.select("*", frame["_metadata.file_name"].alias("file_name"),
                                          frame["_metadata.row_index"].alias("file_row_number")))
        return name

    def define_view(self, view: str, select: str) -> None:
        self._register(view, self.spark.sql(self._spark_sql(select)))

    def point_view(self, table: str, uris: list[str]) -> None:
        """``table``'s view over ``uris`` from now on, and the events views again when they read it: a Spark view
        holds the plan of the views it reads as they were when it was made (a DuckDB view reads them by name)."""
        self._register(view_of(table), self._read(table, uris))
        if table not in RESOLVED_READS:
            return
        if "events" in self._columns:
            self._register("events", self.spark.sql(self._spark_sql(RESOLVED.format(rows="event_rows"))))
        for view in self._day_views.values():
            self._register(f"{view}_resolved", self.spark.sql(self._spark_sql(RESOLVED.format(rows=view))))

    def append_rows(self, temp: str, select: str, params: Params = (), *, by_name: bool = False) -> None:
        """Add the rows of ``select`` to ``temp`` (a ``temp_table``): the view made again as both, computed once."""
        old, new = self.spark.table(temp), self._frame(select, params)
        rows = old.unionByName(new, allowMissingColumns=True) if by_name else old.union(new)
        self._register(temp, rows.localCheckpoint())

    def replace_rows(self, temp: str, select: str, params: Params = ()) -> None:
        """``temp`` (a ``temp_table``) made again as the rows of ``select`` (its columns by name)."""
        self._register(temp, self._frame(select, params).select(*self.spark.table(temp).columns).localCheckpoint())

    def _drop(self, view: str) -> None:
        self.spark.catalog.dropTempView(view)
        self._columns.pop(view, None)

    def reader(self) -> SparkStore:
        """This reader again (a Spark session serves several threads): closing it leaves the views."""
        reader = copy.copy(self)
        reader._owner = False
        return reader

    def concurrently(self, *calls: Callable[[Store], Any]) -> list[Any]:
        """Each of ``calls`` with this reader, one after another (each is a Spark job or a few already)."""
        return [call(self) for call in calls]

    def close(self) -> None:
        if self._owner:
            for view in list(self._columns):
                self._drop(view)


def _by_day(files: list[str]) -> dict[date, list[str]]:
    """The events' data files by the day of their partition (``event_date=YYYY-MM-DD`` in the path)."""
    days: dict[date, list[str]] = {}
    for f in files:
        part = next((p for p in f.split("/") if p.startswith("event_date=")), None)
        if part:
            days.setdefault(date.fromisoformat(part.removeprefix("event_date=")), []).append(f)
    return dict(sorted(days.items()))
