"""Options and error handling shared by every command.

Exit status (EXIT_STATUS): 0 done; 1 problems found or a fault (a bug: ``error: internal error: ...``, the
traceback logged with CLOUDBLAME_DEBUG=1); 2 the user's error (bad input, nothing found, several found,
no store at the path given). Diagnostics go to stderr, results alone to stdout."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from cloudblame.cli.output import Format, say
from cloudblame.errors import Ambiguous, NotFound, StoreError, UserError, one_line
from cloudblame.store import Store, default_db_path

log = logging.getLogger("cloudblame.cli")

EXIT_STATUS = ("Exit status: 0 done; 1 problems found (an ingest that could read nothing, a sync with problems, "
               "log files that fail verify) or an internal error (CLOUDBLAME_DEBUG=1 shows its traceback); 2 a "
               "usage error: bad input, nothing found, several things found, no store at the path given. "
               "Messages go to stderr; stdout holds only the result.")

DbOption = typer.Option(
    None, "--db", envvar="CLOUDBLAME_DB", show_envvar=True,
    help="Store directory [default: ./cloudblame-store]",
)
FormatOption = typer.Option(Format.table, "--format", "-f", help="Output format.", case_sensitive=False)
WaitOption = typer.Option(30.0, "--wait", min=0, help="Seconds to wait for another process publishing to the store.")


@contextmanager
def open_store(db: str | None, *, read_only: bool, wait: float = 30.0) -> Iterator[Store]:
    """Open the store for a command (one that writes creates it when there is none); a store that cannot
    be used raises StoreError (a message and exit status 2: ``fail``)."""
    store = Store.open(db or default_db_path(), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def _candidate_line(c: dict) -> str:
    if "time" in c:  # an event
        return f"  {c['id']}  {c.get('time') or '?'}  {c.get('event_name') or '?'}  account {c.get('account') or '?'}"
    return f"  {c.get('type') or '?'}  {c['id']}  account {c.get('account') or '?'}  ({c.get('events')} events)"


def _quiet_stdout() -> None:
    """The reader of stdout has gone (``| head``): write no more there (nor at exit)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (tests)
        pass


def fail(exc: Exception) -> int:
    """Say what went wrong on stderr, in a line (candidates under it), and return the exit status."""
    if isinstance(exc, BrokenPipeError):
        _quiet_stdout()
        return 1
    if isinstance(exc, Ambiguous):
        say(f"error: {exc}", style="yellow", err=True)
        for c in exc.candidates[:20]:
            say(_candidate_line(c), err=True)
        return 2
    if isinstance(exc, (UserError, StoreError)):
        say(f"error: {exc}", style="yellow" if isinstance(exc, NotFound) else "red", err=True)
        return 2 if not isinstance(exc, StoreError) or exc.user else 1
    say(f"error: internal error: {one_line(exc)}", style="red", err=True)
    if os.environ.get("CLOUDBLAME_DEBUG"):
        log.error("internal error", exc_info=exc)
    else:
        say("(set CLOUDBLAME_DEBUG=1 for the details)", style="dim", err=True)
    return 1


class GuardedGroup(TyperGroup):
    """The command group: an exception a command lets escape becomes a line on stderr and an exit
    status (``fail``), never a traceback; click's own (usage errors, exits) pass through."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - every other one is mapped by kind
            raise typer.Exit(fail(exc)) from None
