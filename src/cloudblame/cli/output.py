"""Shared output: --format table|json|csv for every query command. Every value from a record is
untrusted: tables render it as plain text (never as Rich markup, control characters shown as spaces),
CSV and JSON are escaped by their writers.

Tables fit the width of the output (``output_width``: COLUMNS, else the terminal's, else 120 in a pipe):
each column has a spec (``Column``) saying what kind of value it holds and how useful it is. Ids, ARNs,
times and numbers are never wrapped or cut (people copy them); when the columns do not fit, the least
useful ones (highest ``priority``) are dropped, then free text is shortened with an ellipsis, least useful
first; a line under the table says what was left out, and ``--wide`` shows everything."""

from __future__ import annotations

import enum
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TextIO

import orjson
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleDimensions
from rich.table import Table
from rich.text import Text

from cloudblame.queries.export import chunks


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


PIPE_WIDTH = 120  # the width of a table written where no terminal tells one (a pipe, a file, CI)


def output_width() -> int:
    """Columns to lay tables out in: COLUMNS when set, else the terminal's (stdout's, or stderr's or
    stdin's when stdout is piped), else PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for fd in (1, 2, 0):
        try:
            size = os.get_terminal_size(fd).columns
        except (OSError, ValueError):
            continue
        if size > 0:
            return size
    return PIPE_WIDTH


class StdoutConsole(Console):
    """The results console: its width is decided at each print (``output_width``) unless set."""

    fixed_width: int | None = None

    @property
    def size(self) -> ConsoleDimensions:
        return ConsoleDimensions(self.fixed_width or output_width(), 25)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self.fixed_width = new_size[0]

    @property
    def width(self) -> int:
        return self.size.width

    @width.setter
    def width(self, width: int) -> None:
        self.fixed_width = width


console = StdoutConsole(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # a message stays one line

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def plain(value: object) -> str:
    """A value as one line of text: control characters (newlines, escapes of a hostile record) as spaces."""
    return _CONTROL.sub(" ", str(value))


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` wrapped at spaces to ``width``, each line keeping its paragraph's indent; a word longer
    than the width (an ARN, a path) stays whole on a line of its own, never split."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        stripped = paragraph.lstrip(" ")
        indent = " " * (len(paragraph) - len(stripped))
        out += textwrap.wrap(stripped, max(width, len(indent) + 1), initial_indent=indent, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False) or [""]
    return out


def say(message: str, *, style: str | None = None, err: bool = False) -> None:
    """Print a message whose text may hold record values: never parsed as markup. On stdout it is
    wrapped at spaces to the output width; stderr keeps it on one line."""
    if err:
        err_console.print(Text(message, style=style or ""))
        return
    lines = wrap_words(_CONTROL_BUT_NEWLINE.sub(" ", message), console.width)
    console.print(Text("\n".join(lines), style=style or ""), soft_wrap=True)


def write_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def write_csv(rows: Iterable[Mapping[str, Any]], stream: TextIO | None = None) -> None:
    """``rows`` flattened, one column per key, to ``stream`` (default stdout)."""
    stream_rows(rows, Format.csv, stream)


def stream_rows(rows: Iterable[Mapping[str, Any]], fmt: Format, stream: TextIO | None = None) -> None:
    """``rows`` written as they come (cloudblame.queries.export): any number of rows in the memory of a few."""
    out = stream or sys.stdout
    for chunk in chunks(rows, fmt.value):
        out.write(chunk)


Kind = Literal["id", "time", "number", "text"]


@dataclass(frozen=True)
class Column:
    """A table column. ``kind``: ``id`` (ids, ARNs, event ids, keys, paths), ``time`` and ``number`` are
    never wrapped or cut; ``text`` may be shortened (with an ellipsis) down to ``min_width``.
    ``priority``: 0 is always shown; when the columns do not fit, the highest priority is dropped first."""

    header: str
    kind: Kind = "text"
    priority: int = 0
    min_width: int = 10


def ident(header: str, priority: int = 0) -> Column:
    return Column(header, "id", priority)


def time(header: str = "time", priority: int = 0) -> Column:
    return Column(header, "time", priority)


def number(header: str, priority: int = 0) -> Column:
    return Column(header, "number", priority)


def text(header: str, priority: int = 0, min_width: int = 10) -> Column:
    return Column(header, "text", priority, min_width)


GAP = 2  # characters between two columns (see make_table's box and padding)


def fit_widths(columns: Sequence[Column], natural: Sequence[int], width: int, *,
               comfortable: Sequence[int] | None = None, wide: bool = False) -> list[int | None]:
    """The width of each column (None: not shown) so that the table fits ``width``. Columns are taken
    from the most useful (priority 0: always) to the least, each only if it fits at its narrowest
    while the more useful ones keep their ``comfortable`` width (most of their values whole): a less
    useful column never squeezes a more useful one. Then text is shortened, least useful first, to its
    comfortable width, then to its narrowest, until the whole fits. ``wide``: every column at its natural width."""
    if wide:
        return list(natural)
    narrowest = [n if c.kind != "text" else min(c.min_width, n) for c, n in zip(columns, natural)]
    comfortable = [max(c, n) for c, n in zip(comfortable or natural, narrowest)]
    shown: list[int] = []

    def need(widths: Sequence[int]) -> int:
        return sum(widths[i] for i in shown) + GAP * max(len(shown) - 1, 0)

    for i in sorted(range(len(columns)), key=lambda i: (columns[i].priority, i)):
        level = columns[i].priority
        shown.append(i)
        wanted = [comfortable[j] if columns[j].priority < level else narrowest[j] for j in range(len(columns))]
        if level > 0 and need(wanted) > width:
            shown.remove(i)
    shown.sort()
    widths = list(natural)
    excess = need(widths) - width
    text_columns = sorted((i for i in shown if columns[i].kind == "text"), key=lambda i: (-columns[i].priority, -i))
    for floor in (comfortable, narrowest):  # first only outliers are cut, then down to the narrowest
        for i in text_columns:
            cut = max(min(excess, widths[i] - floor[i]), 0)
            widths[i] -= cut
            excess -= cut
    return [widths[i] if i in shown else None for i in range(len(columns))]


def _comfortable(lengths: list[int]) -> int:
    """The width that shows nine values in ten whole (a few long outliers are shortened instead)."""
    ordered = sorted(lengths)
    return ordered[(len(ordered) - 1) * 9 // 10] if ordered else 0


def cell(value: object) -> Text:
    if value is None:
        return Text("-", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    return Text(plain(value))


@dataclass
class FittedTable:
    """A table laid out for a width: the Rich table, the width it needs, what was left out."""

    table: Table
    width: int
    hidden: list[str]
    shortened: bool


def make_table(columns: Sequence[Column], rows: Iterable[Sequence[object]], *, width: int | None = None,
               wide: bool = False) -> FittedTable:
    """The rows under the columns, fitted to ``width`` (default: the output width) by ``fit_widths``."""
    cells = [[cell(v) for v in row] for row in rows]
    lengths = [[r[i].cell_len for r in cells] for i in range(len(columns))]
    natural = [max([cell_len(c.header), *n]) for c, n in zip(columns, lengths)]
    comfortable = [max(cell_len(c.header), _comfortable(n)) for c, n in zip(columns, lengths)]
    widths = fit_widths(columns, natural, width or console.width, comfortable=comfortable, wide=wide)
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False, pad_edge=False,
                  header_style="bold", expand=False)
    shown = [i for i, w in enumerate(widths) if w is not None]
    for i in shown:
        cut = columns[i].kind == "text"
        table.add_column(columns[i].header, width=widths[i], no_wrap=True, overflow="ellipsis" if cut else "fold",
                         justify="right" if columns[i].kind == "number" else "left")
    for r in cells:
        table.add_row(*(r[i] for i in shown))
    used = sum(w for w in widths if w is not None) + GAP * max(len(shown) - 1, 0)
    hidden = [c.header for c, w in zip(columns, widths) if w is None]
    shortened = any(w is not None and w < n for w, n in zip(widths, natural))
    return FittedTable(table, used, hidden, shortened)


def print_table(title: str | None, columns: Sequence[Column], rows: Iterable[Sequence[object]], *,
                wide: bool = False) -> None:
    """A title line, the table fitted to the output width (``--wide``: at its natural width) and, when
    anything was left out, a line saying what and how to see it."""
    if title:
        say(title, style="bold")
    fitted = make_table(columns, rows, wide=wide)
    with _at_least(fitted.width):  # never squeezed further by Rich: ids stay whole
        console.print(fitted.table)
    left_out = []
    if fitted.hidden:
        left_out.append(f"not shown at this width: {', '.join(fitted.hidden)}")
    if fitted.shortened:
        left_out.append("values shortened (…)")
    if left_out:
        say(f"({'; '.join(left_out)}: --wide shows all)", style="dim")


@contextmanager
def _at_least(width: int) -> Iterator[None]:
    """Within: the console at least ``width`` wide."""
    saved = console.fixed_width
    if width > console.width:
        console.fixed_width = width
    try:
        yield
    finally:
        console.fixed_width = saved


def print_details(title: str, rows: Sequence[tuple[str, str]]) -> None:
    """``key  value`` lines under a bold title, the values wrapped at spaces to the output width. A value
    holding a word too long for the room beside its key (an ARN, a path) goes under the key, whole."""
    say(title, style="bold")
    width = console.width
    key_width = max((len(k) for k, _ in rows), default=0)
    room = width - key_width - 2
    body = Text()
    for key, value in rows:
        body.append(f"{key:>{key_width}}  ", style="bold")
        lines = wrap_words(plain(value), room)
        if any(cell_len(line) > room for line in lines):
            body.append("\n")
            lines = wrap_words("    " + plain(value), width)
        else:
            lines = lines[:1] + [" " * (key_width + 2) + line for line in lines[1:]]
        body.append("\n".join(lines) + "\n")
    console.print(body, soft_wrap=True, end="")


def emit(data: Any, fmt: Format, table: Callable[[], None],
         csv_rows: Callable[[], Iterable[Mapping[str, Any]]] | None = None) -> None:
    """Write ``data`` as JSON, CSV (``csv_rows()`` or data itself) or call ``table()``."""
    if fmt is Format.json:
        write_json(data)
    elif fmt is Format.csv:
        write_csv(csv_rows() if csv_rows else (data if isinstance(data, list) else [data]))
    else:
        table()


def rows_of(items: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> Iterator[list[Any]]:
    """Each item's values at ``keys``, in order: the rows of a table whose columns are those keys."""
    for item in items:
        yield [item.get(k) for k in keys]
