"""Publishing: events committed since the last snapshot become visible, with every fact derived from them.

One publisher at a time (the store's publish lock). A publish takes the events appended since the
published snapshot (without duplicates), derives from them - and from the derived tables, never from all
events - what they change (cloudblame.derive's steps, in order), then commits a snapshot row naming the
new version of every table. Until that row is committed readers see the previous snapshot; a publish that
dies before it leaves derived tables ahead of the snapshot, which the next publish rolls back first, so
the store always answers from one consistent state and a re-run ends where an uninterrupted one would.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyarrow as pa

from cloudblame.derive.activity import update_activity
from cloudblame.derive.bill import BillChange, bill_change, update_bill
from cloudblame.derive.compact import compact_table
from cloudblame.derive.console import update_console_sessions
from cloudblame.derive.dedup import AddedFile, remove_duplicates
from cloudblame.derive.details import prices_version
from cloudblame.derive.identity import resolve_sessions
from cloudblame.derive.insights import update_insights
from cloudblame.derive.inventory import inventory_matches_resources, refresh_inventory
from cloudblame.derive.lifecycle import update_resources
from cloudblame.derive.links import add_links
from cloudblame.derive.retention import retire, retire_links
from cloudblame.derive.work import EMBEDDED, Engine, Work
from cloudblame.store.db import Store, published_files, snapshot_files
from cloudblame.store.lake import Lake, Snapshot
from cloudblame.store.readings import published_readings
from cloudblame.store.tables import BILL_LINES, DERIVED, DERIVED_AGAIN_BELOW, EVENTS, OBJECTS, SNAPSHOTS, TABLES

log = logging.getLogger(__name__)


@dataclass
class PublishSummary:
    snapshot: int | None = None  # the snapshot published (None: nothing new to publish)
    events: int = 0  # events published
    duplicates: int = 0  # events left out: the store (or an older new file) already held them
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)  # rows written per derived table
    compacted: int = 0  # data files merged into larger ones
    retired: int = 0  # events dropped past retention


@dataclass
class NewEvents:
    """The events a publish takes (fixed under the events lock): their files, deduplicated, and the
    events table's version once retention and compaction have had their say."""

    files: list[AddedFile]  # the new files' add actions, oldest first
    version: int
    cutoff: datetime | None  # retention's, when asked for


def publish(lake: Lake, *, reason: str = "ingest", wait: float | None = None, compact: bool = False,
            retain: timedelta | None = None, engine: Engine = EMBEDDED) -> PublishSummary:
    """Publish what was committed since the last snapshot (see the module doc); compact the tables that
    hold many small files (with ``compact``, every table with two or more); with ``retain``, drop what
    is past retention (cloudblame.derive.retention). ``engine``: where the derived tables are computed."""
    started = time.perf_counter()
    summary = PublishSummary()
    with lake.publish_lock(wait), lake.writer() as writer_id:
        snap = lake.latest_snapshot()
        roll_back_unpublished(lake, snap)
        remove_orphans(lake, snap)
        new = _fix_new_events(lake, snap, summary, writer_id=writer_id, compact=compact, retain=retain,
                              engine=engine)
        bill = bill_change(lake, snap)
        events_due = bool(new.files or summary.compacted or summary.retired or compact or _derived_by_older(snap)
                          or _inventory_priced_otherwise(lake, snap))
        if events_due or bill.files:  # a new bill alone derives only the bill's tables
            _derive_and_commit(lake, snap, new, summary, bill, writer_id=writer_id, compact=compact, reason=reason,
                               events_due=events_due, engine=engine)
        if summary.compacted:
            vacuum(lake)
    summary.seconds = time.perf_counter() - started
    return summary


def _fix_new_events(lake: Lake, snap: Snapshot | None, summary: PublishSummary, *, writer_id: str, compact: bool,
                    retain: timedelta | None, engine: Engine) -> NewEvents:
    """Under the events lock (no append lands meanwhile): the new events without duplicates (found by
    ``engine``), what is past retention dropped, small events files compacted."""
    with lake.events_lock():
        adds = _new_event_files(lake, snap)
        if adds:
            with engine.reader(lake, published_files(lake, snap)) as published:
                adds, summary.duplicates = remove_duplicates(lake, published, adds, writer_id=writer_id)
        summary.retired, cutoff = retire(lake, retain=retain, writer_id=writer_id) if retain else (0, None)
        summary.compacted = compact_table(lake, EVENTS, writer_id=writer_id, force=compact)
        return NewEvents(adds, lake.table(EVENTS.name).version(), cutoff)


def _derive_and_commit(lake: Lake, snap: Snapshot | None, new: NewEvents, summary: PublishSummary, bill: BillChange, *,
                       writer_id: str, compact: bool, reason: str, events_due: bool = True,
                       engine: Engine = EMBEDDED) -> None:
    """Every derived table brought forward from the new events (unless only the bill changed) and the new
    bill lines, then the snapshot that publishes it all."""
    work = _work(lake, new.version, new.files, writer_id, bill.version, engine)
    try:
        if new.cutoff is not None:
            retire_links(work, new.cutoff)
        everything = _derived_by_older(snap)
        if events_due:
            summary.events = derive(work, events_changed=bool(new.files), everything=everything)
        update_bill(work, bill, links=events_due and bool(new.files), everything=everything)
        summary.compacted += _compact_derived(work, force=compact)
        versions = {**work.versions, EVENTS.name: new.version, OBJECTS.name: lake.table(OBJECTS.name).version(),
                    BILL_LINES.name: bill.version, **published_readings(snap)}
        total = (snap.events if snap else 0) + summary.events - summary.retired
        summary.snapshot = lake.publish(versions, events=total, reason=reason, writer_id=writer_id).snapshot
    finally:
        work.store.close()
    summary.tables = dict(work.changed)


def _compact_derived(work: Work, *, force: bool) -> int:
    """Compact the derived tables and the ledger (the work's versions follow)."""
    merged = 0
    for name in (*DERIVED, OBJECTS.name, SNAPSHOTS.name):
        count = compact_table(work.lake, TABLES[name], writer_id=work.writer_id, force=force)
        if count and name in DERIVED:
            work.follow(name)
        merged += count
    return merged


VACUUM_AFTER = timedelta(hours=1)  # files a compaction removed are kept this long for the readers of older snapshots


def vacuum(lake: Lake, *, older_than: timedelta = VACUUM_AFTER) -> int:
    """Delete the files no table version in use needs: removed (compacted, rolled back, deduplicated)
    more than ``older_than`` ago, or never committed and as old; those of the published snapshot are kept
    whatever their age. Returns how many files were deleted."""
    snap = lake.latest_snapshot()
    deleted = 0
    for name in TABLES:
        keep = [snap.versions[name]] if snap and name in snap.versions else None
        deleted += len(lake.table(name).vacuum(retention_hours=int(older_than.total_seconds() // 3600),
                                               enforce_retention_duration=False, dry_run=False, full=True,
                                               keep_versions=keep))
    return deleted


def derive(work: Work, *, events_changed: bool, everything: bool = False) -> int:
    """Every derived table brought up to date with ``new_events`` (with ``everything``, the resources and
    inventory derived again from all links); returns how many events those are."""
    new: int = work.store.scalar("SELECT count(*) FROM new_events")
    targeted = inventory_matches_resources(work) and not everything
    add_links(work)
    changed = pa.concat_tables([resolve_sessions(work), update_console_sessions(work, everything=everything)])
    touched = update_resources(work, changed, everything=everything)
    update_activity(work, sessions_changed=changed.num_rows > 0)
    refresh_inventory(work, touched, events_changed=events_changed, targeted=targeted)
    update_insights(work, everything=everything)
    return new


def _work(lake: Lake, events_version: int, adds: list[AddedFile], writer_id: str, bill_version: int,
          engine: Engine) -> Work:
    """A reader of the derived tables as they are (the published snapshot's, rolled back to it, or as the
    publish has brought them), the events at ``events_version``, the bill lines at ``bill_version``, and the
    new events files as ``new_events``."""
    versions = {name: lake.table(name).version() for name in DERIVED}
    versions[EVENTS.name] = events_version
    versions[BILL_LINES.name] = bill_version
    files = snapshot_files(lake, versions)
    store = engine.reader(lake, files)
    root = lake.path_of(EVENTS.name)
    new_files = [str(root / a["path"]) for a in adds]
    store.define_view("new_events", f"SELECT * FROM {store.files_relation(EVENTS.name, new_files)}")
    return engine.work(lake, store, {k: v for k, v in versions.items() if k in DERIVED}, writer_id, files=files,
                       new_files=new_files)


def _new_event_files(lake: Lake, snap: Snapshot | None) -> list[AddedFile]:
    """The add actions (oldest first) of the events files committed since ``snap``."""
    published = set(lake.table(EVENTS.name, snap.versions[EVENTS.name]).file_uris()) if snap else set()
    root = str(lake.path_of(EVENTS.name))
    actions = lake.add_actions(EVENTS.name).to_pylist()
    fresh = [a for a in actions if f"{root}/{a['path']}" not in published]
    fresh.sort(key=lambda a: (a["modification_time"], a["path"]))
    return [{"path": a["path"], "size": a["size_bytes"], "modification_time": a["modification_time"],
             "partition_values": {"event_date": str(a["partition.event_date"])}} for a in fresh]


def _derived_by_older(snap: Snapshot | None) -> bool:
    """Whether the published derived tables were written by a cloudblame whose resources meant otherwise."""
    return snap is not None and snap.events > 0 and snap.schema_version < DERIVED_AGAIN_BELOW


def _inventory_priced_otherwise(lake: Lake, snap: Snapshot | None) -> bool:
    """Whether the published inventory was priced with another price table than the one in use."""
    if snap is None:
        return False
    with Store.at(lake, snap, files={"inventory": lake.table("inventory", snap.versions["inventory"]).file_uris()}) as store:
        return bool(store.scalar("SELECT count(*) FROM inventory WHERE prices <> ?", [prices_version()]))


def roll_back_unpublished(lake: Lake, snap: Snapshot | None) -> list[str]:
    """Derived tables ahead of the published snapshot (a publish died before its snapshot) restored to
    their published version; returns their names."""
    restored = []
    for name in DERIVED:
        if snap is None or name not in snap.versions:
            continue
        table = lake.table(name)
        if table.version() != snap.versions[name]:
            table.restore(snap.versions[name])
            restored.append(name)
    if restored:
        log.warning("rolled back %s to the published snapshot %s", ", ".join(restored), snap.snapshot if snap else None)
    return restored


def remove_orphans(lake: Lake, snap: Snapshot | None) -> int:
    """Delete the data files of writers that died without committing them; returns how many."""
    dead = lake.dead_writers()
    if not dead:
        return 0
    removed = 0
    for name in TABLES:
        root = lake.path_of(name)
        referenced = set(lake.table(name).file_uris())
        if snap is not None and name in snap.versions:
            referenced |= set(lake.table(name, snap.versions[name]).file_uris())
        for writer in dead:
            for path in root.rglob(f"part-{writer}-*"):
                if str(path) not in referenced:
                    path.unlink()
                    removed += 1
    for writer in dead:
        lake.forget_writer(writer)
    return removed


