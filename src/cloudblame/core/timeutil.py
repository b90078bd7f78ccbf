"""Time parsing and formatting shared by every layer (all times are UTC, stored naive)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import overload

from cloudblame.core.errors import BadInput

_RELATIVE = re.compile(r"^\s*(?P<n>\d+)\s*(?P<unit>s|m|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_event_time(value: object) -> datetime | None:
    """CloudTrail eventTime (ISO 8601, usually ``YYYY-MM-DDTHH:MM:SSZ``; epoch seconds or ms accepted)
    as a naive UTC datetime; None when missing or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:  # ISO basic, as documented for sessionContext.attributes.creationDate
            parsed = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@overload
def iso_z(value: datetime) -> str: ...
@overload
def iso_z(value: None) -> None: ...
@overload
def iso_z(value: datetime | None) -> str | None: ...


def iso_z(value: datetime | None) -> str | None:
    """``2023-07-10T11:45:03Z`` for a naive-UTC or aware datetime."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def parse_duration(text: str) -> timedelta:
    """``15m``, ``1h``, ``90s``, ``1d``: a length of time. Raises BadInput (a ValueError) with a readable message."""
    m = _RELATIVE.match(text)
    if not m:
        raise BadInput(f"cannot read duration {text!r}: use 90s, 15m, 1h, 1d or 2w")
    return timedelta(**{_UNITS[m["unit"].lower()]: int(m["n"])})


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """A CLI time bound: relative (``7d``, ``12h``, ``30m``, ``2w``, ``90s``: that long ago) or absolute
    (``2023-07-10``, ``2023-07-10T11:45:03Z``). Raises BadInput (a ValueError) with a readable message."""
    m = _RELATIVE.match(text)
    if m:
        now = now or datetime.now(UTC).replace(tzinfo=None)
        return now - timedelta(**{_UNITS[m["unit"].lower()]: int(m["n"])})
    parsed = parse_event_time(text)
    if parsed is None:
        raise BadInput(
            f"cannot read time {text!r}: use a relative age like 7d, 12h, 30m, 2w or an ISO date/time like 2023-07-10T11:45:03Z"
        )
    return parsed
