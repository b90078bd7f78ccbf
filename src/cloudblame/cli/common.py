"""Options and error handling shared by every command."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import typer

from cloudblame.cli.output import Format, say
from cloudblame.queries import Ambiguous, NotFound
from cloudblame.store import Store, StoreError, default_db_path

DbOption = typer.Option(
    None, "--db", envvar="CLOUDBLAME_DB", show_envvar=True,
    help="Store directory [default: ./cloudblame-store]",
)
FormatOption = typer.Option(Format.table, "--format", "-f", help="Output format.", case_sensitive=False)
WaitOption = typer.Option(30.0, "--wait", help="Seconds to wait for another process publishing to the store.")


@contextmanager
def open_store(db: str | None, *, read_only: bool, wait: float = 30.0) -> Iterator[Store]:
    """Open the store for a command (one that writes creates it when there is none); user-facing errors
    become a message and exit status 2."""
    try:
        store = Store.open(db or default_db_path(), read_only=read_only)
    except StoreError as exc:
        say(f"error: {exc}", style="red", err=True)
        raise typer.Exit(2) from None
    try:
        yield store
    finally:
        store.close()


@contextmanager
def user_errors() -> Iterator[None]:
    """Map library errors to messages and exit codes: not found 1, ambiguous 1, bad input 2."""
    try:
        yield
    except Ambiguous as exc:
        say(f"{exc}", style="yellow", err=True)
        for c in exc.candidates[:20]:
            say(f"  {c['type'] or '?'}  {c['id']}  account {c['account'] or '?'}  ({c['events']} events)", err=True)
        raise typer.Exit(1) from None
    except NotFound as exc:
        say(f"{exc}", style="yellow", err=True)
        raise typer.Exit(1) from None
    except (ValueError, StoreError) as exc:
        say(f"error: {exc}", style="red", err=True)
        raise typer.Exit(2) from None
