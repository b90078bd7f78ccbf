"""The SQL of rate insights (cloudblame.derive.insight_rates), over the work's views.

Series: per account, region and API (event source and name) and minute, ``calls`` (write management calls:
the call-rate series) and ``errors`` (failed calls, read or write, throttling left out: the error-rate
series). A minute is judged against its baseline: the mean count per covered minute of the 7 days before
it (``event_hours`` says which hours the store covers), at least 1/10080. The Poisson tail
P(X >= c | b) is bounded from above by its first term over (1 - b/(c+1)) (the terms fall at least that
fast): within 11% of the exact tail whenever c >= 10 b, and never below it, so a minute judged unlikely
is. Everything is computed in logarithms (no underflow for large counts).
"""

from __future__ import annotations

from cloudblame.derive.insight_common import HUMAN_OF_EVENT, SESSION_JOIN, insight_id_sql

# Error codes of throttling, as botocore's retry handlers know them (retries/standard.py, _retry.json): the
# SDKs retry these by themselves, so a storm of them is the client backing off (Terraform creating 40
# parameters at once), not calls being refused; counting them would raise an insight for every apply.
THROTTLING_CODES = (
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
)
# Error codes of a call refused for want of permission or of valid credentials: a storm of them is someone
# probing with a key that may not do what it tries (severity high).
ACCESS_DENIED_CODES = (
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
    "UnauthorizedException", "Unauthorized", "NotAuthorized", "NotAuthorizedException", "Forbidden",
    "ForbiddenException", "AuthorizationError", "AuthorizationErrorException", "AuthFailure",
    "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidAccessKeyId",
)
WEEK_MINUTES = 7 * 24 * 60  # the baseline window (AWS: baselineDuration 10080)
RECURRENCE_SLACK = 10  # minutes either side of the same time of day that count as "the same time"
RECURRENCE_DAYS = 2  # other days with a comparable count that make a minute a recurrence, not a burst


def fill(template: str, **names: str) -> str:
    """``template`` with each ``{name}`` replaced by the SQL text given (the templates hold other braces:
    DuckDB's struct literals and format strings)."""
    for name, text in names.items():
        template = template.replace("{" + name + "}", text)
    return template


def _texts(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{code}'" for code in codes)  # our constants: no quotes in them


def bare_code(column: str) -> str:
    """SQL: an error code without EC2's ``Client.`` / ``Server.`` prefix."""
    return f"regexp_replace({column}, '^(Client|Server)\\.', '')"


# Which series an events row ``e`` counts in.
CALL_SQL = ("coalesce(e.event_category, 'Management') = 'Management' AND NOT coalesce(e.read_only, false) "
            "AND coalesce(e.event_type, '') <> 'AwsServiceEvent'")
ERROR_SQL = (f"e.error_code IS NOT NULL AND coalesce(e.event_category, '') <> 'Insight' "
             f"AND coalesce(e.event_type, '') <> 'AwsServiceEvent' "
             f"AND {bare_code('e.error_code')} NOT IN ({_texts(THROTTLING_CODES)})")
_API = ("e.account_id IS NOT NULL AND e.aws_region IS NOT NULL AND e.event_source IS NOT NULL "
        "AND e.event_name IS NOT NULL AND e.event_time IS NOT NULL")
_KEY = "account_id, aws_region, event_source, event_name"
API_KEY = ("account_id", "aws_region", "event_source", "event_name", "minute")
HOUR_KEY = ("account_id", "aws_region", "hour")


def same_api(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{k} = {b}.{k}" for k in ("account_id", "aws_region", "event_source", "event_name"))


def series_count(alias: str, series: str) -> str:
    """SQL: the count of ``alias`` (an api_minutes row) in series ``series`` (an SQL expression)."""
    return f"CASE {series} WHEN 'calls' THEN {alias}.calls ELSE {alias}.errors END"


# --- the counts: api_minutes and event_hours of the rows {rows}

FRESH_MINUTES_SQL = f"""
SELECT e.account_id, e.aws_region, e.event_source, e.event_name, date_trunc('minute', e.event_time) AS minute,
       count(*) FILTER (WHERE {CALL_SQL}) AS calls, count(*) FILTER (WHERE {ERROR_SQL}) AS errors
FROM {{rows}} e WHERE {_API} AND (({CALL_SQL}) OR ({ERROR_SQL})) GROUP BY ALL"""
FRESH_HOURS_SQL = """
SELECT e.account_id, e.aws_region, date_trunc('hour', e.event_time) AS hour, count(*) AS events,
       min(e.event_time) AS first_time, max(e.event_time) AS last_time
FROM {rows} e WHERE e.event_time IS NOT NULL AND coalesce(e.event_category, '') <> 'Insight' GROUP BY ALL"""
# The stored rows of the minutes (hours) in {fresh}, with the fresh counts added.
MERGED_MINUTES_SQL = f"""
SELECT {_KEY}, minute, sum(calls)::BIGINT AS calls, sum(errors)::BIGINT AS errors
FROM (SELECT a.* FROM api_minutes a SEMI JOIN {{fresh}} f USING ({_KEY}, minute) UNION ALL BY NAME SELECT * FROM {{fresh}})
GROUP BY ALL"""
MERGED_HOURS_SQL = """
SELECT account_id, aws_region, hour, sum(events)::BIGINT AS events, min(first_time) AS first_time,
       max(last_time) AS last_time
FROM (SELECT h.* FROM event_hours h SEMI JOIN {fresh} f ON f.account_id IS NOT DISTINCT FROM h.account_id
        AND f.aws_region IS NOT DISTINCT FROM h.aws_region AND f.hour = h.hour
      UNION ALL BY NAME SELECT * FROM {fresh})
GROUP BY ALL"""

# --- the scope: per account and region, the minutes [lo, hi] whose verdict new events can change, and since
# when the store covers it. New events from first to last change the baseline of the 7 days after them; the
# recurrences of a young minute (under 7 days after since) are looked for on both sides of it, so they also
# change the verdict of the young minutes of the 7 days before them. Read before event_hours takes {fresh}.
NEW_SCOPE_SQL = """
WITH new AS (
    SELECT account_id, aws_region, date_trunc('minute', min(first_time)) AS first_new,
           date_trunc('minute', max(last_time)) AS last_new
    FROM {fresh} WHERE account_id IS NOT NULL AND aws_region IS NOT NULL GROUP BY ALL
), old AS (
    SELECT account_id, aws_region, date_trunc('minute', min(first_time)) AS old_since FROM event_hours GROUP BY ALL
), joined AS (
    SELECT n.*, o.old_since, least(n.first_new, o.old_since) AS since,
           n.first_new - INTERVAL 7 DAY - INTERVAL 10 MINUTE AS reach
    FROM new n LEFT JOIN old o USING (account_id, aws_region)
)
SELECT account_id, aws_region, since,
       CASE WHEN reach < since + INTERVAL 7 DAY THEN greatest(since, reach) ELSE first_new END AS lo,
       greatest(last_new, old_since) + INTERVAL 7 DAY + INTERVAL 10 MINUTE AS hi
FROM joined"""
ALL_SCOPE_SQL = """
SELECT account_id, aws_region, date_trunc('minute', min(first_time)) AS since,
       date_trunc('minute', min(first_time)) AS lo,
       date_trunc('minute', max(last_time)) + INTERVAL 7 DAY + INTERVAL 10 MINUTE AS hi
FROM event_hours WHERE account_id IS NOT NULL AND aws_region IS NOT NULL GROUP BY ALL"""

# --- hot minutes: the minutes of {scope} whose count departs from the baseline ($min_count, $multiplier,
# $log_alpha, $warmup, $digest). The sum of the 7 days before each minute is a window over the key's rows; only
# the few minutes that could be hot even over a fully covered week (count * 10080 >= multiplier * sum) have
# their covered minutes counted (from event_hours: whole hours, the first one from the first event's minute).
_COUNTED = f"""
SELECT a.account_id, a.aws_region, a.event_source, a.event_name, s.series, a.minute,
       {series_count('a', 's.series')} AS count, sc.lo, sc.hi, sc.since
FROM api_minutes a JOIN {{scope}} sc USING (account_id, aws_region)
CROSS JOIN (VALUES ('calls'), ('errors')) s(series)
WHERE a.minute >= sc.lo - INTERVAL 7 DAY AND a.minute <= sc.hi AND {series_count('a', 's.series')} > 0"""
_PRIOR = f"""
SELECT *, coalesce(sum(count) OVER (PARTITION BY {_KEY}, series ORDER BY minute
                                    RANGE BETWEEN INTERVAL 10080 MINUTE PRECEDING AND INTERVAL 1 MINUTE PRECEDING), 0) AS prior
FROM counted"""
_COVERED = """
SELECT c.account_id, c.aws_region, c.minute,
       sum(greatest(0, date_diff('minute', greatest(h.hour, c.since, c.minute - INTERVAL 7 DAY),
                                 least(h.hour + INTERVAL 1 HOUR, c.minute)))) AS minutes
FROM (SELECT DISTINCT account_id, aws_region, minute, since FROM candidates) c
JOIN event_hours h ON h.account_id = c.account_id AND h.aws_region = c.aws_region
 AND h.hour > c.minute - INTERVAL 7 DAY - INTERVAL 1 HOUR AND h.hour <= c.minute
GROUP BY ALL"""
# log P(X >= c | b) <= c ln b - b - ln c! - ln(1 - b/(c+1))
LOG_TAIL_SQL = "count * ln(baseline) - baseline - lgamma(count + 1) - ln(greatest(1 - baseline / (count + 1), 1e-300))"
_PAIRS = f"""
SELECT h.account_id, h.aws_region, h.event_source, h.event_name, h.series, h.minute, h.since,
       date_diff('minute', h.minute, a.minute) AS apart
FROM hot h JOIN api_minutes a ON {same_api('a', 'h')}
 AND a.minute BETWEEN h.minute - INTERVAL 7 DAY - INTERVAL {RECURRENCE_SLACK} MINUTE
                  AND h.minute + INTERVAL 7 DAY + INTERVAL {RECURRENCE_SLACK} MINUTE
WHERE 2 * {series_count('a', 'h.series')} >= h.count"""
# A hot minute recurs when a comparable count (at least half) fell within RECURRENCE_SLACK minutes of the same
# time of day on RECURRENCE_DAYS other days of the 7 before it (for a young minute, of the 7 either side).
_RECURRING = f"""
SELECT {_KEY}, series, minute FROM pairs
WHERE round(apart / 1440) <> 0 AND abs(apart - round(apart / 1440) * 1440) <= {RECURRENCE_SLACK}
  AND (apart < 0 OR minute < since + INTERVAL 7 DAY)
GROUP BY ALL HAVING count(DISTINCT round(apart / 1440)) >= {RECURRENCE_DAYS}"""
HOT_SQL = f"""
WITH counted AS ({_COUNTED}),
prior AS ({_PRIOR}),
candidates AS (
    SELECT * FROM prior
    WHERE minute BETWEEN lo AND hi AND count >= $min_count AND count * {WEEK_MINUTES} >= $multiplier * prior
),
covered AS ({_COVERED}),
judged AS (
    SELECT c.*, v.minutes::BIGINT AS baseline_minutes,
           greatest(c.prior / greatest(v.minutes, 1), 1 / {WEEK_MINUTES}) AS baseline
    FROM candidates c JOIN covered v USING (account_id, aws_region, minute) WHERE v.minutes >= $warmup
),
hot AS (SELECT * FROM judged WHERE count >= $multiplier * baseline AND {LOG_TAIL_SQL} < $log_alpha),
pairs AS ({_PAIRS}),
recurring AS ({_RECURRING})
SELECT {_KEY}, series, minute, count, baseline, baseline_minutes, $digest AS thresholds
FROM hot ANTI JOIN recurring USING ({_KEY}, series, minute)"""
# The stored hot minutes a recomputation of {scope} leaves (and not the row that holds the digest).
KEEP_HOT_SQL = """t.series IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {scope} sc WHERE sc.account_id = t.account_id
    AND sc.aws_region = t.aws_region AND t.minute BETWEEN sc.lo AND sc.hi)"""
MARKER_SQL = "SELECT $digest AS thresholds"
DIGEST_SQL = "SELECT any_value(thresholds) FROM hot_minutes WHERE series IS NULL"

# --- incidents: islands of hot minutes per key and series, a gap under $quiet minutes between two hot minutes
# keeping them in one. Open (no end) while the newest event of the account and region is under $quiet minutes
# after the last hot one. Value: the mean count per minute from the first hot minute to the last.
_ISLAND_MINUTES = f"""
SELECT *, sum(opens) OVER (PARTITION BY {_KEY}, series ORDER BY minute ROWS UNBOUNDED PRECEDING) AS island
FROM (SELECT t.*, CASE WHEN date_diff('minute', lag(t.minute) OVER (PARTITION BY {_KEY}, series ORDER BY t.minute),
                                      t.minute) <= $quiet THEN 0 ELSE 1 END AS opens
      FROM hot_minutes t SEMI JOIN {{scope}} sc USING (account_id, aws_region) WHERE t.series IS NOT NULL)"""
_ISLANDS = f"""
SELECT {_KEY}, series, CASE series WHEN 'calls' THEN 'api-call-rate' ELSE 'api-error-rate' END AS kind,
       min(minute) AS start_time, max(minute) AS last_minute, arg_min(baseline, minute) AS baseline,
       arg_min(baseline_minutes, minute) AS baseline_minutes, arg_min(count, minute) AS first_count
FROM island_minutes GROUP BY {_KEY}, series, island"""
_TOTALS = f"""
SELECT i.account_id, i.aws_region, i.event_source, i.event_name, i.series, i.start_time,
       sum({series_count('a', 'i.series')}) AS total
FROM islands i JOIN api_minutes a ON {same_api('a', 'i')} AND a.minute BETWEEN i.start_time AND i.last_minute
GROUP BY ALL"""
_ID = insight_id_sql("i.kind", "i.account_id", "i.aws_region", "'cloudblame'", "i.event_source", "i.event_name",
                     "strftime(i.start_time, '%Y-%m-%d') || 'T' || strftime(i.start_time, '%H:%M')")
ISLANDS_SQL = f"""
WITH island_minutes AS ({_ISLAND_MINUTES}),
islands AS ({_ISLANDS}),
totals AS ({_TOTALS}),
newest AS (SELECT account_id, aws_region, date_trunc('minute', max(last_time)) AS newest FROM event_hours GROUP BY ALL)
SELECT {_ID} AS insight_id, i.*, date_diff('minute', i.start_time, i.last_minute) + 1 AS duration_minutes,
       t.total / (date_diff('minute', i.start_time, i.last_minute) + 1) AS value,
       CASE WHEN date_diff('minute', i.last_minute, n.newest) < $quiet THEN NULL
            ELSE i.last_minute + INTERVAL 1 MINUTE END AS end_time
FROM islands i JOIN totals t USING ({_KEY}, series, start_time) JOIN newest n USING (account_id, aws_region)"""
RATE_ROWS = "t.source = 'cloudblame' AND t.kind IN ('api-call-rate', 'api-error-rate')"
_IN_SCOPE = "EXISTS (SELECT 1 FROM {scope} sc WHERE sc.account_id = t.account_id AND sc.aws_region = t.aws_region)"
# The stored rate insights of the scope's accounts and regions (kept: all but these).
KEEP_INSIGHTS_SQL = f"NOT ({RATE_ROWS} AND {_IN_SCOPE})"
# The incidents whose stored row does not say the same (all of them with $again).
CHANGED_SQL = f"""
SELECT i.* FROM {{islands}} i WHERE $again OR NOT EXISTS (
    SELECT 1 FROM insights t WHERE {RATE_ROWS} AND t.insight_id = i.insight_id AND t.kind = i.kind
       AND t.end_time IS NOT DISTINCT FROM i.end_time AND t.value = i.value AND t.baseline = i.baseline
       AND t.duration_minutes = i.duration_minutes)"""
UNCHANGED_SQL = f"""
SELECT t.* FROM insights t WHERE {RATE_ROWS}
   AND t.insight_id IN (SELECT insight_id FROM {{islands}}) AND t.insight_id NOT IN (SELECT insight_id FROM {{changed}})"""
STALE_SQL = f"""
SELECT count(*) FROM insights t WHERE {RATE_ROWS} AND {_IN_SCOPE}
   AND t.insight_id NOT IN (SELECT insight_id FROM {{islands}})"""

# --- what each changed incident stands on: its events (of its series, over its baseline window and itself),
# read from the days $low to $high alone ({events}: a FROM text of those days' files).
_EVENTS = f"""
SELECT c.insight_id, c.series, e.event_time >= c.start_time AS inside, e.principal, e.user_agent, e.error_code,
       {HUMAN_OF_EVENT} AS human
FROM {{changed}} c
JOIN {{events}} e ON {same_api('e', 'c')} AND e.event_time >= c.start_time - INTERVAL 7 DAY
 AND e.event_time < c.last_minute + INTERVAL 1 MINUTE
{SESSION_JOIN}
WHERE e.event_time >= $low AND e.event_time < $high
  AND CASE c.series WHEN 'calls' THEN {CALL_SQL} ELSE {ERROR_SQL} END"""
_ATTRIBUTES = """
SELECT insight_id, inside, 1 AS ord, coalesce(principal, 'null') AS value FROM ev
UNION ALL SELECT insight_id, inside, 2, coalesce(user_agent, 'null') FROM ev
UNION ALL SELECT insight_id, inside, 3, coalesce(error_code, 'null') FROM ev WHERE series = 'calls'"""
# Top 5 values of each attribute on each side, with their count per minute of that side's window.
_SIDES = """
SELECT r.insight_id, r.ord, r.inside,
       list({'value': r.value, 'average': r.n / CASE WHEN r.inside THEN c.duration_minutes
                                                    ELSE greatest(c.baseline_minutes, 1) END} ORDER BY r.place) AS top
FROM (SELECT insight_id, inside, ord, value, count(*) AS n,
             row_number() OVER (PARTITION BY insight_id, inside, ord ORDER BY count(*) DESC, value) AS place
      FROM attributes GROUP BY insight_id, inside, ord, value QUALIFY place <= 5) r
JOIN {changed} c USING (insight_id) GROUP BY ALL"""
_ATTRIBUTIONS = """
SELECT w.insight_id, list({'attribute': w.attribute, 'insight': coalesce(i.top, []), 'baseline': coalesce(b.top, [])}
                          ORDER BY w.ord) AS attributions
FROM (SELECT c.insight_id, a.ord, a.attribute FROM {changed} c
      JOIN (VALUES (1, 'userIdentityArn'), (2, 'userAgent'), (3, 'errorCode')) a(ord, attribute)
        ON a.ord < 3 OR c.series = 'calls') w
LEFT JOIN sides i ON i.insight_id = w.insight_id AND i.ord = w.ord AND i.inside
LEFT JOIN sides b ON b.insight_id = w.insight_id AND b.ord = w.ord AND NOT b.inside
GROUP BY w.insight_id"""
_MOST = """
SELECT insight_id, list({what} ORDER BY n DESC, {what}) AS {name}
FROM (SELECT insight_id, {what}, count(*) AS n FROM ev WHERE inside AND {what} IS NOT NULL {also} GROUP BY ALL)
GROUP BY ALL"""


def _number(value: str) -> str:
    """SQL: a count per minute as text (8, 2.67, 1234)."""
    return f"CASE WHEN {value} >= 1000 THEN format('{{:.0f}}', {value}) ELSE format('{{:.3g}}', {value}) END"


def _rate(value: str) -> str:
    """SQL: a baseline per minute as text (0.0001, 0.05, 2.5)."""
    return f"CASE WHEN {value} < 0.01 THEN format('{{:.4f}}', {value}) ELSE format('{{:.3g}}', {value}) END"


_UNIT = "CASE c.series WHEN 'calls' THEN 'calls' ELSE coalesce(code.error_code || ' errors', 'errors') END"
_PEOPLE = "coalesce(p.people, [])"
_SUMMARY = f"""format('{{}} ({{}}): {{}} {{}}/min against a baseline of {{}}/min', c.event_name, c.event_source,
       {_number('c.value')}, {_UNIT}, {_rate('c.baseline')})
    || CASE WHEN array_length({_PEOPLE}) = 0 THEN '' ELSE ', by ' || {_PEOPLE}[1]
            || CASE WHEN array_length({_PEOPLE}) > 1 THEN format(' and {{}} more', array_length({_PEOPLE}) - 1) ELSE '' END END"""
_REASON = f"""format('{{}} {{}} in the minute of {{}} UTC, against a baseline of {{}}/min over the {{}} minutes before: '
       || 'at least {{}} a minute, at least {{}} times the baseline, and a Poisson probability under {{}} at that baseline',
       c.first_count, {_UNIT}, strftime(c.start_time, '%Y-%m-%d %H:%M'), {_rate('c.baseline')}, c.baseline_minutes,
       $min_count, {_number('$multiplier')}, format('{{:g}}', $alpha))"""
_DETAILS = f"""to_json({{'insight_type': CASE c.series WHEN 'calls' THEN 'ApiCallRateInsight' ELSE 'ApiErrorRateInsight' END,
          'baseline_minutes': c.baseline_minutes, 'attributions': coalesce(a.attributions, []),
          'principals': coalesce(pr.principals[1:10], []), 'reason': {_REASON}}})::VARCHAR"""
DETAILS_SQL = f"""
WITH ev AS ({_EVENTS}),
attributes AS ({_ATTRIBUTES}),
sides AS ({_SIDES}),
attributions AS ({_ATTRIBUTIONS}),
people AS ({_MOST.format(what='human', name='people', also='')}),
principals AS ({_MOST.format(what='principal', name='principals', also='')}),
codes AS (SELECT insight_id, error_codes[1] AS error_code
          FROM ({_MOST.format(what='error_code', name='error_codes', also="AND series = 'errors'")}))
SELECT c.insight_id, c.kind, 'cloudblame' AS source,
       CASE WHEN c.series = 'errors' AND {bare_code('code.error_code')} IN ({_texts(ACCESS_DENIED_CODES)})
            THEN 'high' ELSE 'medium' END AS severity,
       c.account_id, c.aws_region, c.start_time, c.end_time, c.event_source, c.event_name, code.error_code,
       to_json({_PEOPLE})::VARCHAR AS people, {_SUMMARY} AS summary, NULL::DOUBLE AS monthly_cost_added,
       c.baseline, c.value, c.duration_minutes, {_DETAILS} AS details
FROM {{changed}} c LEFT JOIN attributions a USING (insight_id) LEFT JOIN people p USING (insight_id)
LEFT JOIN principals pr USING (insight_id) LEFT JOIN codes code USING (insight_id)"""
