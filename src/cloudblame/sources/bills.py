"""Cost export files (CUR 2.0, legacy CUR, FOCUS) on disk or in S3: found, fetched, and read a column
subset at a time.

Parquet (``.parquet``, ``.snappy.parquet``...) and CSV (``.csv``, ``.csv.gz``, ``.csv.zip``) files under
the paths given (folders walked recursively) or the ``s3://BUCKET/PREFIX`` given; manifests and
anything else are left alone. A file is read a batch at a time, only the columns asked for, every CSV
value as text (legacy CUR writes everything as text): memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from botocore.exceptions import BotoCoreError, ClientError

from cloudblame.sources.files import Problem
from cloudblame.sources.s3 import parse_s3_url

BILL_SUFFIXES = (".parquet", ".csv", ".csv.gz", ".csv.zip")
BATCH_ROWS = 65_536


@dataclass(frozen=True)
class BillFile:
    """A cost export file to read: a local path, or an S3 object (``etag`` set, ``path`` its s3:// URL)."""

    path: str
    size: int
    mtime_ns: int = 0
    etag: str | None = None
    modified: float = 0.0  # when it was written (mtime, or the object's LastModified), in seconds

    @property
    def kind(self) -> str:
        return "parquet" if self.path.lower().endswith(".parquet") else "csv"


def is_bill_file(name: str) -> bool:
    return name.lower().endswith(BILL_SUFFIXES)


def local_bill_files(paths: Sequence[str]) -> tuple[list[BillFile], list[Problem]]:
    """The export files among ``paths`` (files, and folders walked recursively), each once, absolute."""
    found: dict[str, BillFile] = {}
    problems: list[Problem] = []
    for text in paths:
        if os.path.isdir(text):
            names = [os.path.join(root, name) for root, dirs, files in os.walk(text) for name in files
                     if is_bill_file(name)]
        elif os.path.isfile(text):
            names = [text]
        else:
            problems.append(Problem(text, None, "no such file or folder"))
            continue
        for name in sorted(names):
            stat = os.stat(name)
            path = os.path.abspath(name)
            found[path] = BillFile(path, stat.st_size, stat.st_mtime_ns, modified=stat.st_mtime)
    return list(found.values()), problems


def s3_bill_files(client: Any, url: str) -> list[BillFile]:
    """The export objects under ``s3://BUCKET[/PREFIX]`` (or the one object it names), in key order."""
    location = parse_s3_url(url)
    prefix = url.split(f"s3://{location.bucket}/", 1)[1] if f"s3://{location.bucket}/" in url else ""
    if prefix and not prefix.endswith("/") and not is_bill_file(prefix):
        prefix += "/"
    objects = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=prefix):
            objects += page.get("Contents", [])
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise BillSourceError(f"{url}: {error.get('Code', '?')}: {error.get('Message', '')}") from None
    except BotoCoreError as exc:
        raise BillSourceError(f"cannot reach S3 for {url}: {exc}") from None
    return [BillFile(f"s3://{location.bucket}/{o['Key']}", int(o.get("Size", 0)), 0, str(o.get("ETag", "")).strip('"'),
                     o["LastModified"].timestamp() if hasattr(o.get("LastModified"), "timestamp") else 0.0)
            for o in sorted(objects, key=lambda o: o["Key"]) if is_bill_file(o["Key"])]


# A billing period's folder: CUR 2.0's partition (BILLING_PERIOD=2026-03) or legacy CUR's (20260301-20260401).
_PERIOD_FOLDER = re.compile(r"^(BILLING_PERIOD=\d{4}-\d{2}|\d{8}-\d{8})$")


def superseded(files: Sequence[BillFile]) -> dict[str, str]:
    """The files of deliveries a newer one replaced -> the folder of the newer one. An export that keeps
    every delivery (legacy CUR's "new report version", Data Exports' "create new") writes each into a folder
    of its own under the period's (``.../20260301-20260401/<assembly id>/``): of a period's delivery folders,
    the one written last is the bill; files directly under the period's folder (overwritten in place) are."""
    versions: dict[str, dict[str, list[BillFile]]] = {}
    for file in files:
        parts = file.path.split("/")
        if len(parts) >= 3 and _PERIOD_FOLDER.match(parts[-3]):
            versions.setdefault("/".join(parts[:-2]), {}).setdefault(parts[-2], []).append(file)
    old: dict[str, str] = {}
    for period, delivered in versions.items():
        if len(delivered) > 1:
            newest = max(delivered, key=lambda v: (max(f.modified for f in delivered[v]), v))
            old.update({f.path: f"{period}/{newest}" for v, fs in delivered.items() if v != newest for f in fs})
    return old


class BillSourceError(Exception):
    """A problem with a whole source (bucket, credentials, network), with its message."""


def download(client: Any, file: BillFile, target: Path) -> None:
    """Fetch the S3 object ``file`` into ``target``."""
    location = parse_s3_url(file.path)
    key = file.path.split(f"s3://{location.bucket}/", 1)[1]
    try:
        client.download_file(location.bucket, key, str(target))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise OSError(f"{error.get('Code', '?')}: {error.get('Message', '')}") from None
    except BotoCoreError as exc:
        raise OSError(f"download failed: {exc}") from None


@contextmanager
def _csv_stream(path: Path) -> Iterator[IO[bytes]]:
    """The CSV text of ``path``: as is, gunzipped, or the first member of a zip."""
    if path.name.lower().endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                raise ValueError("an empty zip")
            with archive.open(members[0]) as member:
                yield member
        return
    with pa.input_stream(str(path), compression="detect") as stream:
        yield stream


def columns_of(path: Path, kind: str) -> list[str]:
    """The column names of a Parquet file, or of a CSV file's header."""
    if kind == "parquet":
        return list(pq.read_schema(path).names)
    with _csv_stream(path) as stream:
        header = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="").readline()
    return next(csv.reader([header]), [])


def read_columns(path: Path, kind: str, columns: Sequence[str], *, batch_rows: int = BATCH_ROWS
                 ) -> Iterator[pa.RecordBatch]:
    """The rows of ``path``, ``batch_rows`` at a time, with only ``columns`` (CSV values as text)."""
    if kind == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=list(columns))
        return
    options = pacsv.ConvertOptions(include_columns=list(columns), column_types={c: pa.string() for c in columns},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    with _csv_stream(path) as stream:
        reader = pacsv.open_csv(stream, read_options=pacsv.ReadOptions(block_size=1 << 22, encoding="utf8"),
                                convert_options=options)
        yield from reader
