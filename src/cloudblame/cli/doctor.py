"""`doctor` (is the CloudTrail set-up sound, does the store hold every day and region: findings with their
severity and fix; exit 1 at --fail-on) and `setup-trail` (the calls that create or mend what doctor finds
missing: a dry run, --apply, or --terraform). See docs/doctor.md."""

from __future__ import annotations

import enum
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer

from cloudblame.actions.doctor import DEFAULT_RETENTION, aws_clients, retention_days, run_doctor
from cloudblame.actions.setup_trail import DEFAULT_TRAIL, Current, Target, apply_calls, plan_setup, read_current
from cloudblame.actions.trail_terraform import terraform
from cloudblame.cli.common import DbOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Format, emit, say
from cloudblame.core.doctor_contracts import SEVERITIES, DoctorReport, SetupPlan
from cloudblame.core.errors import BadInput
from cloudblame.store import default_db_path

FailOn = enum.Enum("FailOn", {k: k for k in SEVERITIES}, type=str)  # type: ignore[misc]
_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}

ProfileOption = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain).")
RegionOption = typer.Option(None, "--region", help="Region of the API calls [default: the profile's, else us-east-1].")
EndpointOption = typer.Option(None, "--endpoint-url", help="Test endpoint (moto, LocalStack).")
RetentionOption = typer.Option(DEFAULT_RETENTION, "--retention", help="How long the trail's files should be kept "
                               "(the bucket's lifecycle).")


class SetupFormat(str, enum.Enum):
    text = "text"
    json = "json"


def doctor(
    db: str | None = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv.", case_sensitive=False),
    fail_on: FailOn = typer.Option("warning", "--fail-on", help="Exit 1 when a finding of this severity or worse is "
                                   "found (for CI)."),
    store_only: bool = typer.Option(False, "--store-only", help="Only the store's checks: no AWS call."),
    retention: str = RetentionOption,
    profile: str | None = ProfileOption,
    region: str | None = RegionOption,
    endpoint_url: str | None = EndpointOption,
) -> None:
    """Check the CloudTrail set-up through the AWS API (trails multi-region, logging, validated, every management
    event, delivering; bucket policy, lifecycle and KMS key) and the store (days and regions missing, regions
    named but never seen). Each finding has a severity (error, warning, info) and its fix. Without AWS
    credentials only the store is checked, and the output says so."""
    retention_days(retention)  # a bad value: one line, exit 2, before anything is read
    clients, api_note = (None, "--store-only") if store_only else \
        aws_clients(profile=profile, region=region, endpoint_url=endpoint_url)
    store_note = None
    if db is None and not Path(default_db_path()).exists():
        if clients is None:
            raise BadInput(f"no store at {default_db_path()} and no AWS credentials: nothing to check (pass --db, "
                           "or give credentials)")
        store_note = f"no store at {default_db_path()}: the stored data was not checked (pass --db)"
    with open_store(db, read_only=True) if store_note is None else nullcontext() as store:
        report = run_doctor(store, clients, retention=retention, fail_on=fail_on.value, store_note=store_note,
                            api_note=api_note, store_only=store_only)
    emit(report, fmt, lambda: print_report(report), csv_rows=lambda: _csv_rows(report))
    if report["failing"]:
        if fmt is not Format.table:
            say(f"findings of severity {fail_on.value} or worse (--fail-on)", err=True)
        raise typer.Exit(1)


def _csv_rows(report: DoctorReport) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.items() if k != "evidence"} for f in report["findings"]]


def checked_text(report: DoctorReport) -> str:
    checked = report["checked"]
    done = ([f"the trail set-up of account {checked['account']} ({checked['region']})"] if checked["api"] else []) + (
        ["the store"] if checked["store"] else [])
    skipped = ([f"the trail set-up: {checked['api_note']}"] if not checked["api"] else []) + (
        [f"the store: {checked['store_note']}"] if not checked["store"] else [])
    return "checked " + " and ".join(done) + (f"; not {'; not '.join(skipped)}" if skipped else "")


def print_report(report: DoctorReport) -> None:
    say(checked_text(report), style="dim")
    for f in report["findings"]:
        say(f"\n{f['severity']:<8} {f['id']}" + (f"  {f['resource']}" if f["resource"] else ""),
            style=_STYLE[f["severity"]])
        say(f"  {f['message']}")
        say(f"  fix: {f['fix']}", style="cyan")
    counts = ", ".join(f"{n} {s}" for s, n in report["counts"].items())
    verdict = (f"exit 1: {report['fail_on']} or worse found (--fail-on {report['fail_on']})" if report["failing"]
               else "nothing at or above --fail-on " + report["fail_on"])
    say(f"\n{counts}: {verdict}" if report["findings"] else f"\nno findings: {verdict}", style="bold")


def setup_trail(
    bucket: str = typer.Option(..., "--bucket", help="The bucket the trail writes to (created when there is none)."),
    trail: str = typer.Option(DEFAULT_TRAIL, "--trail", help="The trail's name (created when there is none)."),
    org: bool = typer.Option(False, "--org", help="An organization trail (from the management account)."),
    retention: str = RetentionOption,
    prefix: str | None = typer.Option(None, "--prefix", help="Key prefix of the trail's files in the bucket."),
    apply: bool = typer.Option(False, "--apply", help="Make the calls (without it: a dry run that only reads)."),
    as_terraform: bool = typer.Option(False, "--terraform", help="Print the set-up as a Terraform snippet instead "
                                      "(no AWS call)."),
    fmt: SetupFormat = typer.Option(SetupFormat.text, "--format", "-f", help="text (the calls as aws CLI lines) or "
                                    "json.", case_sensitive=False),
    profile: str | None = ProfileOption,
    region: str | None = typer.Option(None, "--region", help="The trail's home region and the new bucket's "
                                      "[default: the profile's, else us-east-1]."),
    endpoint_url: str | None = EndpointOption,
) -> None:
    """Create or mend what doctor finds missing: a bucket CloudTrail can deliver to (policy; lifecycle keeping
    the files --retention long) and a multi-region trail (an organization trail with --org) of every
    management event, log file validation on, logging. A dry run by default: the exact calls, compared with
    what is there. Exit 1 when a call failed."""
    days = retention_days(retention)
    if as_terraform:
        if apply:
            raise BadInput("--terraform prints a snippet: terraform apply makes it (no --apply)")
        sys.stdout.write(terraform(Target(bucket, trail, region or "us-east-1", days, org, prefix)))
        return
    clients, note = aws_clients(profile=profile, region=region, endpoint_url=endpoint_url)
    target = Target(bucket, trail, clients.default_region if clients else region or "us-east-1", days, org, prefix)
    if clients is None and apply:
        raise BadInput(f"--apply needs AWS credentials ({note})")
    plan = plan_setup(target, read_current(clients, target) if clients else Current())
    if apply and clients is not None:
        plan = apply_calls(plan, clients)
    if fmt is SetupFormat.json:
        emit(plan, Format.json, lambda: None)
    else:
        print_plan(plan)
    if any(c["status"] == "failed" for c in plan["calls"]):
        raise typer.Exit(1)


def print_plan(plan: SetupPlan) -> None:
    """The calls as a shell script (aws CLI lines under a comment saying why), notes on stderr."""
    lines = [] if plan["calls"] else [f"# nothing to do: trail {plan['trail']} and bucket {plan['bucket']} are set up"]
    for call in plan["calls"]:
        status = "" if call["status"] == "planned" else f" [{call['status']}" + (
            f": {call['error']}]" if call["error"] else "]")
        lines += [f"# {call['why']}{status}", call["cli"]]
    sys.stdout.write("\n".join(lines) + "\n")
    for note in plan["notes"]:
        say(f"note: {note}", style="yellow", err=True)
    if plan["calls"] and not plan["applied"]:
        say("dry run: --apply makes these calls", style="bold", err=True)


def register(app: typer.Typer) -> None:
    app.command("doctor", epilog=epilog("doctor"))(doctor)
    app.command("setup-trail", epilog=epilog("setup-trail"))(setup_trail)
