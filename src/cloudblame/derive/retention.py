"""Retention (`cloudblame compact --retain 400d`): events older than the retention window before the newest
stored event are dropped, except those that changed a resource (a successful create, delete or modify):
the history of who made, changed and removed what stays answerable (blame, inventory), while old reads,
references and failed calls go. Their event_resources rows go with them; the credentials (the identity
walk's edges) and the counts of calls per day stay.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import duckdb
from deltalake.transaction import AddAction, RemoveAction

from cloudblame.derive.compact import DataFile, data_files, footer_stats
from cloudblame.store.lake import COMPRESSION_LEVEL, ROW_GROUP_ROWS, Lake, commit, data_file_name
from cloudblame.store.tables import EVENT_RESOURCES, EVENTS

_CHANGES = "('create', 'delete', 'modify')"
KEPT_EVENT_SQL = (f"(event_time >= $cutoff OR (error_code IS NULL AND "
                  f"len(list_filter(resources, lambda r: r.action IN {_CHANGES})) > 0))")


def retire(lake: Lake, *, retain: timedelta, writer_id: str) -> tuple[int, int]:
    """Drop what is past retention (see the module doc); returns (events dropped, events version after)."""
    conn = duckdb.connect()
    try:
        files = data_files(lake, EVENTS)
        root = lake.path_of(EVENTS.name)
        newest = _newest(conn, [str(root / f.path) for f in files])
        if newest is None:
            return 0, lake.table(EVENTS.name).version()
        cutoff = newest - retain
        old = [f for f in files if f.partition.get("event_date", "9999") <= cutoff.date().isoformat()]
        actions, dropped = [], 0
        for sequence, day in enumerate(_by_day(old), start=1):
            kept, gone = _rewrite_day(conn, lake, day, cutoff, writer_id=writer_id, sequence=sequence)
            actions += kept
            dropped += gone
        if actions:
            commit(lake, EVENTS, actions, metadata={"cloudblame": "retention"})
        lake.table(EVENT_RESOURCES.name).delete(
            f"event_time < '{cutoff.isoformat(sep=' ')}' AND (failed OR action NOT IN {_CHANGES})")
    finally:
        conn.close()
    return dropped, lake.table(EVENTS.name).version()


def _newest(conn, paths: list[str]):
    if not paths:
        return None
    return conn.execute(f"SELECT max(event_time) FROM read_parquet({paths!r})").fetchall()[0][0]


def _by_day(files: list[DataFile]) -> list[list[DataFile]]:
    days: dict[str, list[DataFile]] = {}
    for f in files:
        days.setdefault(f.partition.get("event_date", ""), []).append(f)
    return list(days.values())


def _rewrite_day(conn, lake: Lake, day: list[DataFile], cutoff, *, writer_id: str, sequence: int) -> tuple[list, int]:
    """One day's files without what retention drops: (the actions that commit it, rows dropped)."""
    root = lake.path_of(EVENTS.name)
    sources = [str(root / f.path) for f in day]
    total, kept = conn.execute(f"SELECT count(*), count(*) FILTER (WHERE {KEPT_EVENT_SQL}) FROM read_parquet($files)",
                               {"files": sources, "cutoff": cutoff}).fetchall()[0]
    if kept == total:
        return [], 0
    now = int(time.time() * 1000)
    actions: list = [RemoveAction(f.path, True, now, f.size, f.partition) for f in day]
    if kept:
        relative = f"event_date={day[0].partition['event_date']}/{data_file_name(writer_id, sequence)}"
        target = root / relative
        conn.execute(f"COPY (SELECT * FROM read_parquet($files) WHERE {KEPT_EVENT_SQL}) TO '{target}' "
                     f"(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {COMPRESSION_LEVEL}, "
                     f"ROW_GROUP_SIZE {ROW_GROUP_ROWS})", {"files": sources, "cutoff": cutoff})
        actions.append(AddAction(relative, target.stat().st_size, dict(day[0].partition), now, True,
                                 json.dumps(footer_stats(target))))
    return actions, total - kept
