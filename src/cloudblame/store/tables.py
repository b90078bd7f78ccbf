"""The store's tables: one declaration each (columns, partitioning, sort order, what it holds).

A store is a directory of Delta Lake tables (docs/store.md). ``events`` is the one table ingest appends
to; every other table is derived from it when new events are published (cloudblame.derive), except
``objects`` (the ledger of what was read) and ``snapshots`` (which versions of the tables belong together).
Bump SCHEMA_VERSION whenever a declaration changes in a way an existing store cannot be read with, or a
derived table's meaning changes (then raise DERIVED_AGAIN_BELOW with it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from cloudblame.normalize.batch import EVENT_SCHEMA
from cloudblame.normalize.bill import BILL_LINE_SCHEMA
from cloudblame.normalize.useragent import CONSOLE_BACKENDS

# Versions 1-8 were the single-file DuckDB store (cloudblame migrate reads them). 10: a resource is alive only
# when a successful call proved it exists (a store of 9 has its resources derived again on its next publish).
# 11: insights (api_minutes, hot_minutes, event_hours, creations, insights), derived from all events once.
SCHEMA_VERSION = 11
DERIVED_AGAIN_BELOW = 11  # a store published by an older schema than this has its resources derived again

_S, _T, _B, _I, _F = pa.string(), pa.timestamp("us"), pa.bool_(), pa.int64(), pa.float64()


@dataclass(frozen=True)
class Table:
    """One Delta table of the store."""

    name: str  # its folder under the store, and its name in SQL
    schema: pa.Schema  # the columns as stored in its data files
    doc: str
    partition_by: tuple[str, ...] = ()  # Delta partition columns (in the log, not in the data files)
    sort_by: tuple[str, ...] = ()  # the order of rows within a data file (writers and compaction keep it)
    kind: str = "derived"  # base | derived | ledger

    @property
    def delta_schema(self) -> pa.Schema:
        """The table's schema as Delta declares it: the data files' columns plus the partition columns."""
        extra = [pa.field(c, _PARTITION_TYPES[c]) for c in self.partition_by if c not in self.schema.names]
        return pa.schema(list(self.schema) + extra)


_PARTITION_TYPES = {"event_date": pa.date32()}


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(list(columns))


EVENTS = Table(
    "events", EVENT_SCHEMA,
    "One row per unique CloudTrail event (eventID): the columns queries filter and show, the raw record "
    "exactly as it was delivered (raw, zstd-compressed), and what normalization found nested in it: "
    "the resources it touched (resources) and the credentials it issued (credential).",
    partition_by=("event_date",), sort_by=("account_id", "aws_region", "principal", "event_time", "event_id"),
    kind="base")  # within each hour (cloudblame.pipeline.workers.sort_events)

EVENT_RESOURCES = Table("event_resources", _schema(
    ("resource_id", _S), ("resource_type", _S), ("account_id", _S), ("arn", _S), ("name", _S), ("action", _S),
    ("via", _S), ("event_id", _S), ("event_time", _T), ("event_name", _S), ("aws_region", _S), ("failed", _B),
    ("access_key_id", _S), ("principal", _S), ("actor", _S), ("actor_kind", _S), ("tool", _S)),
    "One row per (event, resource it touched), from events.resources, with the event's fields a "
    "resource's timeline and lifecycle need (the caller's own identity: resolved through session_actors). "
    "Sorted by resource: a resource's rows are a row group or two.",
    sort_by=("resource_id", "event_time", "event_id"))

CREDENTIALS = Table("credentials", _schema(
    ("event_id", _S), ("event_time", _T), ("event_name", _S), ("account_id", _S), ("aws_region", _S),
    ("shared_event_id", _S), ("issued_key", _S), ("assumed_arn", _S), ("role_arn", _S), ("session_name", _S),
    ("source_identity", _S), ("subject", _S), ("provider", _S), ("owner", _S),
    ("caller_key", _S), ("caller_principal", _S), ("caller_actor", _S), ("caller_kind", _S),
    ("caller_confidence", _S), ("caller_identity_type", _S)),
    "Credential-issuing events (STS, IAM Identity Center, CreateAccessKey) with their caller: the edges "
    "the identity walk follows from a session to the human behind it.",
    sort_by=("issued_key", "event_time"))

SESSION_KEYS = Table("session_keys", _schema(
    ("access_key_id", _S), ("principal", _S), ("created", _T), ("first_time", _T), ("first_event_id", _S),
    ("account_id", _S), ("own_actor", _S), ("own_kind", _S)),
    "Every session (access key and principal) whose calls do not name their human on their own: what the "
    "identity walk resolves. own_* are its first call's own answer.",
    sort_by=("access_key_id", "principal"))

SESSION_ACTORS = Table("session_actors", _schema(
    ("access_key_id", _S), ("principal", _S), ("human", _S), ("kind", _S), ("confidence", _S), ("chain", _S)),
    "The human behind each session of session_keys that the walk through credentials resolved; chain is "
    "JSON: the hops from the human to the session.",
    sort_by=("access_key_id", "principal"))

CONSOLE_SESSIONS = Table("console_sessions", _schema(
    ("access_key_id", _S), ("principal", _S), ("first_time", _T), ("last_time", _T)),
    "Every session (access key and principal) someone signed in to the console with: a call of it that an "
    "AWS-internal agent made (another service's console, 'AWS Internal') is that person's console work; "
    "first and last time span its calls known to be the console's.",
    sort_by=("access_key_id", "principal"))
def session_tool(row: str, cs: str) -> str:
    """The tool of call ``row`` as SQL: ``console`` for an AWS-internal agent's call of a console session
    (``cs``: console_sessions, left-joined on the session), else the tool its agent says."""
    backends = ", ".join(f"'{t}'" for t in CONSOLE_BACKENDS)
    return f"CASE WHEN {cs}.access_key_id IS NOT NULL AND {row}.tool IN ({backends}) THEN 'console' ELSE {row}.tool END"


def console_join(row: str, cs: str) -> str:
    """``LEFT JOIN console_sessions {cs}`` on the session of ``row``."""
    return (f"LEFT JOIN console_sessions {cs} ON {cs}.access_key_id = {row}.access_key_id "
            f"AND {cs}.principal = {row}.principal")


RESOURCE_COLUMNS = (
    ("resource_type", _S), ("resource_id", _S), ("account_id", _S), ("region", _S), ("arn", _S), ("name", _S),
    ("first_seen", _T), ("created_time", _T), ("created_event_id", _S), ("created_by", _S), ("created_tool", _S),
    ("creator_known", _B), ("deleted_time", _T), ("deleted_event_id", _S), ("deleted_by", _S), ("last_time", _T),
    ("last_event", _S), ("last_actor", _S), ("last_modifier", _S), ("events", _I), ("alive", _B))
RESOURCE_COLUMN_NAMES = tuple(name for name, _ in RESOURCE_COLUMNS)
RESOURCE_KEY = ("resource_type", "resource_id", "account_id")  # what names one resource (no account: NULL)


def same_resource(a: str, b: str) -> str:
    """SQL: the rows aliased ``a`` and ``b`` name the same resource (RESOURCE_KEY, NULL accounts equal)."""
    return (f"{a}.resource_type = {b}.resource_type AND {a}.resource_id = {b}.resource_id "
            f"AND {a}.account_id IS NOT DISTINCT FROM {b}.account_id")

RESOURCES = Table("resources", _schema(*RESOURCE_COLUMNS),
                  "One row per resource (type, id, account): where it lives, the current incarnation's "
                  "creation and deletion, its last activity, how many events touched it.",
                  sort_by=("resource_id", "resource_type", "account_id"))

RESOURCE_KEYS = Table("resource_keys", _schema(
    ("key", _S), ("resource_type", _S), ("resource_id", _S), ("account_id", _S)),
    "Every spelling a resource is looked up by (its id, ARN and names, lower-cased), sorted by spelling.",
    sort_by=("key",))

INVENTORY = Table("inventory", _schema(
    *RESOURCE_COLUMNS, ("evidence", _I), ("prices", _S), ("delegated", _B), ("creator", _S),
    ("creator_tool", _S), ("creator_via", _S), ("owner", _S), ("name_tag", _S), ("tags", _S), ("size", _S),
    ("purpose", _S), ("usd_per_month", _F), ("cost_basis", _S)),
    "The alive resources with what their events say beyond the lifecycle: tags, size, cost, purpose, the "
    "person behind a service that created them (JSON as text). evidence (a hash of the resources row) and "
    "prices (the price table's version) say what a row was derived from.",
    sort_by=("resource_id",))

CALLS = Table("calls", _schema(
    ("day", pa.date32()), ("access_key_id", _S), ("principal", _S), ("actor", _S), ("actor_kind", _S),
    ("user_name", _S), ("tool", _S), ("events", _I), ("writes", _I), ("errors", _I), ("first_time", _T),
    ("last_time", _T), ("created", _I)),
    "Calls per UTC day, session (access key, principal, the caller's own answer), user name and tool, with "
    "the resources those calls created: added to as events arrive, whoever the sessions turn out to be.",
    sort_by=("day", "actor"))

ACTIVITY = Table("activity", _schema(
    ("day", pa.date32()), ("human", _S), ("kind", _S), ("tool", _S), ("events", _I), ("writes", _I),
    ("errors", _I), ("first_time", _T), ("last_time", _T), ("created", _I)),
    "Calls per UTC day, resolved person (and kind) and tool: calls with each session's human.",
    sort_by=("day", "human", "tool"))

IDENTITY_NAMES = Table("identity_names", _schema(
    ("name", _S), ("role", _S), ("first_time", _T), ("last_time", _T), ("events", _I), ("access_keys", _I)),
    "Every name a caller goes by, with the span and count of its calls: role 'actor' for the human (or "
    "service) behind the calls, 'user_name' for the user or session name in the records.",
    sort_by=("name", "role"))

API_MINUTES = Table("api_minutes", _schema(
    ("account_id", _S), ("aws_region", _S), ("event_source", _S), ("event_name", _S), ("minute", _T),
    ("calls", _I), ("errors", _I)),
    "Per account, region and API (event source and name), the minutes it was called in: write management calls "
    "(calls: the call-rate series) and calls that failed, read or write, throttling left out (errors: the "
    "error-rate series). A minute that is not here had none (the series are zero-filled by reading them).",
    sort_by=("event_source", "event_name", "account_id", "aws_region", "minute"))

HOT_MINUTES = Table("hot_minutes", _schema(
    ("account_id", _S), ("aws_region", _S), ("event_source", _S), ("event_name", _S), ("series", _S),
    ("minute", _T), ("count", _I), ("baseline", _F), ("baseline_minutes", _I), ("thresholds", _S)),
    "The minutes of api_minutes whose count departs from the API's baseline (the mean per minute over the "
    "covered minutes of the 7 days before: baseline_minutes) beyond the thresholds (series: calls or errors): "
    "what rate insights are made of. thresholds: a digest of the thresholds they were found with, also held by "
    "one row without key, series or minute (so it is known when no minute is hot).",
    sort_by=("event_source", "event_name", "account_id", "aws_region", "series", "minute"))

EVENT_HOURS = Table("event_hours", _schema(
    ("account_id", _S), ("aws_region", _S), ("hour", _T), ("events", _I), ("first_time", _T), ("last_time", _T)),
    "Events per account, region and UTC hour, with the first and last event's time: what the store covers "
    "(warm-up of baselines, logging gaps, regions used).",
    sort_by=("account_id", "aws_region", "hour"))

CREATIONS = Table("creations", _schema(
    ("resource_type", _S), ("resource_id", _S), ("account_id", _S), ("aws_region", _S), ("created_time", _T),
    ("event_id", _S), ("access_key_id", _S), ("principal", _S), ("actor", _S), ("tool", _S), ("size", _S),
    ("usd_per_month", _F), ("expensive", _S), ("thresholds", _S)),
    "Every successful creation of a resource type the catalog knows, priced when it was created (size as "
    "JSON, the list price per month; NULL: no price) and why it is expensive (NULL: it is not); thresholds: a "
    "digest of the cost thresholds it was judged with (judged again when they change).",
    sort_by=("created_time", "resource_id"))

INSIGHTS = Table("insights", _schema(
    ("insight_id", _S), ("kind", _S), ("source", _S), ("severity", _S), ("account_id", _S), ("aws_region", _S),
    ("start_time", _T), ("end_time", _T), ("event_source", _S), ("event_name", _S), ("error_code", _S),
    ("people", _S), ("summary", _S), ("monthly_cost_added", _F), ("baseline", _F), ("value", _F),
    ("duration_minutes", _I), ("details", _S)),
    "Unusual activity: call-rate and error-rate insights (ours, source 'cloudblame', and AWS's, source 'aws'), "
    "cost bursts and hygiene findings; people (JSON list) are the humans behind it, details (JSON) its "
    "statistics, attributions, resources and events.",
    sort_by=("start_time", "insight_id"))

BILL_LINES = Table(
    "bill_lines", BILL_LINE_SCHEMA,
    "The imported AWS bill (`cloudblame costs import`: CUR 2.0, legacy CUR, FOCUS), one row per line item as "
    "the export gives it: billing period (its start date), usage span, the resource id as the bill names it "
    "(NULL for tax, support, most data transfer), usage account, region, service (product code), usage type, "
    "line item type (FOCUS: charge category), the cost the invoice charges (unblended cost, FOCUS BilledCost) "
    "in its currency, and the file it came from (importing a file again replaces its lines).",
    sort_by=("period", "usage_account_id", "bill_resource_id"), kind="base")

BILL_COSTS = Table("bill_costs", _schema(
    ("period", pa.date32()), ("usage_account_id", _S), ("region", _S), ("bill_resource_id", _S), ("service", _S),
    ("usage_type", _S), ("line_item_type", _S), ("currency", _S), ("cost", _F), ("lines", _I),
    ("usage_start", _T), ("usage_end", _T), ("resource_type", _S), ("resource_id", _S), ("account_id", _S)),
    "bill_lines summed per period, account, region, billed resource id, service, usage type, line item type "
    "and currency, with the resource the id names (resource_type, resource_id, account_id through "
    "resource_keys; NULL: none known, so the cost is unattributed). Derived again for a period when its lines "
    "change, and matched again when new resources (or spellings of them) arrive.",
    sort_by=("period", "bill_resource_id"))

ACTUAL_COSTS = Table("actual_costs", _schema(
    ("resource_type", _S), ("resource_id", _S), ("account_id", _S), ("period", pa.date32()), ("usd", _F),
    ("lines", _I), ("usage_start", _T), ("usage_end", _T)),
    "What the bill charged each known resource per billing period, in USD (the bill_costs matched to it, "
    "summed): the actual cost inventory shows beside the estimate (that of the latest period imported).",
    sort_by=("resource_id", "period"))

USAGE_EVIDENCE = Table("usage_evidence", _schema(
    ("resource_type", _S), ("resource_id", _S), ("account_id", _S), ("region", _S), ("namespace", _S), ("metric", _S),
    ("statistic", _S), ("dimensions", _S), ("value", _F), ("datapoints", _I), ("used_above", _F),
    ("window_start", _T), ("window_end", _T), ("read_at", _T), ("verdict", _S)),
    "What CloudWatch said of a resource's use (`forgotten --metrics`, `blame --metrics`): one row per resource and "
    "metric its type declares (catalog usage) per reading, with the statistic's value over the window (NULL: "
    "CloudWatch had no data; datapoints: the days it had), the threshold it was judged by and the verdict (used, "
    "idle, no data). Appended by each reading and published at once; the latest reading of a resource counts.",
    sort_by=("resource_id", "read_at"), kind="base")

LIVE_STATE = Table("live_state", _schema(
    ("resource_type", _S), ("resource_id", _S), ("account_id", _S), ("region", _S), ("state", _S), ("aws_state", _S),
    ("size", _S), ("changed", _S), ("checked_at", _T), ("detail", _S)),
    "What AWS said of the store's alive resources when they were described (`inventory --live`, `sync` with reconcile): "
    "one row per resource per check, its state (present, stopped, resized, gone: not there though no delete event "
    "was stored, unknown: the describe failed), AWS's own state word, the size dimensions it gave and those that "
    "differ from the events' (JSON), and what went wrong. Appended by each check and published at once; the latest "
    "check of a resource counts.",
    sort_by=("resource_id", "checked_at"), kind="base")

OBJECTS = Table("objects", _schema(
    ("path", _S), ("size", _I), ("mtime_ns", _I), ("etag", _S), ("shape", _S), ("records", _I),
    ("skipped_reason", _S), ("ingested_at", _T)),
    "The ledger: every file or object read, its rows committed to events in the same run (a later row for "
    "the same path supersedes an earlier one). Shape 'failed': it could not be read completely "
    "(skipped_reason says why); what was read of it is kept and the next ingest of its path reads it again.",
    sort_by=("path",), kind="ledger")

SNAPSHOTS = Table("snapshots", _schema(
    ("snapshot", _I), ("published_at", _T), ("schema_version", _I), ("versions", _S), ("events", _I),
    ("reason", _S)),
    "One row per published state of the store: the version of every table that belong together (JSON). "
    "Readers use the newest; everything newer in a table is not published yet.",
    sort_by=("snapshot",), kind="ledger")

TABLES: dict[str, Table] = {t.name: t for t in (
    EVENTS, EVENT_RESOURCES, CREDENTIALS, SESSION_KEYS, SESSION_ACTORS, CONSOLE_SESSIONS, RESOURCES, RESOURCE_KEYS, INVENTORY,
    CALLS, ACTIVITY, IDENTITY_NAMES, API_MINUTES, HOT_MINUTES, EVENT_HOURS, CREATIONS, INSIGHTS, BILL_LINES, BILL_COSTS,
    ACTUAL_COSTS, USAGE_EVIDENCE, LIVE_STATE, OBJECTS, SNAPSHOTS)}
DERIVED = tuple(name for name, t in TABLES.items() if t.kind == "derived")
