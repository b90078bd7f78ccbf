"""Shared output: --format table|json|csv for every query command. Every value from a record is
untrusted: tables render it as plain text (never as Rich markup), CSV and JSON are escaped by their writers."""

from __future__ import annotations

import csv
import enum
import sys
from typing import Callable, Iterable, TextIO

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)


def say(message: str, *, style: str | None = None, err: bool = False) -> None:
    """Print a message whose text may hold record values: never parsed as markup."""
    (err_console if err else console).print(Text(message, style=style or ""))


def write_json(data) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def flatten(item: dict, prefix: str = "") -> dict:
    """``{"actor": {"human": x}}`` -> ``{"actor.human": x}``; lists become ``;``-joined text."""
    out: dict = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = ";".join(_list_cell(v) for v in value)
        else:
            out[name] = value
    return out


def _list_cell(value) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v is not None)
    return str(value)


def write_csv(rows: Iterable[dict], stream: TextIO | None = None) -> None:
    """``rows`` flattened, one column per key seen in any row, to ``stream`` (default stdout)."""
    flat = [flatten(r) for r in rows]
    columns: list[str] = []
    for row in flat:
        columns.extend(c for c in row if c not in columns)
    writer = csv.DictWriter(stream or sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in flat:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


STREAM_HEAD = 5_000  # rows whose keys make a streamed CSV's columns


def stream_rows(rows: Iterable[dict], fmt: Format, stream: TextIO | None = None) -> int:
    """``rows`` written as they come (a JSON array, or CSV whose columns are the keys of its first
    STREAM_HEAD rows): any number of rows in the memory of a few. Returns how many were written."""
    out = stream or sys.stdout
    rows = iter(rows)
    if fmt is Format.csv:
        head = [flatten(r) for _, r in zip(range(STREAM_HEAD), rows)]
        columns = list(dict.fromkeys(c for row in head for c in row))
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        count = 0
        for row in _chain(head, (flatten(r) for r in rows)):
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
            count += 1
        return count
    count = 0
    out.write("[")
    for row in rows:
        out.write(("," if count else "") + "\n" + orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS).decode())
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _chain(first: list, rest: Iterable) -> Iterable:
    yield from first
    yield from rest


def cell(value) -> Text:
    if value is None:
        return Text("-", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    return Text(str(value))


NO_WRAP = {"time", "event id", "action", "event"}


def make_table(title: str | None, columns: list[str], rows: Iterable[list]) -> Table:
    table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in NO_WRAP)
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    return table


def emit(data, fmt: Format, table: Callable[[], None], csv_rows: Callable[[], Iterable[dict]] | None = None) -> None:
    """Write ``data`` as JSON, CSV (``csv_rows()`` or data itself) or call ``table()``."""
    if fmt is Format.json:
        write_json(data)
    elif fmt is Format.csv:
        write_csv(csv_rows() if csv_rows else (data if isinstance(data, list) else [data]))
    else:
        table()
