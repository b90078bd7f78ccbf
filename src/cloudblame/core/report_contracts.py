"""The JSON shape of `cloudblame report --format json` (actions/report.py): one ``OwnerReport`` per owner,
built on the inventory and forgotten shapes of core/contracts.py (kept beside it, as that module is at its
size limit). Same conventions: ISO 8601 UTC times, an unknown cost ``None``, never 0."""

from typing_extensions import TypedDict

from cloudblame.core.contracts import Forgotten, Inventory


class TrendWeek(TypedDict):
    """One week (``week``: its Monday) of an owner's resources: how many were created and deleted, the known
    monthly cost they added and removed, how many of them have no price, and the known monthly cost of what
    they had alive at its end."""
    week: str
    created: int
    deleted: int
    usd_added: float
    usd_removed: float
    unpriced: int
    usd_per_month_after: float


class OwnerReport(TypedDict):
    """`report --format json`, one owner: what they own that is alive (``alive``), what of it is forgotten,
    and the weekly trend of its cost over the stored span, for the report ``period``."""
    owner: str
    as_of: str | None
    period: str
    alive: Inventory
    forgotten: Forgotten
    trend: list[TrendWeek]
