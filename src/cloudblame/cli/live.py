"""Running sources with progress (files, S3 buckets, LookupEvents), `sync` and `verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cloudblame.cli.common import DbOption, WaitOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.live_state import reconcile_step
from cloudblame.cli.output import Format, emit, err_console, say, write_csv, write_json
from cloudblame.cli.views import print_ingest_problems, print_ingest_summary
from cloudblame.pipeline.ingest import IngestSummary
from cloudblame.pipeline.sync import ConfigError, SourceSpec, load_config, load_reconcile, run_source_reporting
from cloudblame.pipeline.workers import yield_to_readers
from cloudblame.store import Store

if TYPE_CHECKING:
    from cloudblame.verify import VerifyReport


def _run_one(store: Store, spec: SourceSpec, show_progress: bool) -> IngestSummary:
    if not show_progress:
        return run_source_reporting(store, spec)
    columns = (TextColumn(f"[bold]{spec.kind}"), BarColumn(), TextColumn("{task.fields[status]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:  # a diagnostic: stderr
        task = bar.add_task("ingest", total=None, status="")

        def progress(*args: Any) -> None:
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, status=_status(spec.kind, args, elapsed))

        return run_source_reporting(store, spec, progress=progress)


def _status(kind: str, args: tuple[Any, ...], elapsed: float) -> str:
    if kind == "s3":
        objects, records, size = args
        return f"{objects:,} objects  {records:,} records  {size / 1e6 / elapsed:,.1f} MB/s"
    if kind == "lookup":
        p = args[0]
        return f"{p.region}: {p.pages:,} pages  {p.events:,} events  {p.throttled} throttled"
    done, total, records = args
    return f"{done:,}/{total:,} files  {records:,} records  {records / elapsed:,.0f} rec/s"


def run_sources(store: Store, specs: list[SourceSpec], *, show_progress: bool) -> list[tuple[SourceSpec, IngestSummary]]:
    return [(spec, _run_one(store, spec, show_progress)) for spec in specs]


def report_summaries(summaries: list[tuple[SourceSpec, IngestSummary]], fmt: Format) -> None:
    if fmt is Format.json:
        data = [dict(s.as_dict(), source=spec.label, kind=spec.kind) for spec, s in summaries]
        write_json(data[0] if len(data) == 1 else data)
        return
    for spec, summary in summaries:
        if fmt is Format.csv:
            row = dict({k: v for k, v in summary.as_dict().items() if not isinstance(v, list)}, source=spec.label)
            write_csv([row])
            print_ingest_problems(summary)  # not in the CSV's one row: on stderr
        else:
            if len(summaries) > 1:
                say(f"{spec.label}", style="bold cyan")
            print_ingest_summary(summary)


def sync(
    config: Path = typer.Option(Path("cloudblame.toml"), "--config", "-c", help="The sources to pull."),
    db: str | None = DbOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the one-line summary (for cron)."),
    wait: float = WaitOption,
) -> None:
    """Pull what is new from every source in cloudblame.toml (then, with reconcile, describe the alive resources);
    one summary line (and one for reconcile); exit 1 on any problem."""
    try:
        specs, config_db = load_config(config)
        reconcile = load_reconcile(config)
    except ConfigError as exc:
        say(f"error: {exc}", style="red", err=True)
        raise typer.Exit(2) from None
    yield_to_readers()
    with open_store(db or config_db, read_only=False, wait=wait) as store:
        summaries = run_sources(store, specs, show_progress=not quiet and sys.stderr.isatty())
        reconciled = reconcile_step(store.lake, reconcile, wait=wait) if reconcile else None
    if not quiet:
        report_summaries(summaries, Format.table)
    problems = sum(len(s.problems) + len(s.failed_files) for _, s in summaries)
    line = (f"sync: {len(specs)} sources, {sum(s.files for _, s in summaries):,} files/objects, "
            f"{sum(s.records for _, s in summaries):,} records, {sum(s.new for _, s in summaries):,} new, "
            f"{problems} problems, {sum(s.seconds for _, s in summaries):.1f}s")
    print(line)
    if reconciled:
        print(reconciled[0])
    if (reconciled and reconciled[1]) or any(s.found_problems for _, s in summaries):
        raise typer.Exit(1)


def verify(
    target: str = typer.Argument(..., help="s3://BUCKET[/PREFIX] or a local copy of the bucket."),
    public_keys: Path | None = typer.Option(None, "--public-keys", help="Local copies: `aws cloudtrail list-public-keys` output."),
    account: list[str] = typer.Option([], "--account", help="Only these accounts. Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Only these regions. Repeatable."),
    since: str | None = typer.Option(None, "--since", help="7d, 12h or an ISO date."),
    until: str | None = typer.Option(None, "--until", help="Same forms as --since."),
    profile: str | None = typer.Option(None, "--profile"),
    aws_region: str | None = typer.Option(None, "--aws-region", help="Region of the bucket."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url"),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Log file integrity validation, as `aws cloudtrail validate-logs` does: digest chain, signatures,
    log file hashes. Every log file and digest is verified, not verifiable (no digest lists it, no public
    key or signature...) or invalid (modified, missing, damaged...). Exit 0 only when everything was
    verified, 1 when anything is not verifiable or invalid (or nothing was found), 2 on usage errors."""
    from botocore.exceptions import BotoCoreError
    from rich.text import Text

    from cloudblame.cli.output import err_console

    try:
        scope = _verify_scope(account, region, since, until)
        report = _verify_target(target, public_keys, scope, profile, aws_region, endpoint_url)
    except (OSError, BotoCoreError) as exc:  # a folder or bucket that cannot be read: the user's to fix
        say(f"error: {exc}", style="red", err=True)
        raise typer.Exit(2) from None
    data = report.as_dict()
    emit(data, fmt, lambda: _print_verify(data), csv_rows=lambda: data["findings"])
    if fmt is not Format.table:
        err_console.print(Text(data["summary"]), soft_wrap=True)
    if data["ignored"]:
        say(f"{data['ignored']:,} file(s) ignored: neither a CloudTrail log file nor a digest", err=True)
    if not data["ok"]:
        raise typer.Exit(1)


def _verify_scope(account: list[str], region: list[str], since: str | None, until: str | None) -> dict[str, Any]:
    """The engine's filters from the options; raises BadInput on a time it cannot read."""
    from cloudblame.core.timeutil import parse_when

    return {"account": account or None, "region": region or None,
            "since": parse_when(since) if since else None, "until": parse_when(until) if until else None}


def _verify_target(target: str, public_keys: Path | None, scope: dict[str, Any], profile: str | None,
                   aws_region: str | None, endpoint_url: str | None) -> VerifyReport:
    """Run the engine on an S3 location or a local copy; raises BadInput or OSError on usage errors."""
    from cloudblame import verify as v
    from cloudblame.core.errors import BadInput

    if not target.startswith("s3://"):
        if public_keys is None:
            raise BadInput("a local copy needs --public-keys (aws cloudtrail list-public-keys output)")
        return v.verify_local(Path(target), v.load_public_keys(public_keys), **scope)
    import boto3

    from cloudblame.sources.s3 import make_client, parse_s3_url

    loc = parse_s3_url(target)
    session = boto3.Session(profile_name=profile, region_name=aws_region)
    s3 = make_client(profile=profile, region=aws_region, endpoint_url=endpoint_url)
    return v.verify_s3(s3, loc.bucket, loc.prefix, lambda r: session.client("cloudtrail", region_name=r), **scope)


def _print_verify(data: dict[str, Any]) -> None:
    from rich.text import Text

    from cloudblame.cli.output import console, ident, number, print_table, text

    # one line, however long: scripts grep it (as sync's)
    console.print(Text(data["summary"], style="bold green" if data["ok"] else "bold red"), soft_wrap=True)
    outcome_of = {f["kind"]: f["outcome"] for f in data["findings"]}
    if data["counts"]:
        print_table("findings", [text("finding", 0, 16), text("outcome"), number("count")],
                    ([kind, outcome_of[kind], n] for kind, n in data["counts"].items()))
    bad = [f for f in data["findings"] if f["outcome"] != "verified"]
    if bad:
        print_table("not verified", [text("outcome"), text("finding", 1, 12), ident("object"), text("account", 3, 12),
                                     text("region", 4, 9), text("detail", 2, 16)],
                    ([f["outcome"], f["kind"], f["subject"], f["account"], f["region"], f["detail"]] for f in bad))


prices_app = typer.Typer(help="The price table behind cost estimates.", no_args_is_help=True)


@prices_app.command("refresh", epilog=epilog("prices refresh"))
def prices_refresh(
    region: list[str] = typer.Option([], "--region", help="Only these regions. Repeatable [default: all]."),
    out: Path | None = typer.Option(None, "--out", help="Where to write [default: ~/.cache/cloudblame/prices.csv.gz]."),
    profile: str | None = typer.Option(None, "--profile"),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url"),
) -> None:
    """Rebuild the price table from the AWS Price List API (needs credentials); estimates use it from then on."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from cloudblame.prices.refresh import refresh
    from cloudblame.queries.inventory import refreshed_prices_path

    target = out or refreshed_prices_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        client = boto3.Session(profile_name=profile).client("pricing", region_name="us-east-1",
                                                            endpoint_url=endpoint_url)
        count = refresh(client, regions=region or None, out=target)
    except (BotoCoreError, ClientError, ValueError) as exc:
        say(f"error: {exc}", style="red", err=True)
        raise typer.Exit(1) from None
    say(f"wrote {count:,} prices to {target}")


@prices_app.command("show", epilog=epilog("prices show"))
def prices_show(
    resource_type: str = typer.Argument(..., help="e.g. AWS::EC2::Instance"),
    region: str = typer.Option("us-east-1", "--region"),
    size: list[str] = typer.Option([], "--size", help="key=value, e.g. instance_type=m5.large. Repeatable."),
) -> None:
    """The monthly estimate for one resource type and size, with its basis."""
    from cloudblame.core.errors import BadInput
    from cloudblame.core.money import usd
    from cloudblame.queries.inventory import price_table

    if bad := [s for s in size if "=" not in s]:
        raise BadInput(f"--size {bad[0]!r}: give key=value, e.g. instance_type=m5.large")
    cost = price_table().monthly_cost(resource_type, dict(s.split("=", 1) for s in size), region)
    say(f"{usd(cost.usd_per_month)}/month  ({cost.basis})")


def register(app: typer.Typer) -> None:
    app.command("sync", epilog=epilog("sync"))(sync)
    app.command("verify", epilog=epilog("verify"))(verify)
    app.add_typer(prices_app, name="prices")
