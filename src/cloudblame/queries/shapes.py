"""The stable JSON shapes shared by every query (actor, tool, event summary)."""

from __future__ import annotations

from cloudblame.timeutil import iso_z

# Event columns every shape below needs (select them as ``e.<col>``).
EVENT_SUMMARY_COLUMNS = (
    "event_id", "event_time", "event_source", "event_name", "aws_region", "account_id", "read_only",
    "error_code", "error_message", "source_ip", "user_agent", "identity_type", "principal", "session_name",
    "user_name", "access_key_id", "actor", "actor_kind", "actor_confidence", "tool", "tool_version",
)
EVENT_SUMMARY_SQL = ", ".join(f"e.{c}" for c in EVENT_SUMMARY_COLUMNS)


def actor_shape(row: dict) -> dict:
    return {
        "human": row.get("actor"),
        "principal": row.get("principal"),
        "identity_type": row.get("identity_type"),
        "session_name": row.get("session_name"),
    }


def tool_shape(row: dict) -> dict:
    return {"id": row.get("tool"), "version": row.get("tool_version"), "user_agent": row.get("user_agent")}


def event_summary(row: dict) -> dict:
    """The shape of one event in lists (events search, timelines' source rows)."""
    return {
        "time": iso_z(row["event_time"]),
        "event_id": row["event_id"],
        "event_source": row["event_source"],
        "event_name": row["event_name"],
        "region": row.get("aws_region"),
        "account": row.get("account_id"),
        "read_only": row.get("read_only"),
        "error_code": row.get("error_code"),
        "source_ip": row.get("source_ip"),
        "actor": actor_shape(row),
        "tool": tool_shape(row),
    }
