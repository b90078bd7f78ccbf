"""The floor: what reading the same files costs with nothing of cloudblame in the way.

``decompress``: gunzip every file. ``parse``: gunzip and parse each file's JSON with the fastest parser
installed (orjson, else the standard library's json), counting the records. Both spread the file list
over a pool of ``--workers`` processes, as ingest may. Run as a script (by bench/run.py, under the same
watcher as ingest) it prints one JSON line: files, bytes in and out, records, parser.

Two more stages bound what any ingest storing into DuckDB can reach on this machine, doing far less
than ingest must (no identity, user agent, resources, dedupe, lifecycle): ``bare-store`` parses as
``parse`` does, takes 16 fields of each record as text, and one process inserts them into a DuckDB
file in 50,000-row batches under the memory cap ingest's writer uses; ``bare-store-raw`` also keeps each
record's JSON in a zstd-compressed column, as the store must keep every raw record; ``bare-store-chunks``
compresses them in the workers instead (zstd level 1, 128 records a frame; a record is then found by its
chunk and position), so the one writing process has only bytes to store.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from multiprocessing import get_context

try:
    import orjson

    PARSER = f"orjson {orjson.__version__}"
    _loads = orjson.loads
    _dumps = orjson.dumps
except ImportError:  # pragma: no cover
    PARSER = "json (stdlib)"
    _loads = json.loads
    def _dumps(value) -> bytes:
        return json.dumps(value).encode()


def trail_files(root: str) -> list[str]:
    """Every ``.json.gz`` under ``root``, sorted (the same files ingest reads)."""
    found = []
    for folder, _, names in os.walk(root):
        found.extend(os.path.join(folder, n) for n in names if n.endswith(".json.gz"))
    return sorted(found)


def _decompress(path: str) -> tuple[int, int, int]:
    with open(path, "rb") as handle:
        packed = handle.read()
    return len(packed), len(gzip.decompress(packed)), 0


def _parse(path: str) -> tuple[int, int, int]:
    with open(path, "rb") as handle:
        packed = handle.read()
    data = gzip.decompress(packed)
    return len(packed), len(data), len(_loads(data)["Records"])


STAGES = {"decompress": _decompress, "parse": _parse}
BARE_FIELDS = ("eventID", "eventTime", "eventSource", "eventName", "awsRegion", "recipientAccountId",
               "userAgent", "sourceIPAddress", "errorCode", "errorMessage", "eventType", "readOnly",
               "eventVersion", "sharedEventID")
STORE_STAGES = {"bare-store": None, "bare-store-raw": "record", "bare-store-chunks": "chunk"}  # -> raw kept as
_CHUNK_RECORDS = 128
_BATCH_ROWS = 50_000


def _bare_columns(paths: list[str], raw: str | None):
    """The bare-store stages' worker: Arrow IPC of 16 text fields (and the raw JSON, or its chunk and
    position) of ``paths``, with the compressed chunks when ``raw == "chunk"``."""
    import pyarrow as pa

    names = [f.lower() for f in BARE_FIELDS] + ["identity_type", "principal"] + _RAW_COLUMNS[raw]
    columns: list[list] = [[] for _ in names]
    packed_bytes = json_bytes = 0
    chunks: list[bytes] = []
    pending: list[bytes] = []
    codec = pa.Codec("zstd", compression_level=1)
    for path in paths:
        with open(path, "rb") as handle:
            packed = handle.read()
        data = gzip.decompress(packed)
        packed_bytes, json_bytes = packed_bytes + len(packed), json_bytes + len(data)
        for position, record in enumerate(_loads(data)["Records"]):
            values = [record.get(f) for f in BARE_FIELDS]
            identity = record.get("userIdentity") or {}
            values += [identity.get("type"), identity.get("arn")]
            if raw == "record":
                values.append(_dumps(record).decode())
            elif raw == "chunk":
                values += [f"{os.getpid()}-{id(chunks)}-{len(chunks)}", str(len(pending))]
                pending.append(_dumps(record))
                if len(pending) == _CHUNK_RECORDS:
                    chunks.append(codec.compress(b"\n".join(pending), asbytes=True))
                    pending.clear()
            for column, value in zip(columns, values):
                column.append(value if value is None or type(value) is str else str(value))
    if pending:
        chunks.append(codec.compress(b"\n".join(pending), asbytes=True))
    table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns)})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return packed_bytes, json_bytes, sink.getvalue().to_pybytes(), chunks


_RAW_COLUMNS = {None: [], "record": ["raw"], "chunk": ["chunk", "position"]}
_RAW_DDL = {None: "", "record": ", raw VARCHAR USING COMPRESSION zstd", "chunk": ", chunk VARCHAR, position VARCHAR"}


def _groups(files: list[str], limit: int = 500_000) -> list[list[str]]:
    """Files in groups of about ``limit`` compressed bytes (ingest's task size)."""
    groups, group, size = [], [], 0
    for path in files:
        group.append(path)
        size += os.path.getsize(path)
        if size >= limit:
            groups.append(group)
            group, size = [], 0
    return groups + ([group] if group else [])


def measure_store(files: list[str], raw: str | None, workers: int, db: str) -> list[int]:
    import functools

    import duckdb
    import pyarrow as pa

    conn = duckdb.connect(db)
    conn.execute("SET memory_limit = '256MB'")
    names = [f.lower() for f in BARE_FIELDS] + ["identity_type", "principal"]
    conn.execute(f"CREATE TABLE events ({', '.join(n + ' VARCHAR' for n in names)}{_RAW_DDL[raw]})")
    conn.execute("CREATE TABLE chunks (data BLOB)")
    totals, pending, rows = [0, 0, 0], [], 0

    def insert() -> None:
        batch = pa.concat_tables(pending)  # noqa: F841 (read by the SQL below)
        conn.execute("INSERT INTO events SELECT * FROM batch")
        pending.clear()

    with get_context("fork").Pool(workers) as pool:
        for packed, unpacked, ipc, chunks in pool.imap(functools.partial(_bare_columns, raw=raw), _groups(files)):
            table = pa.ipc.open_stream(ipc).read_all()
            if chunks:
                kept = pa.table({"data": pa.array(chunks, pa.binary())})  # noqa: F841 (read by the SQL below)
                conn.execute("INSERT INTO chunks SELECT * FROM kept")
            totals[0], totals[1], totals[2] = totals[0] + packed, totals[1] + unpacked, totals[2] + table.num_rows
            pending.append(table)
            rows += table.num_rows
            if rows >= _BATCH_ROWS:
                insert()
                rows = 0
    if pending:
        insert()
    conn.execute("CHECKPOINT")
    conn.close()
    return totals


def measure(root: str, stage: str, workers: int, db: str | None = None) -> dict:
    files = trail_files(root)
    if stage in STORE_STAGES:
        if not db:
            raise SystemExit(f"--db is required for --stage {stage}")
        totals = measure_store(files, STORE_STAGES[stage], workers, db)
        return {"stage": stage, "workers": workers, "files": len(files), "gzip_bytes": totals[0],
                "json_bytes": totals[1], "records": totals[2], "parser": PARSER,
                "store_bytes": os.path.getsize(db)}
    work = STAGES[stage]
    totals = [0, 0, 0]
    with get_context("fork").Pool(workers) as pool:
        for sizes in pool.imap_unordered(work, files, chunksize=max(1, min(64, len(files) // (workers * 8) or 1))):
            for i, n in enumerate(sizes):
                totals[i] += n
    return {"stage": stage, "workers": workers, "files": len(files), "gzip_bytes": totals[0],
            "json_bytes": totals[1], "records": totals[2], "parser": PARSER if stage == "parse" else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="corpus folder (walked for .json.gz)")
    parser.add_argument("--stage", choices=sorted(STAGES) + sorted(STORE_STAGES), default="parse")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="the DuckDB file the bare-store stages create (must not exist)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.root, args.stage, args.workers, args.db)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
