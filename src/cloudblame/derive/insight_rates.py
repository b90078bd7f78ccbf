"""Call-rate and error-rate insights, as CloudTrail Insights finds them (docs: reference section 7), from the
events a publish brings.

What is counted (``api_minutes``): per account, region, API and minute, the write management calls
(``calls``, the call-rate series) and the failed calls, read or write, throttling left out (``errors``, the
error-rate series); ``event_hours`` counts every event per account, region and hour (what the store covers).
A minute of a series is *hot* (``hot_minutes``) when all of these hold:

- the store has covered its account and region for ``warmup`` minutes before it;
- its count is at least ``min_count`` and ``multiplier`` times the baseline: the mean count per covered minute
  of the 7 days before it (zero-filled; fewer than 10080 minutes while the store covers less; at least
  1/10080);
- a Poisson law at the baseline makes a count that high less likely than ``alpha``;
- it does not recur: the API did not have a comparable count (at least half) within 10 minutes of the same
  time of day on 2 other days of the 7 before it, so a nightly job raises nothing. For a minute less than 7
  days after the store began covering its account and region, the 7 days after it count too (a history
  loaded at once judges a job's first nights by the nights that followed).

Hot minutes of one API and series less than ``quiet`` minutes apart make one insight (``insights``, kind
``api-call-rate`` or ``api-error-rate``, source ``cloudblame``): from the first hot minute to one after the
last, open (no end) while the newest event of its account and region is under ``quiet`` minutes after the
last. Its value is the mean count per minute over it, its baseline the first minute's, its details the
callers, user agents and error codes over it and over the baseline window (AWS's attributions).

The thresholds are ``RateThresholds``' defaults unless the store's ``insights.toml`` says otherwise::

    [rates]
    min_count = 8      # calls (errors) in one minute, at least
    multiplier = 10    # times the baseline, at least
    alpha = 1e-6       # Poisson probability of the count at the baseline, under
    quiet = 10         # minutes without a hot one that end an insight
    warmup = 10        # minutes the store must cover an account and region before its first insight

Defaults: 8 a minute and 10 times the baseline are the reference's (section 7.3): eight instances launched
one by one in a minute stand out, the few calls of one Terraform resource do not; alpha 1e-6 keeps steady
traffic of 0.1 to 5 calls a minute silent over ten days (tests/integration/test_insight_rates.py); a warm-up of
10 minutes (not AWS's 36 hours) lets a store of one hour of logs (invictus-aws: 55 minutes, an attack 12
minutes in) show its storms, while the first minutes of a store, whose baseline is still a guess, raise
nothing. A change of thresholds takes effect at the next publish that derives (an ingest, or `cloudblame
compact`): every API is judged again from ``api_minutes`` (their digest is kept in ``hot_minutes``).

A publish recomputes only what its events can change: per account and region, the minutes from its first new
event (for young minutes, 7 days before it) to 7 days after its last, and the insights of that account and
region whose figures moved (their details read the events of their own window and baseline window alone;
the people and attributions of an insight whose figures stay are those found when they last moved).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from cloudblame.core.errors import BadInput
from cloudblame.derive import insight_rate_sql as q
from cloudblame.derive.insight_common import THRESHOLDS_FILE, thresholds_table
from cloudblame.derive.work import Work
from cloudblame.store.tables import API_MINUTES, EVENT_HOURS, HOT_MINUTES, INSIGHTS


@dataclass(frozen=True)
class RateThresholds:
    """When a minute of an API's series is hot, and when hot minutes make one insight (module doc)."""

    min_count: int = 8
    multiplier: float = 10.0
    alpha: float = 1e-6
    quiet: int = 10
    warmup: int = 10

    def __post_init__(self) -> None:
        checks = {"min_count": _whole(self.min_count) and self.min_count >= 1,
                  "multiplier": _real(self.multiplier) and self.multiplier >= 1,
                  "alpha": _real(self.alpha) and 0 < self.alpha < 1,
                  "quiet": _whole(self.quiet) and self.quiet >= 1, "warmup": _whole(self.warmup) and self.warmup >= 0}
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise BadInput(f"{THRESHOLDS_FILE}: [rates] {', '.join(bad)} out of range (min_count and quiet: whole "
                           "numbers from 1; warmup: from 0; multiplier: a number from 1; alpha: between 0 and 1)")

    @property
    def digest(self) -> str:
        """The thresholds as one line: hot minutes found with others are found again."""
        return " ".join(f"{name}={value!r}" for name, value in asdict(self).items())


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_thresholds(root: Path) -> RateThresholds:
    """The thresholds of the store at ``root``: its ``insights.toml``'s [rates] table over the defaults."""
    rates = thresholds_table(root, "rates", (f.name for f in fields(RateThresholds)))
    values: dict[str, Any] = {name: float(v) if name == "multiplier" and _whole(v) else v for name, v in rates.items()}
    return RateThresholds(**values)


def _used(sql: str, values: dict[str, Any]) -> dict[str, Any]:
    """The named parameters ``sql`` uses (DuckDB refuses others)."""
    return {k: v for k, v in values.items() if re.search(rf"\${k}\b", sql)}


def update_rate_insights(work: Work, rows: str) -> None:
    """Bring api_minutes, event_hours, hot_minutes and the rate insights forward from ``rows`` (``new_events``,
    or ``event_rows``: everything derived again)."""
    thresholds = load_thresholds(work.lake.root)
    everything = rows == "event_rows"
    store = work.store
    with store.temp_table(q.fill(q.FRESH_HOURS_SQL, rows=rows)) as hours, \
            store.temp_table(q.fill(q.FRESH_MINUTES_SQL, rows=rows)) as minutes, \
            store.temp_table(q.fill(q.NEW_SCOPE_SQL, fresh=hours)) as scope:
        again = everything or store.scalar(q.DIGEST_SQL) != thresholds.digest
        _add_counts(work, hours, minutes, everything=everything)
        if again:
            store.replace_rows(scope, q.ALL_SCOPE_SQL)
        if again or store.scalar(f"SELECT count(*) FROM {scope}"):
            _find_hot_minutes(work, scope, thresholds)
            _raise_insights(work, scope, thresholds, again=again)


def _add_counts(work: Work, hours: str, minutes: str, *, everything: bool) -> None:
    """api_minutes and event_hours with the fresh counts added (with ``everything``: the fresh counts alone)."""
    store = work.store
    if everything:
        work.replace_all(API_MINUTES, f"SELECT * FROM {minutes}")
        work.replace_all(EVENT_HOURS, f"SELECT * FROM {hours}")
        return
    for table, fresh, merge, keys in ((API_MINUTES, minutes, q.MERGED_MINUTES_SQL, q.API_KEY),
                                      (EVENT_HOURS, hours, q.MERGED_HOURS_SQL, q.HOUR_KEY)):
        if store.scalar(f"SELECT count(*) FROM {fresh}"):
            with store.temp_table(q.fill(merge, fresh=fresh)) as merged:
                work.upsert(table, merged, keys)


def _find_hot_minutes(work: Work, scope: str, thresholds: RateThresholds) -> None:
    """hot_minutes of the scope's minutes found again (and the digest of the thresholds kept)."""
    values = {"min_count": thresholds.min_count, "multiplier": thresholds.multiplier,
              "log_alpha": math.log(thresholds.alpha), "warmup": thresholds.warmup, "digest": thresholds.digest}
    sql = q.fill(q.HOT_SQL, scope=scope)
    with work.store.temp_table(sql, _used(sql, values)) as hot:
        work.rewrite(HOT_MINUTES, keep=q.fill(q.KEEP_HOT_SQL, scope=scope),
                     add=f"SELECT * FROM {hot} UNION ALL BY NAME {q.MARKER_SQL}", params={"digest": thresholds.digest})


def _raise_insights(work: Work, scope: str, thresholds: RateThresholds, *, again: bool) -> None:
    """The rate insights of the scope's accounts and regions: those whose figures moved derived again, those
    no longer hot dropped, the others kept as they are."""
    store = work.store
    with store.temp_table(q.fill(q.ISLANDS_SQL, scope=scope), {"quiet": thresholds.quiet}) as islands, \
            store.temp_table(q.fill(q.CHANGED_SQL, islands=islands), {"again": again}) as changed:
        stale = store.scalar(q.fill(q.STALE_SQL, scope=scope, islands=islands))
        span = store.query(f"SELECT min(start_time) - INTERVAL 7 DAY AS low, max(last_minute) + INTERVAL 1 MINUTE AS high "
                           f"FROM {changed}")
        low, high = (span[0]["low"], span[0]["high"]) if span else (None, None)
        kept = q.fill(q.UNCHANGED_SQL, islands=islands, changed=changed)
        keep = q.fill(q.KEEP_INSIGHTS_SQL, scope=scope)
        if low is None:
            if stale:
                work.rewrite(INSIGHTS, keep=keep, add=kept)
            return
        values = {"low": low, "high": high, "min_count": thresholds.min_count, "multiplier": thresholds.multiplier,
                  "alpha": thresholds.alpha}
        sql = q.fill(q.DETAILS_SQL, changed=changed, events=store.events_from(low, high, resolved=False))
        with store.temp_table(sql, _used(sql, values)) as fresh:
            work.rewrite(INSIGHTS, keep=keep, add=f"{kept} UNION ALL BY NAME SELECT * FROM {fresh}")
