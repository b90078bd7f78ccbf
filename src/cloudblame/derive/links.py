"""What new events add as they are: one event_resources row per resource each touched (events.resources
unnested, with the event's fields), and one credentials row per credential each issued."""

from __future__ import annotations

from cloudblame.derive.work import Work
from cloudblame.store.tables import CREDENTIALS, EVENT_RESOURCES

NEW_LINKS = """
SELECT r.resource_id, r.resource_type, e.account_id, r.arn, r.name, r.action, r.via, e.event_id, e.event_time,
       e.event_name, e.aws_region, e.error_code IS NOT NULL AS failed, e.access_key_id, e.principal, e.actor,
       e.actor_kind, e.tool
FROM (SELECT *, unnest(resources) AS r FROM new_events) e"""

NEW_CREDENTIALS = """
SELECT e.event_id, e.event_time, e.event_name, e.account_id, e.aws_region, e.shared_event_id,
       e.credential.issued_key, e.credential.assumed_arn, e.credential.role_arn, e.credential.session_name,
       e.credential.source_identity, e.credential.subject, e.credential.provider, e.credential.owner,
       e.access_key_id AS caller_key, e.principal AS caller_principal, e.actor AS caller_actor,
       e.actor_kind AS caller_kind, e.actor_confidence AS caller_confidence,
       e.identity_type AS caller_identity_type
FROM new_events e WHERE e.credential IS NOT NULL"""


def add_links(work: Work) -> None:
    work.store.define_view("new_links", NEW_LINKS)
    work.append_sql(EVENT_RESOURCES, "SELECT * FROM new_links")
    work.append_sql(CREDENTIALS, NEW_CREDENTIALS)
