"""`insights` (unusual activity found at publish: call and error rate bursts, cost bursts, hygiene findings,
AWS's own insights; newest first, filtered) and `insight ID` (one, with its minute series, attributions,
resources and the events behind it). See docs/insights.md."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

import typer

from cloudblame.cli.common import DbOption, WideOption, open_store, time_bound
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import Format, console, emit, ident, number, print_details, print_table, say, text, time
from cloudblame.cli.views import print_events
from cloudblame.core.insight_contracts import Insight, InsightDetail, InsightsPage, SeriesPoint
from cloudblame.core.money import usd
from cloudblame.core.timeutil import iso_z
from cloudblame.queries.insights import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    SEVERITIES,
    InsightFilter,
    csv_row,
    events_filter,
    insight_detail,
    insights_page,
    minute_inside,
    rate_text,
)

FailOn = enum.Enum("FailOn", {k: k for k in SEVERITIES}, type=str)  # type: ignore[misc]


class DetailFormat(str, enum.Enum):
    table = "table"
    json = "json"


INSIGHT_COLUMNS = [time("start"), ident("kind"), text("severity", 0, 6), text("people", 1, 14),
                   text("summary", 0, 10), number("monthly cost added", 2), ident("id")]
SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 40  # characters of the longest bar of the minute list
BAR_MINUTES = 30  # minutes of an insight listed as bars at most


def cost_cell(value: float | None) -> str:
    """A monthly cost added: ``-`` when there is none known (never $0)."""
    return "-" if value is None else usd(value)


def insights(
    db: str | None = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format.", case_sensitive=False),
    since: str | None = typer.Option(None, "--since", help="Overlapping the time from: 7d, 12h or an ISO date."),
    until: str | None = typer.Option(None, "--until", help="Overlapping the time up to: same forms as --since."),
    kind: list[str] = typer.Option([], "--kind", help="api-call-rate, api-error-rate, cost-burst, root-use... "
                                   "Repeatable (any of them)."),
    source: str | None = typer.Option(None, "--source", help="cloudblame (found here) or aws (AWS's own)."),
    severity: list[str] = typer.Option([], "--severity", help="high, medium or low. Repeatable."),
    person: list[str] = typer.Option([], "--person", help="Someone behind it (as blame names people). Repeatable."),
    account: list[str] = typer.Option([], "--account", help="Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Repeatable."),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", "-n", min=0, max=MAX_LIMIT,
                              help=f"List at most this many (0: only the counts; at most {MAX_LIMIT})."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first (paging)."),
    fail_on: FailOn | None = typer.Option(None, "--fail-on", help="Exit 1 when an insight of this severity or "
                                          "higher matches (for CI)."),
    wide: bool = WideOption,
) -> None:
    """Unusual activity, newest first: API call and error rate bursts (as CloudTrail Insights finds them),
    bursts of expensive creations, root use, sign-in without MFA, new access keys, regions and tools never
    used before, resources without an Owner tag, trails stopped, logging gaps, and AWS's own insights. A
    repeated filter matches any of its values. Found insights are not an error (exit 0) unless --fail-on."""
    InsightFilter(kinds=kind, source=source, severity=severity).where()  # a bad value: one line, exit 2, first
    with open_store(db, read_only=True) as store:
        page = insights_page(store, since=time_bound(store, since, "--since"), until=time_bound(store, until, "--until"),
                             kinds=kind, source=source, severity=severity, person=person, account=account,
                             region=region, limit=limit, offset=offset)
    emit(page, fmt, lambda: print_insights(page, wide=wide), csv_rows=lambda: [csv_row(i) for i in page["insights"]])
    if fail_on is not None and failing(page, fail_on.value):
        if fmt is not Format.table:
            say(f"insights of severity {fail_on.value} or higher match (--fail-on)", err=True)
        raise typer.Exit(1)


def failing(page: InsightsPage, severity: str) -> bool:
    """Whether any insight that matched (on any page) is of ``severity`` or higher."""
    worse = SEVERITIES[:SEVERITIES.index(severity) + 1]
    return any(page["by_severity"].get(s) for s in worse)


def _counts_text(page: InsightsPage) -> str:
    by = ", ".join(f"{n} {s}" for s, n in page["by_severity"].items())
    return f"{page['total']} insight(s)" + (f" ({by})" if by else "")


def print_insights(page: InsightsPage, *, wide: bool = False) -> None:
    shown = page["insights"]
    where = f", {page['offset'] + 1}-{page['offset'] + len(shown)} shown" if shown and len(shown) < page["total"] else ""
    if not shown and page["total"]:
        where = f", none from {page['offset'] + 1} on"
    title = f"{_counts_text(page)}, newest first{where}"
    if not page["total"]:
        say(f"{title}: nothing unusual matches", style="bold")
        return
    print_table(title, INSIGHT_COLUMNS, ([i["start"], i["kind"], i["severity"], ", ".join(i["people"]) or None,
                                          i["summary"], cost_cell(i["monthly_cost_added"]), i["id"]]
                                         for i in shown), wide=wide)
    if page["by_kind"]:
        say("by kind: " + ", ".join(f"{k} {n}" for k, n in page["by_kind"].items()), style="dim")


def insight(
    insight_id: str = typer.Argument(..., help="The insight's id, or a unique prefix of it (6 characters or more)."),
    db: str | None = DbOption,
    fmt: DetailFormat = typer.Option(DetailFormat.table, "--format", "-f", help="Output format.",
                                     case_sensitive=False),
    wide: bool = WideOption,
) -> None:
    """One insight: what, when, who, its API's calls per minute against the baseline (rate insights), the
    callers, agents and errors that stood out, the resources it is about and the events behind it."""
    with open_store(db, read_only=True) as store:
        detail = insight_detail(store, insight_id)
        newest = store.newest_event_time()
    if fmt is DetailFormat.json:
        emit(detail, Format.json, lambda: None)
        return
    print_insight(detail, events_title(detail, events_filter(detail, newest).active()), wide=wide)


def events_title(detail: InsightDetail, active: Mapping[str, Any]) -> str:
    """What the events table holds: how many of how many, and the search that finds them all."""
    shown, total = len(detail["events"]), detail["events_total"]
    of = f"{shown} of {total}" if total > shown else str(shown)
    if "event_id" in active:
        return f"the events behind it: {of}, newest first"
    search = [f"--{k.replace('_', '-')} {v}" for k, v in active.items() if k in ("event_name", "account", "region")]
    search += ["--error"] if active.get("error") else []
    search += [f"--{k} {iso_z(active[k])}" for k in ("since", "until") if active.get(k)]
    return f"the events behind it: {of}, newest first (all of them: cloudblame events {' '.join(search)})"


def _what_lines(i: Insight) -> list[tuple[str, str]]:
    d = i["details"]
    lines = [("kind", f"{i['kind']} ({'AWS CloudTrail Insights' if i['source'] == 'aws' else 'found by cloudblame'})"),
             ("severity", i["severity"]), ("summary", i["summary"]),
             ("when", f"{i['start']} to {i['end'] or 'still open at the newest event'}"
                      + (f" ({i['duration_minutes']} min)" if i["duration_minutes"] is not None else "")),
             ("account / region", f"{i['account_id'] or '?'} / {i['region'] or '?'}")]
    if i["event_name"]:
        lines.append(("API", f"{i['event_source'] or '?'} {i['event_name']}"
                             + (f" ({i['error_code']})" if i["error_code"] else "")))
    if i["value"] is not None or i["baseline"] is not None:
        lines.append(("rate", f"{_num(i['value'])} per minute against a baseline of {_num(i['baseline'])}"
                              + (f" over {d['baseline_minutes']} min" if d.get("baseline_minutes") else "")))
    lines.append(("people", ", ".join(i["people"]) or "nobody known"))
    if i["monthly_cost_added"] is not None:
        lines.append(("cost added", f"{usd(i['monthly_cost_added'])} / month (list price)"))
    if d.get("reason"):
        lines.append(("why", d["reason"]))
    return lines


def _num(value: float | None) -> str:
    return rate_text(value).removesuffix(".00")


def print_insight(detail: InsightDetail, events_heading: str, *, wide: bool = False) -> None:
    print_details(f"insight {detail['id']}", _what_lines(detail))
    if detail["series"]:
        say("")
        print_series(detail["series"], detail)
    for attribution in detail["details"].get("attributions") or []:
        say("")
        rows = _attribution_rows(attribution["insight"], attribution["baseline"])
        print_table(f"{attribution['attribute']}: top values (mean per minute)", ATTRIBUTION_COLUMNS, rows, wide=wide)
    resources = detail["details"].get("resources") or []
    if resources:
        say("")
        print_table(f"resources ({len(resources)})", RESOURCE_COLUMNS,
                    ([r["type"], r["id"], r["region"], cost_cell(r["usd_per_month"]), r["why"]] for r in resources),
                    wide=wide)
    say("")
    if detail["events"]:
        print_events(detail["events"], events_filter(detail, None), wide=wide, title=events_heading)
    else:
        say("no event behind it in the store", style="dim")


ATTRIBUTION_COLUMNS = [text("value", 0, 40), number("insight"), number("baseline")]
RESOURCE_COLUMNS = [text("type", 1, 12), ident("id"), text("region", 3, 9), number("USD / month", 2),
                    text("why", 4, 12)]


def _attribution_rows(insight: Sequence[Mapping[str, Any]], baseline: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """Each value seen in the insight or its baseline with its mean per minute in both (None: not among the top)."""
    ours = {v["value"]: v["average"] for v in insight}
    before = {v["value"]: v["average"] for v in baseline}
    return [[value, _num(ours.get(value)) if value in ours else None,
             _num(before.get(value)) if value in before else None] for value in dict.fromkeys([*ours, *before])]


def sparkline(counts: Sequence[int], width: int) -> str:
    """``counts`` as one line of block characters at most ``width`` long (the largest of each group of
    minutes when there are more minutes than characters)."""
    if not counts:
        return ""
    step = -(-len(counts) // max(width, 1))
    grouped = [max(counts[i:i + step]) for i in range(0, len(counts), step)]
    top = max(grouped) or 1
    return "".join(SPARKS[0] if c == 0 else SPARKS[max(1, round(c / top * (len(SPARKS) - 1)))] for c in grouped)


def print_series(series: Sequence[SeriesPoint], insight: Insight) -> None:
    """The minute series as a sparkline over its whole window, then a bar per minute of the insight."""
    counts = [p["count"] for p in series]
    what = "failed calls" if insight["kind"] == "api-error-rate" else "calls"
    say(f"{what} per minute, {series[0]['minute']} to {series[-1]['minute']} (peak {max(counts)})", style="bold")
    say(sparkline(counts, min(100, console.width)))
    inside = [p for p in series if minute_inside(insight, p["minute"])]
    top = max((p["count"] for p in inside), default=0) or 1
    for p in inside[:BAR_MINUTES]:
        bar = "█" * max(1 if p["count"] else 0, round(p["count"] / top * BAR_WIDTH))
        baseline = f"  (baseline {_num(p['baseline'])})" if p["baseline"] is not None else ""
        say(f"  {p['minute'][11:16]}  {bar} {p['count']}{baseline}")
    if len(inside) > BAR_MINUTES:
        say(f"  ... {len(inside) - BAR_MINUTES} more minute(s) of the insight (--format json has them all)",
            style="dim")


def register(app: typer.Typer) -> None:
    app.command("insights", epilog=epilog("insights"))(insights)
    app.command("insight", epilog=epilog("insight"))(insight)
