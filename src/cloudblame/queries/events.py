"""events: the console's Event History (every lookup attribute) plus account, region, error, tool,
source IP, free text and time filters, combinable, sorted (newest first by default) and paged by keyset
cursors (fast at any depth: the page after a cursor is a range condition on the sort key, never an
OFFSET); a count capped at a limit; and one event in full.

Like the console's Event History, the API calls are listed and AWS's CloudTrail Insights records (events
of category 'Insight') are not, unless asked for (``EventFilter.insights``: them instead, as LookupEvents'
``EventCategory=insight``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import cast

import orjson

from cloudblame.core import contracts
from cloudblame.core.timeutil import iso_z
from cloudblame.derive.shapes import (
    EVENT_SUMMARY_SQL,
    RESOLVED_ACTOR_SQL,
    event_summary,
    events_by_key,
    resources_shape,
)
from cloudblame.queries import BadInput, Values, values_of
from cloudblame.store.db import Row, Store

MAX_LIMIT = 100_000



@dataclass
class EventFilter:
    event_name: Values = None
    event_source: Values = None
    event_id: Values = None
    read_only: bool | None = None  # True: only reads, False: only writes, None: both
    resource_name: Values = None
    resource_type: Values = None
    username: Values = None
    access_key: Values = None
    account: Values = None
    region: Values = None
    error: bool = False  # only failed calls
    error_code: Values = None
    tool: Values = None
    since: datetime | None = None
    until: datetime | None = None
    source_ip: Values = None
    text: str | None = None  # free text: event name, user, resource ids/names/ARNs, error, user agent
    insights: bool = False  # AWS's CloudTrail Insights records instead of the API calls
    sort: str = "time_desc"  # a key of SORTS
    after: str | None = None  # keyset cursor: the page after this row (see event_page)
    before: str | None = None  # keyset cursor: the page before this row
    limit: int = 50

    def active(self) -> dict[str, object]:
        """The filters in force (not the sort, the paging or the limit)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in _NOT_FILTERS and getattr(self, f.name) not in (None, [], ())
                and not (f.name in _FLAGS and not getattr(self, f.name))}


_NOT_FILTERS = {"limit", "sort", "after", "before"}
_FLAGS = ("error", "insights")  # filters in force only when true
# The events of each category the listing holds apart: API calls, or AWS's CloudTrail Insights records.
API_CALLS_SQL = "e.event_category IS DISTINCT FROM 'Insight'"
INSIGHT_RECORDS_SQL = "e.event_category = 'Insight'"
# Sort orders: (SQL expression, direction, cursor value type); the event id last makes every order total.
# A sort order: (SQL expression, direction, cursor value type) of each key.
SortKeys = tuple[tuple[str, str, str], ...]
SORTS: dict[str, SortKeys] = {
    "time_desc": (("e.event_time", "DESC", "TIMESTAMP"), ("e.event_id", "ASC", "VARCHAR")),
    "time_asc": (("e.event_time", "ASC", "TIMESTAMP"), ("e.event_id", "ASC", "VARCHAR")),
    "event_name": (("e.event_name", "ASC", "VARCHAR"), ("e.event_time", "DESC", "TIMESTAMP"),
                   ("e.event_id", "ASC", "VARCHAR")),
    "user": ((f"coalesce({RESOLVED_ACTOR_SQL}, '')", "ASC", "VARCHAR"), ("e.event_time", "DESC", "TIMESTAMP"),
             ("e.event_id", "ASC", "VARCHAR")),
}
SORT_LABELS = {"time_desc": "newest first", "time_asc": "oldest first", "event_name": "by event name",
               "user": "by user"}


def _source(value: str) -> str:
    """``ec2`` means ``ec2.amazonaws.com``."""
    return value if "." in value else f"{value}.amazonaws.com"


@dataclass(frozen=True)
class Spellings:
    """How a --username is spelled in the store: the user names and the humans behind calls equal to it
    ignoring case, the span of their calls, and at most how many there are (identity_names)."""

    user_names: tuple[str, ...]
    actors: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    events: int


def spellings_of(store: Store, username: Values) -> Spellings | None:
    """The spellings of ``username`` (one or several), as identity_names holds them (None: compare every
    event's names ignoring case instead)."""
    rows = store.query("SELECT name, role, first_time, last_time, events FROM identity_names "
                       "WHERE list_contains(?::VARCHAR[], lower(name)) ORDER BY name",
                       [[v.lower() for v in values_of(username)]])
    return Spellings(tuple(r["name"] for r in rows if r["role"] == "user_name"),
                     tuple(r["name"] for r in rows if r["role"] == "actor"),
                     min((r["first_time"] for r in rows), default=None), max((r["last_time"] for r in rows), default=None),
                     sum(r["events"] for r in rows))


def _username_clause(username: Values, spell: Spellings | None) -> tuple[str, list[object]]:
    if spell is None:
        lowered = [v.lower() for v in values_of(username)]
        return (f"(list_contains(?::VARCHAR[], lower(e.user_name)) OR list_contains(?::VARCHAR[], "
                f"lower({RESOLVED_ACTOR_SQL})))"), [lowered, lowered]
    parts = [f"{column} IN ({', '.join('?' * len(names))})"
             for column, names in (("e.user_name", spell.user_names), (RESOLVED_ACTOR_SQL, spell.actors)) if names]
    if not parts:
        return "false", []
    # exact spellings and their span: zone maps skip what lies outside it, no lower() of every name
    return (f"({' OR '.join(parts)}) AND e.event_time BETWEEN ?::TIMESTAMP AND ?::TIMESTAMP",
            [*spell.user_names, *spell.actors, spell.first, spell.last])


@dataclass(frozen=True)
class Narrowed:
    """What a search's filters are looked up as before its events are: the --username's spellings, and
    the keys of the events that touched the --resource-name (None: not asked, or look at every event)."""

    spell: Spellings | None = None
    touched: tuple[tuple[str, datetime], ...] | None = None

    def days(self) -> set[date] | None:
        """The days of the --resource-name's events (read those days' files alone), when looked up."""
        return None if self.touched is None else {t.date() for _, t in self.touched}

    def span(self, f: EventFilter) -> tuple[datetime | None, datetime | None]:
        """The time the filters confine the events to (the days whose data files are read)."""
        times = [t for _, t in self.touched or ()]
        lows = (f.since, self.spell.first if self.spell else None, min(times, default=None))
        highs = (f.until, self.spell.last if self.spell else None, max(times, default=None))
        return (max((t for t in lows if t is not None), default=None),
                min((t for t in highs if t is not None), default=None))


def narrowed(store: Store, f: EventFilter) -> Narrowed:
    """``f``'s lookups: the username's spellings, the resource name's events (by its spellings in
    resource_keys, then its rows in event_resources, both sorted: a row group or two each)."""
    spell = spellings_of(store, f.username) if values_of(f.username) else None
    names = values_of(f.resource_name)
    if not names:
        return Narrowed(spell)
    keys, lowered = _equals("key", [n.lower() for n in names])  # an equality: the sorted keys' zone maps skip
    ids = [r["resource_id"] for r in store.query(f"SELECT DISTINCT resource_id FROM resource_keys WHERE {keys}",
                                                 lowered)]
    type_clause, type_params = _type_clause(f)
    rows = store.query(
        "SELECT DISTINCT event_id, event_time FROM event_resources r WHERE r.resource_id = ANY(?::VARCHAR[]) "
        f"AND {_SPELLED}{type_clause}", [ids, *[names] * 3, *type_params])
    return Narrowed(spell, tuple((r["event_id"], r["event_time"]) for r in rows))


# A resource row spelled exactly as one of the names asked for (a list parameter, three times).
_SPELLED = "(r.resource_id = ANY(?::VARCHAR[]) OR r.arn = ANY(?::VARCHAR[]) OR r.name = ANY(?::VARCHAR[]))"


def _equals(column: str, values: list[str]) -> tuple[str, list[str]]:
    """``column`` equal to the one value, or to any of several."""
    if len(values) == 1:
        return f"{column} = ?", values
    return f"{column} IN ({', '.join('?' * len(values))})", values


def _where(f: EventFilter, spell: Spellings | None = None,
           touched: tuple[tuple[str, datetime], ...] | None = None) -> tuple[str, list[object]]:
    """The WHERE clause of ``f`` (``spell``: its --username's spellings, ``touched``: the keys of its
    --resource-name's events, when looked up)."""
    clauses: list[str] = [INSIGHT_RECORDS_SQL if f.insights else API_CALLS_SQL]
    params: list[object] = []

    def add(sql: str, *values: object) -> None:
        clauses.append(sql)
        params.extend(values)

    for column, name in _EQUALS:
        if values := values_of(getattr(f, name)):
            sql, values = _equals(column, [_source(v) for v in values] if name == "event_source" else values)
            add(sql, *values)
    if f.read_only is not None:
        add("e.read_only = ?", f.read_only)
    if values_of(f.username):
        sql, user_params = _username_clause(f.username, spell)
        add(sql, *user_params)
    if f.error:
        add("e.error_code IS NOT NULL")
    if f.since:
        add("e.event_time >= ?", f.since)
    if f.until:
        add("e.event_time <= ?", f.until)
    if f.text:
        add(_TEXT_CLAUSE, *([f.text.lower()] * _TEXT_CLAUSE.count("?")))
    if touched is not None:
        add("e.event_id = ANY(?::VARCHAR[]) AND e.event_time = ANY(?::TIMESTAMP[])",
            [i for i, _ in touched], sorted({t for _, t in touched}))
    elif values_of(f.resource_name) or values_of(f.resource_type):
        sub, sub_params = _resource_clause(f)
        add(sub, *sub_params)
    return " WHERE " + " AND ".join(clauses), params


# The filters that are a column equal to one of their values: (column, EventFilter field).
_EQUALS = (("e.event_name", "event_name"), ("e.event_source", "event_source"), ("e.event_id", "event_id"),
           ("e.access_key_id", "access_key"), ("e.account_id", "account"), ("e.aws_region", "region"),
           ("e.error_code", "error_code"), ("e.tool", "tool"), ("e.source_ip", "source_ip"))

_TEXT_COLUMNS = ("e.event_name", "e.user_name", RESOLVED_ACTOR_SQL, "e.error_code", "e.error_message", "e.user_agent")
# A case-insensitive substring (no wildcards: % and _ in the text are plain characters).
_TEXT_CLAUSE = "(" + " OR ".join(f"contains(lower({c}), ?)" for c in _TEXT_COLUMNS) + (
    " OR e.event_id IN (SELECT t.event_id FROM event_resources t WHERE contains(lower(t.resource_id), ?) "
    "OR contains(lower(t.name), ?) OR contains(lower(t.arn), ?)))")


def _type_clause(f: EventFilter) -> tuple[str, list[str]]:
    """--resource-type: ``AWS::EC2::Instance`` or ``Instance`` (any of several), ignoring case."""
    types = values_of(f.resource_type)
    if not types:
        return "", []
    one = "(lower(r.resource_type) = lower(?) OR lower(r.resource_type) LIKE '%::' || lower(?))"
    return f" AND ({' OR '.join([one] * len(types))})", [t for t in types for _ in range(2)]


def _resource_clause(f: EventFilter) -> tuple[str, list[object]]:
    """--resource-name (and --resource-type) as a subquery (where the name's events were not looked up)."""
    parts: list[str] = ["true"]
    params: list[object] = []
    if names := values_of(f.resource_name):
        keys, lowered = _equals("k.key", [n.lower() for n in names])
        parts.append(f"r.resource_id IN (SELECT k.resource_id FROM resource_keys k WHERE {keys}) AND {_SPELLED}")
        params += [*lowered, *[names] * 3]
    clause, type_params = _type_clause(f)
    return (f"(e.event_id, e.event_time) IN (SELECT r.event_id, r.event_time FROM event_resources r "
            f"WHERE {' AND '.join(parts)}{clause})"), params + type_params


EXPORT_PAGE = 5_000  # events per page when every match is streamed out


def iter_events(store: Store, f: EventFilter) -> Iterator[contracts.EventItem]:
    """Every event matching ``f`` in ``f.sort`` order, ``f.limit`` of them (0: all, however many), page by
    page through the keyset cursors: memory holds one page whatever the count."""
    if f.limit < 0:
        raise BadInput("limit must be 0 (all) or more")
    left = f.limit or None
    page = replace(f, limit=min(EXPORT_PAGE, left or EXPORT_PAGE), before=None)
    while True:
        result = event_page(store, page)
        yield from result["events"][:left]
        if left is not None:
            left -= len(result["events"])
            if left <= 0:
                return
        if result["next"] is None:
            return
        page = replace(page, after=result["next"], limit=min(EXPORT_PAGE, left or EXPORT_PAGE))


def search_events(store: Store, f: EventFilter) -> list[contracts.EventItem]:
    """Events matching every filter of ``f`` in ``f.sort`` order (newest first by default), at most
    ``f.limit``, after (or before) the cursor if one is given."""
    return event_page(store, f)["events"]


def event_page(store: Store, f: EventFilter) -> contracts.EventsPage:
    """One page of ``search_events`` with the cursors of its neighbours: ``{"events", "next", "prev",
    "sort", "limit"}``; ``next`` (``prev``) is None when no page follows (precedes) this one."""
    _check(f)
    narrow = narrowed(store, f)
    spell = narrow.spell
    where, params = _where(f, spell, narrow.touched)
    keys = SORTS[f.sort]
    backwards = f.before is not None
    cursor = f.before if backwards else f.after
    values = decode_cursor(cursor, keys) if cursor is not None else None
    if values is not None:
        cond, cond_params = _keyset_clause(keys, values, backwards)
        where = f"{where} AND {cond}" if where else f" WHERE {cond}"
        params = params + cond_params
    order = ", ".join(f"{expr} {_flip(d) if backwards else d}" for expr, d, _ in keys)
    key_columns = ", ".join(f"{expr} AS _k{i}" for i, (expr, _, _) in enumerate(keys))
    # The page's keys first (a top-N over a few columns), then its rows by key: materializing every
    # column of every match before the top-N took a second for a busy user at 10M events.
    select = f"SELECT e.event_id AS _id, e.event_time AS _time, {key_columns} FROM {{source}} e"
    span = narrow.span(f)
    newest = None
    if f.sort == "time_desc" and not backwards and narrow.touched is None:
        # the newest time in reach: the cursor's, until, or the store's (a resource's events: its days at once)
        newest = (values[0] if values else None) or f.until or store.newest_event_time()
        if spell is not None and spell.last is not None:  # a person's newest call, not the store's
            newest = min(_naive(newest), spell.last) if newest is not None else None
        if spell is not None and spell.events <= f.limit:  # few calls: one query finds them all
            newest = None
    found = _page_keys(store, select, where, params, order, f.limit + 1, newest, span, narrow.days())
    by_key = events_by_key(store, [(k["_id"], k["_time"]) for k in found], f"{EVENT_SUMMARY_SQL}, e.resources")
    rows = [dict(by_key[key], **k) for k in found if (key := (k["_id"], k["_time"])) in by_key]
    more = len(rows) > f.limit
    rows = rows[:f.limit]
    if backwards:
        rows.reverse()
    first, last = (_cursor_of(rows[0], keys), _cursor_of(rows[-1], keys)) if rows else (None, None)
    if backwards:
        nxt, prev = (last or f.before), (first if more else None)
    else:
        nxt, prev = (last if more else None), (first if f.after is not None else None)
    return {"events": _summaries(store, rows), "next": nxt, "prev": prev, "sort": f.sort, "limit": f.limit}


# Newest-first pages look back this far before the newest time in reach, then further: events are
# stored in time order, so a recent window is a few row groups where the whole table is a full scan.
LOOKBACK = (timedelta(days=1), timedelta(days=7), timedelta(days=30), None)


def _page_keys(store: Store, select: str, where: str, params: list[object], order: str, n: int,
               newest: str | datetime | None,
               span: tuple[datetime | None, datetime | None], days: set[date] | None = None) -> list[Row]:
    """The first ``n`` rows of ``select`` (over ``{source}``) + ``where`` in ``order``, read from the days
    of ``span`` (or from ``days``). Given ``newest`` (newest-first pages), looked for within a day of it
    first, then a week...: a window holding ``n`` rows holds the newest ones, since every row outside it is
    older than every row inside."""
    if days is not None:
        return store.query(f"{select.format(source=store.events_from(days=days))}{where} ORDER BY {order} LIMIT ?",
                           params + [n])
    low, high = span
    for back in LOOKBACK if newest is not None else (None,):
        bound, since = "", low
        extra: list[object] = []
        if back is not None and newest is not None:  # (back is only ever given with newest)
            since = max(_naive(newest) - back, low) if low is not None else _naive(newest) - back
            bound, extra = (" AND " if where else " WHERE ") + "e.event_time >= ?::TIMESTAMP", [since]
        source = store.events_from(since, high)
        found = store.query(f"{select.format(source=source)}{where}{bound} ORDER BY {order} LIMIT ?",
                            params + extra + [n])
        if back is None or len(found) >= n:
            return found
    return found


def _naive(value: str | datetime) -> datetime:
    """A cursor's ISO text or a datetime as the store's naive UTC time."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _check(f: EventFilter) -> None:
    if not 1 <= f.limit <= MAX_LIMIT:
        raise BadInput(f"limit must be between 1 and {MAX_LIMIT}")
    if f.sort not in SORTS:
        raise BadInput(f"sort must be one of {', '.join(SORTS)}")
    if f.after is not None and f.before is not None:
        raise BadInput("give a cursor to page after or before, not both")


def _summaries(store: Store, rows: list[Row]) -> list[contracts.EventItem]:
    out: list[contracts.EventItem] = []
    for row in rows:
        summary = event_summary(row)  # with the console's "AWS access key" column:
        actor: contracts.EventActor = {**summary["actor"], "access_key_id": row["access_key_id"]}
        out.append({**summary, "actor": actor, "resources": resources_shape(row)})
    return out


def _flip(direction: str) -> str:
    return "ASC" if direction == "DESC" else "DESC"


def _keyset_clause(keys: SortKeys, values: list[str], backwards: bool) -> tuple[str, list[str]]:
    """Rows strictly after (``backwards``: before) the row whose sort key is ``values``:
    ``k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`` with > or < per direction, and a leading bound on
    the first key so DuckDB can skip whole row groups by their min/max."""
    ops = [("<" if (d == "DESC") != backwards else ">") for _, d, _ in keys]
    terms: list[str] = []
    params: list[str] = []
    for i, (expr, _, kind) in enumerate(keys):
        equal = [f"{keys[j][0]} = ?::{keys[j][2]}" for j in range(i)]
        terms.append("(" + " AND ".join(equal + [f"{expr} {ops[i]} ?::{kind}"]) + ")")
        params += values[:i + 1]
    first_expr, _, first_kind = keys[0]
    bound = f"{first_expr} {ops[0]}= ?::{first_kind}"
    return f"({bound} AND ({' OR '.join(terms)}))", [values[0]] + params


def _cursor_of(row: Row, keys: SortKeys) -> str:
    values = [row[f"_k{i}"] for i in range(len(keys))]
    text = orjson.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode_cursor(cursor: str, keys: SortKeys) -> list[str]:
    """The sort key values a cursor holds; BadInput when it is not one of ours for this sort."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise BadInput("bad paging cursor: start again from the first page") from None
    if not isinstance(values, list) or len(values) != len(keys) or not all(isinstance(v, str) for v in values):
        raise BadInput("bad paging cursor (or one from another sort order): start again from the first page")
    for value, (_, _, kind) in zip(values, keys):
        if kind == "TIMESTAMP":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise BadInput("bad paging cursor: start again from the first page") from None
    return cast(list[str], values)  # checked above: a text per key


def count_events(store: Store, f: EventFilter, *, cap: int = 10_000) -> contracts.EventCount:
    """How many events match ``f`` (cursors ignored), counting no further than ``cap``:
    ``{"count": n, "exact": bool}``; with no filter at all, the exact total of API calls (cheap in DuckDB)."""
    if not f.active():
        return {"count": store.scalar(f"SELECT count(*) FROM event_rows e WHERE {API_CALLS_SQL}"), "exact": True}
    narrow = narrowed(store, f)
    where, params = _where(f, narrow.spell, narrow.touched)
    low, high = narrow.span(f)
    source = store.events_from(low, high)
    n = store.scalar(f"SELECT count(*) FROM (SELECT 1 FROM {source} e{where} LIMIT ?)", params + [cap + 1])
    return {"count": min(n, cap), "exact": n <= cap}


def filter_choices(store: Store, *, limit: int = 200) -> dict[str, list[str]]:
    """The values the store holds for the filters with few distinct values (tool, region, account,
    event source), most frequent first: suggestions for a filter bar."""
    out: dict[str, list[str]] = {}
    for name, column in (("tool", "tool"), ("region", "aws_region"), ("account", "account_id"),
                         ("event_source", "event_source")):
        out[name] = [r["v"] for r in store.query(
            f"SELECT {column} AS v FROM event_rows WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
            [limit])]
    return out


def stored_span(store: Store) -> contracts.TimeSpan:
    """The time the stored events cover: ``{"first", "last"}`` (None when the store is empty)."""
    row = store.query("SELECT min(event_time) AS first, max(event_time) AS last FROM event_rows")[0]
    return {"first": iso_z(row["first"]), "last": iso_z(row["last"])}
