"""The JSON shapes of the imported bill (`cloudblame costs import` / `costs show`, and ``cost.actual`` in
inventory rows), kept beside core/contracts.py (at its size limit) with its conventions: ISO 8601 UTC
times, an amount nobody knows ``None``, never 0. Amounts are USD; a billing period is named by the date it
starts on (``2026-03-01``)."""

from typing import Literal, NotRequired

from typing_extensions import TypedDict


class ActualCost(TypedDict):
    """What the imported bill charged for a resource in the latest billing period it holds (USD, summed
    over the resource's line items: usage, credits and refunds naming it)."""
    usd: float
    period: str


BillFormat = Literal["cur2", "cur", "focus"]
ImportStatus = Literal["imported", "unchanged", "skipped", "failed"]


class BillFileReport(TypedDict):
    """One export file: what it was read as, how many line items it gave, of which periods, or why not
    (``skipped``: not a cost export; ``failed``: it could not be read, and is read again next time)."""
    path: str
    format: BillFormat | None
    status: ImportStatus
    lines: int
    periods: list[str]
    reason: str | None


class BillImport(TypedDict):
    """`costs import --format json`: the files found, imported (their lines replacing what an earlier import
    of the same file gave), unchanged since their last import, skipped (not a cost export) or failed (read
    again next time); ``lines_replaced``: lines of earlier imports of these files that were taken out."""
    found: int
    imported: int
    unchanged: int
    skipped: int
    failed: int
    lines: int
    lines_replaced: int
    periods: list[str]
    snapshot: int | None
    seconds: float
    files: list[BillFileReport]
    problems: list[str]


CostsBy = Literal["resource", "owner", "tool", "service"]


class ResourceCost(TypedDict):
    """A resource's actual cost in the period beside its estimate (None: the bill names no line of it; no
    estimate: unpriced, or deleted)."""
    type: str
    id: str
    account: str | None
    region: str | None
    alive: bool
    owner: str | None
    tool: str | None
    actual_usd: float | None
    lines: int
    estimate_usd_per_month: float | None
    estimate_basis: str | None


class GroupCost(TypedDict):
    """An owner's (tool's, service's) actual cost in the period and the estimate of its alive resources
    (services: None; ``unpriced``: alive resources without an estimate)."""
    key: str
    resources: int
    actual_usd: float | None
    estimate_usd_per_month: float | None
    unpriced: int


class UnattributedCost(TypedDict):
    """What the bill charges under a service and usage type that no known resource explains: lines without a
    resource id (tax, support, most data transfer) and lines naming resources the store does not know
    (``billed_ids`` of them; ``example_id`` the costliest), with its share of the period's total."""
    service: str | None
    usage_type: str | None
    usd: float
    share: float | None
    lines: int
    billed_ids: int
    example_id: str | None


class CostsReport(TypedDict):
    """`costs show --format json`: one billing period (``None``: no bill imported) - its total, what known
    resources explain (attributed) and what they do not, the rows ``by`` resource, owner, tool or service,
    the unattributed charges; ``through``: the end of the newest usage it holds (a period in progress)."""
    period: str | None
    periods: list[str]
    through: str | None
    by: CostsBy
    total_usd: float | None
    attributed_usd: float | None
    unattributed_usd: float | None
    unattributed_share: float | None
    estimate_usd_per_month: float | None
    other_currency_lines: int
    count: int
    limit: int | None
    resources: NotRequired[list[ResourceCost]]
    groups: NotRequired[list[GroupCost]]
    unattributed: list[UnattributedCost]
