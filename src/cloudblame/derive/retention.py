"""Retention (`cloudblame compact --retain 400d`): events older than the retention window before the newest
stored event are dropped, except those that changed a resource (a successful create, delete or modify):
the history of who made, changed and removed what stays answerable (blame, inventory), while old reads,
references and failed calls go. Their event_resources rows go with them; the credentials (the identity
walk's edges) and the counts of calls per day stay.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import duckdb
from deltalake.transaction import RemoveAction

from cloudblame.derive.compact import DataFile, data_files, order_sql
from cloudblame.derive.work import Work
from cloudblame.store.db import new_connection
from cloudblame.store.files import FileAction, copy_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.tables import EVENT_RESOURCES, EVENTS

_CHANGES = "('create', 'delete', 'modify')"
KEPT_EVENT_SQL = (f"(event_time >= $cutoff OR (error_code IS NULL AND "
                  f"len(list_filter(resources, lambda r: r.action IN {_CHANGES})) > 0))")


def retire(lake: Lake, *, retain: timedelta, writer_id: str) -> tuple[int, datetime | None]:
    """Drop the events past retention (see the module doc); returns how many, and the cutoff (None: the
    store holds no event)."""
    conn = new_connection(lake)
    try:
        files = data_files(lake, EVENTS)
        root = lake.path_of(EVENTS.name)
        newest = _newest(conn, [str(root / f.path) for f in files])
        if newest is None:
            return 0, None
        cutoff = newest - retain
        old = [f for f in files if f.partition.get("event_date", "9999") <= cutoff.date().isoformat()]
        actions, dropped = [], 0
        for sequence, day in enumerate(_by_day(old), start=1):
            kept, gone = _rewrite_day(conn, lake, day, cutoff, writer_id=writer_id, sequence=sequence)
            actions += kept
            dropped += gone
        if actions:
            commit(lake, EVENTS, actions, metadata={"cloudblame": "retention"})
    finally:
        conn.close()
    return dropped, cutoff


def retire_links(work: Work, cutoff: datetime) -> None:
    """The event_resources rows of the events retention dropped, dropped too."""
    work.rewrite(EVENT_RESOURCES, keep=f"NOT (t.event_time < $cutoff AND (t.failed OR t.action NOT IN {_CHANGES}))",
                 add="SELECT * FROM event_resources WHERE false", params={"cutoff": cutoff})


def _newest(conn: duckdb.DuckDBPyConnection, paths: list[str]) -> datetime | None:
    if not paths:
        return None
    newest: datetime | None = conn.execute(f"SELECT max(event_time) FROM read_parquet({paths!r})").fetchall()[0][0]
    return newest


def _by_day(files: list[DataFile]) -> list[list[DataFile]]:
    days: dict[str, list[DataFile]] = {}
    for f in files:
        days.setdefault(f.partition.get("event_date", ""), []).append(f)
    return list(days.values())


def _rewrite_day(conn: duckdb.DuckDBPyConnection, lake: Lake, day: list[DataFile], cutoff: datetime, *, writer_id: str,
                 sequence: int) -> tuple[list[FileAction | RemoveAction], int]:
    """One day's files without what retention drops: (the actions that commit it, rows dropped)."""
    sources = [str(lake.path_of(EVENTS.name) / f.path) for f in day]
    params = {"files": sources, "cutoff": cutoff}
    total, kept = conn.execute(f"SELECT count(*), count(*) FILTER (WHERE {KEPT_EVENT_SQL}) FROM read_parquet($files)",
                               params).fetchall()[0]
    if kept == total:
        return [], 0
    now = int(time.time() * 1000)
    add = copy_data_file(conn, lake.root, EVENTS, f"SELECT * FROM read_parquet($files) WHERE {KEPT_EVENT_SQL}", params,
                         writer_id=writer_id, sequence=sequence, partition=day[0].partition, order=order_sql(EVENTS))
    return [*(f.removal(now, data_change=True) for f in day), *([add] if add else [])], total - kept
