"""`cloudblame costs import`: AWS cost exports (CUR 2.0, legacy CUR, FOCUS; from disk or S3) into the
store's ``bill_lines``, then published: the bill is matched to the resources (cloudblame.derive.bill) and
visible with the snapshot that publishes it.

Each file's lines are written as data files of their own; one Delta commit adds those of every file read
and removes the lines earlier imports of the same files gave (a file imported again after it changed
replaces its lines; one unchanged - same size and mtime, or same ETag and size - is not read again). The
files are entered in the ledger (``objects``) once their lines are committed, so an import killed at any
point reads again exactly what it had not finished and, replacing by file, never counts a line twice.
"""

from __future__ import annotations

import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
from deltalake.transaction import RemoveAction

from cloudblame.core.bill_contracts import BillFileReport, BillFormat, BillImport, ImportStatus
from cloudblame.derive.publish import publish
from cloudblame.normalize.bill import BadBill, bill_format, bill_lines, column_map
from cloudblame.sources.bills import (
    BillFile,
    BillSourceError,
    columns_of,
    download,
    local_bill_files,
    read_columns,
    s3_bill_files,
    superseded,
)
from cloudblame.sources.files import FileReport
from cloudblame.store.db import new_connection
from cloudblame.store.files import FileAction, copy_data_file, write_data_file
from cloudblame.store.lake import Lake, commit
from cloudblame.store.ledger import LATEST, enter, ledger
from cloudblame.store.tables import BILL_LINES

CHUNK_ROWS = 262_144  # lines per data file written (a file of more is written as several)
SHAPE = "bill-"  # ledger shapes of export files: bill-cur2, bill-cur, bill-focus, bill-skipped
ClientFactory = Callable[[], Any]  # an S3 client, made when an s3:// path is given
_READ_ERRORS = (BadBill, pa.ArrowException, OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError, ValueError)


@dataclass
class FileRead:
    """One export file read: its lines' data files (written, not committed), or why it was not read."""

    file: BillFile
    fmt: str | None = None
    actions: list[FileAction] = field(default_factory=list)
    lines: int = 0
    periods: set[date] = field(default_factory=set)
    skipped: str | None = None  # not a cost export
    failure: str | None = None  # could not be read: read again next time


def import_bills(lake: Lake, paths: list[str], *, s3_client: ClientFactory | None = None,
                 force: bool = False, wait: float | None = None) -> BillImport:
    """Import the cost exports under ``paths`` (files, folders, ``s3://BUCKET/PREFIX``) not imported
    unchanged before (``force``: all of them), then publish (``wait``: seconds to wait for another
    publisher; None: as long as it takes)."""
    started = time.perf_counter()
    files, problems = _find(paths, s3_client)
    old = superseded(files)  # deliveries a newer one replaced: not read, and their lines taken out
    todo = [f for f in (files if force else _changed(lake, files)) if f.path not in old]
    reads: list[FileRead] = []
    replaced = 0
    with lake.writer() as writer_id:
        client = s3_client() if s3_client and any(f.etag is not None for f in todo) else None
        for n, file in enumerate(todo):
            reads.append(_read(lake, file, client, writer_id=writer_id, sequence=n * 1000))
        done = [r for r in reads if r.failure is None and r.skipped is None]
        if done or old:
            replaced = commit_lines(lake, done, gone=sorted(old), writer_id=writer_id, sequence=len(todo) * 1000,
                                    wait=wait)
        enter(lake, [_ledger_entry(r) for r in reads], writer_id=writer_id, sequence=len(todo) * 1000 + 999)
    reads += [FileRead(f, skipped=f"superseded by the newer delivery in {old[f.path]}") for f in files if f.path in old]
    snapshot = publish(lake, reason="costs import", wait=wait).snapshot
    return _summary(files, reads, problems, replaced, snapshot, time.perf_counter() - started)


def _find(paths: list[str], s3_client: ClientFactory | None) -> tuple[list[BillFile], list[str]]:
    """The export files under ``paths`` and the problems met finding them."""
    local = [p for p in paths if not p.startswith("s3://")]
    files, found_problems = local_bill_files(local)
    problems = [f"{p.path}: {p.reason}" for p in found_problems]
    urls = [p for p in paths if p.startswith("s3://")]
    client = s3_client() if urls and s3_client else None
    for url in urls:
        if client is None:
            problems.append(f"{url}: no S3 client")
            continue
        try:
            files += s3_bill_files(client, url)
        except BillSourceError as exc:
            problems.append(str(exc))
    return files, problems


def _changed(lake: Lake, files: list[BillFile]) -> list[BillFile]:
    """``files`` less those the ledger holds as imported unchanged (same size and mtime, or ETag)."""
    if not files:
        return []
    with ledger(lake) as conn:
        rows = conn.execute(f"SELECT path, size, mtime_ns, etag FROM {LATEST} WHERE starts_with(shape, ?) "
                            "AND path IN (SELECT unnest(?::VARCHAR[]))", [SHAPE, [f.path for f in files]]).fetchall()
    seen = {path: (size, mtime, etag) for path, size, mtime, etag in rows}
    return [f for f in files if seen.get(f.path) != (f.size, f.mtime_ns, f.etag)]


@contextmanager
def _local_copy(lake: Lake, file: BillFile, client: Any) -> Iterator[Path]:
    """The file on disk: a local one as it is, an S3 object downloaded under the store's .tmp (then removed)."""
    if file.etag is None:
        yield Path(file.path)
        return
    folder = lake.scratch
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"bill-{uuid.uuid4().hex}-{file.path.rsplit('/', 1)[-1]}"
    try:
        download(client, file, target)
        yield target
    finally:
        target.unlink(missing_ok=True)


def _read(lake: Lake, file: BillFile, client: Any, *, writer_id: str, sequence: int) -> FileRead:
    """Read one export file into data files of bill_lines (not committed)."""
    read = FileRead(file)
    try:
        with _local_copy(lake, file, client) as local:
            columns = columns_of(local, file.kind)
            read.fmt = bill_format(columns)
            if read.fmt is None:
                read.skipped = "not a cost export: no CUR 2.0, CUR or FOCUS columns"
                return read
            _write_lines(lake, read, local, column_map(read.fmt, columns), writer_id=writer_id, sequence=sequence)
    except _READ_ERRORS as exc:
        read.failure = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        read.actions, read.lines, read.periods = [], 0, set()
    return read


def _write_lines(lake: Lake, read: FileRead, local: Path, columns: dict[str, str], *, writer_id: str,
                 sequence: int) -> None:
    """The lines of ``local`` as data files of bill_lines, CHUNK_ROWS at a time (lines without a billing
    period are left out: no bill names one without)."""
    pending: list[pa.Table] = []
    held = 0
    assert read.fmt is not None
    for batch in read_columns(local, read.file.kind, sorted(set(columns.values()))):
        lines = bill_lines(batch, columns, fmt=read.fmt, path=read.file.path)
        lines = lines.filter(pc.is_valid(lines.column("period")))
        read.periods.update(pc.unique(lines.column("period")).to_pylist())
        pending.append(lines)
        held += lines.num_rows
        if held >= CHUNK_ROWS:
            read.actions.append(_data_file(lake, pa.concat_tables(pending), writer_id, sequence + len(read.actions)))
            read.lines += held
            pending, held = [], 0
    if held:
        read.actions.append(_data_file(lake, pa.concat_tables(pending), writer_id, sequence + len(read.actions)))
        read.lines += held


def _data_file(lake: Lake, lines: pa.Table, writer_id: str, sequence: int) -> FileAction:
    order = pc.sort_indices(lines, sort_keys=[(c, "ascending") for c in BILL_LINES.sort_by])
    return write_data_file(lake.root, BILL_LINES, lines, writer_id=writer_id, sequence=sequence, order=order)


def commit_lines(lake: Lake, reads: list[FileRead], *, gone: Sequence[str] = (), writer_id: str, sequence: int,
                 wait: float | None = None) -> int:
    """Commit the data files of ``reads`` to bill_lines in one transaction that also takes out the lines
    earlier imports of the same files (and of the files ``gone``) gave (a data file holding lines of other
    files too is written again without them); returns how many lines were taken out."""
    paths = [r.file.path for r in reads] + list(gone)
    with lake.publish_lock(wait):  # no other import replaces lines meanwhile, nor a publish reads them half-done
        removes, kept, replaced = _replaced(lake, paths, writer_id=writer_id, sequence=sequence)
        actions: list[FileAction | RemoveAction] = [*removes, *kept, *(a for r in reads for a in r.actions)]
        if actions:
            commit(lake, BILL_LINES, actions)
    return replaced


def _replaced(lake: Lake, paths: list[str], *, writer_id: str, sequence: int
              ) -> tuple[list[RemoveAction], list[FileAction], int]:
    """The removals of bill_lines' data files holding lines of ``paths``, the files rewritten with their
    other lines, and how many lines go."""
    table = lake.table(BILL_LINES.name)
    uris = table.file_uris()
    if not uris:
        return [], [], 0
    root = str(lake.path_of(BILL_LINES.name))
    sizes = {f"{root}/{a['path']}": (a["path"], a["size_bytes"]) for a in lake.add_actions(BILL_LINES.name).to_pylist()}
    conn = new_connection(lake)
    try:
        found = conn.execute("SELECT filename, count(*) FILTER (WHERE source_path IN (SELECT unnest($paths))) AS gone, "
                             "count(*) AS lines FROM read_parquet($uris, filename = true) GROUP BY filename "
                             "HAVING gone > 0", {"paths": paths, "uris": uris}).fetchall()
        now, removes, kept = int(time.time() * 1000), [], []
        for n, (uri, gone, lines) in enumerate(found):
            relative, size = sizes[uri]
            removes.append(RemoveAction(relative, True, now, size, {}))
            if lines > gone:
                action = copy_data_file(conn, lake.root, BILL_LINES, "SELECT * FROM read_parquet($uri) WHERE source_path "
                                        "NOT IN (SELECT unnest($paths))", {"uri": uri, "paths": paths},
                                        writer_id=writer_id, sequence=sequence + n)
                kept += [action] if action else []
        return removes, kept, sum(gone for _, gone, _ in found)
    finally:
        conn.close()


def _ledger_entry(read: FileRead) -> FileReport:
    file = read.file
    shape = SHAPE + (read.fmt or "skipped") if read.skipped or read.fmt else None
    return FileReport(file.path, file.size, file.mtime_ns, None, shape=shape, etag=file.etag, records=read.lines,
                      skipped_reason=read.skipped, failure=read.failure)


def _status(read: FileRead) -> ImportStatus:
    return "failed" if read.failure else "skipped" if read.skipped else "imported"


def _report(read: FileRead) -> BillFileReport:
    return {"path": read.file.path, "format": cast(BillFormat, read.fmt) if read.fmt else None, "status": _status(read),
            "lines": read.lines, "periods": sorted(p.isoformat() for p in read.periods),
            "reason": read.failure or read.skipped}


def _summary(files: list[BillFile], reads: list[FileRead], problems: list[str], replaced: int,
             snapshot: int | None, seconds: float) -> BillImport:
    reports = [_report(r) for r in reads]
    counts = {status: sum(1 for r in reports if r["status"] == status) for status in ("imported", "skipped", "failed")}
    return {"found": len(files), "imported": counts["imported"], "unchanged": len(files) - len(reads),
            "skipped": counts["skipped"], "failed": counts["failed"], "lines": sum(r.lines for r in reads),
            "lines_replaced": replaced, "periods": sorted({p.isoformat() for r in reads for p in r.periods}),
            "snapshot": snapshot, "seconds": round(seconds, 3), "files": reports, "problems": problems}
