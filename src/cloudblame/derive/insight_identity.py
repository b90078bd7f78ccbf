"""Hygiene insights about identities (cloudblame.derive.insight_hygiene): the root user's calls, console
sign-ins without MFA, long-lived access keys made. Read from the new events (their raw records for what only
the record says: MFAUsed, the sign-in's outcome, whose key), set-based."""

from __future__ import annotations

from cloudblame.derive.insight_common import HUMAN_OF_EVENT, SESSION_JOIN, insight_id_sql
from cloudblame.derive.insight_hygiene import (
    SOURCE,
    Findings,
    by_activity_sql,
    details_sql,
    people_sql,
    point_events,
    when_sql,
)

# --- root-use

# A call of the root user; what AWS does as root on its own (invokedBy a service: Auto Scaling, support...)
# is left out, the console's calls for a person signed in as root (sign-in, the console's backends) are not.
ROOT_CALL = "e.identity_type = 'Root' AND (e.invoked_by IS NULL OR e.tool = 'console')"
ROOT_ID = insight_id_sql("'root-use'", "{g}.account_id", "strftime({g}.hour, '%Y-%m-%d') || 'T' || strftime({g}.hour, '%H')")
_NAMES = "array_to_string(g.names[1:5], ', ') || CASE WHEN array_length(g.names) > 5 THEN ', ...' ELSE '' END"


def _root_groups_sql(source: str, touched: str) -> str:
    """SQL: the root calls of the touched (account, hour)s, one row each."""
    return f"""
SELECT e.account_id, date_trunc('hour', e.event_time) AS hour, min(e.event_time) AS first, max(e.event_time) AS last,
       count(*) AS calls, count(*) FILTER (WHERE e.error_code IS NOT NULL) AS errors,
       CASE WHEN count(DISTINCT e.aws_region) = 1 THEN any_value(e.aws_region) END AS region,
       CASE WHEN count(DISTINCT e.event_name) = 1 THEN any_value(e.event_source) END AS event_source,
       CASE WHEN count(DISTINCT e.event_name) = 1 THEN any_value(e.event_name) END AS event_name,
       list_sort(list_distinct(list(e.event_name))) AS names, list(e.event_id ORDER BY e.event_time, e.event_id)[1:100] AS ids,
       list({HUMAN_OF_EVENT}) AS humans, {by_activity_sql("e.principal")} AS principals
FROM {source} e JOIN {touched} k ON k.account_id = e.account_id AND k.hour = date_trunc('hour', e.event_time)
{SESSION_JOIN}
WHERE {ROOT_CALL} GROUP BY e.account_id, date_trunc('hour', e.event_time)"""


def _root_rows_sql(source: str, touched: str) -> str:
    calls = "g.calls || CASE WHEN g.calls = 1 THEN ' call' ELSE ' calls' END"
    failed = "CASE WHEN g.errors > 0 THEN ', ' || g.errors || ' of them failed' ELSE '' END"
    reason = ("'the root user made ' || " + calls + " || " + failed + " || '; root can do anything, no IAM policy "
              "limits it, and AWS advises using it only for the few tasks that need it'")
    return f"""
SELECT {ROOT_ID.format(g="g")} AS insight_id, 'root-use' AS kind, '{SOURCE}' AS source, 'high' AS severity, g.account_id,
       g.region AS aws_region, g.first AS start_time, g.last AS end_time, g.event_source, g.event_name,
       to_json(list_sort(list_distinct(g.humans)))::VARCHAR AS people,
       'root user of ' || g.account_id || ' made ' || {calls} || ' (' || {_NAMES} || ') from ' || {when_sql("g.first")} AS summary,
       {details_sql(event_ids="g.ids", principals="g.principals", reason=reason)} AS details
FROM ({_root_groups_sql(source, touched)}) g"""


def find_root_use(f: Findings) -> None:
    """``root-use``: the root user's calls, one insight per account and UTC hour (high)."""
    hours = f"SELECT DISTINCT e.account_id, date_trunc('hour', e.event_time) AS hour FROM {f.rows} e WHERE {ROOT_CALL}"
    with f.store.temp_table(hours) as touched:
        if not f.store.scalar(f"SELECT count(*) FROM {touched}"):
            return
        source = f.events_of_days(f"SELECT DISTINCT hour::DATE FROM {touched}")
        f.drop(f"SELECT {ROOT_ID.format(g='k')} FROM {touched} k")
        f.add(_root_rows_sql(source, touched))


# --- console-login-without-mfa

# A successful password sign-in (an IAM user's or root's: a federated or SSO sign-in is an AssumedRole one,
# its MFA is the identity provider's) whose record says no MFA was used.
LOGIN_WHERE = ("e.event_source = 'signin.amazonaws.com' AND e.event_name = 'ConsoleLogin' AND e.error_code IS NULL "
               "AND e.identity_type IN ('IAMUser', 'Root')")
LOGIN_RAW_WHERE = ("json_extract_string(e.raw, '$.responseElements.ConsoleLogin') = 'Success' "
                   "AND json_extract_string(e.raw, '$.additionalEventData.MFAUsed') = 'No'")


def _login_rows_sql(subject: str) -> str:
    who = "CASE WHEN e.identity_type = 'Root' THEN 'root user of ' || e.account_id ELSE coalesce(e.human, e.user_name) END"
    reason = ("'a console sign-in with a password alone (additionalEventData.MFAUsed = No) by ' || "
              "CASE WHEN e.identity_type = 'Root' THEN 'the root user' ELSE 'an IAM user' END || "
              "': whoever has the password has the account'")
    return f"""
SELECT {insight_id_sql("'console-login-without-mfa'", "e.event_id")} AS insight_id, 'console-login-without-mfa' AS kind,
       '{SOURCE}' AS source, CASE WHEN e.identity_type = 'Root' THEN 'high' ELSE 'medium' END AS severity,
       e.account_id, e.aws_region, e.event_time AS start_time, e.event_time AS end_time, e.event_source, e.event_name,
       {people_sql("e.human")} AS people,
       {who} || ' signed in to the console without MFA' || coalesce(' from ' || e.source_ip, '') AS summary,
       {details_sql(event_ids="list_value(e.event_id)", principals="list_value(e.principal)", reason=reason)} AS details
FROM {subject} e WHERE {LOGIN_RAW_WHERE}"""


def find_logins_without_mfa(f: Findings) -> None:
    """``console-login-without-mfa``: one insight per sign-in (high for root, medium for an IAM user)."""
    with point_events(f, LOGIN_WHERE, ("console-login-without-mfa",)) as subject:
        f.drop(f"SELECT {insight_id_sql(repr('console-login-without-mfa'), 'event_id')} FROM {subject}")
        f.add(_login_rows_sql(subject))


# --- access-key-created

KEY_WHERE = "e.event_source = 'iam.amazonaws.com' AND e.event_name = 'CreateAccessKey' AND e.error_code IS NULL"
# Whose key it is: the user the response (or request) names; none named: the caller's own (root's, when root
# called). ``for_root``: a key of the root user itself; ``own``: the caller made a key for themselves.
_KEYS_SQL = """
SELECT k.*, CASE WHEN k.for_root THEN k.actor ELSE k.target END AS owner,
       NOT k.for_root AND (coalesce(k.target = k.human, false)
           OR coalesce(k.identity_type = 'IAMUser' AND k.user_name = k.target, false)) AS own
FROM (SELECT e.*, coalesce(json_extract_string(e.raw, '$.responseElements.accessKey.userName'), json_extract_string(e.raw, '$.requestParameters.userName'),
                           CASE WHEN e.identity_type = 'IAMUser' THEN e.user_name END) AS target,
             coalesce(e.identity_type = 'Root', false) AND json_extract_string(e.raw, '$.responseElements.accessKey.userName') IS NULL
                 AND json_extract_string(e.raw, '$.requestParameters.userName') IS NULL AS for_root,
             json_extract_string(e.raw, '$.responseElements.accessKey.accessKeyId') AS new_key
      FROM {subject} e) k"""


def _key_rows_sql(subject: str) -> str:
    whose = ("CASE WHEN k.for_root THEN 'the root user of ' || k.account_id WHEN k.own THEN 'themselves (' || k.target || ')' "
             "ELSE coalesce('IAM user ' || k.target, 'an unknown user') END")
    reason = ("'a long-lived access key (it never expires) for ' || " + whose + " || CASE WHEN k.for_root "
              "THEN ': a root key can do anything' WHEN NOT k.own THEN ', made by someone else: a way to keep "
              "access as another user' ELSE '' END")
    return f"""
SELECT {insight_id_sql("'access-key-created'", "k.event_id")} AS insight_id, 'access-key-created' AS kind,
       '{SOURCE}' AS source, CASE WHEN k.for_root OR NOT k.own THEN 'high' ELSE 'medium' END AS severity,
       k.account_id, k.aws_region, k.event_time AS start_time, k.event_time AS end_time, k.event_source, k.event_name,
       {people_sql("k.owner", "k.human")} AS people,
       coalesce(k.human, k.principal, 'someone') || ' created access key ' || coalesce(k.new_key || ' ', '') || 'for '
           || {whose} AS summary,
       {details_sql(event_ids="list_value(k.event_id)", principals="list_value(k.principal)", reason=reason)} AS details
FROM ({_KEYS_SQL.format(subject=subject)}) k"""


def find_access_keys(f: Findings) -> None:
    """``access-key-created``: one insight per key (medium for one's own; high for root's or another user's)."""
    with point_events(f, KEY_WHERE, ("access-key-created",)) as subject:
        f.drop(f"SELECT {insight_id_sql(repr('access-key-created'), 'event_id')} FROM {subject}")
        f.add(_key_rows_sql(subject))
