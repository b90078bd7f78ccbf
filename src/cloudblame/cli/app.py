"""cloudblame commands."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cloudblame.cli.common import DbOption, FormatOption, WaitOption, open_store, user_errors
from cloudblame.cli.output import Format, console, emit, say
from cloudblame.cli.views import (
    print_blame, print_event, print_events, print_ingest_summary, print_who,
)
from cloudblame.ingest import ingest_paths
from cloudblame.queries.blame import blame as blame_query
from cloudblame.queries.events import EventFilter, get_event, search_events
from cloudblame.queries.who import who as who_query
from cloudblame.timeutil import parse_when

app = typer.Typer(
    name="cloudblame", no_args_is_help=True, add_completion=False,
    help="git blame for an AWS account: who created this, with what tool, when, and what happened since.",
)


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files, folders (walked recursively) or globs."),
    db: Optional[str] = DbOption,
    force: bool = typer.Option(False, "--force", help="Re-read files already ingested unchanged."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Summary format."),
    wait: float = WaitOption,
) -> None:
    """Ingest CloudTrail records from trail files, JSON lines, LookupEvents output or EventBridge copies."""
    with open_store(db, read_only=False, wait=wait) as store:
        summary = _run_ingest(store, paths, force, show_progress=fmt is Format.table)
    emit(summary.as_dict(), fmt, lambda: print_ingest_summary(summary),
         csv_rows=lambda: [{k: v for k, v in summary.as_dict().items() if not isinstance(v, list)}])
    if summary.nothing_readable:
        raise typer.Exit(1)


def _run_ingest(store, paths, force, *, show_progress: bool):
    if not show_progress:
        return ingest_paths(store, paths, force=force)
    columns = (TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TextColumn("{task.fields[records]:,} records  {task.fields[rate]:,.0f} rec/s"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("ingest", total=None, records=0, rate=0.0)

        def progress(done: int, total: int, records: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            bar.update(task, completed=done, total=total, records=records,
                       rate=records / elapsed if elapsed > 0 else 0.0)

        return ingest_paths(store, paths, force=force, progress=progress)


@app.command()
def blame(
    resource: str = typer.Argument(..., help="Resource id (i-0abc...), ARN, or name (bucket, function, role...)."),
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    resource_type: Optional[str] = typer.Option(None, "--type", help="Resource type when the name is ambiguous."),
    account: Optional[str] = typer.Option(None, "--account", help="Account id when the name is ambiguous."),
) -> None:
    """Who created a resource, when, with what tool and from where; whether and by whom it was deleted."""
    with open_store(db, read_only=True) as store, user_errors():
        result = blame_query(store, resource, resource_type=resource_type, account=account)
    emit(result, fmt, lambda: print_blame(result), csv_rows=lambda: result["timeline"])


@app.command()
def events(
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    event_name: Optional[str] = typer.Option(None, "--event-name", help="e.g. RunInstances"),
    event_source: Optional[str] = typer.Option(None, "--event-source", help="e.g. ec2 or ec2.amazonaws.com"),
    event_id: Optional[str] = typer.Option(None, "--event-id"),
    read_only: Optional[bool] = typer.Option(None, "--read-only/--write-only", help="Only reads, or only writes."),
    resource_name: Optional[str] = typer.Option(None, "--resource-name", help="Resource id, ARN or name."),
    resource_type: Optional[str] = typer.Option(None, "--resource-type", help="e.g. AWS::EC2::Instance or Instance"),
    username: Optional[str] = typer.Option(None, "--username", help="User name, session name or the human behind it."),
    access_key: Optional[str] = typer.Option(None, "--access-key", help="Access key id (AKIA.../ASIA...)."),
    account: Optional[str] = typer.Option(None, "--account"),
    region: Optional[str] = typer.Option(None, "--region"),
    error: bool = typer.Option(False, "--error", help="Only failed calls."),
    error_code: Optional[str] = typer.Option(None, "--error-code", help="Only this error code."),
    tool: Optional[str] = typer.Option(None, "--tool", help="terraform, console, aws-cli, boto3, ..."),
    since: Optional[str] = typer.Option(None, "--since", help="7d, 12h, 30m, 2w or an ISO date/time."),
    until: Optional[str] = typer.Option(None, "--until", help="Same forms as --since."),
    limit: int = typer.Option(50, "--limit", "-n", help="At most this many events (newest first)."),
) -> None:
    """Event History: search events with any combination of filters, newest first."""
    with open_store(db, read_only=True) as store, user_errors():
        f = EventFilter(
            event_name=event_name, event_source=event_source, event_id=event_id, read_only=read_only,
            resource_name=resource_name, resource_type=resource_type, username=username,
            access_key=access_key, account=account, region=region, error=error, error_code=error_code,
            tool=tool, since=parse_when(since) if since else None,
            until=parse_when(until) if until else None, limit=limit,
        )
        rows = search_events(store, f)
    emit(rows, fmt, lambda: print_events(rows, f))


@app.command()
def event(
    event_id: str = typer.Argument(..., help="The eventID."),
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
) -> None:
    """One event: who, when, what, the resources it touched, and the raw record."""
    with open_store(db, read_only=True) as store, user_errors():
        detail = get_event(store, event_id)
    emit(detail, fmt, lambda: print_event(detail), csv_rows=lambda: [{k: v for k, v in detail.items() if k != "raw"}])


@app.command("who")
def who_command(
    identity: str = typer.Argument(..., help="Access key id, principal ARN, user or session name, or a person."),
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    limit: int = typer.Option(20, "--limit", "-n", help="At most this many sessions and created resources."),
) -> None:
    """Who is behind an identity, what it did, and which sessions and keys belong to it."""
    with open_store(db, read_only=True) as store, user_errors():
        result = who_query(store, identity, limit=limit)
    emit(result, fmt, lambda: print_who(result), csv_rows=lambda: result["sessions"])


@app.command()
def demo(
    db: Optional[str] = DbOption,
    out: Path = typer.Option(Path("demo-trail"), "--out", help="Where to write the sample trail."),
    records: int = typer.Option(5000, "--records", help="Size of the sample trail."),
) -> None:
    """Write a realistic sample trail of a shared sandbox account, ingest it, and show a blame and a search."""
    from cloudblame.demo.generator import generate_sample_trail

    say(f"Writing a sample trail of a shared sandbox account to {out}/ ...", style="bold")
    sample = generate_sample_trail(out, records=records)
    say(f"  {sample.files} trail files, {sample.records:,} records, {sample.bytes / 1e6:.1f} MB gzip, "
        f"accounts {', '.join(sample.accounts)}, regions {', '.join(sample.regions)}")
    with open_store(db, read_only=False) as store:
        summary = _run_ingest(store, [str(out)], False, show_progress=True)
        print_ingest_summary(summary)
        say(f"\n$ cloudblame blame {sample.spotlight}", style="bold cyan")
        with user_errors():
            print_blame(blame_query(store, sample.spotlight))
        say("\n$ cloudblame events --event-name RunInstances --limit 10", style="bold cyan")
        f = EventFilter(event_name="RunInstances", limit=10)
        print_events(search_events(store, f), f)
    say("\nTry: cloudblame blame <id>, cloudblame events --username <who>, cloudblame event <event-id>", style="dim")
