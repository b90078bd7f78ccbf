"""Shared output: --format table|json|csv for every query command. Every value from a record is
untrusted: tables render it as plain text (never as Rich markup), CSV and JSON are escaped by their writers."""

from __future__ import annotations

import enum
import sys
from typing import Callable, Iterable, TextIO

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cloudblame.export import chunks


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # a message stays one line


def say(message: str, *, style: str | None = None, err: bool = False) -> None:
    """Print a message whose text may hold record values: never parsed as markup."""
    (err_console if err else console).print(Text(message, style=style or ""))


def write_json(data) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def write_csv(rows: Iterable[dict], stream: TextIO | None = None) -> None:
    """``rows`` flattened, one column per key, to ``stream`` (default stdout)."""
    stream_rows(rows, Format.csv, stream)


def stream_rows(rows: Iterable[dict], fmt: Format, stream: TextIO | None = None) -> None:
    """``rows`` written as they come (cloudblame.export): any number of rows in the memory of a few."""
    out = stream or sys.stdout
    for chunk in chunks(rows, fmt.value):
        out.write(chunk)


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
