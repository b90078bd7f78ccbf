"""`tag`: write CreatedBy / CreatedWith / CreatedAt (and CreatedVia) on the alive resources, from the store's
answers; a dry run (the plan) unless --apply."""

from __future__ import annotations

from typing import Any

import typer

from cloudblame.actions.tagging import Clients, run_tag, tag_keys
from cloudblame.cli.common import DbOption, FormatOption, WideOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Format, emit, ident, print_table, say, text

_ORDER = {"failed": 0, "tagged": 1, "to tag": 2, "skipped": 3, "unchanged": 4}
TAG_COLUMNS = [text("status", 0, 7), ident("id"), text("tags", 1, 16), text("reason", 1, 16),
               text("type", 3, 12), text("created by", 2, 12), text("region", 4, 9)]


def tag(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    apply: bool = typer.Option(False, "--apply", help="Write the tags (without it: a dry run that only reads)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a value a resource has under one of the keys."),
    keys: str | None = typer.Option(None, "--keys", metavar="FIELD=KEY,...",
                                    help="Tag keys: by=CreatedBy,with=CreatedWith,at=CreatedAt,via=CreatedVia "
                                         "(FIELD= leaves that tag out)."),
    via: bool = typer.Option(False, "--via", help="Also write CreatedVia: the chain from the person to the call."),
    owner: list[str] = typer.Option([], "--owner", help="Only what this person owns. Repeatable."),
    resource_type: list[str] = typer.Option([], "--type", help="e.g. AWS::EC2::Instance. Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Only resources in this region. Repeatable."),
    account: list[str] = typer.Option([], "--account", help="Repeatable."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain)."),
    aws_region: str | None = typer.Option(None, "--aws-region", help="Region of the clients of global services "
                                          "(IAM) [default: the profile's, else us-east-1]."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", help="Test endpoint (moto, LocalStack)."),
    wide: bool = WideOption,
) -> None:
    """Tag each alive resource with the person who created it (behind roles and SSO), the tool and the time.
    A dry run by default: the plan, read against the tags the resources have now. An existing tag is kept
    unless --overwrite; resources with no known person behind them are skipped, saying why. Exit 1 when a
    resource could not be tagged (or its tags read)."""
    names = tag_keys(keys, via=via)
    clients = Clients(profile=profile, region=aws_region, endpoint_url=endpoint_url)
    with open_store(db, read_only=True) as store:
        report = run_tag(store, clients, names, apply=apply, overwrite=overwrite, owner=owner,
                         resource_type=resource_type, region=region, account=account)
    emit(report, fmt, lambda: _print_report(report, wide=wide), csv_rows=lambda: report["resources"])
    if fmt is not Format.table:
        say(_summary(report), err=True)
    if report["failed"]:
        raise typer.Exit(1)


def _summary(report: dict[str, Any]) -> str:
    counts = (f"{report['unchanged']} already tagged, {report['skipped']} skipped, {report['failed']} failed")
    if report["applied"]:
        return f"tagged {report['tagged']}, {counts}"
    return f"dry run: {report['to_tag']} to tag, {counts}" + (" (--apply writes them)" if report["to_tag"] else "")


def _print_report(report: dict[str, Any], *, wide: bool) -> None:
    shown = sorted((r for r in report["resources"] if r["status"] != "unchanged"),
                   key=lambda r: (_ORDER[r["status"]], r["type"], r["id"]))
    rows = ([r["status"], r["id"], " ".join(f"{k}={v}" for k, v in r["tags"].items()), r["reason"],
             r["type"], r["created_by"], r["region"]] for r in shown)
    if shown:
        print_table(None, TAG_COLUMNS, rows, wide=wide)
    say(_summary(report), style="bold red" if report["failed"] else "bold")


def register(app: typer.Typer) -> None:
    app.command("tag", epilog=epilog("tag"))(tag)
