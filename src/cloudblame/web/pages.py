"""The HTML pages: the same library calls as their JSON twins under /api, rendered by templates."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cloudblame.core.contracts import EventCount, EventsPage, Inventory
from cloudblame.core.timeutil import iso_z
from cloudblame.queries.anchor import time_anchor
from cloudblame.queries.blame import blame
from cloudblame.queries.event import get_event
from cloudblame.queries.events import (
    SORT_LABELS,
    count_events,
    event_page,
    filter_choices,
    stored_span,
)
from cloudblame.queries.inventory import GROUP_KEYS, SORTS, inventory
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people, person
from cloudblame.store import Store
from cloudblame.web import charts
from cloudblame.web.api import forgotten_with_owners
from cloudblame.web.common import highlight_json, page, path_part, request_store
from cloudblame.web.forms import (
    COLUMNS,
    DEFAULT_COLUMNS,
    INVENTORY_COLUMNS,
    INVENTORY_DEFAULT_COLUMNS,
    RANGE_LABELS,
    RANGES,
    STATUS_LABELS,
    EventQuery,
    InventoryQuery,
    columns,
    inventory_args,
    inventory_columns,
    page_position,
    state_params,
    state_url,
    time_bounds,
    to_filter,
)
from cloudblame.web.insights import recent_card

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(request_store)]


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, store: StoreDep) -> HTMLResponse:
    data = overview(store)
    figures = {
        "tools": charts.stacked_per_day(data["events_per_day_by_tool"], "Events per day by tool", link="tool"),
        "people": charts.stacked_per_day(data["events_per_day_by_person"],
                                         "Events per day by person (AWS services acting alone left out)",
                                         link="username"),
        "creations": charts.stacked_per_day(data["creations_per_day"], "Resources created per day by tool",
                                            value="resources"),
        "cost": charts.cost_by_owner(data["cost_by_owner"]),
    }
    return page(request, "overview.html", data=data, figures=figures, insights=recent_card(store),
                json_url="/api/overview")


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, store: StoreDep, q: Annotated[EventQuery, Query()]) -> HTMLResponse:
    anchor = time_anchor(store)  # what presets and ages count back from
    f = to_filter(q, now=anchor.now)
    shown = columns(q)
    result = event_page(store, f)
    since, until = time_bounds(q, anchor.now)
    range_key = (q.range or "").strip() or ("custom" if since or until else "all")
    params = state_params(q, after=None, before=None, at=None)
    return page(
        request, "events.html", q=q, f=f, result=result, cols=shown,
        all_columns=COLUMNS, default_columns=DEFAULT_COLUMNS, ranges=RANGE_LABELS, range_key=range_key,
        sorts=SORT_LABELS, preset_since=iso_z(since) if range_key in RANGES else None, archive=anchor.archive,
        anchor=iso_z(anchor.now),
        since_value=since.strftime("%Y-%m-%dT%H:%M") if since and range_key == "custom" else "",
        until_value=until.strftime("%Y-%m-%dT%H:%M") if until and range_key == "custom" else "",
        choices=filter_choices(store), span=stored_span(store),
        sort_url=lambda sort: state_url("/events", q, sort=sort, after=None, before=None, at=None),
        csv_url="/api/events/download?" + urlencode(params + [("format", "csv")]),
        json_download_url="/api/events/download?" + urlencode(params + [("format", "json")]),
        json_url=state_url("/api/events", q), **_event_paging(q, result, count_events(store, f)),
    )


def _event_paging(q: EventQuery, result: EventsPage, count: EventCount) -> dict[str, Any]:
    """The pager's links and where this page is (``at``, carried by the links: a cursor alone does not
    say how many events come before it)."""
    start = q.at if q.at else (1 if not (q.after or q.before) else None)
    shown = len(result["events"])
    where = page_position(start, shown, count["count"], count["exact"]) if start else None
    return {
        "count": count, "position": where,
        "first_url": state_url("/events", q, after=None, before=None, at=None),
        "next_url": state_url("/events", q, after=result["next"], before=None, at=start + shown if start else None)
        if result["next"] else None,
        "prev_url": state_url("/events", q, before=result["prev"], after=None,
                              at=max(1, start - q.limit) if start else None) if result["prev"] else None,
    }


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_detail_page(request: Request, store: StoreDep, event_id: str) -> HTMLResponse:
    detail = get_event(store, event_id)
    return page(request, "event.html", e=detail, raw_html=highlight_json(detail["raw"]),
                json_url=f"/api/events/{path_part(detail['event_id'])}")


@router.get("/resources/{resource:path}", response_class=HTMLResponse)
def resource_page(request: Request, store: StoreDep, resource: str, type: str | None = None,
                  account: str | None = None) -> HTMLResponse:
    result = blame(store, resource, resource_type=type or None, account=account or None)
    query = urlencode([(k, v) for k, v in (("type", type), ("account", account)) if v])
    return page(request, "resource.html", b=result,
                events_url=state_url("/events", EventQuery(resource_name=result["resource"]["id"])),
                json_url=f"/api/resources/{path_part(resource)}" + (f"?{query}" if query else ""))


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request, store: StoreDep, services: bool = False) -> HTMLResponse:
    return page(request, "people.html", rows=people(store, services=services), services=services,
                json_url="/api/people" + ("?services=true" if services else ""))


@router.get("/people/{who:path}", response_class=HTMLResponse)
def person_page(request: Request, store: StoreDep, who: str) -> HTMLResponse:
    data = person(store, who)
    figure = charts.stacked_per_day(data["activity_per_day"], "Activity per day by tool")
    return page(request, "person.html", p=data, figure=figure,
                events_url=state_url("/events", EventQuery(username=who)),
                json_url=f"/api/people/{path_part(who)}")


@router.get("/forgotten", response_class=HTMLResponse)
def forgotten_page(request: Request, store: StoreDep, idle: str = "30d", as_of: str | None = None) -> HTMLResponse:
    data = forgotten_with_owners(store, idle, as_of or None)
    figure = charts.cost_by_owner(data["by_owner"], "Forgotten resources: monthly cost by owner (USD)")
    query = urlencode([("idle", idle)] + ([("as_of", as_of)] if as_of else []))
    return page(request, "forgotten.html", data=data, figure=figure, idle=idle, as_of=as_of or "",
                json_url=f"/api/forgotten?{query}")


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(request: Request, store: StoreDep, q: Annotated[InventoryQuery, Query()]) -> HTMLResponse:
    anchor = time_anchor(store)  # what ages count back from
    result = inventory(store, **inventory_args(q, anchor.now))
    shown = len(result["resources"])
    params = state_params(q, offset=None, limit=None)
    return page(
        request, "inventory.html", q=q, result=result, cols=_with_live_column(q, result), all_columns=INVENTORY_COLUMNS,
        default_columns=INVENTORY_DEFAULT_COLUMNS, sorts=SORTS, statuses=STATUS_LABELS, anchor=iso_z(anchor.now),
        archive=anchor.archive,
        choices=_inventory_choices(store), position=page_position(q.offset + 1, shown, result["count"]),
        first_url=state_url("/inventory", q, offset=None) if q.offset else None,
        next_url=state_url("/inventory", q, offset=q.offset + shown) if q.offset + shown < result["count"] else None,
        prev_url=state_url("/inventory", q, offset=max(0, q.offset - q.limit) or None) if q.offset else None,
        sort_url=lambda sort: state_url("/inventory", q, sort=sort, offset=None),
        csv_url="/api/inventory/download?" + urlencode(params + [("format", "csv")]),
        json_download_url="/api/inventory/download?" + urlencode(params + [("format", "json")]),
        json_url=state_url("/api/inventory", q),
    )


def _with_live_column(q: InventoryQuery, result: Inventory) -> list[str]:
    """The columns shown: those chosen, or the default ones with the live state once a row of the page was
    described (`inventory --live`)."""
    cols = inventory_columns(q)
    if not q.cols and "live" not in cols and any(i.get("live") for i in result["resources"]):
        cols.append("live")
    return cols


def _inventory_choices(store: Store) -> dict[str, list[str]]:
    """Suggestions for the filters: the owners, types, accounts and tools of the alive resources."""
    return {key: [g["key"] for g in inventory(store, by=key, limit=0)["groups"] if g["key"] != "unknown"]
            for key in GROUP_KEYS}
