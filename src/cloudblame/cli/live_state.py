"""`inventory --live` and `sync`'s reconcile: the store's alive resources described in AWS (what it says now) and
stored; and the words of the view inventory shows (the store's events, or the live state)."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from cloudblame.actions.cleanup import boto3_clients
from cloudblame.actions.live import LiveCheck, refresh_live, summary_line
from cloudblame.cli.output import say
from cloudblame.core.live_contracts import InventoryView, LiveState
from cloudblame.core.money import usd
from cloudblame.pipeline.sync import ReconcileSpec, run_reconcile
from cloudblame.store.lake import Lake, default_db_path

LiveOption = typer.Option(False, "--live", help="Describe the alive resources in AWS now, store what it says (gone "
                          "without a delete event, stopped, resized) and show the live view: the gone ones left out.")
ProfileOption = typer.Option(None, "--profile", help="With --live: AWS profile (else the standard credential chain).")
AwsRegionOption = typer.Option(None, "--aws-region", help="With --live: region of resources whose region is not known.")
EndpointOption = typer.Option(None, "--endpoint-url", help="With --live: test endpoint (moto, LocalStack).")


def refresh(db: str | None, *, profile: str | None = None, region: str | None = None, endpoint_url: str | None = None,
            resource_type: Sequence[str] = (), account: Sequence[str] = (), regions: Sequence[str] = (),
            wait: float | None = 30.0) -> LiveCheck:
    """The store's alive resources (filtered) described and the results stored; what went wrong said on stderr
    (exit 1 when AWS answered no call: credentials, network)."""
    clients = boto3_clients(profile=profile, region=region, endpoint_url=endpoint_url)
    check = refresh_live(Lake.open(db or default_db_path(), create=True), clients, region=region,
                         resource_type=resource_type, account=account, regions=regions, wait=wait)
    for problem in check.problems[:5]:
        say(f"warning: {problem}", style="yellow", err=True)
    if check.calls and not check.answered:
        say("error: AWS answered no describe call (nothing stored)", style="red", err=True)
        raise typer.Exit(1)
    say(summary_line(check), style="dim", err=True)
    return check


def reconcile_step(lake: Lake, spec: ReconcileSpec, *, wait: float | None = 30.0) -> tuple[str, int]:
    """`sync`'s reconcile step: its one line (``live: ...``) and how many problems it met (warned of on stderr)."""
    from botocore.exceptions import BotoCoreError

    try:
        check = run_reconcile(lake, spec, wait=wait)
    except BotoCoreError as exc:  # no such profile, no region...: the step fails, not the sync
        return f"live: not described ({exc})", 1
    for problem in check.problems[:5]:
        say(f"warning: reconcile: {problem}", style="yellow", err=True)
    failed = bool(check.calls and not check.answered)
    return ("live: nothing stored, AWS answered no describe call" if failed else summary_line(check),
            len(check.problems) + failed)


def view_line(view: InventoryView) -> str:
    """The view in words: the store's (events up to when, last described when) or the live one (described when,
    how many gone left out and in each other state)."""
    states = view["states"]
    if view["kind"] == "events":
        checked = (f"; described {view['checked_at']} (--live: again, and the live view)" if view["checked_at"]
                   else "; never described (--live describes them)")
        return f"the store's view: alive by their events, up to {view['events_until'] or 'no event'}{checked}"
    if view["checked_at"] is None:
        return "live view: none of these was described (no type with a describe call, or none of this account)"
    cost = f" ({usd(view['left_out_usd_per_month'])}/month estimated)" if view["left_out_usd_per_month"] else ""
    counts = ", ".join(f"{n:,} {state}" for state, n in states.items() if n and state != "gone")
    return (f"live view as described up to {view['checked_at']}: {view['left_out']:,} gone left out{cost}"
            + (f"; {counts}" if counts else ""))


def live_cell(live: LiveState | None) -> str:
    """A row's live state in a table cell: ``stopped``, ``resized (instance_type m5.large -> m5.xlarge)``."""
    if live is None:
        return "unchecked"
    if live["state"] == "resized" and live["detail"]:
        return f"resized ({live['detail']})"
    return live["state"]
