"""Options and error handling shared by every command.

Exit status (EXIT_STATUS): 0 done; 1 problems found or a fault (a bug: ``error: internal error: ...``, the
traceback logged with CLOUDBLAME_DEBUG=1); 2 the user's error (bad input, nothing found, several found,
no store at the path given). Diagnostics go to stderr, results alone to stdout."""

from __future__ import annotations

import glob
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.exceptions import TyperException

from cloudblame.cli.output import Format, say
from cloudblame.core.errors import Ambiguous, BadInput, NotFound, StoreError, UserError, one_line
from cloudblame.core.timeutil import iso_z, parse_duration, parse_when
from cloudblame.queries.anchor import time_anchor
from cloudblame.sources.files import DATA_SUFFIXES
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
# Judging what is forgotten (forgotten, cleanup plan, report): the same options everywhere.
IdleOption = typer.Option("30d", "--idle", help="Forgotten: no activity for this long (14d, 6w...).")
AsOfOption = typer.Option(None, "--as-of", help="Judge as of this time [default: the newest event].")
WideOption = typer.Option(False, "--wide", "-w", help="Tables: every column, nothing shortened (wider than the "
                          "terminal if need be).")
WaitOption = typer.Option(30.0, "--wait", min=0, help="Seconds to wait for another process publishing to the store.")


ENGINES = ("duckdb", "spark")  # where the queries run (--engine): embedded DuckDB, or a Spark session
ENGINE_ENV = "CLOUDBLAME_ENGINE"
# The commands --engine spark refuses: they write the store (ingest on Spark: `cloudblame spark ingest`), or
# serve it (the web UI and MCP server read it embedded).
SPARK_REFUSES = {"ingest": "write", "sync": "write", "compact": "write", "vacuum": "write", "migrate": "write",
                 "demo": "write", "serve": "serve", "mcp": "serve"}
SPARK_WRITES = ("--engine spark runs queries and never writes the store: ingest on Spark with "
                "`cloudblame spark ingest`, and run the commands that write without --engine spark")


_engine: ContextVar[str] = ContextVar("cloudblame_engine", default=ENGINES[0])


def engine() -> str:
    """The engine the running command's queries run on (--engine; duckdb outside a command)."""
    return _engine.get()


def use_engine(ctx: typer.Context, chosen: str) -> None:
    """Run the command of ``ctx`` on engine ``chosen`` (until it closes); BadInput when it cannot run there."""
    command = ctx.invoked_subcommand
    refused = SPARK_REFUSES.get(command or "") if chosen == "spark" else None
    if refused == "write":
        raise BadInput(f"`cloudblame {command}` writes the store: {SPARK_WRITES}")
    if refused == "serve":
        raise BadInput(f"`cloudblame {command}` serves the store with the embedded engine: leave out --engine spark")
    token = _engine.set(chosen)
    ctx.call_on_close(lambda: _engine.reset(token))


@contextmanager
def open_store(db: str | None, *, read_only: bool, wait: float = 30.0) -> Iterator[Store]:
    """Open the store for a command (one that writes creates it when there is none); a store that cannot
    be used raises StoreError (a message and exit status 2: ``fail``). With --engine spark a read-only store
    is read on Spark (cloudblame.spark: imported only then); one to write is refused (BadInput)."""
    if engine() == "spark":
        if not read_only:
            raise BadInput(SPARK_WRITES)
        from cloudblame.spark import SparkStore

        store: Store = SparkStore.open(db or default_db_path())
    else:
        store = Store.open(db or default_db_path(), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def _candidate_line(c: Mapping[str, object]) -> str:
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


def time_bound(store: Store, text: str | None, option: str) -> datetime | None:
    """A --since/--until style bound read against ``store``: a relative one (``7d``) counts back from now,
    or, when the store is an archive (nothing newer than ARCHIVE_AFTER), from its newest event, which
    a line on stderr says (queries.anchor). Raises BadInput on text it cannot read."""
    if not text:
        return None
    try:
        parse_duration(text)  # 7d, 12h...: relative
    except BadInput:
        return parse_when(text)
    anchor = time_anchor(store)
    if anchor.archive:
        say(f"note: {option} {text.strip()} counts back from the newest stored event, {iso_z(anchor.now)} "
            "(the store holds nothing newer)", style="dim", err=True)
    return parse_when(text, now=anchor.now)


# Placeholders of option values in help (typer's default is the type: <str>, <list[str]>, <int range>).
METAVARS = {"db": "PATH", "since": "WHEN", "until": "WHEN", "created_since": "WHEN", "as_of": "WHEN",
            "limit": "N", "workers": "N", "records": "N", "wait": "SECONDS", "idle": "AGE", "retain": "AGE",
            "older_than": "AGE", "every": "INTERVAL", "out": "PATH", "to": "PATH", "config": "FILE",
            "public_keys": "FILE", "paths": "PATH", "size": "KEY=VALUE", "text": "TEXT", "resource_type": "TYPE", "by": "KEY"}


def name_metavars(command: TyperCommand | TyperGroup) -> None:
    """Give every parameter of ``command`` (and its subcommands) without a metavar a readable one: a
    word (PATH, WHEN, N, the parameter's name) or its choices, never a type in angle brackets."""
    for param in command.params:
        if param.metavar is not None or getattr(param, "is_flag", False):
            continue
        described = getattr(param, "type_descriptor", None)  # typer's: the choices of an enum
        if described is not None and described.is_choice:
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in described.choices or ())
        else:
            word = METAVARS.get(param.name or "", (param.name or "value").upper())
            param.metavar = word
        if isinstance(param, TyperArgument):  # typer adds the type after an argument's name: not here
            param.display_type_rich = _no_type  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        name_metavars(sub)


def _no_type(ctx: Any) -> None:
    return None


class GuardedGroup(TyperGroup):
    """The command group: an exception a command lets escape becomes a line on stderr and an exit
    status (``fail``), never a traceback; click's own (usage errors, exits) pass through. Every
    parameter has a readable placeholder in help (``name_metavars``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        name_metavars(self)

    def invoke(self, ctx: Any) -> Any:  # typer.Context (its base class is private to typer)
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - every other one is mapped by kind
            raise typer.Exit(fail(exc)) from None


def _holds_data(path: str) -> bool:
    """Whether ``path`` (a file, a folder or a glob) holds a file ingest would read (the first is enough)."""
    if os.path.isfile(path):
        return True
    if os.path.isdir(path):
        return any(name.lower().endswith(DATA_SUFFIXES) for _, _, files in os.walk(path) for name in files)
    return any(os.path.isfile(m) for m in glob.iglob(path, recursive=True))


def check_local_paths(paths: list[str]) -> None:
    """Refuse, before any store is opened, paths that do not exist and paths with no file to read."""
    for path in paths:
        if os.path.exists(path):
            continue
        if not glob.has_magic(path):
            raise BadInput(f"no such file or folder: {path}")
        if next(glob.iglob(path, recursive=True), None) is None:
            raise BadInput(f"no file matches {path}")
    if paths and not any(_holds_data(p) for p in paths):
        raise BadInput(f"no CloudTrail files ({', '.join(DATA_SUFFIXES[:3])}...) found under {', '.join(paths)}")
