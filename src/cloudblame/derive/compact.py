"""Compaction: small data files merged into larger ones, sorted for point lookups (each table's sort_by;
events also by the hour first, as workers write them). A publish compacts a table (for events: a day) once
it holds ``MIN_SMALL_FILES`` files under ``SMALL_FILE`` bytes, none larger than the smaller ones together;
`cloudblame compact` compacts every table that has two or more. A compaction commits one Delta transaction per table that removes the merged files
and adds the new one (no data change); the removed files stay on disk for readers of older snapshots
until `cloudblame vacuum` deletes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from deltalake.transaction import RemoveAction

from cloudblame.store.db import new_connection
from cloudblame.store.files import FileAction, copy_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import EVENTS, Table

SMALL_FILE = 32 * 2**20  # bytes
MIN_SMALL_FILES = 8
MEMORY = "400MB"  # DuckDB's cap while sorting (it spills beyond)


@dataclass(frozen=True)
class DataFile:
    path: str  # relative to the table
    size: int
    partition: dict[str, str]

    def removal(self, now: int, *, data_change: bool) -> RemoveAction:
        """The Delta remove action of this file (``now``: ms)."""
        partition: dict[str, str | None] = dict(self.partition)
        return RemoveAction(self.path, data_change, now, self.size, partition)


def data_files(lake: Lake, table: Table) -> list[DataFile]:
    actions = lake.add_actions(table.name).to_pylist()
    return [DataFile(a["path"], a["size_bytes"], {k.removeprefix("partition."): str(v) for k, v in a.items()
                                                  if k.startswith("partition.")}) for a in actions]


def due(files: list[DataFile], *, force: bool) -> list[list[DataFile]]:
    """The groups of small files to merge (one group per partition)."""
    groups: dict[tuple[tuple[str, str], ...], list[DataFile]] = {}
    for f in files:
        if f.size < SMALL_FILE:
            groups.setdefault(tuple(sorted(f.partition.items())), []).append(f)
    if force:
        return [g for g in groups.values() if len(g) >= 2]
    tiers = (_tier(g) for g in groups.values())
    return [t for t in tiers if len(t) >= MIN_SMALL_FILES]


def _tier(files: list[DataFile]) -> list[DataFile]:
    """The smallest files of a group, each no larger than those before it together (a file much larger than
    the newer small ones waits until they add up to it: each row is written again a few times, not once
    per compaction)."""
    taken: list[DataFile] = []
    total = 0
    for f in sorted(files, key=lambda f: f.size):
        if len(taken) >= 2 and f.size > total:
            break
        taken.append(f)
        total += f.size
    return taken


def order_sql(table: Table) -> str:
    keys = list(table.sort_by)
    if table is EVENTS:
        keys = ["date_trunc('hour', event_time)", *keys]
    return ", ".join(keys)


def merge(lake: Lake, table: Table, group: list[DataFile], *, writer_id: str,
          sequence: int) -> list[FileAction | RemoveAction]:
    """One sorted data file of ``group``'s rows: the remove and add actions that commit it."""
    root = lake.path_of(table.name)
    sources = [str(root / f.path) for f in group]
    conn = new_connection(lake)
    try:
        conn.execute(f"SET memory_limit = '{MEMORY}'")
        add = copy_data_file(conn, lake.root, table, "SELECT * FROM read_parquet($files)", {"files": sources},
                             writer_id=writer_id, sequence=sequence, partition=group[0].partition,
                             order=order_sql(table), data_change=False)
    finally:
        conn.close()
    now = int(time.time() * 1000)
    return [*(f.removal(now, data_change=False) for f in group), *([add] if add else [])]


def compact_table(lake: Lake, table: Table, *, writer_id: str, force: bool = False) -> int:
    """Merge the due groups of ``table`` (one commit); returns how many files were merged."""
    actions: list[FileAction | RemoveAction] = []
    merged = 0
    for sequence, group in enumerate(due(data_files(lake, table), force=force), start=1):
        actions += merge(lake, table, group, writer_id=writer_id, sequence=sequence)
        merged += len(group)
    if actions:
        commit(lake, table, actions, metadata={"cloudblame": "compact"})
    return merged
