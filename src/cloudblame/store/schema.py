"""Schema of the store. Bump SCHEMA_VERSION and add a migration whenever it changes."""

from __future__ import annotations

SCHEMA_VERSION = 8

# eventID is unique by construction (the writer skips ids already stored) rather than by an index:
# an index over millions of ids costs ~140 bytes and a random write per event. The raw record is
# zstd-compressed, so the store stays near the size of the gzip trail files.
_EVENTS_V6_COLUMNS = """(
    event_id VARCHAR NOT NULL,
    event_time TIMESTAMP NOT NULL,
    event_source VARCHAR NOT NULL,
    event_name VARCHAR NOT NULL,
    aws_region VARCHAR,
    account_id VARCHAR,
    read_only BOOLEAN,
    error_code VARCHAR,
    error_message VARCHAR,
    source_ip VARCHAR,
    user_agent VARCHAR,
    event_type VARCHAR,
    event_category VARCHAR,
    event_version VARCHAR,
    api_version VARCHAR,
    shared_event_id VARCHAR,
    identity_type VARCHAR,
    principal VARCHAR,
    principal_id VARCHAR,
    principal_account VARCHAR,
    user_name VARCHAR,
    access_key_id VARCHAR,
    session_name VARCHAR,
    session_issuer_arn VARCHAR,
    session_issuer_name VARCHAR,
    source_identity VARCHAR,
    invoked_by VARCHAR,
    session_created TIMESTAMP,
    actor VARCHAR,
    actor_kind VARCHAR,
    actor_confidence VARCHAR,
    tool VARCHAR,
    tool_version VARCHAR,
    org_id VARCHAR,
    origin VARCHAR,
    raw VARCHAR NOT NULL USING COMPRESSION zstd
)"""
# resolved_human/resolved_kind: the human (and kind) identity resolution found behind the event's
# session (store/identity.py), NULL where it found none and the event's own actor stands. A column,
# not a join: filtering 10M events by person through a join to session_actors took ~700 ms, ~30 without.
def _plus(columns: str, *more: str) -> str:
    """A ``(...)`` column list with ``more`` column definitions added at its end."""
    return columns[:-1].rstrip() + "".join(f",\n    {c}" for c in more) + "\n)"


EVENTS_COLUMNS = _plus(_EVENTS_V6_COLUMNS, "resolved_human VARCHAR", "resolved_kind VARCHAR")
EVENTS = "CREATE TABLE IF NOT EXISTS events " + EVENTS_COLUMNS

# One row per (event, resource touched); event fields copied in so a resource's timeline is one scan.
EVENT_RESOURCES = """
CREATE TABLE IF NOT EXISTS event_resources (
    event_id VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    resource_type VARCHAR,
    arn VARCHAR,
    name VARCHAR,
    action VARCHAR NOT NULL,
    via VARCHAR NOT NULL,
    event_time TIMESTAMP NOT NULL,
    event_name VARCHAR NOT NULL,
    account_id VARCHAR,
    aws_region VARCHAR,
    failed BOOLEAN NOT NULL
)"""

INGESTED_FILES = """
CREATE TABLE IF NOT EXISTS ingested_files (
    path VARCHAR PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    shape VARCHAR,
    records INTEGER NOT NULL,
    skipped_reason VARCHAR,
    ingested_at TIMESTAMP NOT NULL,
    etag VARCHAR
)"""

# Credential-issuing events (STS, IAM Identity Center, CreateAccessKey): the chain walk's edges.
CREDENTIALS = """
CREATE TABLE IF NOT EXISTS credentials (
    event_id VARCHAR NOT NULL,
    event_time TIMESTAMP NOT NULL,
    event_name VARCHAR NOT NULL,
    account_id VARCHAR,
    aws_region VARCHAR,
    shared_event_id VARCHAR,
    issued_key VARCHAR,
    assumed_arn VARCHAR,
    role_arn VARCHAR,
    session_name VARCHAR,
    source_identity VARCHAR,
    subject VARCHAR,
    provider VARCHAR,
    owner VARCHAR
)"""

# The human behind each session (access key + principal), derived from events and credentials by
# store/identity.py after every ingest; chain is JSON (the hops from the human to the session).
SESSION_ACTORS = """
CREATE TABLE IF NOT EXISTS session_actors (
    access_key_id VARCHAR,
    principal VARCHAR,
    human VARCHAR,
    kind VARCHAR,
    confidence VARCHAR,
    chain VARCHAR
)"""

# One row per resource, derived from the events by store/lifecycle.py after every ingest.
RESOURCES_COLUMNS = """(
    resource_type VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    account_id VARCHAR,
    region VARCHAR,
    arn VARCHAR,
    name VARCHAR,
    first_seen TIMESTAMP,
    created_time TIMESTAMP,
    created_event_id VARCHAR,
    created_by VARCHAR,
    created_tool VARCHAR,
    creator_known BOOLEAN,
    deleted_time TIMESTAMP,
    deleted_event_id VARCHAR,
    deleted_by VARCHAR,
    last_time TIMESTAMP,
    last_event VARCHAR,
    last_actor VARCHAR,
    last_modifier VARCHAR,
    events BIGINT,
    alive BOOLEAN
)"""
RESOURCES = "\nCREATE TABLE IF NOT EXISTS resources " + RESOURCES_COLUMNS
RESOURCE_COLUMN_NAMES = tuple(line.split()[0] for line in RESOURCES_COLUMNS.strip("()\n").splitlines())

# Every spelling a resource is looked up by (its id, ARN and names, lower-cased) -> the resource, sorted
# by key: `blame NAME` finds its candidates by zone maps instead of scanning event_resources. Rebuilt
# with the resources table. (event_resources itself is kept clustered by resource_id: lifecycle.py.)
RESOURCE_KEYS = """
CREATE TABLE IF NOT EXISTS resource_keys (
    key VARCHAR NOT NULL,
    resource_type VARCHAR,
    resource_id VARCHAR NOT NULL,
    account_id VARCHAR
)"""

# The alive resources (their resources row) with what their events say beyond the lifecycle: tags, size,
# cost, purpose, the person behind a service that created them; derived in Python by queries/details.py
# after every ingest. ``evidence`` (a hash of the resources row) and ``prices`` (the price table's
# version) say what a row was derived from, so rows gone stale are derived again. JSON as text.
INVENTORY = "CREATE TABLE IF NOT EXISTS inventory " + _plus(
    RESOURCES_COLUMNS, "evidence UBIGINT NOT NULL", "prices VARCHAR NOT NULL", "delegated BOOLEAN NOT NULL",
    "creator VARCHAR", "creator_tool VARCHAR", "creator_via VARCHAR", "owner VARCHAR", "name_tag VARCHAR",
    "tags VARCHAR", "size VARCHAR", "purpose VARCHAR", "usd_per_month DOUBLE", "cost_basis VARCHAR")

# Every name a caller goes by, with the span and count of its calls: role 'actor' for the human (or
# service) behind the calls, 'user_name' for the user or session name in the records. Rebuilt with
# resources; `events --username` finds a name's exact spellings and time span here before it scans.
# access_keys: how many distinct access keys an actor's calls used (NULL for user_name rows).
_IDENTITY_NAMES_V7 = """
CREATE TABLE IF NOT EXISTS identity_names (
    name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    first_time TIMESTAMP,
    last_time TIMESTAMP,
    events BIGINT
)"""
IDENTITY_NAMES = _plus(_IDENTITY_NAMES_V7, "access_keys BIGINT")

# Calls per UTC day, resolved person (and kind) and tool, with the resources those calls created:
# what the home page and the people index add up, rebuilt with resources (summing the events
# themselves took ~1 s per page at 10M events).
ACTIVITY = """
CREATE TABLE IF NOT EXISTS activity (
    day DATE NOT NULL,
    human VARCHAR,
    kind VARCHAR,
    tool VARCHAR,
    events BIGINT NOT NULL,
    writes BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    first_time TIMESTAMP,
    last_time TIMESTAMP,
    created BIGINT NOT NULL
)"""

META = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"

CREATE = (META, EVENTS, EVENT_RESOURCES, INGESTED_FILES, CREDENTIALS, SESSION_ACTORS, RESOURCES, RESOURCE_KEYS,
          INVENTORY, IDENTITY_NAMES, ACTIVITY)

# The events table as version 5 made it (version 6 dropped request_id): migrations stay what they were.
_EVENTS_V5_COLUMNS = _EVENTS_V6_COLUMNS.replace("    shared_event_id VARCHAR,",
                                            "    request_id VARCHAR,\n    shared_event_id VARCHAR,")

# Migrations from version N to N+1: SQL statements, run in one transaction. Tables a later step
# derives from the raw records (credentials) are rebuilt by the library after migrating.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "ALTER TABLE events ADD COLUMN session_created TIMESTAMP",
        "UPDATE events SET session_created = TRY_CAST(json_extract_string(raw, "
        "'$.userIdentity.sessionContext.attributes.creationDate') AS TIMESTAMP)",
        CREDENTIALS,
        SESSION_ACTORS,
    ),
    2: ("ALTER TABLE ingested_files ADD COLUMN etag VARCHAR",),
    3: (RESOURCES,),
    4: (
        "CREATE TABLE events_v5 " + _EVENTS_V5_COLUMNS,
        "INSERT INTO events_v5 BY NAME SELECT * FROM events ORDER BY event_time",
        "DROP TABLE events",
        "ALTER TABLE events_v5 RENAME TO events",
    ),
    # requestID is read from the raw record where it is shown: as a column it was ~10% of the store.
    5: (RESOURCE_KEYS, "ALTER TABLE events DROP COLUMN request_id"),
    6: ("ALTER TABLE events ADD COLUMN resolved_human VARCHAR", "ALTER TABLE events ADD COLUMN resolved_kind VARCHAR",
        INVENTORY, _IDENTITY_NAMES_V7),
    7: (ACTIVITY, "ALTER TABLE identity_names ADD COLUMN access_keys BIGINT"),
}
# Versions whose migration needs derived tables rebuilt from the raw records.
REBUILD_AFTER = {1: ("credentials",), 3: ("resources",), 5: ("resources",), 6: ("sessions",), 7: ("resources",)}
