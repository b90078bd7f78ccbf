"""`cloudblame report` (each owner's resources, forgotten ones, cost and trend, as Markdown, HTML or JSON)
and `cloudblame notify` (each owner's report, or a digest, sent through Apprise URLs)."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from cloudblame.actions.notify import Delivery, as_rows, deliver, messages
from cloudblame.actions.report import PERIODS, file_name, owner_reports, render
from cloudblame.cli.common import DbOption, IdleOption, WideOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Format, ident, print_table, rows_of, say, text, write_json
from cloudblame.core.errors import BadInput
from cloudblame.core.report_contracts import OwnerReport
from cloudblame.pipeline.sync import ConfigError, Recipients, load_recipients


class ReportFormat(str, enum.Enum):
    md = "md"
    html = "html"
    json = "json"


Period = enum.Enum("Period", {k: k for k in PERIODS}, type=str)  # type: ignore[misc]

OwnerOption = typer.Option([], "--owner", help="This person (as blame and inventory name them). Repeatable.")
AllOption = typer.Option(False, "--all", help="Every person who owns something alive.")
PeriodOption = typer.Option("week", "--period", help="The report period (of the newest stored event): "
                            "notify sends each owner one message per period.")


def _reports(db: str | None, owner: list[str], everyone: bool, idle: str, period: str) -> list[OwnerReport]:
    if bool(owner) == everyone:
        raise BadInput("give --owner PERSON (repeatable) or --all")
    with open_store(db, read_only=True) as store:
        return owner_reports(store, owner or None, idle=idle, every=period)


def report(
    db: str | None = DbOption,
    owner: list[str] = OwnerOption,
    everyone: bool = AllOption,
    fmt: ReportFormat = typer.Option(ReportFormat.md, "--format", "-f", help="Markdown, HTML (with charts) or JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write one file per owner in this folder (made if need "
                                    "be) and list them, instead of one document on stdout."),
    idle: str = IdleOption,
    period: Period = PeriodOption,
) -> None:
    """Per owner: what they created that is alive, what of it is forgotten, its monthly cost and the trend."""
    reports = _reports(db, owner, everyone, idle, period.value)
    if out is None:
        sys.stdout.write(render(reports, fmt.value))
        return
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for one in reports:
        path = out / file_name(one["owner"], fmt.value, taken)
        path.write_text(render([one], fmt.value), encoding="utf-8")
        print(path)
    if not reports:
        say("nobody owns anything alive in the store: no report written", err=True)


DELIVERY_COLUMNS = [text("owner", 0, 12), text("status", 0, 8), ident("url", 1), text("reason", 2, 16)]


def notify(
    db: str | None = DbOption,
    to: list[str] = typer.Option([], "--to", help="An Apprise URL (slack://, msteams://, mailto://, json://...): "
                                 "each owner's message goes through it. Repeatable. [default: the config's [notify] to]"),
    owner: list[str] = OwnerOption,
    everyone: bool = AllOption,
    digest: bool = typer.Option(False, "--digest", help="One message of every owner's report, to each --to URL."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be sent; send and remember nothing."),
    config: Path | None = typer.Option(None, "--config", "-c", help="[people] and [notify] tables "
                                       "[default: ./cloudblame.toml when there is one]"),
    idle: str = IdleOption,
    period: Period = PeriodOption,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json.", case_sensitive=False),
    wide: bool = WideOption,
) -> None:
    """Send each owner their report (or one digest) through Apprise URLs, once per report period; exit 1
    when a message could not be delivered."""
    recipients = _recipients(config)
    urls = to or recipients.to
    if not urls and not recipients.people:
        raise BadInput("give --to URL (or a [notify] to list in the config)")
    reports = _reports(db, owner, everyone, idle, period.value)
    with open_store(db, read_only=True) as store:
        store_path = Path(store.path)
    done = deliver(store_path, messages(reports, urls, recipients, digest=digest), dry_run=dry_run)
    _show(done, fmt, dry_run=dry_run, wide=wide)
    if any(d.status == "failed" for d in done):
        raise typer.Exit(1)


def _recipients(config: Path | None) -> Recipients:
    path = config or Path("cloudblame.toml")
    if config is None and not path.exists():
        return Recipients()
    try:
        return load_recipients(path)
    except ConfigError as exc:
        raise BadInput(str(exc)) from None


def _show(done: list[Delivery], fmt: Format, *, dry_run: bool, wide: bool) -> None:
    if fmt is Format.json:
        write_json(as_rows(done, with_body=dry_run))
        return
    if fmt is Format.csv:
        raise BadInput("notify writes a table or JSON")
    if dry_run:
        for d in (d for d in done if d.status == "would send"):
            sys.stdout.write(f"--- to {d.owner} through {d.url}\n{d.title}\n\n{d.body}\n")
    counts = {s: sum(1 for d in done if d.status == s) for s in dict.fromkeys(d.status for d in done)}
    title = ", ".join(f"{n} {s}" for s, n in counts.items()) or "nothing to send: nobody owns anything alive"
    print_table(title, DELIVERY_COLUMNS, rows_of(as_rows(done, with_body=False), [c.header for c in DELIVERY_COLUMNS]),
                wide=wide)


def register(app: typer.Typer) -> None:
    app.command("report", epilog=epilog("report"))(report)
    app.command("notify", epilog=epilog("notify"))(notify)
