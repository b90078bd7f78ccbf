"""The HTML pages: the same library calls as their JSON twins under /api, rendered by templates."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cloudblame.queries.blame import blame
from cloudblame.queries.events import (
    SORT_LABELS, count_events, event_page, filter_choices, get_event, stored_span,
)
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people, person
from cloudblame.store import Store
from cloudblame.web import charts
from cloudblame.web.api import forgotten_with_owners
from cloudblame.web.common import highlight_json, json_for_script, page, path_part, request_store
from cloudblame.web.forms import (
    COLUMNS, DEFAULT_COLUMNS, RANGE_LABELS, EventQuery, columns, state_params, state_url, time_bounds, to_filter,
)

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(request_store)]


def _chart(figure_json: str | None):
    return json_for_script(figure_json) if figure_json else None


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, store: StoreDep):
    data = overview(store)
    figures = {
        "tools": _chart(charts.stacked_per_day(data["events_per_day_by_tool"], "Events per day by tool")),
        "people": _chart(charts.stacked_per_day(data["events_per_day_by_person"],
                                                "Events per day by person (AWS services acting alone left out)")),
        "creations": _chart(charts.stacked_per_day(data["creations_per_day"], "Resources created per day by tool",
                                                   value="resources")),
        "cost": _chart(charts.cost_by_owner(data["cost_by_owner"])),
    }
    return page(request, "overview.html", data=data, figures=figures, json_url="/api/overview")


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, store: StoreDep, q: Annotated[EventQuery, Query()]):
    f = to_filter(q)
    shown = columns(q)
    result = event_page(store, f)
    since, until = time_bounds(q)
    range_key = (q.range or "").strip() or ("custom" if since or until else "all")
    params = state_params(q, after=None, before=None)
    return page(
        request, "events.html", q=q, f=f, result=result, count=count_events(store, f), cols=shown,
        all_columns=COLUMNS, default_columns=DEFAULT_COLUMNS, ranges=RANGE_LABELS, range_key=range_key,
        sorts=SORT_LABELS,
        since_value=since.strftime("%Y-%m-%dT%H:%M") if since and range_key == "custom" else "",
        until_value=until.strftime("%Y-%m-%dT%H:%M") if until and range_key == "custom" else "",
        choices=filter_choices(store), span=stored_span(store),
        first_url=state_url("/events", q, after=None, before=None),
        next_url=state_url("/events", q, after=result["next"], before=None) if result["next"] else None,
        prev_url=state_url("/events", q, before=result["prev"], after=None) if result["prev"] else None,
        sort_url=lambda sort: state_url("/events", q, sort=sort, after=None, before=None),
        csv_url="/api/events/download?" + urlencode(params + [("format", "csv")]),
        json_download_url="/api/events/download?" + urlencode(params + [("format", "json")]),
        json_url=state_url("/api/events", q),
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_detail_page(request: Request, store: StoreDep, event_id: str):
    detail = get_event(store, event_id)
    return page(request, "event.html", e=detail, raw_html=highlight_json(detail["raw"]),
                json_url=f"/api/events/{path_part(detail['event_id'])}")


@router.get("/resources/{resource:path}", response_class=HTMLResponse)
def resource_page(request: Request, store: StoreDep, resource: str, type: str | None = None,
                  account: str | None = None):
    result = blame(store, resource, resource_type=type or None, account=account or None)
    query = urlencode([(k, v) for k, v in (("type", type), ("account", account)) if v])
    return page(request, "resource.html", b=result,
                events_url=state_url("/events", EventQuery(resource_name=result["resource"]["id"])),
                json_url=f"/api/resources/{path_part(resource)}" + (f"?{query}" if query else ""))


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request, store: StoreDep, services: bool = False):
    return page(request, "people.html", rows=people(store, services=services), services=services,
                json_url="/api/people" + ("?services=true" if services else ""))


@router.get("/people/{who:path}", response_class=HTMLResponse)
def person_page(request: Request, store: StoreDep, who: str):
    data = person(store, who)
    figure = charts.stacked_per_day(data["activity_per_day"], "Activity per day by tool")
    return page(request, "person.html", p=data, figure=_chart(figure),
                events_url=state_url("/events", EventQuery(username=who)),
                json_url=f"/api/people/{path_part(who)}")


@router.get("/forgotten", response_class=HTMLResponse)
def forgotten_page(request: Request, store: StoreDep, idle: str = "30d", as_of: str | None = None):
    data = forgotten_with_owners(store, idle, as_of or None)
    figure = charts.cost_by_owner(data["by_owner"], "Forgotten resources: monthly cost by owner (USD)")
    query = urlencode([("idle", idle)] + ([("as_of", as_of)] if as_of else []))
    return page(request, "forgotten.html", data=data, figure=_chart(figure), idle=idle, as_of=as_of or "",
                json_url=f"/api/forgotten?{query}")
