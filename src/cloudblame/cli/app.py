"""cloudblame commands."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from cloudblame.cli import athena as athena_commands
from cloudblame.cli import cleanup as cleanup_commands
from cloudblame.cli import costs as costs_commands
from cloudblame.cli import doctor as doctor_commands
from cloudblame.cli import insights as insight_commands
from cloudblame.cli import live, live_state, serve
from cloudblame.cli import report as report_commands
from cloudblame.cli import spark as spark_commands
from cloudblame.cli import store as store_commands
from cloudblame.cli import tag as tag_command
from cloudblame.cli import usage as usage_cli
from cloudblame.cli.common import (
    ENGINE_ENV,
    ENGINES,
    EXIT_STATUS,
    AsOfOption,
    DbOption,
    FormatOption,
    GuardedGroup,
    IdleOption,
    WaitOption,
    WideOption,
    check_local_paths,
    open_store,
    time_bound,
    use_engine,
)
from cloudblame.cli.examples import FIRST_STEPS, epilog
from cloudblame.cli.live import report_summaries, run_sources
from cloudblame.cli.output import Format, emit, ident, number, print_table, rows_of, say, stream_rows, text, time
from cloudblame.cli.views import (
    print_blame,
    print_event,
    print_events,
    print_forgotten,
    print_ingest_summary,
    print_inventory,
    print_who,
)
from cloudblame.core.contracts import Blame
from cloudblame.core.errors import BadInput
from cloudblame.core.timeutil import parse_when
from cloudblame.pipeline.sync import SourceSpec
from cloudblame.pipeline.workers import yield_to_readers
from cloudblame.queries.blame import blame as blame_query
from cloudblame.queries.catalog import ACTIONS, catalog_rules, inferred_events
from cloudblame.queries.event import get_event
from cloudblame.queries.events import SORTS, EventFilter, iter_events, search_events
from cloudblame.queries.inventory import DEFAULT_LIMIT, GROUP_KEYS
from cloudblame.queries.inventory import forgotten as forgotten_query
from cloudblame.queries.inventory import inventory as inventory_query
from cloudblame.queries.who import who as who_query

app = typer.Typer(
    name="cloudblame", cls=GuardedGroup, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="git blame for an AWS account: who created this, with what tool, when, and what happened since.",
    epilog=FIRST_STEPS + "\n\n" + EXIT_STATUS, context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"cloudblame {version('cloudblame')}")
        raise typer.Exit()


Engine = enum.Enum("Engine", {k: k for k in ENGINES}, type=str)  # type: ignore[misc]


@app.callback()
def root(
    ctx: typer.Context,
    _version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_print_version,
                                  help="Print the version and exit."),
    engine: Engine = typer.Option(ENGINES[0], "--engine", envvar=ENGINE_ENV, show_envvar=True, case_sensitive=False,
                                  help="Where the queries run: duckdb (embedded) or spark (the active Spark session, "
                                       "else a local one: pip install 'cloudblame[spark]', Java 17+). Query commands "
                                       "only: ingest on Spark with `cloudblame spark ingest`."),
) -> None:
    use_engine(ctx, engine.value)

# Choices, checked as the options are read (an unknown one is a usage error, exit 2).
# (built from the queries' lists, which mypy cannot read the members of)
Sort = enum.Enum("Sort", {k: k for k in SORTS}, type=str)  # type: ignore[misc]
GroupBy = enum.Enum("GroupBy", {k: k for k in GROUP_KEYS}, type=str)  # type: ignore[misc]
Action = enum.Enum("Action", {k: k for k in ACTIONS}, type=str)  # type: ignore[misc]


@app.command(epilog=epilog("ingest"))
def ingest(
    paths: list[str] = typer.Argument(None, help="Files, folders (walked recursively), globs, or s3://BUCKET[/PREFIX]."),
    db: str | None = DbOption,
    lookup: bool = typer.Option(False, "--lookup", help="Also page the LookupEvents API (90-day Event History)."),
    resource_name: str | None = typer.Option(None, "--resource-name", help="With --lookup: only this resource's events."),
    insights: bool = typer.Option(False, "--insights", help="With --lookup: AWS's CloudTrail Insights events too."),
    account: list[str] = typer.Option([], "--account", help="Only these accounts (trail key layout: S3, local copies). Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Only these CloudTrail regions. Repeatable."),
    since: str | None = typer.Option(None, "--since", help="7d, 12h or an ISO date: prunes days by key (S3, local copies), starts lookups."),
    until: str | None = typer.Option(None, "--until", help="Same forms as --since."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain)."),
    aws_region: str | None = typer.Option(None, "--aws-region", help="Region of the AWS clients (the bucket's region)."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", help="S3-compatible store or test endpoint."),
    workers: int = typer.Option(8, "--workers", min=1, help="Parallel S3 downloads."),
    force: bool = typer.Option(False, "--force", help="Re-read files and objects already ingested unchanged."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Summary format."),
    wait: float = WaitOption,
) -> None:
    """Ingest CloudTrail records: trail files and folders, S3 trail buckets, the LookupEvents API."""
    for bound in (since, until):  # read now: a bad one is the user's error, not a problem of the source
        if bound:
            parse_when(bound)
    common: dict[str, Any] = {"profile": profile, "aws_region": aws_region, "endpoint_url": endpoint_url,
                              "accounts": account, "regions": region, "since": since, "until": until,
                              "workers": workers, "force": force}
    local = [p for p in paths or [] if not p.startswith("s3://")]
    specs = [SourceSpec("s3", url=p, **common) for p in paths or [] if p.startswith("s3://")]
    if local:  # every local path in one ingest (one listing, one publish), however many the shell passed
        specs.insert(0, SourceSpec("path", url=local[0], paths=local[1:], **common))
    if lookup:
        specs.append(SourceSpec("lookup", resource_name=resource_name, insights=insights, **common))
    if not specs:
        raise BadInput("give PATH..., s3://BUCKET[/PREFIX] or --lookup")
    check_local_paths(local)
    yield_to_readers()
    with open_store(db, read_only=False, wait=wait) as store:
        summaries = run_sources(store, specs, show_progress=fmt is Format.table)
    report_summaries(summaries, fmt)
    if all(s.nothing_readable for _, s in summaries) or any(s.found_problems for _, s in summaries):
        raise typer.Exit(1)


@app.command(epilog=epilog("blame"))
def blame(
    resource: str = typer.Argument(..., help="Resource id (i-0abc...), ARN, or name (bucket, function, role...)."),
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    resource_type: str | None = typer.Option(None, "--type", help="Resource type when the name is ambiguous."),
    account: str | None = typer.Option(None, "--account", help="Account id when the name is ambiguous."),
    wide: bool = WideOption,
    metrics: bool = usage_cli.MetricsOption,
    window: str = usage_cli.WindowOption,
    profile: str | None = usage_cli.ProfileOption,
    aws_region: str | None = usage_cli.RegionOption,
    endpoint_url: str | None = usage_cli.EndpointOption,
) -> None:
    """Who created a resource, when, with what tool and from where; whether and by whom it was deleted."""
    if metrics:
        result = usage_cli.blame_with_metrics(db, resource, resource_type=resource_type, account=account,
                                              window=window, aws=usage_cli.Aws(profile, aws_region, endpoint_url))
    else:
        with open_store(db, read_only=True) as store:
            result = blame_query(store, resource, resource_type=resource_type, account=account)
    emit(result, fmt, lambda: print_blame(result, wide=wide), csv_rows=lambda: result["timeline"])


@app.command(epilog=epilog("events"))
def events(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    event_name: list[str] = typer.Option([], "--event-name", help="e.g. RunInstances. Repeatable (any of them)."),
    event_source: list[str] = typer.Option([], "--event-source", help="e.g. ec2 or ec2.amazonaws.com. Repeatable."),
    event_id: list[str] = typer.Option([], "--event-id", help="Repeatable."),
    read_only: bool | None = typer.Option(None, "--read-only/--write-only", help="Only reads, or only writes."),
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
    text: str | None = typer.Option(None, "--text", help="Free text: event name, user, resources, error, agent."),
    insights: bool = typer.Option(False, "--insights", help="AWS's CloudTrail Insights records instead of calls."),
    since: str | None = typer.Option(None, "--since", help="7d, 12h, 30m, 2w or an ISO date/time."),
    until: str | None = typer.Option(None, "--until", help="Same forms as --since."),
    sort: Sort = typer.Option("time_desc", "--sort", help="Order of the events."),
    limit: int = typer.Option(50, "--limit", "-n", min=0, help="At most this many events (0: all of them, streamed)."),
    wide: bool = WideOption,
) -> None:
    """Event History: search events with any combination of filters, newest first. A repeated filter
    matches any of its values; different filters must all match."""
    with open_store(db, read_only=True) as store:
        f = EventFilter(
            event_name=event_name, event_source=event_source, event_id=event_id, read_only=read_only,
            resource_name=resource_name, resource_type=resource_type, username=username,
            access_key=access_key, account=account, region=region, error=error, error_code=error_code,
            tool=tool, source_ip=source_ip, text=text, since=time_bound(store, since, "--since"),
            until=time_bound(store, until, "--until"), insights=insights, sort=sort.value, limit=limit,
        )
        if fmt is Format.table:
            rows = list(iter_events(store, f))
            print_events(rows, f, wide=wide)
        else:
            stream_rows(iter_events(store, f), fmt)


@app.command(epilog=epilog("event"))
def event(
    event_id: str = typer.Argument(..., help="The eventID, or a unique prefix of it (4 characters or more)."),
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    wide: bool = WideOption,
) -> None:
    """One event: who, when, what, the resources it touched, and the raw record."""
    with open_store(db, read_only=True) as store:
        detail = get_event(store, event_id)
    emit(detail, fmt, lambda: print_event(detail, wide=wide), csv_rows=lambda: [{k: v for k, v in detail.items() if k != "raw"}])


@app.command("who", epilog=epilog("who"))
def who_command(
    identity: str = typer.Argument(..., help="Access key id, principal ARN, user or session name, or a person."),
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="At most this many sessions and created resources "
                              "(0: all)."),
    wide: bool = WideOption,
) -> None:
    """Who is behind an identity, what it did, and which sessions and keys belong to it."""
    with open_store(db, read_only=True) as store:
        result = who_query(store, identity, limit=limit or None)
    emit(result, fmt, lambda: print_who(result, wide=wide), csv_rows=lambda: result["sessions"])


ListLimitOption = typer.Option(DEFAULT_LIMIT, "--limit", "-n", min=0,
                               help="List at most this many, costliest first (0: all); counts and totals cover all.")


@app.command("inventory", epilog=epilog("inventory"))
def inventory_command(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    owner: list[str] = typer.Option([], "--owner", help="Only what this person owns (created, or was made for). "
                                    "Repeatable."),
    resource_type: list[str] = typer.Option([], "--type", help="e.g. AWS::EC2::Instance. Repeatable."),
    account: list[str] = typer.Option([], "--account", help="Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Repeatable."),
    tool: list[str] = typer.Option([], "--tool", help="Created with this tool (terraform, console...). Repeatable."),
    created_since: str | None = typer.Option(None, "--created-since", help="7d, 2w or an ISO date."),
    by: GroupBy | None = typer.Option(None, "--by", help="Group and total by owner, type, account or tool."),
    limit: int = ListLimitOption,
    wide: bool = WideOption,
    live_now: bool = live_state.LiveOption,
    profile: str | None = live_state.ProfileOption,
    aws_region: str | None = live_state.AwsRegionOption,
    endpoint_url: str | None = live_state.EndpointOption,
) -> None:
    """Alive resources: owner, purpose, size and estimated monthly cost (on-demand list prices), costliest first.
    A repeated filter matches any of its values. The store's view (alive by their events) unless --live."""
    group = by.value if by else None
    if live_now:
        live_state.refresh(db, profile=profile, region=aws_region, endpoint_url=endpoint_url,
                           resource_type=resource_type, account=account, regions=region)
    with open_store(db, read_only=True) as store:
        result = inventory_query(store, owner=owner, resource_type=resource_type, account=account, region=region,
                                 tool=tool, created_since=time_bound(store, created_since, "--created-since"),
                                 by=group, limit=limit or None, view="live" if live_now else "events")
    emit(result, fmt, lambda: print_inventory(result, group, wide=wide),
         csv_rows=lambda: result["groups"] if group else result["resources"])


@app.command("forgotten", epilog=epilog("forgotten"))
def forgotten_command(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    idle: str = IdleOption,
    as_of: str | None = AsOfOption,
    limit: int = ListLimitOption,
    wide: bool = WideOption,
    metrics: bool = usage_cli.MetricsOption,
    profile: str | None = usage_cli.ProfileOption,
    aws_region: str | None = usage_cli.RegionOption,
    endpoint_url: str | None = usage_cli.EndpointOption,
) -> None:
    """Alive resources nobody touched for --idle whose creator went quiet or left, costliest first, with whom to ask.
    What CloudWatch last said of their use is shown (--metrics reads it now): one it saw in use is left out."""
    if metrics:
        result = usage_cli.forgotten_with_metrics(db, idle=idle, as_of=as_of, limit=limit or None,
                                                  aws=usage_cli.Aws(profile, aws_region, endpoint_url))
    else:
        with open_store(db, read_only=True) as store:
            result = forgotten_query(store, idle=idle, as_of=time_bound(store, as_of, "--as-of"), limit=limit or None)
    emit(result, fmt, lambda: print_forgotten(result, wide=wide), csv_rows=lambda: result["resources"])


@app.command("catalog", epilog=epilog("catalog"))
def catalog_command(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    inferred: bool = typer.Option(False, "--inferred", help="Creation events in the store no rule covers."),
    source: list[str] = typer.Option([], "--event-source", help="Only this service (ec2 or ec2.amazonaws.com). "
                                     "Repeatable."),
    action: list[Action] = typer.Option([], "--action", help="Only this action. Repeatable."),
    wide: bool = WideOption,
) -> None:
    """The resource catalog: which events create, delete or modify which resource types, and where the id is."""
    rows: Sequence[Mapping[str, Any]]
    if inferred:
        with open_store(db, read_only=True) as store:
            rows = inferred_events(store)
        title, columns = f"{len(rows)} event name(s) recognised only by the fallback", INFERRED_COLUMNS
    else:
        rows = catalog_rules(source=source, action=[a.value for a in action])
        title, columns = f"{len(rows)} rule(s)", RULE_COLUMNS
    emit(rows, fmt, lambda: print_table(title, columns, rows_of(rows, [c.header for c in columns]), wide=wide))


RULE_COLUMNS = [text("event_source", 0, 12), text("event_name", 0, 16), text("resource_type", 1, 14),
                text("action", 2, 6), text("id_path", 3)]
INFERRED_COLUMNS = [text("event_source", 0, 12), text("event_name", 0, 16), text("inferred_type", 1, 14),
                    number("events", 1), time("first", 4), time("last", 3), ident("example_id", 2)]


@app.command(epilog=epilog("demo"))
def demo(
    db: str | None = DbOption,
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
        spotlight = blame_query(store, sample.spotlight)
        print_blame(spotlight)
        say("\n$ cloudblame events --event-name RunInstances --limit 10", style="bold cyan")
        f = EventFilter(event_name="RunInstances", limit=10)
        print_events(search_events(store, f), f)
        say("\n$ cloudblame forgotten --idle 14d", style="bold cyan")
        print_forgotten(forgotten_query(store, idle="14d"), limit=8)
    _suggest_next(spotlight)


def _suggest_next(spotlight: Blame) -> None:
    """Commands that answer on the store just made: its spotlight's creator and creation event."""
    created = spotlight["created"]
    lines = ["cloudblame inventory --by owner", "cloudblame events --tool terraform --write-only"]
    if created:
        lines[:0] = [f"cloudblame who {created['actor']['human']}", f"cloudblame event {created['event_id'][:8]}"]
    say("\nNext, on this store (cloudblame -h lists every command; cloudblame serve opens the web UI):", style="bold")
    for line in lines:
        say(f"  {line}")


@app.command("mcp", epilog=epilog("mcp"))
def mcp_command(
    db: str | None = DbOption,
    http: bool = typer.Option(False, "--http", help="Serve streamable HTTP at http://HOST:PORT/mcp, not stdio."),
    host: str = typer.Option("127.0.0.1", "--host", help="With --http: address to bind (beyond localhost needs --token)."),
    port: int = typer.Option(8322, "--port", min=1, max=65535, help="With --http: port to listen on."),
    token: str | None = typer.Option(None, "--token", envvar="CLOUDBLAME_TOKEN", show_envvar=True,
                                     help="With --http: required on every request (`Authorization: Bearer "
                                          "TOKEN`); needed off localhost."),
) -> None:
    """MCP server for AI assistants, read-only: tools blame, events, event, who, inventory, forgotten,
    catalog, insights and insight over the store (stdio for a client that spawns it; --http for streamable
    HTTP). See docs/mcp.md."""
    from cloudblame.mcpserver import run_http, run_stdio
    from cloudblame.store import default_db_path

    path = db or default_db_path()
    if http:
        serve.check_binding(host, token)
    with open_store(path, read_only=True):
        pass  # fail now, clearly, if there is no usable store
    if not http:
        run_stdio(path)  # stdout is the protocol's: nothing else is written there
        return
    shown = f"[{host}]" if ":" in host else host
    say(f"cloudblame MCP server on {path} (read-only) at http://{shown}:{port}/mcp"
        + ("  (token required: `Authorization: Bearer <token>`)" if token else ""), style="bold", err=True)
    run_http(path, host=host, port=port, token=token)


live.register(app)
serve.register(app)
store_commands.register(app)
report_commands.register(app)
tag_command.register(app)
cleanup_commands.register(app)
costs_commands.register(app)
insight_commands.register(app)
doctor_commands.register(app)
spark_commands.register(app)
athena_commands.register(app)
