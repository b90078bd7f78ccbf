"""The store's own commands: `sql` (ad-hoc questions over its views), `compact`, `vacuum`, `migrate`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import typer

from cloudblame.cli.common import DbOption, FormatOption, WideOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Column, Format, emit, ident, number, print_table, say, stream_rows, text, time
from cloudblame.core.timeutil import iso_z, parse_duration
from cloudblame.store import default_db_path

VIEWS_HELP = ("Views: events (with the resolved human: resolved_human, resolved_kind...), event_rows (the events "
              "table alone), event_resources, resources, resource_keys, inventory, session_actors, session_keys, "
              "credentials, calls, activity, identity_names, objects. Columns: docs/store.md.")


def sql(
    query: str = typer.Argument(..., help="One SQL statement (DuckDB's dialect) over the store's views."),
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    limit: int = typer.Option(1000, "--limit", "-n", min=0, help="At most this many rows in a table (0: all; "
                              "json/csv: all)."),
    wide: bool = WideOption,
) -> None:
    """Ad-hoc SQL over the newest published snapshot, read-only: no file outside the store can be read or written."""
    with open_store(db, read_only=True) as store:
        store.lock_down()
        try:
            result = store.conn.execute(query)
        except Exception as exc:  # noqa: BLE001 - a user's SQL: its error, whatever its kind, is the answer
            say(f"error: {str(exc).splitlines()[0]}", style="red", err=True)
            raise typer.Exit(2) from None
        if not result.description:
            say("error: give a query that returns rows (SELECT, WITH, DESCRIBE...)", style="red", err=True)
            raise typer.Exit(2)
        columns = [d[0] for d in result.description]
        rows = (dict(zip(columns, row)) for batch in _batches(result) for row in batch)
        if fmt is Format.table:
            shown = [r for _, r in zip(range(limit), rows)] if limit else list(rows)
            print_table(f"{len(shown)} row(s)", _sql_columns(columns, shown[:1]),
                        ([r[c] for c in columns] for r in shown), wide=wide)
        else:
            stream_rows(rows, fmt)


def _sql_columns(names: list[str], sample: list[dict[str, Any]]) -> list[Column]:
    """Specs for a query's columns: ids by name (..._id, arn, id), times and numbers by the first row's
    values, the rest text; the first column stays, the later ones go first when they do not fit."""
    first = sample[0] if sample else {}
    specs = []
    for i, name in enumerate(names):
        value = first.get(name)
        if name.lower() in ("id", "arn", "path") or name.lower().endswith(("_id", "_arn", "_key")):
            specs.append(ident(name, i))
        elif isinstance(value, datetime):
            specs.append(time(name, i))
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            specs.append(number(name, i))
        else:
            specs.append(text(name, i))
    return specs


def _batches(result: duckdb.DuckDBPyConnection, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := result.fetchmany(size):
        yield chunk


def compact(
    db: str | None = DbOption,
    retain: str | None = typer.Option(None, "--retain", help="Also drop events older than this (e.g. 400d) that "
                                         "no resource's creation or deletion needs."),
) -> None:
    """Publish what is pending and merge every table's small files into sorted ones."""
    from cloudblame.derive.publish import publish

    keep = parse_duration(retain) if retain else None
    with open_store(db, read_only=False) as store:
        done = publish(store.lake, reason="compact", compact=True, retain=keep)
    say(f"compacted {done.compacted} file(s); {done.retired} event(s) past retention dropped; "
        f"snapshot {done.snapshot}; {done.seconds:.1f}s")


def vacuum(
    db: str | None = DbOption,
    older_than: str = typer.Option("1h", "--older-than", help="Keep files removed less than this long ago."),
) -> None:
    """Delete data files no table version in use needs (removed by compaction, or never committed)."""
    from cloudblame.derive.publish import vacuum as vacuum_lake

    age = parse_duration(older_than)
    with open_store(db, read_only=True) as store:
        deleted = vacuum_lake(store.lake, older_than=age)
    say(f"deleted {deleted} file(s)")


def migrate(
    old: str = typer.Argument(..., help="A store file of an earlier cloudblame (cloudblame.duckdb)."),
    to: str | None = typer.Option(None, "--to", help="The store directory to create [default: ./cloudblame-store]."),
) -> None:
    """Copy a store of an earlier cloudblame (one DuckDB file) into a store directory."""
    from cloudblame.cli.views import print_ingest_summary
    from cloudblame.pipeline.migrate import migrate as migrate_store

    target = to or default_db_path()
    with open_store(target, read_only=False) as store:
        summary = migrate_store(old, store)  # StoreError (not an earlier store): exit 2
        print_ingest_summary(summary)
    say(f"migrated {old} into {target}")


def problems(db: str | None = DbOption, fmt: Format = FormatOption) -> None:
    """Files and objects not read completely (truncated, damaged, unreadable) and why: the next ingest of
    their path reads them again. Exit 1 while any is pending."""
    from cloudblame.store.ledger import pending

    with open_store(db, read_only=True) as store:
        rows = [dict(r, failed_at=iso_z(r["failed_at"])) for r in pending(store.lake)]
    emit({"pending": rows, "count": len(rows)}, fmt, lambda: _print_pending(rows), lambda: rows)
    if rows:
        raise typer.Exit(1)


def _print_pending(rows: list[dict[str, Any]]) -> None:
    if not rows:
        say("nothing pending: every file and object read so far was read completely")
        return
    print_table(f"{len(rows)} file(s) pending: read again by the next ingest of their path",
                [ident("path"), number("records read", 1), text("reason", 0, 20), time("failed at", 2)],
                ([r["path"], r["records"], r["reason"], r["failed_at"]] for r in rows))


def register(app: typer.Typer) -> None:
    app.command("sql", epilog=VIEWS_HELP + "\n\n" + epilog("sql"))(sql)
    app.command("compact", epilog=epilog("compact"))(compact)
    app.command("vacuum", epilog=epilog("vacuum"))(vacuum)
    app.command("migrate", epilog=epilog("migrate"))(migrate)
    app.command("problems", epilog=epilog("problems"))(problems)
