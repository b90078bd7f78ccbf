"""The JSON API behind every page: the library's dicts and lists, exactly what the CLI prints with
`--format json` (pages add only what their charts and paging need)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from cloudblame.core import contracts
from cloudblame.core.timeutil import parse_when
from cloudblame.queries import BadInput
from cloudblame.queries.anchor import time_anchor
from cloudblame.queries.blame import blame
from cloudblame.queries.event import get_event
from cloudblame.queries.events import (
    MAX_LIMIT,
    count_events,
    event_page,
    iter_events,
)
from cloudblame.queries.export import chunks
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people, person
from cloudblame.store import Store
from cloudblame.web.common import json_response, request_store
from cloudblame.web.forms import (
    EXPORT_DEFAULT,
    EventQuery,
    InventoryQuery,
    columns,
    inventory_args,
    inventory_columns,
    to_filter,
)

router = APIRouter(prefix="/api", tags=["api"])
StoreDep = Annotated[Store, Depends(request_store)]
ERRORS: dict[int | str, dict[str, Any]] = {400: {"description": "Bad parameter (the reason in `error`)"},
          404: {"description": "Nothing in the store matches"},
          503: {"description": "Store unavailable (none yet, or written by a newer cloudblame)"}}


def answers(shape: Any, description: str, ambiguous: str | None = None) -> dict[int | str, dict[str, Any]]:
    """ERRORS (and a 300 saying what is ``ambiguous``) plus a 200 whose JSON schema is ``shape``, a contract
    of cloudblame.core.contracts: the OpenAPI schema shows it (the answer itself is not validated again)."""
    more: dict[int | str, dict[str, Any]] = {300: {"description": ambiguous}} if ambiguous else {}
    return {**ERRORS, **more, 200: {"model": shape, "description": description}}


@router.get("/overview", summary="The home page: span, events and creations per day, cost by owner",
            responses=answers(contracts.Overview, "The overview"))
def api_overview(store: StoreDep) -> Response:
    return json_response(overview(store))


@router.get("/events", summary="Event history: one page of events matching the filters",
            responses=answers(contracts.EventsApiPage, "A page of events"))
def api_events(store: StoreDep, q: Annotated[EventQuery, Query()]) -> Response:
    """`events` (the CLI's `events --format json` items), `next`/`prev` cursors (pass as `after`/
    `before`), and `count` (capped at 10,000: `exact` false beyond)."""
    f = to_filter(q, now=time_anchor(store).now)
    columns(q)  # the page's URL works here too: a bad column is the same 400
    return json_response({**event_page(store, f), "count": count_events(store, f), "filters": f.active()})


MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def export_events(request: Request, q: EventQuery, fmt: str, rows: int) -> StreamingResponse:
    """The whole current result (not one page, no cursor) as CSV or JSON, like `events --format`, streamed
    as it is read (``rows`` 0: every match, however many)."""
    if fmt not in MEDIA:
        raise BadInput("format must be csv or json")
    if rows < 0:
        raise BadInput("rows must be 0 (all) or more")
    store = request.app.state.snapshots.reader()  # the stream's own: it outlives this call
    try:
        f = to_filter(q.model_copy(update={"limit": min(rows, MAX_LIMIT) or 1}), max_limit=MAX_LIMIT, paged=False,
                      now=time_anchor(store).now)
    except BaseException:
        store.close()
        raise
    f = replace(f, limit=rows)

    def body() -> Iterator[str]:
        try:
            yield from chunks(iter_events(store, f), fmt)
        finally:
            store.close()

    disposition = {"Content-Disposition": f'attachment; filename="cloudblame-events.{fmt}"'}
    return StreamingResponse(body(), media_type=MEDIA[fmt], headers=disposition)


@router.get("/events/download", summary="Download the events matching the filters as CSV or JSON", responses=ERRORS)
def api_events_download(request: Request, q: Annotated[EventQuery, Query()],
                        fmt: Annotated[str, Query(alias="format", description="csv or json")] = "csv",
                        rows: Annotated[int, Query(description="At most this many (0: all)")] = EXPORT_DEFAULT,
                        ) -> StreamingResponse:
    return export_events(request, q, fmt, rows)


@router.get("/events/{event_id}", summary="One event in full (a unique prefix of the id is enough)",
            responses=answers(contracts.EventDetail, "The event", "Several events have this prefix: `candidates`"))
def api_event(store: StoreDep, event_id: str) -> Response:
    return json_response(get_event(store, event_id))


@router.get("/resources/{resource:path}", summary="The blame of one resource (id, ARN or name)",
            responses=answers(contracts.Blame, "The blame", "Several resources match: `candidates`"))
def api_resource(store: StoreDep, resource: str,
                 type: Annotated[str | None, Query(description="Resource type, when the name is ambiguous")] = None,
                 account: Annotated[str | None, Query(description="Account, when the name is ambiguous")] = None,
                 ) -> Response:
    return json_response(blame(store, resource, resource_type=type or None, account=account or None))


@router.get("/people", summary="Everyone behind the calls, most active first",
            responses=answers(list[contracts.PersonRow], "The people"))
def api_people(store: StoreDep, services: Annotated[bool, Query(description="Include AWS services")] = False,
               ) -> Response:
    return json_response(people(store, services=services))


@router.get("/people/{who:path}", summary="One person (or key, role, session): `who` plus what they own",
            responses=answers(contracts.Person, "The person"))
def api_person(store: StoreDep, who: str) -> Response:
    return json_response(person(store, who))


def forgotten_with_owners(store: Store, idle: str, as_of: str | None) -> contracts.ForgottenByOwner:
    """``forgotten`` plus ``by_owner``: its resources' count and monthly cost per owner (an ``as_of`` age
    counts back as every relative time does: queries.anchor)."""
    when = parse_when(as_of, now=time_anchor(store).now) if as_of else None
    result = forgotten(store, idle=idle, as_of=when, by="owner")
    return {**result, "by_owner": result.pop("groups")}


@router.get("/forgotten", summary="Forgotten resources, costliest first, with whom to ask",
            responses=answers(contracts.ForgottenByOwner, "The forgotten resources and their owners"))
def api_forgotten(store: StoreDep,
                  idle: Annotated[str, Query(description="No activity for this long: 14d, 6w...")] = "30d",
                  as_of: Annotated[str | None, Query(description="Judge as of this time [newest event]")] = None,
                  ) -> Response:
    return json_response(forgotten_with_owners(store, idle, as_of))


@router.get("/inventory", summary="Resources (alive by default) with owner, size and monthly cost, filtered and sorted",
            responses=answers(contracts.InventoryPage, "A page of the inventory"))
def api_inventory(store: StoreDep, q: Annotated[InventoryQuery, Query()]) -> Response:
    """The CLI's `inventory --format json` (`resources`, `count`, `total_usd_per_month`, `unpriced`: the
    total of every match, not of one page), and the `offset` of this page."""
    inventory_columns(q)  # the page's URL works here too: a bad column is the same 400
    return json_response({**inventory(store, **inventory_args(q, time_anchor(store).now)), "offset": q.offset})


@router.get("/inventory/download", summary="Download the resources matching the filters as CSV or JSON",
            responses=ERRORS)
def api_inventory_download(store: StoreDep, q: Annotated[InventoryQuery, Query()],
                           fmt: Annotated[str, Query(alias="format", description="csv or json")] = "csv",
                           rows: Annotated[int, Query(description="At most this many (0: all)")] = EXPORT_DEFAULT,
                           ) -> Response:
    """Every match (not one page) in the sort asked for, as `inventory --limit N --format csv` writes them,
    or as a JSON array of its `resources`."""
    if fmt not in MEDIA or rows < 0:
        raise BadInput("format must be csv or json, and rows 0 (all) or more")
    args: dict[str, Any] = {**inventory_args(q, time_anchor(store).now, paged=False), "limit": rows or None}
    body = "".join(chunks(inventory(store, **args)["resources"], fmt))
    disposition = {"Content-Disposition": f'attachment; filename="cloudblame-inventory.{fmt}"'}
    return Response(body, media_type=MEDIA[fmt], headers=disposition)
