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
from cloudblame.normalize.useragent import CONSOLE_BACKENDS

# Versions 1-8 were the single-file DuckDB store (cloudblame migrate reads them). 10: a resource is alive only
# when a successful call proved it exists (a store of 9 has its resources derived again on its next publish).
SCHEMA_VERSION = 10
DERIVED_AGAIN_BELOW = 10  # a store published by an older schema than this has its resources derived again

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
    CALLS, ACTIVITY, IDENTITY_NAMES, OBJECTS, SNAPSHOTS)}
DERIVED = tuple(name for name, t in TABLES.items() if t.kind == "derived")
