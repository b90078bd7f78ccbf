"""Owner reports: for each person who owns something, what they created that is alive, what of it is
forgotten, its monthly cost, and the trend of that cost week by week over the stored span; rendered as
Markdown, HTML (with SVG charts) or JSON (``OwnerReport``, core/contracts.py).

What is alive and forgotten are the answers of ``queries.inventory`` (``inventory(owner=...)``,
``forgotten()``), the same the CLI shows. The trend adds, per ISO week (from its Monday), the monthly cost
of the owner's resources created that week (alive ones, as the inventory prices them; deleted ones,
priced as blame prices them while they ran: ``derive.details.resource_details``) and removes that of those
deleted; a resource created before the data counts from the week it was first seen. An unknown cost is
counted in ``unpriced``, never as $0. A report is of a ``period`` (the day, ISO week or month of the
newest stored event), which ``notify`` remembers so as to send nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cloudblame.core.contracts import Forgotten, ForgottenItem, InventoryItem
from cloudblame.core.errors import BadInput, NotFound
from cloudblame.core.money import usd, usd_total
from cloudblame.core.report_contracts import OwnerReport, TrendWeek
from cloudblame.core.svgcharts import Bar, horizontal_bars
from cloudblame.core.timeutil import iso_z, parse_duration, parse_when
from cloudblame.derive.details import gather_evidence, resource_details
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.queries.people import people
from cloudblame.store.db import Store

FORMATS = ("md", "html", "json")
PERIODS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}
COST_COLOUR = "#c2410c"
# The owner's deleted resources (an owner of a deleted one is its creator, as the inventory has it).
_DELETED_SQL = """SELECT * FROM resources WHERE NOT alive AND deleted_event_id IS NOT NULL
                  AND lower(created_by) = lower($owner) ORDER BY created_time, resource_id"""


def period_of(when: datetime | None, every: str = "week") -> str:
    """The report period ``when`` falls in: its day (``2025-01-31``), ISO week (``2025-W05``) or month."""
    if every not in PERIODS:
        raise BadInput(f"the period must be one of {', '.join(PERIODS)}")
    return when.strftime(PERIODS[every]) if when else "empty"


def owners_with_resources(store: Store) -> list[str]:
    """Every person (not a service, not "unknown") who owns something alive, most active first."""
    return [p["human"] for p in people(store) if p["alive_owned"]]


def owner_reports(store: Store, owners: Sequence[str] | None = None, *, idle: str = "30d",
                  every: str = "week") -> list[OwnerReport]:
    """The report of each of ``owners`` (None: every person who owns something alive); NotFound for an owner
    the store knows nothing of (nothing alive or deleted of theirs, nothing they did)."""
    as_of = store.newest_event_time()
    period = period_of(as_of, every)
    parse_duration(idle)  # a bad --idle is the user's error, before any work
    idle_ones = forgotten(store, idle=idle, limit=None)
    known = {h.lower() for h in owners_with_resources(store)} if owners is not None else set()
    reports = []
    for owner in owners if owners is not None else owners_with_resources(store):
        alive = inventory(store, owner=owner, limit=None)
        deleted = store.query(_DELETED_SQL, {"owner": owner})
        if owner.lower() not in known and not alive["count"] and not deleted and not _acted(store, owner):
            raise NotFound(f"nobody named {owner!r} owns, created or did anything in the store")
        reports.append(OwnerReport(owner=owner, as_of=iso_z(as_of), period=period, alive=alive,
                                   forgotten=_owned(idle_ones, owner),
                                   trend=trend(store, alive["resources"], deleted, as_of)))
    return reports


def _acted(store: Store, person: str) -> bool:
    return any(p["human"].lower() == person.lower() for p in people(store))


def _owned(found: Forgotten, owner: str) -> Forgotten:
    """``found`` narrowed to the resources ``owner`` owns, with their count and totals."""
    mine: list[ForgottenItem] = [r for r in found["resources"] if (r["owner"] or "").lower() == owner.lower()]
    priced = [r["cost"]["usd_per_month"] for r in mine if r["cost"]["usd_per_month"] is not None]
    unpriced = sum(1 for r in mine if r["cost"]["usd_per_month"] is None)
    total = round(sum(priced), 2) if priced or not unpriced else None
    return {**found, "resources": mine, "count": len(mine), "total_usd_per_month": total, "unpriced": unpriced,
            "limit": None}


def _monday(when: datetime) -> datetime:
    day = when.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return day - timedelta(days=day.weekday())


def trend(store: Store, alive: Iterable[InventoryItem], deleted_rows: list[dict[str, Any]],
          as_of: datetime | None) -> list[TrendWeek]:
    """Per week, from the first creation of these resources to ``as_of``: created, deleted, the monthly cost
    added and removed (known parts), how many of them are unpriced, and the cost alive at the week's end."""
    changes: list[tuple[datetime, int, float | None]] = []  # (when, +1 created / -1 deleted, monthly cost)
    for item in alive:
        start = (item["created"]["time"] if item["created"] else None) or item["first_seen"]
        if start:
            changes.append((parse_when(start), 1, item["cost"]["usd_per_month"]))
    if deleted_rows:
        evidence = gather_evidence(store, deleted_rows)
        for row in deleted_rows:
            cost = resource_details(store, row, evidence)["cost"]["usd_per_month"]
            changes += [(row["created_time"] or row["first_seen"], 1, cost), (row["deleted_time"], -1, cost)]
    if not changes or as_of is None:
        return []
    return _weeks(changes, as_of)


def _weeks(changes: list[tuple[datetime, int, float | None]], as_of: datetime) -> list[TrendWeek]:
    weeks: dict[datetime, TrendWeek] = {}
    monday, last = _monday(min(c[0] for c in changes)), _monday(as_of)
    while monday <= last:
        weeks[monday] = TrendWeek(week=monday.date().isoformat(), created=0, deleted=0, usd_added=0.0,
                                  usd_removed=0.0, unpriced=0, usd_per_month_after=0.0)
        monday += timedelta(days=7)
    for when, sign, cost in changes:
        week = weeks.get(_monday(when))
        if week is None:  # after as_of (a clock ahead of the newest event): not in the span
            continue
        week["created" if sign > 0 else "deleted"] += 1
        if cost is None:
            week["unpriced"] += 1
        else:
            week["usd_added" if sign > 0 else "usd_removed"] += cost
    running = 0.0
    for week in weeks.values():
        running += week["usd_added"] - week["usd_removed"]
        week["usd_added"], week["usd_removed"] = round(week["usd_added"], 2), round(week["usd_removed"], 2)
        week["usd_per_month_after"] = round(max(running, 0.0), 2)
    return list(weeks.values())


# --- rendering

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md_text(value: object) -> str:
    """A record value as Markdown text: on one line, with nothing in it read as markup (links, emphasis,
    HTML, table cells)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value if value is not None else "").split()))


def md_code(value: object) -> str:
    """A record value as a Markdown code span (ids, names): on one line, its backticks made quotes."""
    text = " ".join(str(value if value is not None else "").split()).replace("`", "'").replace("|", "/")
    return f"`{text}`" if text else "-"


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cloudblame.actions", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters.update(usd=usd, usd_total=usd_total, md=md_text, code=md_code)
    return env


_ENV = _environment()


def cost_by_type(resources: Iterable[InventoryItem]) -> list[tuple[str, float]]:
    """The known monthly cost of ``resources`` per type, costliest first (types with no price left out)."""
    totals: dict[str, float] = {}
    for r in resources:
        if r["cost"]["usd_per_month"]:
            totals[r["type"]] = totals.get(r["type"], 0.0) + r["cost"]["usd_per_month"]
    return sorted(((t, round(v, 2)) for t, v in totals.items()), key=lambda tv: (-tv[1], tv[0]))


def charts(report: OwnerReport) -> list[Markup]:
    """The HTML report's charts: the monthly cost alive at the end of each week, and the cost per type."""
    weeks = [Bar(w["week"], w["usd_per_month_after"],
                 f"week of {w['week']}: {usd(w['usd_per_month_after'])} per month alive, +{usd(w['usd_added'])} "
                 f"created, -{usd(w['usd_removed'])} deleted") for w in report["trend"]]
    types = [Bar(t, v, f"{t}: {usd(v)} per month") for t, v in cost_by_type(report["alive"]["resources"])]
    drawn = [horizontal_bars(weeks, "Monthly cost alive at the end of each week (USD)", COST_COLOUR, usd)
             if any(b.amount for b in weeks) else None,
             horizontal_bars(types, "Monthly cost by type (USD)", COST_COLOUR, usd)]
    return [chart for chart in drawn if chart is not None]


def render(reports: Sequence[OwnerReport], fmt: str, *, limit: int | None = None) -> str:
    """``reports`` as one document: Markdown, HTML or JSON (a list of ``OwnerReport``). ``limit``: list at
    most this many resources of each kind per owner (Markdown and HTML; counts and totals cover all)."""
    if fmt == "json":
        return orjson.dumps(list(reports), option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt not in FORMATS:
        raise BadInput(f"the format must be one of {', '.join(FORMATS)}")
    template = _ENV.get_template(f"report.{fmt}")
    return template.render(reports=reports, limit=limit, charts={r["owner"]: charts(r) for r in reports}
                           if fmt == "html" else {}, cost_by_type=cost_by_type)


def file_name(owner: str, fmt: str, taken: set[str]) -> str:
    """A file name for ``owner``'s report, safe on any file system and unlike those ``taken`` (added)."""
    stem = re.sub(r"[^A-Za-z0-9@._-]+", "_", owner).strip("._")[:80] or "owner"
    name, n = f"{stem}.{fmt}", 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}.{fmt}"
    taken.add(name.lower())
    return name


__all__ = ["FORMATS", "PERIODS", "charts", "cost_by_type", "file_name", "md_code",
           "md_text", "owner_reports", "owners_with_resources", "period_of", "render", "trend"]
