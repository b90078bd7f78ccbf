"""The costs page and its JSON twins: /costs (the imported bill of a period beside the estimates, rows by
resource, owner, tool or service, and what no known resource explains, with its share), /api/costs (the
CLI's `costs show --format json`) and /api/costs/download (its rows as CSV or JSON)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from cloudblame.core import bill_contracts as shapes
from cloudblame.core.bill_contracts import CostsReport
from cloudblame.queries import BadInput
from cloudblame.queries.costs import COSTS_BY, DEFAULT_LIMIT, costs
from cloudblame.queries.export import chunks
from cloudblame.store import Store
from cloudblame.web.api import ERRORS, MEDIA, answers
from cloudblame.web.common import json_response, page, request_store
from cloudblame.web.forms import EXPORT_DEFAULT, PAGE_MAX, inventory_href, state_params, state_url

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
StoreDep = Annotated[Store, Depends(request_store)]
NO_BILL = "No bill imported: run `cloudblame costs import PATH...` (CUR 2.0, legacy CUR or FOCUS exports)."
LIMITS = (25, 50, 100, 200, 500)


class CostsQuery(BaseModel):
    """Query parameters of /costs and /api/costs (all optional; empty means unset)."""

    period: str | None = Field(default=None, description="Billing period: 2026-03 (or its first day, 2026-03-01); "
                                                         "default the latest imported")
    by: str = Field(default="resource", description="Rows per " + ", ".join(COSTS_BY))
    limit: int = Field(default=DEFAULT_LIMIT, description=f"At most this many rows (0: all; at most {PAGE_MAX})")


def costs_args(q: CostsQuery) -> dict[str, Any]:
    """The arguments of queries.costs.costs for ``q``; BadInput for a bad value."""
    if not 0 <= q.limit <= PAGE_MAX:
        raise BadInput(f"limit must be between 0 (all) and {PAGE_MAX}")
    return {"period": (q.period or "").strip() or None, "by": q.by, "limit": q.limit or None}


def report_rows(report: CostsReport) -> list[Any]:
    """The report's rows: its resources, or its groups by owner, tool or service."""
    return list(report.get("resources", report.get("groups", [])))


def group_url(by: str, key: str) -> str | None:
    """Where a group's row leads: the inventory of an owner or a tool (None for a service or "unknown")."""
    if by not in ("owner", "tool") or key == "unknown":
        return None
    return inventory_href(**{by: [key]}, status="all")  # alive or deleted: the bill charged both


@pages.get("/costs", response_class=HTMLResponse)
def costs_page(request: Request, store: StoreDep, q: Annotated[CostsQuery, Query()]) -> HTMLResponse:
    report = costs(store, **costs_args(q))
    rows = report_rows(report)
    params = state_params(q, limit=None)
    return page(
        request, "costs.html", q=q, report=report, rows=rows, by_choices=COSTS_BY, limits=LIMITS, no_bill=NO_BILL,
        all_url=state_url("/costs", q, limit=0) if len(rows) < report["count"] else None,
        filter_url=lambda **changes: state_url("/costs", q, **changes), group_url=group_url,
        percent=percent, csv_url="/api/costs/download?" + urlencode(params + [("format", "csv")]),
        json_download_url="/api/costs/download?" + urlencode(params + [("format", "json")]),
        json_url=state_url("/api/costs", q),
    )


def percent(share: float | None) -> str:
    """A share as the CLI prints it: ``12.5%``, ``?`` when unknown."""
    return "?" if share is None else f"{share * 100:.1f}%"


@api.get("/costs", summary="The imported bill of a period beside the estimates, and what no resource explains",
         responses=answers(shapes.CostsReport, "The bill of the period"))
def api_costs(store: StoreDep, q: Annotated[CostsQuery, Query()]) -> Response:
    """The CLI's `costs show --format json`: the period's `total_usd`, `attributed_usd`, `unattributed_usd`
    and `unattributed_share`, `resources` (or `groups` by owner, tool or service; `count`: all of them) and
    the `unattributed` charges. `period` null: no bill imported (amounts null, not zero)."""
    return json_response(costs(store, **costs_args(q)))


@api.get("/costs/download", summary="Download the rows of the bill (by resource, owner, tool or service) as CSV "
                                    "or JSON", responses=ERRORS)
def api_costs_download(store: StoreDep, q: Annotated[CostsQuery, Query()],
                       fmt: Annotated[str, Query(alias="format", description="csv or json")] = "csv",
                       rows: Annotated[int, Query(description="At most this many (0: all)")] = EXPORT_DEFAULT,
                       ) -> Response:
    """Every row (not one page), as `costs show --format csv` writes them, or as a JSON array of them."""
    if fmt not in MEDIA or rows < 0:
        raise BadInput("format must be csv or json, and rows 0 (all) or more")
    report = costs(store, **{**costs_args(q), "limit": rows or None})
    body = "".join(chunks(report_rows(report), fmt))
    disposition = {"Content-Disposition": f'attachment; filename="cloudblame-costs.{fmt}"'}
    return Response(body, media_type=MEDIA[fmt], headers=disposition)
