"""The JSON shapes of what AWS said of a resource when it was last described (``live`` in `inventory` rows) and of
the view `inventory` shows (``view``: the store's events, or the live state), kept beside core/contracts.py (at its
size limit) with its conventions: ISO 8601 UTC times, and a value nobody knows ``None``, never 0. Built from the
``live_state`` table (store/tables.py): the latest check of a resource."""

from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict

# present: there, as the events say; stopped: there, stopped (or paused); resized: there, at another size than its
# events say; gone: AWS says it does not exist (or is being deleted) though no delete event was stored; unknown: the
# describe failed (no permission, an API error): it may or may not be there.
LiveStatus = Literal["present", "stopped", "resized", "gone", "unknown"]
ViewKind = Literal["events", "live"]


class SizeChange(TypedDict):
    """A size dimension whose live value differs from what the events say."""
    events: Any
    live: Any


class LiveState(TypedDict):
    """A resource as AWS described it at ``checked_at``: the verdict, AWS's own state word (``running``,
    ``stopped``; None: the type has none, or it was not described), the size dimensions it gave (None: none), those
    that differ from the events' (empty: none), and what went wrong or why, in words."""
    state: LiveStatus
    checked_at: str
    aws_state: str | None
    size: dict[str, Any] | None
    changed: dict[str, SizeChange]
    detail: str | None


class InventoryView(TypedDict):
    """Which view `inventory` shows: ``events`` (the store's: alive by its events, up to ``events_until``) or
    ``live`` (as last described, the newest check at ``checked_at``; the gone ones left out). ``states``: how many
    of the matching resources are in each live state (``unchecked``: never described); ``left_out`` and
    ``left_out_usd_per_month``: the gone ones the live view does not list, and the known part of their estimated
    monthly cost (None: none is priced)."""
    kind: ViewKind
    events_until: str | None
    checked_at: str | None
    states: dict[str, int]
    left_out: int
    left_out_usd_per_month: float | None


class LiveFields(TypedDict):
    """What an inventory row adds: its live state (None: never described, or not since it was created)."""
    live: NotRequired[LiveState | None]


class ViewFields(TypedDict):
    """What the inventory adds: the view it shows."""
    view: NotRequired[InventoryView]


class GoneFields(TypedDict):
    """What `forgotten` adds: how many more its events would count, left out because their latest live check (since
    they were created) said AWS no longer has them (those CloudWatch saw in use are counted in ``in_use``), and the
    newest of those checks (None: none left out)."""
    gone: int
    gone_checked_at: str | None
