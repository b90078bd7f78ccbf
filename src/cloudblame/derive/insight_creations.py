"""The ``creations`` table: every successful creation of a resource type the catalog knows, priced once when it
arrives, and why it counts as expensive (what cost-burst insights are made of, cloudblame.derive.insight_costs).

Only the creation records of the events being published are read and parsed (a chunk at a time): their size
and monthly list price come from the functions inventory uses (cloudblame.derive.details: ``size_of``,
``cost_of``), and ``expensive`` from EXPENSIVE_RULES, one table of rules over the catalog's types and the size
dimensions they expose (an instance type, class or node type; Multi-AZ), tried in order: the first that holds
says why. Everything else about creations is SQL. Each row keeps a digest of the thresholds it was judged with
(CostThresholds, the store's insights.toml [costs]): when they change, the stored creations are judged again
from their stored size and price (each distinct one once; no record is read).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from cloudblame.catalog import TYPES
from cloudblame.core.contracts import Record, Size
from cloudblame.core.errors import BadInput
from cloudblame.core.money import usd
from cloudblame.derive.details import cost_of, price_table, size_of
from cloudblame.derive.insight_common import THRESHOLDS_FILE, thresholds_table
from cloudblame.derive.shapes import EventKey, records_by_key
from cloudblame.derive.work import Work
from cloudblame.prices.table import PriceTable
from cloudblame.store.db import Row, Store
from cloudblame.store.tables import CREATIONS, console_join, session_tool


@dataclass(frozen=True)
class CostThresholds:
    """When a creation counts as expensive, when a burst of creations raises a cost-burst insight, and how
    severe the cost insights are. The defaults, and why (tests/integration/test_insight_costs.py holds them
    to it):

    - ``gap_minutes`` 60: creations of one person less than an hour apart are one burst (a Terraform apply,
      a console session); a burst is cut after ``max_burst_hours`` 24 so an automation creating all day
      long gives one burst a day, not one that never ends.
    - ``burst_usd`` 1,000 a month: about one large instance left running (an m5.8xlarge is $1,121); a
      normal day of small creations (t3.micro at $7.59, buckets, functions) stays far below.
    - ``burst_expensive`` 2: two resources that each count as expensive (two NAT gateways, a NAT gateway
      and a Multi-AZ database) raise even when their list price is low or unknown (NAT data processing,
      EMR clusters); one alone does not. Any GPU or accelerator instance raises on its own: the classic
      sign of misused credentials, and costly (bob's p3.2xlarge: $2,234 a month).
    - ``high_usd`` 5,000 a month, or any GPU / accelerator instance: severity 'high'; else 'medium'.
    - ``expensive_usd`` 1,000 a month: one resource at this list price or more is expensive whatever its
      type; ``large_xlarge`` 8: an instance (type, class or node type) of 8xlarge or more, or metal, is.
    - ``untagged_usd`` 500 a month: a no-owner-tag insight holding this much is 'medium', else 'low'.

    A store's ``insights.toml`` (beside the rate thresholds' [rates], cloudblame.derive.insight_rates) may set
    any of them in a [costs] table; a change takes effect at the next publish that derives: the stored
    creations are judged again and every cost insight found again::

        [costs]
        burst_usd = 2000
        gap_minutes = 30
    """

    gap_minutes: int = 60
    max_burst_hours: int = 24
    burst_usd: float = 1000.0
    burst_expensive: int = 2
    high_usd: float = 5000.0
    expensive_usd: float = 1000.0
    large_xlarge: int = 8
    untagged_usd: float = 500.0

    def __post_init__(self) -> None:
        bad = [f.name for f in fields(self) if not _valid(getattr(self, f.name), whole=f.name in _WHOLE)]
        if bad:
            raise BadInput(f"{THRESHOLDS_FILE}: [costs] {', '.join(bad)} out of range ({', '.join(_WHOLE)}: whole "
                           "numbers from 1; the others: amounts from 0)")

    @property
    def digest(self) -> str:
        """The thresholds as one line: creations judged with others are judged again."""
        return " ".join(f"{name}={value!r}" for name, value in asdict(self).items())


_WHOLE = ("gap_minutes", "max_burst_hours", "burst_expensive", "large_xlarge")


def _valid(value: object, *, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return isinstance(value, int) and value >= 1 if whole else value >= 0


def load_cost_thresholds(root: Path) -> CostThresholds:
    """The cost thresholds of the store at ``root``: its ``insights.toml``'s [costs] table over the defaults."""
    costs = thresholds_table(root, "costs", (f.name for f in fields(CostThresholds)))
    values: dict[str, Any] = {k: float(v) if k not in _WHOLE and isinstance(v, int) and not isinstance(v, bool) else v
                              for k, v in costs.items()}
    return CostThresholds(**values)


DEFAULT_THRESHOLDS = CostThresholds()

# The size dimensions that name a machine (the first a size has is the resource's "instance").
INSTANCE_DIMENSIONS = ("instance_type", "instance_class", "node_type")
# GPU, ML-accelerator and FPGA instance families (EC2 p/g/gr/inf/trn/dl/f/vt, SageMaker's ml.* of them).
ACCELERATED_FAMILY = re.compile(r"^(?:ml\.)?(?:p|g|gr|inf|trn|dl|f|vt)\d", re.IGNORECASE)
ACCELERATED_WHY = "GPU/accelerator instance"  # how expensive starts for those (SQL tells them by it)
_XLARGE = re.compile(r"\.(\d+)xlarge\b|\.metal\b", re.IGNORECASE)
# Types that are expensive whatever their size (their price is high, unbounded by use, or not in the table).
EXPENSIVE_TYPES = {
    "AWS::EC2::NatGateway": "NAT gateway",
    "AWS::Redshift::Cluster": "Redshift cluster",
    "AWS::EMR::Cluster": "EMR cluster",
    "AWS::OpenSearchService::Domain": "OpenSearch domain",
    "AWS::MSK::Cluster": "MSK (Kafka) cluster",
    "AWS::CloudHSM::Hsm": "CloudHSM HSM",
    "AWS::Bedrock::ProvisionedModelThroughput": "Bedrock provisioned throughput",
}


@dataclass(frozen=True)
class Priced:
    """One created resource as the rules see it."""

    resource_type: str
    size: Size
    usd_per_month: float | None

    @property
    def instance(self) -> str | None:
        """Its instance type, class or node type (the first INSTANCE_DIMENSIONS it has)."""
        return next((str(self.size[d]) for d in INSTANCE_DIMENSIONS if self.size.get(d)), None)


def _large(p: Priced, t: CostThresholds) -> bool:
    match = _XLARGE.search(p.instance or "")
    return match is not None and (match.group(1) is None or int(match.group(1)) >= t.large_xlarge)


@dataclass(frozen=True)
class ExpensiveRule:
    """One reason a created resource counts as expensive: ``why`` (with ``{instance}``, ``{noun}``, ``{usd}``)
    when ``holds``."""

    why: str
    holds: Callable[[Priced, CostThresholds], bool]


EXPENSIVE_RULES = (
    ExpensiveRule(ACCELERATED_WHY + " {instance}", lambda p, t: bool(ACCELERATED_FAMILY.match(p.instance or ""))),
    ExpensiveRule("{noun}", lambda p, t: p.resource_type in EXPENSIVE_TYPES),
    ExpensiveRule("Multi-AZ database {instance}", lambda p, t: str(p.size.get("multi_az")).lower() == "true"),
    ExpensiveRule("large instance {instance}", _large),
    ExpensiveRule("{usd}/month", lambda p, t: p.usd_per_month is not None and p.usd_per_month >= t.expensive_usd),
)


def why_expensive(p: Priced, thresholds: CostThresholds = DEFAULT_THRESHOLDS) -> str | None:
    """Why the created resource counts as expensive (the first of EXPENSIVE_RULES that holds), or None."""
    for rule in EXPENSIVE_RULES:
        if rule.holds(p, thresholds):
            noun = EXPENSIVE_TYPES.get(p.resource_type, p.resource_type)
            if p.instance and rule.why == "{noun}":
                noun = f"{noun} {p.instance}"
            return rule.why.format(instance=p.instance, noun=noun, usd=usd(p.usd_per_month))
    return None


# The successful creations the events of {rows} made, of types the catalog knows ($types), numbered by event.
PENDING_SQL = f"""
SELECT DISTINCT e.r.resource_type, e.r.resource_id, e.account_id, e.aws_region, e.event_time AS created_time,
       e.event_id, e.access_key_id, e.principal, e.actor, {session_tool('e', 'cs')} AS tool,
       dense_rank() OVER (ORDER BY e.event_time, e.event_id) AS event_rank
FROM (SELECT event_id, event_time, account_id, aws_region, access_key_id, principal, actor, tool,
             unnest(list_filter(resources, lambda r: r.action = 'create')) AS r
      FROM {{rows}} WHERE error_code IS NULL AND array_length(list_filter(resources, lambda r: r.action = 'create')) > 0) e
{console_join('e', 'cs')}
WHERE e.r.resource_type IN (SELECT unnest($types::VARCHAR[]))"""
CHUNK_EVENTS = 2000  # creation records read and parsed at a time


def priced_rows(rows: list[Row], records: dict[EventKey, Record], prices: PriceTable,
                thresholds: CostThresholds) -> list[Row]:
    """The creations rows of ``rows`` (pending creations), priced from their creation ``records`` by key."""
    out = []
    for row in rows:
        record = records.get((row["event_id"], row["created_time"]), {})
        size = size_of(row["resource_type"], record)
        usd_per_month = cost_of(row["resource_type"], size, row["aws_region"], prices)["usd_per_month"]
        why = why_expensive(Priced(row["resource_type"], size, usd_per_month), thresholds)
        out.append({**row, "size": orjson.dumps(size).decode(), "usd_per_month": usd_per_month, "expensive": why,
                    "thresholds": thresholds.digest})
    return out


def _priced_chunks(store: Store, pending: str, thresholds: CostThresholds) -> Iterator[pa.Table]:
    """The rows of ``pending``, CHUNK_EVENTS creation events at a time, priced."""
    prices, schema = price_table(), CREATIONS.schema
    events = store.scalar(f"SELECT coalesce(max(event_rank), 0) FROM {pending}")
    for start in range(0, events, CHUNK_EVENTS):
        rows = store.query(f"SELECT * EXCLUDE (event_rank) FROM {pending} WHERE event_rank > ? AND event_rank <= ?",
                           [start, start + CHUNK_EVENTS])
        records = records_by_key(store, [(r["event_id"], r["created_time"]) for r in rows])
        priced = priced_rows(rows, records, prices, thresholds)
        yield pa.Table.from_pylist([{f: r[f] for f in schema.names} for r in priced], schema=schema)


def update_creations(work: Work, rows: str, fresh: str, thresholds: CostThresholds) -> int:
    """The creations the events of ``rows`` made, priced, into ``fresh`` (a temp table shaped as creations) and
    into the creations table (with ``rows`` 'event_rows', in place of all it held); returns how many."""
    store = work.store
    with store.temp_table(PENDING_SQL.format(rows=rows), {"types": sorted(TYPES)}) as pending:
        for chunk in _priced_chunks(store, pending, thresholds):
            with store.registered(chunk) as name:
                store.append_rows(fresh, f"SELECT * FROM {name}")
    count: int = store.scalar(f"SELECT count(*) FROM {fresh}")
    if rows == "event_rows":
        work.replace_all(CREATIONS, f"SELECT * FROM {fresh}")
    elif count:
        work.append_sql(CREATIONS, f"SELECT * FROM {fresh}")
    return count


# The creations judged with other thresholds, judged again: each distinct (type, size, price) once ({judged}).
REJUDGED_SQL = """
SELECT c.* REPLACE (j.expensive AS expensive, $digest AS thresholds) FROM creations c JOIN {judged} j
ON c.resource_type = j.resource_type AND c.size IS NOT DISTINCT FROM j.size
AND c.usd_per_month IS NOT DISTINCT FROM j.usd_per_month
WHERE c.thresholds IS DISTINCT FROM $digest"""


def rejudge_creations(work: Work, thresholds: CostThresholds) -> bool:
    """The stored creations judged with other thresholds judged again with ``thresholds`` (their size and
    price as stored: no record is read); returns whether there were any."""
    store, digest = work.store, thresholds.digest
    combos = store.query("SELECT DISTINCT resource_type, size, usd_per_month FROM creations "
                         "WHERE thresholds IS DISTINCT FROM $digest", {"digest": digest})
    if not combos:
        return False
    judged = pa.Table.from_pylist([{**c, "expensive": why_expensive(Priced(
        c["resource_type"], orjson.loads(c["size"] or "{}"), c["usd_per_month"]), thresholds)} for c in combos],
        schema=pa.schema([("resource_type", pa.string()), ("size", pa.string()), ("usd_per_month", pa.float64()),
                          ("expensive", pa.string())]))
    with store.registered(judged) as name:
        work.rewrite(CREATIONS, keep="t.thresholds = $digest", add=REJUDGED_SQL.format(judged=name),
                     params={"digest": digest})
    return True
