"""One row per event: before new events are published, any whose eventID the store already holds, or
that two new files both hold, is taken out of the newer file (the file is rewritten without it, in one
commit that removes the old file and adds the new). The same record read twice (a trail copied to two
places, LookupEvents over days a trail covers, two ingests at once) is stored once.

Copies of an event carry the same eventTime, so the published ids compared are only those within a day of
the new events' times (row-group statistics skip the rest); new ids are compared by hash first.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake.transaction import RemoveAction
from typing_extensions import TypedDict

from cloudblame.store.db import Store
from cloudblame.store.files import FileAction, write_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import EVENTS

DUPLICATES_SQL = """
WITH new AS (SELECT event_id, event_time, file_name, file_row_number FROM {new}),
repeated AS (SELECT hash(event_id) AS h FROM new GROUP BY hash(event_id) HAVING count(*) > 1),
within AS (
    SELECT n.file_name, n.file_row_number FROM new n JOIN {order} o ON o.file_name = n.file_name
    WHERE hash(n.event_id) IN (SELECT h FROM repeated)
    QUALIFY row_number() OVER (PARTITION BY n.event_id ORDER BY o.position, n.file_row_number) > 1
),
published AS (
    SELECT n.file_name, n.file_row_number FROM new n
    SEMI JOIN (SELECT event_id FROM {published}
               WHERE event_time BETWEEN $low::TIMESTAMP - INTERVAL 1 DAY AND $high::TIMESTAMP + INTERVAL 1 DAY) p
    ON p.event_id = n.event_id
)
SELECT file_name, list(DISTINCT file_row_number) AS rows
FROM (SELECT * FROM within UNION ALL SELECT * FROM published) GROUP BY file_name"""


class AddedFile(TypedDict):
    """A new events file as its add action says (``modification_time``: ms)."""

    path: str
    size: int
    modification_time: int
    partition_values: dict[str, str]


def remove_duplicates(lake: Lake, published: Store, adds: list[AddedFile], *, writer_id: str
                      ) -> tuple[list[AddedFile], int]:
    """``adds`` (the add actions of the new events files, oldest first: path, size, partition_values,
    modification_time) without the rows the store or an older new file already holds; returns the files as
    they now are and how many rows were taken out. ``published``: a reader of the published snapshot on the
    engine that finds the duplicates (DuckDB here, or Spark); the files that hold some are rewritten here."""
    if not adds:
        return adds, 0
    root = lake.path_of(EVENTS.name)
    files = [str(root / a["path"]) for a in adds]
    new = published.file_rows(EVENTS.name, files)
    bounds = published.query(f"SELECT min(event_time) AS low, max(event_time) AS high FROM {new}")[0]
    low, high = bounds["low"], bounds["high"]
    days = published.events_from(low - timedelta(days=1), high + timedelta(days=1), resolved=False)
    order = pa.table({"file_name": [Path(f).name for f in files], "position": pa.array(range(len(files)), pa.int64())})
    with published.registered(order) as order_name:
        found = published.arrow(DUPLICATES_SQL.format(new=new, order=order_name, published=days),
                                {"low": low, "high": high})
    if not found.num_rows:
        return adds, 0
    by_name = {Path(f).name: f for f in files}
    drop = {by_name[unquote(name)]: rows
            for name, rows in zip(found.column("file_name").to_pylist(), found.column("rows").to_pylist())}
    actions: list[FileAction | RemoveAction] = []
    kept: list[AddedFile] = []
    removed = 0
    for add, path in zip(adds, files):
        if path not in drop:
            kept.append(add)
            continue
        rows = pq.read_table(path)
        mask = pc.invert(pc.is_in(pa.array(range(rows.num_rows), pa.int64()), pa.array(drop[path], pa.int64())))
        survivors = rows.filter(mask)
        removed += rows.num_rows - survivors.num_rows
        partition: dict[str, str | None] = dict(add["partition_values"])
        actions.append(RemoveAction(add["path"], True, int(time.time() * 1000), add["size"], partition))
        if survivors.num_rows:
            action = write_data_file(lake.root, EVENTS, survivors, writer_id=writer_id, sequence=len(actions),
                                     partition=add["partition_values"])
            actions.append(action)
            kept.append({"path": action.path, "size": action.size, "partition_values": action.partition_values,
                         "modification_time": action.modification_time})
    commit(lake, EVENTS, actions, metadata={"cloudblame": "dedupe"})
    return kept, removed
