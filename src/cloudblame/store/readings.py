"""Facts read from AWS APIs other than CloudTrail (``usage_evidence``: what CloudWatch said of a resource's use):
appended to their table and published at once, outside an ingest's publish.

A reading holds the publish lock while it commits its rows and publishes a snapshot naming the table's new
version beside every other table's published one; a publish carries that version forward (``published_readings``),
so the rows stay visible whatever is ingested after them.
"""

from __future__ import annotations

import pyarrow as pa

from cloudblame.store.files import write_data_file
from cloudblame.store.lake import Lake, Snapshot, commit
from cloudblame.store.tables import LIVE_STATE, USAGE_EVIDENCE, Table

# The tables written by readings, not by ingest nor derived by a publish.
READING_TABLES = (USAGE_EVIDENCE.name, LIVE_STATE.name)


def published_readings(snap: Snapshot | None) -> dict[str, int]:
    """The versions of the reading tables ``snap`` publishes (a publish names them again)."""
    if snap is None:
        return {}
    return {name: snap.versions[name] for name in READING_TABLES if name in snap.versions}


def append_and_publish(lake: Lake, table: Table, rows: pa.Table, *, reason: str, wait: float | None = None) -> Snapshot:
    """``rows`` appended to ``table`` (a reading table) and published: a snapshot naming its new version beside
    the published versions of every other table. ``wait``: seconds to wait for a publish under way."""
    if table.name not in READING_TABLES:
        raise ValueError(f"{table.name} is not written by readings")
    with lake.publish_lock(wait), lake.writer() as writer_id:
        snap = lake.latest_snapshot()
        if snap is None:
            raise ValueError(f"store {lake.root} has no snapshot to add readings to")
        version = commit(lake, table, [write_data_file(lake.root, table, rows.select(table.schema.names).cast(
            table.schema), writer_id=writer_id, sequence=0)]) if rows.num_rows else lake.table(table.name).version()
        return lake.publish({**snap.versions, table.name: version}, events=snap.events, reason=reason,
                            writer_id=writer_id)
