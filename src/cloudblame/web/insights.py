"""The insights pages and their JSON twins: /insights (the filters of `cloudblame insights`, totals per kind
and severity, a page of insights, downloads) and /insights/{id} (one, its minute series drawn as SVG,
attributions, resources and events); /api/insights, /api/insights/download and /api/insights/{id} answer
the CLI's JSON."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field, field_validator

from cloudblame.core import insight_contracts as shapes
from cloudblame.core.errors import Ambiguous
from cloudblame.core.insight_contracts import INSIGHT_KINDS, InsightDetail
from cloudblame.core.svgcharts import Point, series_bars
from cloudblame.core.timeutil import iso_z, parse_when
from cloudblame.queries import BadInput
from cloudblame.queries.anchor import time_anchor
from cloudblame.queries.export import chunks
from cloudblame.queries.insights import (
    MAX_LIMIT,
    SEVERITIES,
    SOURCES,
    csv_row,
    events_window,
    insight_detail,
    insights_page,
    minute_inside,
    rate_text,
    recent_counts,
)
from cloudblame.store import Store
from cloudblame.web.api import ERRORS, MEDIA, answers
from cloudblame.web.common import json_response, page, path_part, request_store
from cloudblame.web.forms import EXPORT_DEFAULT, PAGE_MAX, page_position, state_params, state_url

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
StoreDep = Annotated[Store, Depends(request_store)]
SERIES_COLOURS = ("#9aa5b1", "#0b5cad", "#c2410c")  # outside the insight, inside it, the baseline
RECENT = timedelta(days=7)  # the home page's card: insights of the last week


class InsightQuery(BaseModel):
    """Query parameters of /insights and /api/insights (all optional; empty means unset; a list matches any
    of its values)."""

    since: str | None = Field(default=None, description="Overlapping the time from: ISO date/time, or an age like "
                                                        "7d (before the newest stored event, in an archive)")
    until: str | None = Field(default=None, description="Overlapping the time up to: same forms")
    kind: list[str] = Field(default=[], description="Kind: " + ", ".join(INSIGHT_KINDS))
    source: str | None = Field(default=None, description="cloudblame (found here) or aws (AWS's own insights)")
    severity: list[str] = Field(default=[], description="Severity: " + ", ".join(SEVERITIES))
    person: list[str] = Field(default=[], description="Someone behind it, as blame names people")
    account: list[str] = Field(default=[], description="Account id")
    region: list[str] = Field(default=[], description="Region")
    limit: int = Field(default=50, description=f"Insights per page (1-{PAGE_MAX})")
    offset: int = Field(default=0, description="Skip this many (paging)")

    @field_validator("kind", "severity", "person", "account", "region", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


def _when(name: str, value: str | None, now: datetime) -> datetime | None:
    value = (value or "").strip()
    try:
        return parse_when(value, now=now) if value else None
    except ValueError as exc:
        raise BadInput(f"{name}: {exc}") from None


def insight_args(q: InsightQuery, now: datetime, *, paged: bool = True) -> dict[str, Any]:
    """The arguments of queries.insights.insights_page for ``q`` (ages before ``now``); BadInput for a bad value."""
    if paged and not 1 <= q.limit <= PAGE_MAX:
        raise BadInput(f"limit must be between 1 and {PAGE_MAX}")
    if q.offset < 0:
        raise BadInput("offset must be 0 or more")
    return {"since": _when("since", q.since, now), "until": _when("until", q.until, now),
            "kinds": [k for k in q.kind if k], "source": (q.source or "").strip() or None,
            "severity": [s for s in q.severity if s], "person": [p for p in q.person if p],
            "account": [a for a in q.account if a], "region": [r for r in q.region if r],
            "limit": q.limit if paged else MAX_LIMIT, "offset": q.offset if paged else 0}


@pages.get("/insights", response_class=HTMLResponse)
def insights_list_page(request: Request, store: StoreDep, q: Annotated[InsightQuery, Query()]) -> HTMLResponse:
    anchor = time_anchor(store)
    result = insights_page(store, **insight_args(q, anchor.now))
    shown = len(result["insights"])
    params = state_params(q, offset=None, limit=None)
    return page(
        request, "insights.html", q=q, result=result, kinds=INSIGHT_KINDS, severities=SEVERITIES, sources=SOURCES,
        archive=anchor.archive, anchor=iso_z(anchor.now),
        position=page_position(q.offset + 1, shown, result["total"]),
        first_url=state_url("/insights", q, offset=None) if q.offset else None,
        next_url=state_url("/insights", q, offset=q.offset + shown) if q.offset + shown < result["total"] else None,
        prev_url=state_url("/insights", q, offset=max(0, q.offset - q.limit) or None) if q.offset else None,
        filter_url=lambda **changes: state_url("/insights", q, offset=None, **changes),
        csv_url="/api/insights/download?" + urlencode(params + [("format", "csv")]),
        json_download_url="/api/insights/download?" + urlencode(params + [("format", "json")]),
        json_url=state_url("/api/insights", q),
    )


@pages.get("/insights/{insight_id}", response_class=HTMLResponse)
def insight_page(request: Request, store: StoreDep, insight_id: str) -> HTMLResponse:
    try:
        detail = insight_detail(store, insight_id)
    except Ambiguous as exc:
        return page(request, "insight_chooser.html", status_code=300, asked=insight_id, candidates=exc.candidates)
    return page(request, "insight.html", i=detail, figure=series_figure(detail), rate=rate_text,
                events_url=events_url(detail, store.newest_event_time()),
                json_url=f"/api/insights/{path_part(detail['id'])}")


def series_figure(detail: InsightDetail) -> Markup | None:
    """The insight's minute series as bars (its own minutes highlighted) with the baseline drawn."""
    what = "failed calls" if detail["kind"] == "api-error-rate" else "calls"
    points = [Point(p["minute"][11:16], p["count"], p["baseline"],
                    f"{p['minute']} · {p['count']:,} {what}"
                    + (f" (baseline {rate_text(p['baseline'])})" if p["baseline"] is not None else ""),
                    minute_inside(detail, p["minute"])) for p in detail["series"]]
    if not points:
        return None
    title = f"{detail['event_name']}: {what} per minute (UTC)"
    label = (f"{title}, {detail['series'][0]['minute']} to {detail['series'][-1]['minute']}: peak "
             f"{max(p.count for p in points):,.0f}")
    return series_bars(points, title, label, SERIES_COLOURS, detail["baseline"])


def events_url(detail: InsightDetail, newest: datetime | None) -> str | None:
    """The Event History of a rate insight's API over its minutes (None for the other kinds)."""
    if detail["kind"] not in ("api-call-rate", "api-error-rate") or not detail["event_name"]:
        return None
    since, until = events_window(detail, newest)
    params = [("event_name", detail["event_name"]), ("account", detail["account_id"]),
              ("region", detail["region"]), ("since", iso_z(since)), ("until", iso_z(until))]
    if detail["kind"] == "api-error-rate":
        params.append(("error", "true"))
    return "/events?" + urlencode([(k, v) for k, v in params if v])


def recent_card(store: Store) -> dict[str, Any]:
    """The home page's card: insights of the last week (before the anchor of relative times) by severity."""
    anchor = time_anchor(store)
    counts = recent_counts(store, anchor.now - RECENT)
    return {"total": sum(counts.values()), "by_severity": counts, "since": "7d"}


@api.get("/insights", summary="Unusual activity, newest first: rate bursts, cost bursts, hygiene, AWS's insights",
         responses=answers(shapes.InsightsPage, "A page of insights"))
def api_insights(store: StoreDep, q: Annotated[InsightQuery, Query()]) -> Response:
    """The CLI's `insights --format json`: `insights` (this page), `total`, `by_kind` and `by_severity`
    (every match, not one page), `offset` and `limit`."""
    return json_response(insights_page(store, **insight_args(q, time_anchor(store).now)))


@api.get("/insights/download", summary="Download the insights matching the filters as CSV or JSON",
         responses=ERRORS)
def api_insights_download(store: StoreDep, q: Annotated[InsightQuery, Query()],
                          fmt: Annotated[str, Query(alias="format", description="csv or json")] = "csv",
                          rows: Annotated[int, Query(description="At most this many (0: all)")] = EXPORT_DEFAULT,
                          ) -> Response:
    """Every match (not one page), newest first, as `insights --format csv` writes them, or as a JSON array
    of the `insights`."""
    if fmt not in MEDIA or rows < 0:
        raise BadInput("format must be csv or json, and rows 0 (all) or more")
    found = every_match(store, insight_args(q, time_anchor(store).now, paged=False), rows)
    body = "".join(chunks([csv_row(i) for i in found] if fmt == "csv" else found, fmt))
    disposition = {"Content-Disposition": f'attachment; filename="cloudblame-insights.{fmt}"'}
    return Response(body, media_type=MEDIA[fmt], headers=disposition)


def every_match(store: Store, args: dict[str, Any], rows: int) -> list[shapes.Insight]:
    """The first ``rows`` insights matching ``args`` (0: all of them), page by page."""
    found: list[shapes.Insight] = []
    while not rows or len(found) < rows:
        want = min(MAX_LIMIT, rows - len(found)) if rows else MAX_LIMIT
        page = insights_page(store, **{**args, "limit": want, "offset": len(found)})["insights"]
        found += page
        if len(page) < want:
            break
    return found


@api.get("/insights/{insight_id}", summary="One insight: its minute series, attributions, resources and events",
         responses=answers(shapes.InsightDetail, "The insight", "Several insights have this prefix: `candidates`"))
def api_insight(store: StoreDep, insight_id: str) -> Response:
    return json_response(insight_detail(store, insight_id))
