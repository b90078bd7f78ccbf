"""The Event History's URL: every filter, the time range, the sort, the page and the columns are query
parameters, so a search is a link. Parsed here into the library's EventFilter (BadInput, a 400, for
any bad value); the page and the API take the same parameters."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from cloudblame.queries import BadInput
from cloudblame.queries.events import MAX_LIMIT, SORTS, EventFilter
from cloudblame.timeutil import parse_when

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

    event_name: str | None = Field(None, description="Event name, e.g. RunInstances")
    event_source: str | None = Field(None, description="Event source: ec2 or ec2.amazonaws.com")
    event_id: str | None = Field(None, description="Event id")
    read_only: str | None = Field(None, description="true: only reads; false: only writes")
    resource_name: str | None = Field(None, description="Resource id, ARN or name")
    resource_type: str | None = Field(None, description="Resource type: AWS::EC2::Instance or Instance")
    username: str | None = Field(None, description="User name, session name or the person behind it")
    access_key: str | None = Field(None, description="Access key id (AKIA.../ASIA...)")
    account: str | None = Field(None, description="Account id")
    region: str | None = Field(None, description="Region")
    tool: str | None = Field(None, description="terraform, console, aws-cli, boto3, ...")
    error: str | None = Field(None, description="true: only failed calls")
    error_code: str | None = Field(None, description="Only this error code")
    source_ip: str | None = Field(None, description="Source IP address (or the calling service)")
    text: str | None = Field(None, description="Free text in event name, user, resources, error, user agent")
    range: str | None = Field(None, description="all, 1h, 24h, 7d, 30d, 90d or custom (since/until)")
    since: str | None = Field(None, description="From: ISO date/time, or an age like 7d (without a preset range)")
    until: str | None = Field(None, description="To: same forms as since")
    sort: str = Field("time_desc", description="time_desc, time_asc, event_name or user")
    limit: int = Field(50, description=f"Events per page (1-{PAGE_MAX}; downloads up to {MAX_LIMIT})")
    after: str | None = Field(None, description="Cursor: the page after this one (from `next`)")
    before: str | None = Field(None, description="Cursor: the page before this one (from `prev`)")
    cols: list[str] = Field([], description="Columns shown on the page: " + ", ".join(COLUMNS))


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


def _time(name: str, value: str | None) -> datetime | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return parse_when(value)
    except ValueError as exc:
        raise BadInput(f"{name}: {exc}") from None


def time_bounds(q: EventQuery, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """A preset range counts back from now (as the console does); ``custom`` (or since/until without
    a range) is the absolute range; ``all`` (the default) has no bound."""
    preset = _blank(q.range)
    if preset is None:
        preset = "custom" if (_blank(q.since) or _blank(q.until)) else "all"
    if preset == "all":
        return None, None
    if preset in RANGES:
        return (now or datetime.now(timezone.utc).replace(tzinfo=None)) - RANGES[preset], None
    if preset != "custom":
        raise BadInput(f"range must be one of {', '.join(RANGE_LABELS)}, not {preset!r}")
    since, until = _time("since", q.since), _time("until", q.until)
    if since and until and since > until:
        raise BadInput("since is after until")
    return since, until


def to_filter(q: EventQuery, *, max_limit: int = PAGE_MAX, paged: bool = True) -> EventFilter:
    """The library filter for ``q``; BadInput with the reason for any bad value."""
    if not 1 <= q.limit <= max_limit:
        raise BadInput(f"limit must be between 1 and {max_limit}")
    if q.sort not in SORTS:
        raise BadInput(f"sort must be one of {', '.join(SORTS)}")
    since, until = time_bounds(q)
    text = {name: _blank(getattr(q, name)) for name in TEXT_FILTERS}
    return EventFilter(**text, read_only=_flag("read_only", q.read_only), error=bool(_flag("error", q.error)),
                       since=since, until=until, sort=q.sort, limit=q.limit,
                       after=_blank(q.after) if paged else None, before=_blank(q.before) if paged else None)


def columns(q: EventQuery) -> list[str]:
    chosen = [c for c in q.cols if c]
    unknown = [c for c in chosen if c not in COLUMNS]
    if unknown:
        raise BadInput(f"unknown column {unknown[0]!r}: choose from {', '.join(COLUMNS)}")
    return [c for c in COLUMNS if c in chosen] or list(DEFAULT_COLUMNS)


def state_params(q: EventQuery, **changes) -> list[tuple[str, str]]:
    """``q`` as query parameters (unset ones left out), with ``changes`` applied (None removes)."""
    values = {k: v for k, v in q.model_dump().items() if k != "cols"}
    values.update({k: v for k, v in changes.items() if k != "cols"})
    pairs = [(k, str(v)) for k, v in values.items() if v not in (None, "") and not _is_default(k, v)]
    cols = changes.get("cols", q.cols)
    pairs += [("cols", c) for c in (cols or []) if c]
    return pairs


def _is_default(name: str, value) -> bool:
    return (name == "sort" and value == "time_desc") or (name == "limit" and value == 50)


def state_url(path: str, q: EventQuery, **changes) -> str:
    params = state_params(q, **changes)
    return path + ("?" + urlencode(params) if params else "")
