"""cloudblame commands."""

from __future__ import annotations

import enum
import glob
import os
from pathlib import Path
from typing import Optional

import typer
from cloudblame.cli.common import EXIT_STATUS, DbOption, FormatOption, GuardedGroup, WaitOption, open_store
from cloudblame.cli import live, serve
from cloudblame.cli import store as store_commands
from cloudblame.cli.live import report_summaries, run_sources
from cloudblame.cli.output import Format, console, emit, make_table, say, stream_rows
from cloudblame.cli.views import (
    print_blame, print_event, print_events, print_forgotten, print_ingest_summary, print_inventory, print_who,
)
from cloudblame.errors import BadInput
from cloudblame.queries.blame import blame as blame_query
from cloudblame.queries.catalog import ACTIONS, catalog_rules, inferred_events
from cloudblame.queries.inventory import forgotten as forgotten_query
from cloudblame.queries.inventory import DEFAULT_LIMIT, GROUP_KEYS
from cloudblame.queries.inventory import inventory as inventory_query
from cloudblame.queries.events import SORTS, EventFilter, get_event, iter_events, search_events
from cloudblame.queries.who import who as who_query
from cloudblame.sources.files import DATA_SUFFIXES
from cloudblame.sync import SourceSpec
from cloudblame.timeutil import parse_when
from cloudblame.workers import yield_to_readers

app = typer.Typer(
    name="cloudblame", cls=GuardedGroup, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="git blame for an AWS account: who created this, with what tool, when, and what happened since.",
    epilog=EXIT_STATUS,
)

# Choices, checked as the options are read (an unknown one is a usage error, exit 2).
Sort = enum.Enum("Sort", {k: k for k in SORTS}, type=str)
GroupBy = enum.Enum("GroupBy", {k: k for k in GROUP_KEYS}, type=str)
Action = enum.Enum("Action", {k: k for k in ACTIONS}, type=str)


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


@app.command()
def ingest(
    paths: list[str] = typer.Argument(None, help="Files, folders (walked recursively), globs, or s3://BUCKET[/PREFIX]."),
    db: Optional[str] = DbOption,
    lookup: bool = typer.Option(False, "--lookup", help="Also page the LookupEvents API (90-day Event History)."),
    resource_name: Optional[str] = typer.Option(None, "--resource-name", help="With --lookup: only this resource's events."),
    account: list[str] = typer.Option([], "--account", help="Only these accounts (S3 key layout). Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Only these CloudTrail regions. Repeatable."),
    since: Optional[str] = typer.Option(None, "--since", help="7d, 12h or an ISO date: prunes S3 days, starts lookups."),
    until: Optional[str] = typer.Option(None, "--until", help="Same forms as --since."),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain)."),
    aws_region: Optional[str] = typer.Option(None, "--aws-region", help="Region of the AWS clients (the bucket's region)."),
    endpoint_url: Optional[str] = typer.Option(None, "--endpoint-url", help="S3-compatible store or test endpoint."),
    workers: int = typer.Option(8, "--workers", min=1, help="Parallel S3 downloads."),
    force: bool = typer.Option(False, "--force", help="Re-read files and objects already ingested unchanged."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Summary format."),
    wait: float = WaitOption,
) -> None:
    """Ingest CloudTrail records: trail files and folders, S3 trail buckets, the LookupEvents API."""
    for bound in (since, until):  # read now: a bad one is the user's error, not a problem of the source
        if bound:
            parse_when(bound)
    common = dict(profile=profile, aws_region=aws_region, endpoint_url=endpoint_url, accounts=account,
                  regions=region, since=since, until=until, workers=workers, force=force)
    local = [p for p in paths or [] if not p.startswith("s3://")]
    specs = [SourceSpec("s3", url=p, **common) for p in paths or [] if p.startswith("s3://")]
    if local:  # every local path in one ingest (one listing, one publish), however many the shell passed
        specs.insert(0, SourceSpec("path", url=local[0], paths=local[1:], **common))
    if lookup:
        specs.append(SourceSpec("lookup", resource_name=resource_name, **common))
    if not specs:
        raise BadInput("give PATH..., s3://BUCKET[/PREFIX] or --lookup")
    check_local_paths(local)
    yield_to_readers()
    with open_store(db, read_only=False, wait=wait) as store:
        summaries = run_sources(store, specs, show_progress=fmt is Format.table)
    report_summaries(summaries, fmt)
    if all(s.nothing_readable for _, s in summaries) or any(s.found_problems for _, s in summaries):
        raise typer.Exit(1)


@app.command()
def blame(
    resource: str = typer.Argument(..., help="Resource id (i-0abc...), ARN, or name (bucket, function, role...)."),
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    resource_type: Optional[str] = typer.Option(None, "--type", help="Resource type when the name is ambiguous."),
    account: Optional[str] = typer.Option(None, "--account", help="Account id when the name is ambiguous."),
) -> None:
    """Who created a resource, when, with what tool and from where; whether and by whom it was deleted."""
    with open_store(db, read_only=True) as store:
        result = blame_query(store, resource, resource_type=resource_type, account=account)
    emit(result, fmt, lambda: print_blame(result), csv_rows=lambda: result["timeline"])


@app.command()
def events(
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    event_name: list[str] = typer.Option([], "--event-name", help="e.g. RunInstances. Repeatable (any of them)."),
    event_source: list[str] = typer.Option([], "--event-source", help="e.g. ec2 or ec2.amazonaws.com. Repeatable."),
    event_id: list[str] = typer.Option([], "--event-id", help="Repeatable."),
    read_only: Optional[bool] = typer.Option(None, "--read-only/--write-only", help="Only reads, or only writes."),
    resource_name: list[str] = typer.Option([], "--resource-name", help="Resource id, ARN or name. Repeatable."),
    resource_type: list[str] = typer.Option([], "--resource-type", help="e.g. AWS::EC2::Instance or Instance. "
                                            "Repeatable."),
    username: list[str] = typer.Option([], "--username", help="User name, session name or the human behind it. "
                                       "Repeatable."),
    access_key: list[str] = typer.Option([], "--access-key", help="Access key id (AKIA.../ASIA...). Repeatable."),
    account: list[str] = typer.Option([], "--account", help="Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Repeatable."),
    error: bool = typer.Option(False, "--error", help="Only failed calls."),
    error_code: list[str] = typer.Option([], "--error-code", help="Only this error code. Repeatable."),
    tool: list[str] = typer.Option([], "--tool", help="terraform, console, aws-cli, boto3, ... Repeatable."),
    source_ip: list[str] = typer.Option([], "--source-ip", help="Source IP address (or calling service). Repeatable."),
    text: Optional[str] = typer.Option(None, "--text", help="Free text: event name, user, resources, error, agent."),
    since: Optional[str] = typer.Option(None, "--since", help="7d, 12h, 30m, 2w or an ISO date/time."),
    until: Optional[str] = typer.Option(None, "--until", help="Same forms as --since."),
    sort: Sort = typer.Option("time_desc", "--sort", help="Order of the events."),
    limit: int = typer.Option(50, "--limit", "-n", min=0, help="At most this many events (0: all of them, streamed)."),
) -> None:
    """Event History: search events with any combination of filters, newest first. A repeated filter
    matches any of its values; different filters must all match."""
    with open_store(db, read_only=True) as store:
        f = EventFilter(
            event_name=event_name, event_source=event_source, event_id=event_id, read_only=read_only,
            resource_name=resource_name, resource_type=resource_type, username=username,
            access_key=access_key, account=account, region=region, error=error, error_code=error_code,
            tool=tool, source_ip=source_ip, text=text, since=parse_when(since) if since else None,
            until=parse_when(until) if until else None, sort=sort.value, limit=limit,
        )
        if fmt is Format.table:
            rows = list(iter_events(store, f))
            print_events(rows, f)
        else:
            stream_rows(iter_events(store, f), fmt)


@app.command()
def event(
    event_id: str = typer.Argument(..., help="The eventID, or a unique prefix of it (4 characters or more)."),
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
) -> None:
    """One event: who, when, what, the resources it touched, and the raw record."""
    with open_store(db, read_only=True) as store:
        detail = get_event(store, event_id)
    emit(detail, fmt, lambda: print_event(detail), csv_rows=lambda: [{k: v for k, v in detail.items() if k != "raw"}])


@app.command("who")
def who_command(
    identity: str = typer.Argument(..., help="Access key id, principal ARN, user or session name, or a person."),
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="At most this many sessions and created resources "
                              "(0: all)."),
) -> None:
    """Who is behind an identity, what it did, and which sessions and keys belong to it."""
    with open_store(db, read_only=True) as store:
        result = who_query(store, identity, limit=limit or None)
    emit(result, fmt, lambda: print_who(result), csv_rows=lambda: result["sessions"])


ListLimitOption = typer.Option(DEFAULT_LIMIT, "--limit", "-n", min=0,
                               help="List at most this many, costliest first (0: all); counts and totals cover all.")


@app.command("inventory")
def inventory_command(
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    owner: list[str] = typer.Option([], "--owner", help="Only what this person owns (created, or was made for). "
                                    "Repeatable."),
    resource_type: list[str] = typer.Option([], "--type", help="e.g. AWS::EC2::Instance. Repeatable."),
    account: list[str] = typer.Option([], "--account", help="Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Repeatable."),
    tool: list[str] = typer.Option([], "--tool", help="Created with this tool (terraform, console...). Repeatable."),
    created_since: Optional[str] = typer.Option(None, "--created-since", help="7d, 2w or an ISO date."),
    by: Optional[GroupBy] = typer.Option(None, "--by", help="Group and total by owner, type, account or tool."),
    limit: int = ListLimitOption,
) -> None:
    """Alive resources: owner, purpose, size and estimated monthly cost (on-demand list prices), costliest first.
    A repeated filter matches any of its values."""
    group = by.value if by else None
    with open_store(db, read_only=True) as store:
        result = inventory_query(store, owner=owner, resource_type=resource_type, account=account, region=region,
                                 tool=tool, created_since=parse_when(created_since) if created_since else None,
                                 by=group, limit=limit or None)
    emit(result, fmt, lambda: print_inventory(result, group),
         csv_rows=lambda: result["groups"] if group else result["resources"])


@app.command("forgotten")
def forgotten_command(
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    idle: str = typer.Option("30d", "--idle", help="No activity for this long (14d, 6w...)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Judge as of this time [default: the newest event]."),
    limit: int = ListLimitOption,
) -> None:
    """Alive resources nobody touched for --idle whose creator went quiet or left, costliest first, with whom to ask."""
    with open_store(db, read_only=True) as store:
        result = forgotten_query(store, idle=idle, as_of=parse_when(as_of) if as_of else None, limit=limit or None)
    emit(result, fmt, lambda: print_forgotten(result), csv_rows=lambda: result["resources"])


@app.command("catalog")
def catalog_command(
    db: Optional[str] = DbOption,
    fmt: Format = FormatOption,
    inferred: bool = typer.Option(False, "--inferred", help="Creation events in the store no rule covers."),
    source: list[str] = typer.Option([], "--event-source", help="Only this service (ec2 or ec2.amazonaws.com). "
                                     "Repeatable."),
    action: list[Action] = typer.Option([], "--action", help="Only this action. Repeatable."),
) -> None:
    """The resource catalog: which events create, delete or modify which resource types, and where the id is."""
    if inferred:
        with open_store(db, read_only=True) as store:
            rows = inferred_events(store)
        columns = ["event_source", "event_name", "inferred_type", "events", "first", "last", "example_id"]
    else:
        rows = catalog_rules(source=source, action=[a.value for a in action])
        columns = ["event_source", "event_name", "resource_type", "action", "id_path"]
    emit(rows, fmt, lambda: console.print(make_table(f"{len(rows)} rule(s)" if not inferred else
                                                     f"{len(rows)} event name(s) recognised only by the fallback",
                                                     columns, ([r[c] for c in columns] for r in rows))))


@app.command()
def demo(
    db: Optional[str] = DbOption,
    out: Path = typer.Option(Path("demo-trail"), "--out", help="Where to write the sample trail."),
    records: int = typer.Option(5000, "--records", min=1, help="Size of the sample trail."),
) -> None:
    """Write a realistic sample trail of a shared sandbox account, ingest it, and show a blame and a search."""
    from cloudblame.demo.generator import generate_sample_trail

    say(f"Writing a sample trail of a shared sandbox account to {out}/ ...", style="bold")
    sample = generate_sample_trail(out, records=records)
    say(f"  {sample.files} trail files, {sample.records:,} records, {sample.bytes / 1e6:.1f} MB gzip, "
        f"accounts {', '.join(sample.accounts)}, regions {', '.join(sample.regions)}")
    with open_store(db, read_only=False) as store:
        ((_, summary),) = run_sources(store, [SourceSpec("path", url=str(out))], show_progress=True)
        print_ingest_summary(summary)
        say(f"\n$ cloudblame blame {sample.spotlight}", style="bold cyan")
        print_blame(blame_query(store, sample.spotlight))
        say("\n$ cloudblame events --event-name RunInstances --limit 10", style="bold cyan")
        f = EventFilter(event_name="RunInstances", limit=10)
        print_events(search_events(store, f), f)
        say("\n$ cloudblame forgotten --idle 14d", style="bold cyan")
        print_forgotten(forgotten_query(store, idle="14d"), limit=8)
    say("\nTry: cloudblame blame <id>, cloudblame events --username <who>, cloudblame who <person>, "
        "cloudblame inventory --by owner, cloudblame event <event-id>; cloudblame serve for the web UI", style="dim")


live.register(app)
serve.register(app)
store_commands.register(app)
