"""`costs import` (AWS cost exports into the store) and `costs show` (the bill beside the estimates, and what
no known resource explains)."""

from __future__ import annotations

import enum
import os
from typing import Any

import typer

from cloudblame.cli.common import DbOption, FormatOption, WaitOption, WideOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Format, emit, ident, number, print_table, say, text
from cloudblame.core.bill_contracts import BillImport, CostsReport
from cloudblame.core.errors import BadInput
from cloudblame.core.money import usd
from cloudblame.pipeline.bill import import_bills
from cloudblame.queries.costs import COSTS_BY
from cloudblame.queries.costs import DEFAULT_LIMIT as COSTS_LIMIT
from cloudblame.queries.costs import costs as costs_query
from cloudblame.sources.s3 import make_client

costs_app = typer.Typer(help="The AWS bill (CUR 2.0, legacy CUR, FOCUS exports) beside the estimates.",
                        no_args_is_help=True)
CostsBy = enum.Enum("CostsBy", {k: k for k in COSTS_BY}, type=str)  # type: ignore[misc]


@costs_app.command("import", epilog=epilog("costs import"))
def costs_import(
    paths: list[str] = typer.Argument(..., help="Export files, folders (walked recursively) or s3://BUCKET[/PREFIX]."),
    db: str | None = DbOption,
    force: bool = typer.Option(False, "--force", help="Read again files imported unchanged."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain)."),
    aws_region: str | None = typer.Option(None, "--aws-region", help="Region of the S3 client (the bucket's)."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", help="S3-compatible store or test endpoint."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Summary format."),
    wait: float = WaitOption,
) -> None:
    """Import AWS cost exports (CUR 2.0 / Data Exports Parquet, legacy CUR CSV, FOCUS): their line items are
    matched to the resources by id or ARN, and `inventory` and `costs show` show the actual cost beside the
    estimate. A file imported again replaces its lines; one unchanged is not read again. Exit 1 when a file
    could not be read."""
    def client() -> Any:
        return make_client(profile=profile, region=aws_region, endpoint_url=endpoint_url)

    check_paths(paths)
    with open_store(db, read_only=False, wait=wait) as store:
        summary = import_bills(store.lake, paths, s3_client=client, force=force, wait=wait)
    emit(summary, fmt, lambda: _print_import(summary), csv_rows=lambda: summary["files"])
    if summary["failed"] or summary["problems"] or not summary["found"]:
        if not summary["found"]:
            say(f"no cost export files (.parquet, .csv, .csv.gz, .csv.zip) found under {', '.join(paths)}",
                style="red", err=True)
        raise typer.Exit(1)


IMPORT_COLUMNS = [text("status", 0, 8), ident("file"), text("format", 1, 5), number("lines"),
                  text("periods", 2, 10), text("reason", 1, 16)]


def _print_import(summary: BillImport) -> None:
    if summary["files"]:
        print_table(None, IMPORT_COLUMNS, ([f["status"], f["path"], f["format"], f["lines"],
                                            " ".join(p[:7] for p in f["periods"]), f["reason"]]
                                           for f in summary["files"]))
    say(f"{summary['imported']} file(s) imported ({summary['lines']:,} lines"
        + (f", {summary['lines_replaced']:,} replaced" if summary["lines_replaced"] else "") + "), "
        f"{summary['unchanged']} unchanged, {summary['skipped']} skipped, {summary['failed']} failed"
        + (f"; periods {', '.join(p[:7] for p in summary['periods'])}" if summary["periods"] else ""), style="bold")
    for problem in summary["problems"]:
        say(f"problem: {problem}", style="red", err=True)


@costs_app.command("show", epilog=epilog("costs show"))
def costs_show(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    period: str | None = typer.Option(None, "--period", help="Billing period: 2026-03 [default: the latest imported]."),
    by: CostsBy = typer.Option("resource", "--by", help="Rows per resource, owner, tool or service."),
    limit: int = typer.Option(COSTS_LIMIT, "--limit", "-n", min=0, help="At most this many rows (0: all)."),
    wide: bool = WideOption,
) -> None:
    """The bill of a period beside the estimates: what each resource (owner, tool, service) was charged and
    what it is estimated to cost a month, and what the bill charges that no known resource explains."""
    with open_store(db, read_only=True) as store:
        report = costs_query(store, period=period, by=by.value, limit=limit or None)
    rows = report.get("resources") if by.value == "resource" else report.get("groups")
    emit(report, fmt, lambda: print_costs(report, wide=wide), csv_rows=lambda: rows or [])


RESOURCE_COLUMNS = [text("type", 2, 12), ident("id"), text("owner", 1, 16), text("tool", 4, 8),
                    number("actual"), number("estimate/month"), text("region", 5, 9)]
GROUP_COLUMNS = [number("resources"), number("actual"), number("estimate/month"), number("unpriced")]
UNATTRIBUTED_COLUMNS = [text("service", 0, 12), text("usage type", 1, 16), number("usd"), number("share"),
                        number("lines"), number("unknown ids"), ident("example id", 3)]


def print_costs(report: CostsReport, *, wide: bool = False) -> None:
    if report["period"] is None:
        say("no bill imported: run `cloudblame costs import PATH...` (CUR 2.0, legacy CUR or FOCUS exports)")
        return
    say(f"period {report['period'][:7]} (usage through {report['through'] or '?'}): billed {usd(report['total_usd'])}, "
        f"explained by known resources {usd(report['attributed_usd'])}, unattributed {usd(report['unattributed_usd'])}"
        f" ({_percent(report['unattributed_share'])}); estimate now {usd(report['estimate_usd_per_month'])}/month",
        style="bold")
    if report["other_currency_lines"]:
        say(f"note: {report['other_currency_lines']:,} line(s) in other currencies than USD are left out of the sums",
            style="dim", err=True)
    if "resources" in report:
        print_table(f"{_shown(report, len(report['resources']))} resource(s), actual cost and estimate",
                    RESOURCE_COLUMNS, ([_type(r["type"]), r["id"], r["owner"], r["tool"], usd(r["actual_usd"]),
                                        usd(r["estimate_usd_per_month"]), r["region"]] for r in report["resources"]),
                    wide=wide)
    else:
        print_table(f"by {report['by']}", [text(report["by"], 0, 16), *GROUP_COLUMNS],
                    ([g["key"], g["resources"], usd(g["actual_usd"]), usd(g["estimate_usd_per_month"]), g["unpriced"]]
                     for g in report.get("groups", [])), wide=wide)
    if report["unattributed"]:
        print_table("unattributed: charged, but no known resource explains it", UNATTRIBUTED_COLUMNS,
                    ([u["service"], u["usage_type"], usd(u["usd"]), _percent(u["share"]), u["lines"], u["billed_ids"],
                      u["example_id"]] for u in report["unattributed"]), wide=wide)


def _shown(report: CostsReport, shown: int) -> str:
    return f"{report['count']:,}" + (f", the first {shown:,}" if shown < report["count"] else "")


def _percent(share: float | None) -> str:
    return "?" if share is None else f"{share * 100:.1f}%"


def _type(resource_type: str) -> str:
    return resource_type.removeprefix("AWS::")


def check_paths(paths: list[str]) -> None:
    """Refuse, before any store is opened, local paths that do not exist."""
    for path in paths:
        if not path.startswith("s3://") and not os.path.exists(path):
            raise BadInput(f"no such file or folder: {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(costs_app, name="costs")
