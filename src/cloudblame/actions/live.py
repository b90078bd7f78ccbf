"""Describing the store's alive resources, to find what changed without an event, and storing what AWS said.

The store thinks a resource alive from its events; a spot instance reclaimed, a table deleted by its TTL, or a
delete whose event never arrived leave it so. Each alive resource of a type whose catalog entry declares a describe
call (``live``, :mod:`cloudblame.catalog.live`) is described: per type and region, in batches of as many ids as the
call takes (a batch AWS refuses because one of its ids does not exist is asked again one id at a time). What AWS
says makes it present (at the size its events say), stopped, resized (another instance type, volume size...), gone
(AWS says it does not exist, or is being deleted) or unknown (the describe failed: no permission, an API error; never
gone). Only the resources of the credentials' account are described (another account's are left unchecked), and a
resource AWS does not know is gone only when its account is known to be the credentials': else it is unknown.
``save`` appends the results to ``live_state`` and publishes them; queries read each resource's latest check.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import orjson
import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from cloudblame.actions.usage import caller_account
from cloudblame.catalog import TYPES
from cloudblame.catalog.live import Describe
from cloudblame.core.timeutil import iso_z
from cloudblame.store.db import Store
from cloudblame.store.lake import Lake, Snapshot
from cloudblame.store.readings import append_and_publish
from cloudblame.store.tables import LIVE_STATE

__all__ = ["LiveCheck", "Observation", "Target", "check_live", "live_rows", "live_targets", "live_types",
           "refresh_live", "save", "size_changes", "summary_line"]

log = logging.getLogger(__name__)

Clients = Callable[[str, str | None], Any]  # (boto3 service name, region) -> a client (actions.cleanup.boto3_clients)
ANOTHER_ACCOUNT = "of another account than the credentials'"
NOT_NAMEABLE = "an id its describe call cannot name"


def live_types() -> dict[str, Describe]:
    """Every resource type the catalog declares a describe call for, with it."""
    return {entry.type: entry.live for entry in TYPES.values() if entry.live is not None}


@dataclass(frozen=True)
class Target:
    """An alive resource of the store: what names it, where it lives, and the size its events say."""

    resource_type: str
    resource_id: str
    account_id: str | None
    region: str | None
    name: str | None = None
    size: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Observation:
    """What a describe said of a target: its live state (present, stopped, resized, gone, unknown), AWS's own
    state word, the size dimensions it gave, those that differ from the events' and, in words, why."""

    target: Target
    state: str
    aws_state: str | None = None
    size: Mapping[str, Any] | None = None
    changed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    detail: str | None = None


@dataclass
class LiveCheck:
    """One check: when, whose credentials (account), what each resource was found to be, how many resources were
    not described and why, how many calls were made and how many AWS answered, and the distinct problems."""

    checked_at: datetime
    caller: str | None = None
    observations: list[Observation] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    answered: int = 0
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many resources are in each live state."""
        return dict(Counter(o.state for o in self.observations))


def live_targets(store: Store, *, resource_type: Sequence[str] = (), account: Sequence[str] = (),
                 region: Sequence[str] = ()) -> list[Target]:
    """The alive resources of the store (of these types, accounts and regions when given) whose type has a describe
    call, with the size their events say."""
    types = sorted(set(live_types()) & set(resource_type)) if resource_type else sorted(live_types())
    params: dict[str, Any] = {"types": types}
    where = ["r.alive", "list_contains($types, r.resource_type)"]
    for column, values in (("account_id", account), ("region", region)):
        if values:
            params[column] = list(values)
            where.append(f"list_contains(${column}, r.{column})")
    rows = store.query(
        f"""SELECT r.resource_type, r.resource_id, r.account_id, r.region, r.name, i.size FROM resources r
            LEFT JOIN inventory i ON i.resource_type = r.resource_type AND i.resource_id = r.resource_id
                 AND i.account_id IS NOT DISTINCT FROM r.account_id
            WHERE {' AND '.join(where)} ORDER BY r.resource_type, r.region, r.resource_id""", params)
    return [Target(r["resource_type"], r["resource_id"], r["account_id"], r["region"], r["name"],
                   orjson.loads(r["size"]) if r["size"] else {}) for r in rows]


def check_live(targets: Iterable[Target], clients: Clients, *, caller: str | None,
               now: datetime | None = None) -> LiveCheck:
    """Every target described (those of another account than ``caller``'s, or whose id the call cannot name, are
    counted as skipped)."""
    check = LiveCheck(now or datetime.now(UTC).replace(tzinfo=None, microsecond=0), caller)
    types = live_types()
    for (resource_type, region), group in groupby(sorted(targets, key=_group_key), key=_group_key):
        describe = types[resource_type]
        askable = []
        for target in group:
            if caller and target.account_id and target.account_id != caller:
                check.skipped[ANOTHER_ACCOUNT] += 1
            elif not describe.asks_about(target.resource_id):
                check.skipped[NOT_NAMEABLE] += 1
            else:
                askable.append(target)
        for start in range(0, len(askable), describe.batch):
            batch = askable[start:start + describe.batch]
            check.observations.extend(_describe_batch(describe, clients, region or None, batch, check))
    return check


def _group_key(target: Target) -> tuple[str, str]:
    return target.resource_type, target.region or ""


def _name(describe: Describe, target: Target) -> str:
    return (target.name or target.resource_id) if describe.by == "name" else target.resource_id


def _describe_batch(describe: Describe, clients: Clients, region: str | None, batch: list[Target],
                    check: LiveCheck) -> list[Observation]:
    """The targets of one call described (a batch refused for an id that does not exist: one at a time)."""
    names = [_name(describe, t) for t in batch]
    check.calls += 1
    try:
        answer = getattr(clients(describe.service, region), describe.operation)(**describe.kwargs(names))
    except (ClientError, BotoCoreError) as exc:
        code = _error_code(exc)
        if code in describe.missing:
            check.answered += 1
            if len(batch) > 1:
                return [o for t in batch for o in _describe_batch(describe, clients, region, [t], check)]
            return [_not_there(batch[0], check.caller, f"{describe.operation}: {code}")]
        problem = f"{describe.service} {describe.operation} ({region or 'default region'}): {_message(exc)}"
        if problem not in check.problems:
            check.problems.append(problem)
        return [Observation(t, "unknown", detail=problem) for t in batch]
    check.answered += 1
    items = describe.items_of(answer)
    if describe.batch == 1:
        return [_observe(describe, batch[0], items[0]) if items else
                _not_there(batch[0], check.caller, f"{describe.operation}: not in its answer")]
    found = {item_id.lower(): item for item in items if (item_id := describe.id_of(item))}
    return [_observe(describe, t, found[n.lower()]) if n.lower() in found else
            _not_there(t, check.caller, f"{describe.operation}: not in its answer") for t, n in zip(batch, names)]


def _not_there(target: Target, caller: str | None, why: str) -> Observation:
    """A target AWS does not know: gone when it is of the credentials' account, else unknown."""
    if caller and target.account_id == caller:
        return Observation(target, "gone", detail=f"does not exist ({why})")
    return Observation(target, "unknown", detail=f"not found in account {caller or '(unknown)'}, and its account "
                                                 f"is {target.account_id or 'not known'} ({why})")


def _observe(describe: Describe, target: Target, item: Any) -> Observation:
    """A target as its item of an answer shows it (a state of the gone ones: gone, even in an unknown account)."""
    aws_state = describe.state_of(item)
    if describe.is_gone(aws_state):
        return Observation(target, "gone", aws_state, detail=f"state {aws_state}")
    size = describe.size_of(item)
    changed = size_changes(target.size, size)
    state = "stopped" if describe.is_stopped(aws_state) else "resized" if changed else "present"
    detail = ", ".join(f"{k} {v['events']} -> {v['live']}" for k, v in changed.items()) or None
    return Observation(target, state, aws_state, size or None, changed, detail)


def size_changes(events: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The size dimensions both give whose values differ (numbers as numbers, text in any case)."""
    return {k: {"events": events[k], "live": live[k]} for k in sorted(set(events) & set(live))
            if not _same(events[k], live[k])}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return str(a).lower() == str(b).lower()
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip().lower() == str(b).strip().lower()


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str((response.get("Error") or {}).get("Code") or "") if isinstance(response, dict) else ""


def _message(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def live_rows(check: LiveCheck) -> pa.Table:
    """The observations as rows of ``live_state``."""
    rows = [{"resource_type": o.target.resource_type, "resource_id": o.target.resource_id,
             "account_id": o.target.account_id, "region": o.target.region, "state": o.state,
             "aws_state": o.aws_state, "size": _json(o.size) if o.size else None, "changed": _json(o.changed),
             "checked_at": check.checked_at, "detail": o.detail} for o in check.observations]
    return pa.Table.from_pylist(rows, schema=LIVE_STATE.schema)


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), sort_keys=True, default=str)


def save(lake: Lake, check: LiveCheck, *, wait: float | None = None) -> Snapshot | None:
    """The observations appended to ``live_state`` and published (None: there were none)."""
    rows = live_rows(check)
    if rows.num_rows == 0:
        return None
    return append_and_publish(lake, LIVE_STATE, rows, reason="live", wait=wait)


def refresh_live(lake: Lake, clients: Clients, *, region: str | None = None, resource_type: Sequence[str] = (),
                 account: Sequence[str] = (), regions: Sequence[str] = (), wait: float | None = 30.0) -> LiveCheck:
    """The alive resources of the store's newest snapshot (filtered) described and the results stored, unless no
    call at all was answered (credentials, network: nothing is stored, the problems say why). ``region``: the
    region of resources whose region is not known."""
    with Store.at(lake, lake.latest_snapshot()) as store:
        targets = live_targets(store, resource_type=resource_type, account=account, region=regions)
    check = check_live(targets, clients, caller=caller_account(clients, region) if targets else None)
    if check.answered or not check.calls:
        save(lake, check, wait=wait)
    return check


def summary_line(check: LiveCheck) -> str:
    """``live: 12 resource(s) described in 4 call(s) at 2026-03-02T10:00:00Z: 8 present, 1 stopped, ...``."""
    counts = check.counts()
    states = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("present", "stopped", "resized", "gone", "unknown"))
    line = (f"live: {len(check.observations):,} resource(s) described in {check.calls:,} call(s) at "
            f"{iso_z(check.checked_at)}: {states}")
    if check.skipped:
        line += "; not described: " + ", ".join(f"{n:,} {why}" for why, n in sorted(check.skipped.items()))
    return line
