"""Rows out as CSV or JSON, as the CLI's `--format csv|json` writes them and the web UI's downloads serve
them: any number of rows, written as they come (shared by every face, owned by none)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any

import orjson

CSV_HEAD = 5_000  # rows whose keys make a streamed CSV's columns
# A row out: column -> value, values nested (dicts, lists) or not (a query's JSON shape, a DuckDB row).
RowOut = Mapping[str, Any]


def flatten(item: RowOut, prefix: str = "") -> dict[str, Any]:
    """``{"actor": {"human": x}}`` -> ``{"actor.human": x}``; lists become ``;``-joined text."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = ";".join(_list_cell(v) for v in value)
        else:
            out[name] = value
    return out


def _list_cell(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v is not None)
    return str(value)


def csv_chunks(rows: Iterable[RowOut]) -> Iterator[str]:
    """``rows`` flattened as CSV text, a row at a time: the columns are the keys of the first CSV_HEAD rows
    (in the order first seen; every key of every row when there are no more)."""
    rest = iter(rows)
    head = [flatten(r) for r in islice(rest, CSV_HEAD)]
    columns = list(dict.fromkeys(c for row in head for c in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in chain(head, (flatten(r) for r in rest)):
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        if buffer.tell() >= 1 << 16:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def json_chunks(rows: Iterable[RowOut]) -> Iterator[str]:
    """``rows`` as one JSON array, a row (one line) at a time."""
    first = True
    yield "["
    for row in rows:
        yield ("\n" if first else ",\n") + orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS).decode()
        first = False
    yield "]\n" if first else "\n]\n"


def chunks(rows: Iterable[RowOut], fmt: str) -> Iterator[str]:
    """``rows`` as CSV or JSON text (``fmt``: "csv" or "json")."""
    return csv_chunks(rows) if fmt == "csv" else json_chunks(rows)
