"""`cleanup plan` and `cleanup apply`: forgotten resources, stopped, snapshotted and deleted by plan only
(cloudblame.actions.cleanup)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from cloudblame.actions.cleanup import (
    DEFAULT_TAG_KEY,
    boto3_clients,
    carry_out,
    load_plan,
    make_plan,
    review,
    summary_of,
    write_plan,
)
from cloudblame.cli.common import AsOfOption, DbOption, FormatOption, IdleOption, WideOption, open_store, time_bound
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Format, emit, ident, number, print_table, say, text, time
from cloudblame.core.money import usd, usd_total

cleanup_app = typer.Typer(help="Forgotten resources: plan what to stop, snapshot and delete; apply a plan.",
                          no_args_is_help=True)

STEP_COLUMNS = [ident("id"), text("type", 2, 12), text("action", 0, 8), text("owner", 1, 8), number("$/month", 1),
                time("last activity", 3), text("region", 4, 9)]
RESULT_COLUMNS = [ident("id"), text("action", 2, 8), text("outcome", 0, 8), number("$/month", 3),
                  text("detail", 1, 16)]


@cleanup_app.command("plan", epilog=epilog("cleanup plan"))
def plan_command(
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    idle: str = IdleOption,
    as_of: str | None = AsOfOption,
    owner: list[str] = typer.Option([], "--owner", help="Only what this person owns. Repeatable."),
    resource_type: list[str] = typer.Option([], "--type", help="e.g. AWS::EC2::Volume. Repeatable."),
    grace: str = typer.Option("7d", "--grace", help="Act only this long after the plan (0d: at once)."),
    terminate: bool = typer.Option(False, "--terminate", help="Terminate instances instead of stopping them."),
    tag_key: str = typer.Option(DEFAULT_TAG_KEY, "--tag-key", help="The tag that carries the planned date."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the plan here (for `cleanup apply`)."),
    wide: bool = WideOption,
) -> None:
    """What to do with each forgotten resource, safest first: tag it with the planned date; stop instances
    and databases; snapshot volumes, then delete them; other types are only tagged. Changes nothing in AWS."""
    with open_store(db, read_only=True) as store:
        plan = make_plan(store, idle=idle, as_of=time_bound(store, as_of, "--as-of"), owner=owner,
                         resource_type=resource_type, grace=grace, terminate=terminate, tag_key=tag_key)
    if out is not None:
        write_plan(plan, out)
        say(f"wrote the plan to {out}: cloudblame cleanup apply {out}", err=True)
    emit(plan, fmt, lambda: _print_plan(plan, wide), csv_rows=lambda: plan["steps"])


def _print_plan(plan: dict[str, Any], wide: bool) -> None:
    print_table(f"{plan['count']} step(s), {usd_total(plan['total_usd_per_month'], plan['unpriced'])}/month, "
                f"grace period until {plan['grace_end']}, as of {plan['as_of']}", STEP_COLUMNS,
                ([s["id"], s["type"], s["action"], s["owner"], usd(s["usd_per_month"]), s["last_activity"],
                  s["region"]] for s in plan["steps"]), wide=wide)


@cleanup_app.command("apply", epilog=epilog("cleanup apply"))
def apply_command(
    plan_file: Path = typer.Argument(..., help="A plan written by `cloudblame cleanup plan --out`."),
    db: str | None = DbOption,
    fmt: Format = FormatOption,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation (needed without a terminal)."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain)."),
    region: str | None = typer.Option(None, "--region", help="Region for resources whose region is not known."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", help="Test endpoint (moto, LocalStack)."),
    wide: bool = WideOption,
) -> None:
    """Carry out a plan: each resource is re-checked first (nobody touched it since the plan, in the store;
    it still exists in the planned state, live); before its grace period ends it is only tagged. Exit 1
    when a step failed."""
    plan = load_plan(plan_file)
    clients = boto3_clients(profile=profile, region=region, endpoint_url=endpoint_url)
    with open_store(db, read_only=True) as store:
        reviews = review(plan, store, clients)
    acting = [r for r in reviews if r.verdict in ("act", "tag")]
    if acting and not yes:
        _confirm(len([r for r in acting if r.verdict == "act"]), len(acting))
    results = carry_out(reviews, plan, clients)
    summary = {"plan": str(plan_file), **summary_of(results), "results": results}
    emit(summary, fmt, lambda: _print_results(summary, wide), csv_rows=lambda: results)
    if summary["counts"]["failed"]:
        raise typer.Exit(1)


def _confirm(acting: int, writing: int) -> None:
    if not sys.stdin.isatty():
        say("error: not a terminal: pass --yes to apply the plan without confirmation", style="red", err=True)
        raise typer.Exit(2)
    if not typer.confirm(f"Act on {acting} resource(s) and tag {writing}?", err=True):
        say("nothing done", err=True)
        raise typer.Exit(1)


def _print_results(summary: dict[str, Any], wide: bool) -> None:
    counts = ", ".join(f"{n} {name}" for name, n in summary["counts"].items() if n)
    print_table(counts or "nothing to do", RESULT_COLUMNS,
                ([r["id"], r["action"], r["outcome"], usd(r["usd_per_month"]), r["detail"]]
                 for r in summary["results"]), wide=wide)
    saved, unpriced = summary["saved_usd_per_month"], summary["saved_unpriced"]
    say(f"saved: {usd_total(saved, unpriced)} a month" if saved is not None or unpriced else "saved: nothing")


def register(app: typer.Typer) -> None:
    app.add_typer(cleanup_app, name="cleanup")
