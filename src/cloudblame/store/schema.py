"""Schema of the store. Bump SCHEMA_VERSION and add a migration whenever it changes."""

from __future__ import annotations

SCHEMA_VERSION = 1

EVENTS = """
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY,
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
    request_id VARCHAR,
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
    actor VARCHAR,
    actor_kind VARCHAR,
    actor_confidence VARCHAR,
    tool VARCHAR,
    tool_version VARCHAR,
    org_id VARCHAR,
    origin VARCHAR,
    raw VARCHAR NOT NULL
)"""

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
    ingested_at TIMESTAMP NOT NULL
)"""

META = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"

CREATE = (META, EVENTS, EVENT_RESOURCES, INGESTED_FILES)

# Migrations from version N to N+1: a list of statements each. Empty while there is one version.
MIGRATIONS: dict[int, tuple[str, ...]] = {}
