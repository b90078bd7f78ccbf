"""`forgotten --metrics` and `blame --metrics`: CloudWatch read for the resources' real use, stored in the store
(``usage_evidence``), then the answer given from the store as it is now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import typer

from cloudblame.actions.cleanup import boto3_clients
from cloudblame.actions.usage import Target, UsageRead, Window, caller_account, describe, read_usage, save
from cloudblame.cli.common import open_store, time_bound
from cloudblame.cli.output import say
from cloudblame.core.contracts import Blame, Forgotten, ForgottenItem
from cloudblame.core.timeutil import parse_duration, parse_event_time, parse_when
from cloudblame.queries.anchor import time_anchor
from cloudblame.queries.blame import blame as blame_query
from cloudblame.queries.inventory import forgotten as forgotten_query
from cloudblame.queries.usage import usage_of
from cloudblame.store.lake import Lake, default_db_path

MetricsOption = typer.Option(False, "--metrics", help="Read CloudWatch for the resources' real use (CPU, connections, "
                             "requests...), store what it says, then answer: a resource in use is not forgotten.")
ProfileOption = typer.Option(None, "--profile", help="With --metrics: AWS profile (else the standard credential "
                             "chain).")
RegionOption = typer.Option(None, "--region", help="With --metrics: region for resources whose region is not known.")
EndpointOption = typer.Option(None, "--endpoint-url", help="With --metrics: test endpoint (moto, LocalStack).")
WindowOption = typer.Option("14d", "--window", help="With --metrics: read this long back (14d, 4w...).")


@dataclass(frozen=True)
class Aws:
    """How to reach CloudWatch: the --profile, --region and --endpoint-url given."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


def read_and_store(db: str | None, targets: Iterable[Target], window: Window, aws: Aws, *,
                   wait: float | None = 30.0) -> UsageRead:
    """CloudWatch read for ``targets`` over ``window`` and stored; its problems said on stderr (exit 1 when
    nothing could be read: credentials, network, permissions)."""
    clients = boto3_clients(profile=aws.profile, region=aws.region, endpoint_url=aws.endpoint_url)
    read = read_usage(targets, clients, window, caller=caller_account(clients, aws.region))
    for problem in read.problems:
        say(f"warning: {problem}", style="yellow", err=True)
    if read.problems and not read.calls:
        say("error: could not read CloudWatch (nothing stored)", style="red", err=True)
        raise typer.Exit(1)
    save(Lake.open(db or default_db_path(), create=True), read, wait=wait)
    say(describe(read), style="dim", err=True)
    return read


def target_of(item: ForgottenItem) -> Target:
    return Target(item["type"], item["id"], item["account"], item["region"], item["arn"], item["name"])


def forgotten_with_metrics(db: str | None, *, idle: str, as_of: str | None, limit: int | None, aws: Aws) -> Forgotten:
    """forgotten, once CloudWatch was read for every resource its events alone count as forgotten."""
    with open_store(db, read_only=True) as store:
        when = time_bound(store, as_of, "--as-of")
        candidates = forgotten_query(store, idle=idle, as_of=when, limit=None, by_usage=False)
    end = parse_event_time(candidates["as_of"])
    targets = [target_of(i) for i in candidates["resources"] if usage_of(i["type"])]
    if end is not None and targets:
        read_and_store(db, targets, Window(parse_when(idle, now=end), end), aws)
    elif end is not None:
        say("CloudWatch: none of the forgotten resources is of a type with usage metrics", style="dim", err=True)
    with open_store(db, read_only=True) as store:
        return forgotten_query(store, idle=idle, as_of=when, limit=limit)


def blame_with_metrics(db: str | None, resource: str, *, resource_type: str | None, account: str | None,
                       window: str, aws: Aws) -> Blame:
    """blame, once CloudWatch was read for the resource (alive, of a type with usage metrics) over ``window``
    back from now (from the newest event when the store is an archive)."""
    with open_store(db, read_only=True) as store:
        result = blame_query(store, resource, resource_type=resource_type, account=account)
        end: datetime = time_anchor(store).now
    found = result["resource"]
    if not result["alive"] or not usage_of(found["type"]) or found["type"] is None:
        say(f"CloudWatch: not read ({'not alive' if not result['alive'] else 'no usage metrics for its type'})",
            style="dim", err=True)
        return result
    target = Target(found["type"], found["id"], found["account"], found["region"], found["arn"], found["name"])
    read_and_store(db, [target], Window(end - parse_duration(window), end), aws)
    with open_store(db, read_only=True) as store:
        return blame_query(store, resource, resource_type=resource_type, account=account)
