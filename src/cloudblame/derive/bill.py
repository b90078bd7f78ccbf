"""The bill matched to the resources: ``bill_costs`` (the imported lines summed per period, account,
region, billed resource id, service, usage type, line item type and currency, with the resource the id
names) and ``actual_costs`` (per known resource and period, the USD the bill charged for it).

Computed when their inputs arrive, never per query: a publish whose ``bill_lines`` gained or lost data
files (an import) derives again the periods those files hold, from their lines; a publish with new
events matches again only the bill_costs rows whose billed id is a spelling (id, ARN, name: lower-cased)
of a resource those events named. actual_costs follows for the periods either touched.

A bill names a resource by its ARN for some services (NAT gateways, load balancers, RDS, Lambda...) and by a
bare id or name for others (i-..., vol-..., a bucket name): the billed id, lower-cased, is looked up in
``resource_keys``, and for an ARN also the part after its resource type (``db:orders`` -> ``orders``).
A resource matched by its ARN's resource part must be of the ARN's service (``rds``: AWS::RDS::...). Of
several resources an id names (none in another account than the line's), the exact spelling, then one whose
type is of the line's service, then one of the line's account is taken (ties: by type and id, so every
publish picks the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cloudblame.core.bill_contracts import ActualCost
from cloudblame.derive.work import Work
from cloudblame.store.lake import Lake, Snapshot
from cloudblame.store.tables import ACTUAL_COSTS, BILL_COSTS, BILL_LINES

# The part of a (lower-cased) ARN after its resource type: arn:aws:rds:r:a:db:orders -> orders,
# arn:aws:ec2:r:a:natgateway/nat-1 -> nat-1, arn:aws:s3:::bucket -> bucket.
ARN_TAIL = r"^arn:[^:]*:[^:]*:[^:]*:[^:]*:(?:[^:/]*[:/])?(.+)$"
_GRAIN = "period, usage_account_id, region, bill_resource_id, service, usage_type, line_item_type, currency"

# The lines of the periods in {periods}, summed per bill_costs row (not matched yet).
SUMMED_SQL = f"""
SELECT {_GRAIN}, sum(cost) AS cost, count(*) AS lines, min(usage_start) AS usage_start, max(usage_end) AS usage_end
FROM bill_lines WHERE period IN (SELECT period FROM {{periods}}) GROUP BY ALL"""

# For each (billed id, usage account, service) of {rows}, the resource it names, if any (see the module doc).
MATCH_SQL = f"""
WITH ids AS (
    SELECT DISTINCT lower(bill_resource_id) AS billed, usage_account_id, service FROM {{rows}}
    WHERE bill_resource_id IS NOT NULL
), spelled AS (
    SELECT billed, usage_account_id, service, billed AS key, 0 AS how FROM ids
    UNION ALL
    SELECT billed, usage_account_id, service, regexp_extract(billed, '{ARN_TAIL}', 1), 1 FROM ids
    WHERE billed LIKE 'arn:%'
)
SELECT billed, usage_account_id, service, pick.resource_type, pick.resource_id, pick.account_id
FROM (SELECT billed, usage_account_id, service, arg_min(struct_pack(resource_type := k.resource_type,
             resource_id := k.resource_id, account_id := k.account_id), rank) AS pick  -- one candidate's key, a NULL account with it
FROM (SELECT s.billed, s.usage_account_id, s.service, k.resource_type, k.resource_id, k.account_id,
             (s.how, contains(lower(coalesce(s.service, '')), lower(split_part(k.resource_type, '::', 2))) = false,
              (k.account_id IS NOT DISTINCT FROM s.usage_account_id) = false, k.resource_type, k.resource_id) AS rank
      FROM spelled s JOIN resource_keys k ON k.key = s.key
      WHERE s.key <> '' AND (k.account_id IS NULL OR s.usage_account_id IS NULL OR k.account_id = s.usage_account_id)
        AND (s.how = 0 OR starts_with(lower(split_part(k.resource_type, '::', 2)), split_part(s.billed, ':', 3)))) k
GROUP BY ALL)"""

# {rows} (a table, or a parenthesized SELECT, of bill_costs' columns) with the resource each names (NULL: none).
MATCHED_SQL = f"""
SELECT r.* EXCLUDE (resource_type, resource_id, account_id), m.resource_type, m.resource_id, m.account_id
FROM {{rows}} r LEFT JOIN ({MATCH_SQL}) m
  ON m.billed = lower(r.bill_resource_id) AND m.usage_account_id IS NOT DISTINCT FROM r.usage_account_id
 AND m.service IS NOT DISTINCT FROM r.service"""
UNMATCHED = "NULL::VARCHAR AS resource_type, NULL::VARCHAR AS resource_id, NULL::VARCHAR AS account_id"


def same_line_group(a: str, b: str) -> str:
    """SQL: rows ``a`` and ``b`` are the same bill_costs row (its grain, NULLs equal)."""
    return " AND ".join(f"{a}.{c} IS NOT DISTINCT FROM {b}.{c}" for c in _GRAIN.split(", "))


# A bill_costs row in USD (an export without a currency column bills in USD, as AWS does by default).
IN_USD = "coalesce(currency, 'USD') = 'USD'"
# What the bill charged each known resource in the periods of {periods}, in USD.
ACTUAL_SQL = f"""
SELECT resource_type, resource_id, account_id, period, sum(cost) AS usd, sum(lines) AS lines,
       min(usage_start) AS usage_start, max(usage_end) AS usage_end
FROM bill_costs WHERE resource_type IS NOT NULL AND {IN_USD} AND period IN (SELECT period FROM {{periods}})
GROUP BY ALL"""
# The latest billing period imported, and what the bill charged each known resource in it (a FROM item).
LATEST_PERIOD_SQL = "(SELECT max(period) FROM bill_costs)"
LATEST_ACTUAL_SQL = f"(SELECT * FROM actual_costs WHERE period = {LATEST_PERIOD_SQL})"
# The columns a query adds to rows ``r`` of resources (or inventory) joined to LATEST_ACTUAL_SQL as ``ac``.
ACTUAL_COLUMNS = "ac.usd AS actual_usd, ac.period AS actual_period"


def actual_shape(usd: float | None, period: date | None) -> ActualCost | None:
    """``cost.actual`` of a resource from its ACTUAL_COLUMNS (None: the latest bill names no line of it)."""
    return None if usd is None or period is None else {"usd": round(usd, 2), "period": period.isoformat()}

# The spellings of the resources the new events named (as resource_keys holds them).
NEW_SPELLINGS_SQL = """
SELECT DISTINCT unnest([lower(resource_id), lower(arn), lower(name)]) AS key FROM new_links"""


@dataclass(frozen=True)
class BillChange:
    """What a publish takes of ``bill_lines``: the version it publishes, and the data files added or removed
    since the published snapshot (their periods are derived again)."""

    version: int
    files: tuple[str, ...]


def bill_change(lake: Lake, snap: Snapshot | None) -> BillChange:
    """bill_lines as it is now against the published snapshot's (fixed at the start of a publish)."""
    table = lake.table(BILL_LINES.name)
    now = set(table.file_uris())
    published: set[str] = set()
    if snap is not None and BILL_LINES.name in snap.versions:
        published = set(lake.table(BILL_LINES.name, snap.versions[BILL_LINES.name]).file_uris())
    return BillChange(table.version(), tuple(sorted(now ^ published)))


def update_bill(work: Work, change: BillChange, *, links: bool, everything: bool = False) -> int:
    """Bring bill_costs and actual_costs up to date: the periods of the changed bill_lines files derived
    again, and (``links``: events were published, their resource links in ``new_links``) the rows naming
    a new spelling of a resource matched again (``everything``: every row); returns bill_costs rows written."""
    store, written = work.store, 0
    with store.temp_table(f"SELECT DISTINCT period FROM {store.files_relation(BILL_LINES.name, change.files)}") as periods:
        if change.files:
            with store.temp_table(SUMMED_SQL.format(periods=periods)) as summed:
                _rewrite_costs(work, f"t.period NOT IN (SELECT period FROM {periods})", summed)
                written += store.scalar(f"SELECT count(*) FROM {summed}")
        if (links or everything) and store.scalar("SELECT count(*) FROM bill_costs LIMIT 1"):
            written += _match_again(work, periods, everything=everything)
        if store.scalar(f"SELECT count(*) FROM {periods}"):
            work.rewrite(ACTUAL_COSTS, keep=f"t.period NOT IN (SELECT period FROM {periods})",
                         add=ACTUAL_SQL.format(periods=periods))
    return written


def _rewrite_costs(work: Work, keep: str, summed: str) -> None:
    """bill_costs' rows matching ``keep`` (over ``t``), plus the ``summed`` rows matched now."""
    rows = f"(SELECT *, {UNMATCHED} FROM {summed})"
    work.rewrite(BILL_COSTS, keep=keep, add=MATCHED_SQL.format(rows=rows))


def _match_again(work: Work, periods: str, *, everything: bool) -> int:
    """Match again the bill_costs rows (of periods not derived afresh) naming a new spelling (or, with
    ``everything``, all of them); the periods of those whose match changed are added to ``periods``."""
    store = work.store
    with store.temp_table(f"SELECT * FROM ({NEW_SPELLINGS_SQL}) WHERE key IS NOT NULL"
                          if not everything else "SELECT NULL::VARCHAR AS key WHERE false") as spellings:
        named = "true" if everything else (
            f"(lower(bill_resource_id) IN (SELECT key FROM {spellings}) OR "
            f"regexp_extract(lower(bill_resource_id), '{ARN_TAIL}', 1) IN (SELECT key FROM {spellings}))")
        with store.temp_table(f"SELECT * FROM bill_costs WHERE bill_resource_id IS NOT NULL AND {named} "
                              f"AND period NOT IN (SELECT period FROM {periods})") as again, \
                store.temp_table(f"{MATCHED_SQL.format(rows=again)} EXCEPT SELECT * FROM {again}") as moved:
            count = int(store.scalar(f"SELECT count(*) FROM {moved}"))
            if count:
                store.append_rows(periods, f"SELECT DISTINCT period FROM {moved} "
                                           f"WHERE period NOT IN (SELECT period FROM {periods})")
                work.rewrite(BILL_COSTS, keep=f"NOT EXISTS (SELECT 1 FROM {moved} m WHERE {same_line_group('m', 't')})",
                             add=f"SELECT * FROM {moved}")
            return count
