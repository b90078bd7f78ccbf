"""The URLs of the Event History and the inventory: every filter, the time range, the sort, the page and
the columns are query parameters, so a search is a link. Parsed here into the library's EventFilter and
inventory arguments (BadInput, a 400, for any bad value); each page and its API take the same parameters.
Relative times (presets, ``7d``) count back from the newest stored event (the page says so): on an
archive, "last 7 days" is its last week, not an empty one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field, field_validator

from cloudblame.core.timeutil import parse_when
from cloudblame.queries import BadInput
from cloudblame.queries.events import MAX_LIMIT, SORTS, EventFilter
from cloudblame.queries.inventory import SORTS as INVENTORY_SORTS
from cloudblame.queries.inventory import STATUSES

PAGE_MAX = 1000
EXPORT_DEFAULT = 10_000
RANGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7),
          "30d": timedelta(days=30), "90d": timedelta(days=90)}
RANGE_LABELS = {"all": "All time", "1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days",
                "30d": "Last 30 days", "90d": "Last 90 days", "custom": "Custom range"}
# Column id -> header, in display order; the first six are the CloudTrail console's.
COLUMNS = {
    "time": "Event time", "event_name": "Event name", "user": "User name", "event_source": "Event source",
    "resource_type": "Resource type", "resource_name": "Resource name", "tool": "Tool", "error": "Error",
    "region": "Region", "account": "Account", "source_ip": "Source IP", "access_key": "Access key",
    "read_only": "Read-only", "event_id": "Event ID",
}
DEFAULT_COLUMNS = ("time", "event_name", "user", "event_source", "resource_type", "resource_name", "tool", "error")
TEXT_FILTERS = ("event_name", "event_source", "event_id", "resource_name", "resource_type", "username", "access_key",
                "account", "region", "tool", "error_code", "source_ip", "text")


class EventQuery(BaseModel):
    """Query parameters of /events and /api/events (all optional; empty means unset)."""

    event_name: str | None = Field(default=None, description="Event name, e.g. RunInstances")
    event_source: str | None = Field(default=None, description="Event source: ec2 or ec2.amazonaws.com")
    event_id: str | None = Field(default=None, description="Event id")
    read_only: str | None = Field(default=None, description="true: only reads; false: only writes")
    resource_name: str | None = Field(default=None, description="Resource id, ARN or name")
    resource_type: str | None = Field(default=None, description="Resource type: AWS::EC2::Instance or Instance")
    username: str | None = Field(default=None, description="User name, session name or the person behind it")
    access_key: str | None = Field(default=None, description="Access key id (AKIA.../ASIA...)")
    account: str | None = Field(default=None, description="Account id")
    region: str | None = Field(default=None, description="Region")
    tool: str | None = Field(default=None, description="terraform, console, aws-cli, boto3, ...")
    error: str | None = Field(default=None, description="true: only failed calls")
    error_code: str | None = Field(default=None, description="Only this error code")
    source_ip: str | None = Field(default=None, description="Source IP address (or the calling service)")
    text: str | None = Field(default=None, description="Free text in event name, user, resources, error, user agent")
    insights: str | None = Field(default=None, description="true: AWS's CloudTrail Insights records instead of the calls")
    range: str | None = Field(default=None, description="all, 1h, 24h, 7d, 30d, 90d or custom (since/until)")
    since: str | None = Field(default=None, description="From: ISO date/time, or an age like 7d (without a preset range)")
    until: str | None = Field(default=None, description="To: same forms as since")
    sort: str = Field(default="time_desc", description="time_desc, time_asc, event_name or user")
    limit: int = Field(default=50, description=f"Events per page (1-{PAGE_MAX}; downloads up to {MAX_LIMIT})")
    after: str | None = Field(default=None, description="Cursor: the page after this one (from `next`)")
    before: str | None = Field(default=None, description="Cursor: the page before this one (from `prev`)")
    at: int | None = Field(default=None, description="Where this page starts (1: the first event); the page's "
                                                     "links keep it to say where you are")
    cols: list[str] = Field(default=[], description="Columns shown on the page: " + ", ".join(COLUMNS))


def _blank(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


def _flag(name: str, value: str | None) -> bool | None:
    value = _blank(value)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes", "on", "read"):
        return True
    if lowered in ("false", "0", "no", "off", "write"):
        return False
    raise BadInput(f"{name} must be true or false, not {value!r}")


def _time(name: str, value: str | None, now: datetime | None = None) -> datetime | None:
    """An ISO time, or an age (``7d``) before ``now`` (None: the clock's now)."""
    value = _blank(value)
    if value is None:
        return None
    try:
        return parse_when(value, now=now)
    except ValueError as exc:
        raise BadInput(f"{name}: {exc}") from None


def time_bounds(q: EventQuery, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """A preset range counts back from ``now`` (the pages pass the newest stored event; None: the clock's
    now); ``custom`` (or since/until without a range) is the absolute range (an age like ``7d`` counts back
    from ``now`` too); ``all`` (the default) has no bound."""
    preset = _blank(q.range)
    if preset is None:
        preset = "custom" if (_blank(q.since) or _blank(q.until)) else "all"
    if preset == "all":
        return None, None
    if preset in RANGES:
        return (now or datetime.now(UTC).replace(tzinfo=None)) - RANGES[preset], None
    if preset != "custom":
        raise BadInput(f"range must be one of {', '.join(RANGE_LABELS)}, not {preset!r}")
    since, until = _time("since", q.since, now), _time("until", q.until, now)
    if since and until and since > until:
        raise BadInput("since is after until")
    return since, until


def to_filter(q: EventQuery, *, max_limit: int = PAGE_MAX, paged: bool = True, now: datetime | None = None,
              ) -> EventFilter:
    """The library filter for ``q`` (relative times before ``now``); BadInput with the reason for any bad value."""
    if not 1 <= q.limit <= max_limit:
        raise BadInput(f"limit must be between 1 and {max_limit}")
    if q.sort not in SORTS:
        raise BadInput(f"sort must be one of {', '.join(SORTS)}")
    since, until = time_bounds(q, now)
    text = {name: _blank(getattr(q, name)) for name in TEXT_FILTERS}
    return EventFilter(**text, read_only=_flag("read_only", q.read_only), error=bool(_flag("error", q.error)),
                       insights=bool(_flag("insights", q.insights)), since=since, until=until, sort=q.sort, limit=q.limit,
                       after=_blank(q.after) if paged else None, before=_blank(q.before) if paged else None)


def columns(q: EventQuery) -> list[str]:
    chosen = [c for c in q.cols if c]
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown:
        raise BadInput(f"unknown column {unknown[0]!r}: choose from {', '.join(COLUMNS)}")
    return [c for c in COLUMNS if c in chosen] or list(DEFAULT_COLUMNS)


def state_params(q: BaseModel, **changes: Any) -> list[tuple[str, str]]:
    """``q`` as query parameters (unset and default ones left out; lists repeated), with ``changes``
    applied (None removes)."""
    pairs = []
    for name, value in {**q.model_dump(), **changes}.items():
        if value in (None, "") or value == type(q).model_fields[name].default:
            continue
        pairs += [(name, str(v)) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
    return pairs


def state_url(path: str, q: BaseModel, **changes: Any) -> str:
    params = state_params(q, **changes)
    return path + ("?" + urlencode(params) if params else "")


def page_position(start: int, shown: int, total: int, exact: bool = True) -> str:
    """Where a page is: ``101–150 of 2,000`` (``of more than 10,000`` when the count stopped there)."""
    of = f"{total:,}" if exact else f"more than {total:,}"
    if not shown:
        return f"none of {of}" if start <= 1 else f"nothing from {start:,} on, of {of}"
    return f"{start:,}–{start + shown - 1:,} of {of}"


# --- the inventory

INVENTORY_COLUMNS = {
    "type": "Type", "resource": "Resource", "status": "Status", "owner": "Owner", "tool": "Tool", "size": "Size",
    "region": "Region", "account": "Account", "created": "Created", "last_activity": "Last activity",
    "cost": "USD / month", "tags": "Tags", "live": "Live state",
}
INVENTORY_DEFAULT_COLUMNS = ("type", "resource", "owner", "tool", "size", "region", "account", "created",
                             "last_activity", "cost")
STATUS_LABELS = {"alive": "Alive", "deleted": "Deleted", "all": "Alive and deleted"}
LIST_FILTERS = ("owner", "type", "account", "region", "tool", "size")


class InventoryQuery(BaseModel):
    """Query parameters of /inventory and /api/inventory (all optional; empty means unset; the filters
    that take a list match any of their values)."""

    owner: list[str] = Field(default=[], description="Owner: who created it (or it was made for)")
    type: list[str] = Field(default=[], description="Resource type, e.g. AWS::EC2::Instance")
    account: list[str] = Field(default=[], description="Account id")
    region: list[str] = Field(default=[], description="Region")
    tool: list[str] = Field(default=[], description="Created with this tool: terraform, console...")
    size: list[str] = Field(default=[], description="Any of its size's values: m5.large, db.t3.micro, gp3...")
    q: str | None = Field(default=None, description="Free text in the id, name, type, size and tags")
    status: str = Field(default="alive", description="alive, deleted or all")
    created_since: str | None = Field(default=None, description="Created at or after: ISO date/time, or an age "
                                                                "like 30d (before the newest stored event)")
    created_before: str | None = Field(default=None, description="Created at or before: same forms")
    active_since: str | None = Field(default=None, description="Last activity at or after: same forms")
    idle_since: str | None = Field(default=None, description="No activity after: same forms")
    min_usd: str | None = Field(default=None, description="Costs at least this many USD a month")
    max_usd: str | None = Field(default=None, description="Costs at most this many USD a month")
    priced: str | None = Field(default=None, description="true: only priced ones; false: only those of unknown cost")
    sort: str = Field(default="cost", description="cost (costliest first), oldest or newest")
    view: str = Field(default="events", description="events (alive by their events) or live (as last described: "
                                                    "those AWS said are gone left out)")
    limit: int = Field(default=50, description=f"Resources per page (1-{PAGE_MAX})")
    offset: int = Field(default=0, description="Skip this many (paging)")
    cols: list[str] = Field(default=[], description="Columns shown on the page: " + ", ".join(INVENTORY_COLUMNS))

    @field_validator(*LIST_FILTERS, "cols", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


def _usd(name: str, value: str | None) -> float | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return float(value.removeprefix("$").replace(",", ""))
    except ValueError:
        raise BadInput(f"{name} must be an amount in USD, not {value!r}") from None


def inventory_args(q: InventoryQuery, now: datetime | None, *, paged: bool = True) -> dict[str, Any]:
    """The arguments of queries.inventory.inventory for ``q`` (ages before ``now``, the newest stored event);
    BadInput with the reason for any bad value."""
    if paged and not 1 <= q.limit <= PAGE_MAX:
        raise BadInput(f"limit must be between 1 and {PAGE_MAX}")
    if (_blank(q.status) or "alive") not in STATUSES or q.sort not in INVENTORY_SORTS:
        raise BadInput(f"status must be one of {', '.join(STATUSES)}; sort one of {', '.join(INVENTORY_SORTS)}")
    times = {name: _time(name, getattr(q, name), now)
             for name in ("created_since", "created_before", "active_since", "idle_since")}
    return {"owner": q.owner, "resource_type": q.type, "account": q.account, "region": q.region, "tool": q.tool,
            "size": q.size, "text": _blank(q.q), "status": _blank(q.status) or "alive", **times,
            "min_usd": _usd("min_usd", q.min_usd), "max_usd": _usd("max_usd", q.max_usd),
            "priced": _flag("priced", q.priced), "sort": q.sort, "view": _blank(q.view) or "events",
            "limit": q.limit if paged else None, "offset": q.offset if paged else 0}


def inventory_columns(q: InventoryQuery) -> list[str]:
    unknown = [c for c in q.cols if c and c not in INVENTORY_COLUMNS]
    if unknown:
        raise BadInput(f"unknown column {unknown[0]!r}: choose from {', '.join(INVENTORY_COLUMNS)}")
    return [c for c in INVENTORY_COLUMNS if c in q.cols] or list(INVENTORY_DEFAULT_COLUMNS)


def inventory_href(**filters: str | list[str]) -> str:
    """The inventory page with ``filters`` (``owner="bob"``, ``type=...``, ``size="m4.16xlarge"``,
    ``status="all"``...: the names of InventoryQuery): what the overview's cards and charts link to."""
    return state_url("/inventory", InventoryQuery.model_validate(filters))
