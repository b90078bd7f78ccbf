"""Query latencies on a loaded store: in-process library calls on a read-only Store (one published
snapshot; with ``follow``, the newest one before each query, while an ingest publishes meanwhile).

Each query runs once unmeasured (warm-up), then ``runs`` times with varied parameters (resources, users
and time windows sampled from the store with a fixed seed); p50 and p95 are nearest-rank percentiles.
Heavy queries (inventory, forgotten, home page, people, insights) stop early once they have used their time budget (one
cold run when the warm-up alone exceeded it). A call that raises counts as an error (the first message
is kept) instead of aborting.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, search_events
from cloudblame.queries.insights import insights_page
from cloudblame.queries.inventory import forgotten, inventory
from cloudblame.queries.overview import overview
from cloudblame.queries.people import people
from cloudblame.store.db import Store

SEED = 20260301


@dataclass
class QueryTiming:
    name: str
    runs: int
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    errors: int = 0
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """How many runs of each kind, the time budget of the heavy ones, and how many web API requests the
    server measurement makes at least."""

    blame_runs: int = 1000
    event_runs: int = 100
    heavy_runs: int = 20
    heavy_budget_s: float = 120.0
    serve_requests: int = 300


QUICK = Plan(blame_runs=50, event_runs=10, heavy_runs=3, heavy_budget_s=10.0, serve_requests=30)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def time_calls(name: str, calls: list[Callable[[], object]], *, budget_s: float | None = None) -> QueryTiming:
    """Warm up with the first call, then time each call, stopping once ``budget_s`` is spent. When the
    warm-up alone takes longer than the budget, it is the one (cold) measurement."""
    if not calls:
        return QueryTiming(name, 0, None, None, None, note="nothing to query")
    errors, first_error, times, notes = 0, "", [], []

    def timed(call) -> float:
        nonlocal errors, first_error
        started = time.perf_counter()
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - a broken query is reported, not fatal
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"[:160]
        return time.perf_counter() - started

    warm = timed(calls[0])
    if budget_s is not None and warm > budget_s:
        times, notes = [warm * 1000], [f"one cold run: it alone took more than the {budget_s:g}s budget"]
    else:
        errors, first_error = 0, ""
        spent = 0.0
        for call in calls:
            elapsed = timed(call)
            times.append(elapsed * 1000)
            spent += elapsed
            if budget_s is not None and spent > budget_s and len(times) < len(calls):
                notes.append(f"stopped after {len(times)} runs ({budget_s:g}s budget)")
                break
    note = "; ".join(([first_error] if first_error else []) + notes)
    return QueryTiming(name, len(times), percentile(times, 50), percentile(times, 95), max(times), errors, note)


def sample_resources(store: Store, n: int, seed: int = SEED) -> list[dict]:
    return store.query(
        "SELECT resource_type, resource_id, account_id FROM resources "
        "ORDER BY hash(resource_id || ?), resource_type, account_id LIMIT ?", [str(seed), n])


def sample_users(store: Store, n: int, seed: int = SEED) -> list[str]:
    rows = store.query(
        "SELECT user_name FROM (SELECT DISTINCT user_name FROM events WHERE user_name IS NOT NULL) "
        "ORDER BY hash(user_name || ?) LIMIT ?", [str(seed), n])
    return [r["user_name"] for r in rows]


def time_windows(store: Store, n: int, seed: int = SEED) -> list[tuple]:
    """``n`` windows of one hour to seven days inside the store's time range."""
    row = store.query("SELECT min(event_time) AS lo, max(event_time) AS hi FROM events")[0]
    if row["lo"] is None:
        return []
    rng = random.Random(seed)
    span = (row["hi"] - row["lo"]).total_seconds()
    out = []
    for _ in range(n):
        length = rng.uniform(3600, 7 * 86400)
        since = row["lo"] + timedelta(seconds=rng.uniform(0, max(span - length, 0)))
        out.append((since, since + timedelta(seconds=length)))
    return out


def _cycle(values: list, n: int) -> list:
    return [values[i % len(values)] for i in range(n)] if values else []


def query_specs(store: Store, plan: Plan) -> list[tuple[str, list[Callable[[], object]], float | None]]:
    """(name, calls, time budget) of every benchmarked query on ``store``, parameters sampled from it."""
    resources = sample_resources(store, max(plan.blame_runs, plan.event_runs))
    users = sample_users(store, plan.event_runs)
    windows = time_windows(store, plan.event_runs)
    heavy = plan.heavy_budget_s

    def blame_of(r):
        return lambda: blame(store, r["resource_id"], resource_type=r["resource_type"], account=r["account_id"])

    def events(**kw):
        return lambda: search_events(store, EventFilter(**kw))

    return [
        ("blame", [blame_of(r) for r in resources[:plan.blame_runs]], None),
        ("events by user", [events(username=u) for u in _cycle(users, plan.event_runs)], None),
        ("events by resource name", [events(resource_name=r["resource_id"]) for r in resources[:plan.event_runs]],
         None),
        ("events by time range", [events(since=a, until=b) for a, b in windows], None),
        ("inventory", [(lambda by=by: inventory(store, by=by))
                       for by in _cycle([None, "owner", "type", "account"], plan.heavy_runs)], heavy),
        ("forgotten", [(lambda idle=idle: forgotten(store, idle=idle))
                       for idle in _cycle(["30d", "14d", "7d"], plan.heavy_runs)], heavy),
        # not in the list: the web UI's home page and people index, whole
        ("home page (overview)", [lambda: overview(store)] * plan.heavy_runs, heavy),
        ("people", [(lambda services=services: people(store, services=services))
                    for services in _cycle([False, True], plan.heavy_runs)], heavy),
        ("insights", [(lambda f=f: insights_page(store, **f))
                      for f in _cycle([{}, {"source": "cloudblame"}, {"severity": "high"}], plan.heavy_runs)], heavy),
    ]


def run_queries(db_path: str, plan: Plan = Plan(), *, follow: bool = False) -> tuple[list[QueryTiming], int]:
    """Every benchmarked query on the store at ``db_path`` (opened read-only), and how many newer
    snapshots the reader moved to. With ``follow`` (an ingest is publishing meanwhile), the reader moves
    to the newest published snapshot before each query, as the server's reader does."""
    moved = 0
    with Store.open(db_path, read_only=True) as store:
        out = []
        for name, calls, budget in query_specs(store, plan):
            moved += bool(follow and store.refresh())
            out.append(time_calls(name, calls, budget_s=budget))
    return out, moved
