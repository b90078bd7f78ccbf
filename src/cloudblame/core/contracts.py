"""The JSON shapes the queries answer with, declared once: what `--format json` prints, what the web API
and the MCP server return, and what the OpenAPI schema shows (FastAPI reads these TypedDicts).

Each shape is a ``TypedDict`` (plain dicts at run time: the queries build them, orjson writes them); a
nested shape is declared once and reused. Times are ISO 8601 UTC text (``2023-07-10T11:45:03Z``); a
cost that is not known is ``None`` (``null``), never 0. ``typing_extensions.TypedDict`` because pydantic
(FastAPI's schemas) needs it before Python 3.12; no ``from __future__ import annotations``, so that
``__required_keys__`` knows the ``NotRequired`` fields at run time.
"""

from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict

from cloudblame.core.bill_contracts import ActualCost
from cloudblame.core.live_contracts import GoneFields, LiveFields, ViewFields
from cloudblame.core.usage_contracts import Evidence

# A raw CloudTrail record, or a value read from one, as parsed JSON: untrusted, any shape.
Record = dict[str, Any]
# Tags as the resource's events set them (key -> value).
Tags = dict[str, str]
# The attributes that drive a resource's cost (instance_type, size_gb, count...), as its records give them.
Size = dict[str, Any]


# --- who made a call, and with what

class ChainHop(TypedDict):
    """One hop from the human to the call: the principal, how it was reached (``sso``, ``AssumeRole``...),
    what linked it (``identity``, ``access-key``, ``role-session-and-time``, a service rule) and the event
    that did (None for the identity the record names)."""
    principal: str | None
    how: str | None
    linked_by: str | None
    event_id: str | None


class Actor(TypedDict):
    """The human behind a call (``human``), the principal that made it, how sure we are, and the chain."""
    human: str | None
    principal: str | None
    identity_type: str | None
    session_name: str | None
    kind: str | None
    confidence: str | None
    chain: list[ChainHop]


class EventActor(Actor):
    """An actor in an events list: with the access key of the call (the console's column)."""
    access_key_id: str | None


class EventDetailActor(EventActor):
    """An actor of one event in full: its identity's other fields too."""
    username: str | None
    session_issuer: str | None
    source_identity: str | None
    invoked_by: str | None


class Tool(TypedDict):
    """The tool a call came from (a stable slug), its version and the user agent; ``via``: the service
    (cloudformation...) the tool called, when a service made the call for a person."""
    id: str | None
    version: str | None
    user_agent: str | None
    via: NotRequired[str]


# --- events

class EventFields(TypedDict):
    """What every event shape holds but its actor."""
    time: str
    event_id: str
    event_source: str
    event_name: str
    region: str | None
    account: str | None
    read_only: bool | None
    error_code: str | None
    source_ip: str | None
    tool: Tool


class EventSummary(EventFields):
    """One event in short (``derive.shapes.event_summary``): the base of the list and detail shapes."""
    actor: Actor


class EventResource(TypedDict):
    """A resource an event touched, and how (create, delete, modify, reference)."""
    type: str | None
    id: str
    arn: str | None
    name: str | None
    action: str


class EventItem(EventFields):
    """One event of an events page (`events --format json`)."""
    actor: EventActor
    resources: list[EventResource]


class EventDetail(EventFields):
    """One event in full (`event --format json`): its identity, resources and raw record."""
    actor: EventDetailActor
    error_message: str | None
    event_type: str | None
    event_category: str | None
    request_id: str | None
    shared_event_id: str | None
    origin: str | None
    resources: list[EventResource]
    raw: Record


class EventsPage(TypedDict):
    """One page of events with the cursors of its neighbours (None: no page follows, or precedes)."""
    events: list[EventItem]
    next: str | None
    prev: str | None
    sort: str
    limit: int


class EventCount(TypedDict):
    """How many events match, counted no further than a cap (``exact`` false beyond it)."""
    count: int
    exact: bool


class TimeSpan(TypedDict):
    """The time something covers (None: nothing to cover)."""
    first: str | None
    last: str | None


class EventCandidate(TypedDict):
    """An event an ambiguous id prefix matches."""
    id: str
    event_name: str
    account: str | None
    time: str


# --- blame

class ResourceCandidate(TypedDict):
    """A resource a name matches: how many of its events did, and whether one created it."""
    type: str | None
    id: str
    account: str | None
    events: int
    created: bool


class BlameResource(TypedDict):
    id: str
    arn: str | None
    type: str | None
    account: str | None
    region: str | None
    name: str | None


class BlamePoint(TypedDict):
    """The event that created (or deleted) a resource, with who and what made it."""
    time: str
    event_id: str
    event_source: str
    event_name: str
    source_ip: str | None
    actor: Actor
    tool: Tool


class Attempt(BlamePoint):
    """A resource only ever named in failed calls: the first failed create (else call), and how many."""
    error_code: str | None
    error_message: str | None
    attempts: int


class TimelineEntry(TypedDict):
    time: str
    event_id: str
    event_name: str
    actor: Actor
    tool: Tool
    error_code: str | None
    action: str


class Cost(TypedDict):
    """An estimated monthly cost (None: not known, never 0) and how it was reached, or why it is unknown;
    inventory adds what the imported bill charged (``actual``, None: no line of it in the latest period)."""
    usd_per_month: float | None
    basis: str
    actual: NotRequired[ActualCost | None]


class LastActivity(TypedDict):
    time: str | None
    event: str | None
    by: str | None


class ParentRef(TypedDict):
    """The resource another belongs to (its Auto Scaling group, stack, cluster, instance)."""
    type: str
    id: str


class Purpose(TypedDict):
    """What a resource is for, from its tags and the tool that made it."""
    project: str | None
    environment: str | None
    owner_tag: str | None
    stack: str | None
    auto_scaling_group: str | None
    managed_by: str | None
    parent: ParentRef | None


class RelatedResource(TypedDict):
    type: str | None
    id: str
    relation: str


class BlameCore(TypedDict):
    """A blame's resource, lifecycle and timeline (oldest first)."""
    resource: BlameResource
    created: BlamePoint | None
    deleted: BlamePoint | None
    timeline: list[TimelineEntry]


class BlameContext(TypedDict):
    """A blame's context: what the resource is for, what it costs and relates to, when last touched."""
    alive: bool
    tags: Tags
    size: Size
    purpose: Purpose | None
    cost: Cost | None
    last_activity: LastActivity | None
    related: list[RelatedResource]


BlameStatus = Literal["alive", "deleted", "attempted"]


class Blame(BlameCore, BlameContext):
    """`blame --format json`: who created a resource, when and with what, what happened to it since.
    ``cost`` is None unless it is alive; ``cost_while_alive``: what a deleted one cost a month."""
    attempted: Attempt | None
    status: BlameStatus
    cost_while_alive: Cost | None
    evidence: Evidence | None  # what CloudWatch said of its use when last read (None: never read)


# --- inventory and forgotten

class InventoryCreated(TypedDict):
    time: str | None
    by: str | None
    tool: str | None
    via: str | None
    event_id: str


class InventoryItem(LiveFields):
    """A resource of the inventory: whose it is, what it is for, what it costs a month."""
    type: str
    id: str
    arn: str | None
    name: str | None
    account: str | None
    region: str | None
    alive: bool
    created: InventoryCreated | None
    creator_known: bool
    first_seen: str | None
    last_activity: LastActivity
    last_modifier: str | None
    owner: str | None
    tags: Tags
    size: Size
    purpose: Purpose
    cost: Cost


class ForgottenItem(InventoryItem):
    """A forgotten resource: why it counts as forgotten, whom to ask, what CloudWatch last said of its use."""
    reasons: list[str]
    ask: list[str]
    evidence: Evidence | None


class CostGroup(TypedDict):
    """Resources of one owner (type, account, tool) and the known part of their monthly cost; ``unpriced``:
    how many it leaves out."""
    key: str
    resources: int
    usd_per_month: float | None
    unpriced: int
    actual_usd: NotRequired[float | None]  # inventory: what the latest bill charged the group's resources


class CostTotals(TypedDict):
    """How many resources match, the known part of their monthly cost (None: none is priced) and how many
    it leaves out, the page's ``limit`` (None: all), and (grouped) the groups."""
    count: int
    total_usd_per_month: float | None
    unpriced: int
    limit: int | None
    groups: NotRequired[list[CostGroup]]


class Inventory(CostTotals, ViewFields):
    """`inventory --format json`."""
    resources: list[InventoryItem]


class Forgotten(CostTotals, GoneFields):
    """`forgotten --format json`: idle resources whose creator went quiet or left, as of a time; ``in_use``: how
    many more its events alone would count, left out because CloudWatch saw them in use; ``gone``: AWS said gone."""
    as_of: str | None
    idle: str
    resources: list[ForgottenItem]
    in_use: int


# --- who, people, overview

class WhoHuman(TypedDict):
    human: str | None
    kind: str | None
    confidence: str | None
    events: int
    chain: list[ChainHop]


class WhoSession(TypedDict):
    access_key_id: str | None
    principal: str | None
    identity_type: str | None
    first: str | None
    last: str | None
    events: int
    issued_by: str | None
    issued_with: str | None


class WhoKey(TypedDict):
    """A long-term access key the identity used or was given (``created``: when CreateAccessKey made it)."""
    access_key_id: str
    created: str | None
    created_event: str | None
    owner: str | None


class TopEvent(TypedDict):
    event_source: str
    event_name: str
    events: int


class WhoActivity(TypedDict):
    events: int
    writes: int
    errors: int
    first: str | None
    last: str | None
    tools: list[str | None]
    regions: list[str | None]
    accounts: list[str | None]
    top_events: list[TopEvent]


class CreatedResource(TypedDict):
    type: str | None
    id: str
    name: str | None
    time: str
    event_id: str
    region: str | None


class Who(TypedDict):
    """`who --format json`: the humans behind an identity, its sessions, keys, activity and creations."""
    query: str
    humans: list[WhoHuman]
    sessions: list[WhoSession]
    keys: list[WhoKey]
    activity: WhoActivity
    created: list[CreatedResource]


class DayEvents(TypedDict):
    """Events on one UTC day (``YYYY-MM-DD``) of one key (a tool, a person; ``other``: the rest)."""
    day: str
    key: str
    events: int


class DayCreations(TypedDict):
    """Resources created on one UTC day with one key (a tool)."""
    day: str
    key: str
    resources: int


class ToolEvents(TypedDict):
    tool: str
    events: int


class Person(Who):
    """One person's page: ``who`` plus what they own that is alive, their activity per day and tools."""
    owned: Inventory
    activity_per_day: list[DayEvents]
    tools: list[ToolEvents]


class PersonRow(TypedDict):
    """One person of the people index, with what they own that is alive and its monthly cost."""
    human: str
    kind: str | None
    events: int
    writes: int
    errors: int
    first: str | None
    last: str | None
    tools: list[str]
    access_keys: int
    created: int
    alive_owned: int
    usd_per_month: float | None
    unpriced: int


class StoreSpan(TimeSpan):
    """How much the store holds: events, people, resources known and alive."""
    events: int
    people: int
    resources: int
    alive: int


class Overview(TypedDict):
    """The home page's numbers."""
    span: StoreSpan
    events_per_day_by_tool: list[DayEvents]
    events_per_day_by_person: list[DayEvents]
    creations_per_day: list[DayCreations]
    cost_by_owner: list[CostGroup]
    total_usd_per_month: float | None
    unpriced: int


# --- the catalog

class CatalogRule(TypedDict):
    event_source: str
    event_name: str
    resource_type: str
    action: str
    id_path: str


class InferredEvent(TimeSpan):
    """Creation events no catalog rule covers, by event, with the type the fallback inferred."""
    event_source: str
    event_name: str
    inferred_type: str | None
    events: int
    example_id: str | None


# --- what the web API adds to them (web/api.py)

class EventsApiPage(EventsPage):
    """``/api/events``: a page, how many events match in all, and the filters in force."""
    count: EventCount
    filters: dict[str, Any]


class InventoryPage(Inventory):
    """``/api/inventory``: the inventory, from ``offset`` on."""
    offset: int


class ForgottenByOwner(Forgotten):
    """``/api/forgotten``: forgotten, with the resources' count and monthly cost per owner (no ``groups``)."""
    by_owner: list[CostGroup]
