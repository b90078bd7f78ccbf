"""The JSON shapes of insights (`cloudblame insights` / `insight ID`, /insights, the MCP tool), kept beside
core/contracts.py (at its size limit) with its conventions: ISO 8601 UTC times, an unknown cost ``None``,
never 0. Built from the ``insights`` table (store/tables.py): its ``details`` column holds ``InsightDetails``
as JSON, as the derive step that found the insight wrote it."""

from typing import Literal, NotRequired

from typing_extensions import TypedDict

from cloudblame.core.contracts import EventItem

InsightKind = Literal[
    "api-call-rate", "api-error-rate",  # CloudTrail Insights' two kinds (ours, and AWS's own: source 'aws')
    "cost-burst", "new-region", "new-tool", "root-use", "console-login-without-mfa", "access-key-created",
    "no-owner-tag", "trail-stopped", "logging-gap",
]
INSIGHT_KINDS: tuple[str, ...] = InsightKind.__args__  # type: ignore[attr-defined]
Severity = Literal["high", "medium", "low"]


class AttributionValue(TypedDict):
    """One value of an attribute (a caller's ARN, a user agent, an error code: ``"null"`` for none) and its
    mean count per minute over the window."""
    value: str
    average: float


class Attribution(TypedDict):
    """The top values (five at most, largest first) of one attribute, over the insight and over its baseline,
    as AWS's insight records carry them."""
    attribute: Literal["userIdentityArn", "userAgent", "errorCode"]
    insight: list[AttributionValue]
    baseline: list[AttributionValue]


class InsightResource(TypedDict):
    """A resource an insight is about (created in a burst, left without an Owner tag...)."""
    type: str
    id: str
    region: str | None
    usd_per_month: float | None
    why: str | None  # why it counts as expensive (e.g. "GPU instance p3.2xlarge"), None where not


class InsightDetails(TypedDict):
    """What an insight stands on; every key is optional (a kind fills those it has)."""
    insight_type: NotRequired[str]  # AWS's name: ApiCallRateInsight / ApiErrorRateInsight
    baseline_minutes: NotRequired[int]  # the baseline window's length in minutes
    attributions: NotRequired[list[Attribution]]
    resources: NotRequired[list[InsightResource]]
    event_ids: NotRequired[list[str]]  # the events behind it (at most 100; rate kinds: read by time instead)
    principals: NotRequired[list[str]]  # the callers' ARNs, most active first
    shared_event_id: NotRequired[str]  # AWS's: the Start and End records of one insight share it
    reason: NotRequired[str]  # one sentence: why this was raised, with the threshold it crossed


class Insight(TypedDict):
    """One insight (`insights --format json`, one row). ``end`` None: still open at the newest stored event.
    ``people``: the humans behind it, resolved like blame. ``monthly_cost_added``: the list price per month
    of what it created, None where it is not a cost insight or nothing it created has a price."""
    id: str
    kind: InsightKind
    source: Literal["cloudblame", "aws"]
    severity: Severity
    account_id: str | None
    region: str | None
    start: str
    end: str | None
    event_source: str | None
    event_name: str | None
    error_code: str | None
    people: list[str]
    summary: str
    monthly_cost_added: float | None
    baseline: float | None  # rate kinds: mean per minute over the baseline window
    value: float | None  # rate kinds: mean per minute over the insight
    duration_minutes: int | None
    details: InsightDetails


class InsightsPage(TypedDict):
    """`insights --format json`: the insights that match, newest first (``limit`` of them from ``offset``),
    how many match in all, and how many of every match there are per kind and per severity (kinds and
    severities with none left out)."""
    insights: list[Insight]
    total: int
    offset: int
    limit: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]


class SeriesPoint(TypedDict):
    """One minute of an API's series (zero-filled): its count and the baseline it was judged against (None:
    not computed for that minute)."""
    minute: str
    count: int
    baseline: float | None


class InsightDetail(Insight):
    """`insight ID --format json`: the insight, its minute series (rate kinds: from an hour before its
    start to an hour after its end; other kinds: empty) and the events behind it (the first 100)."""
    series: list[SeriesPoint]
    events: list[EventItem]
    events_total: int
