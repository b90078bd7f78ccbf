"""The inventory table: every alive resource with its details (tags, size, cost, purpose, the person behind
a service that created it), derived in Python from its creation record and later tagging records
(cloudblame.derive.details). A publish derives again only the rows of the resources it changed whose
evidence (a hash of the lifecycle) moved, those tagged or attached since, and, when events arrived, those
a service created (their delegation reads other events); the other changed resources keep their details
with their new resources row; rows of resources no longer alive go. Under another price table, or when the
table does not match the resources (a store written by an older publish), every row is looked at."""

from __future__ import annotations

import pyarrow as pa

from cloudblame.derive.details import CURRENT_SQL, KEPT_COLUMNS, missing_inventory, prices_version
from cloudblame.derive.work import Work
from cloudblame.normalize.tags import TAGGING_EVENTS
from cloudblame.store.tables import INVENTORY, RESOURCE_KEY, same_resource

# The resources the new events tagged, or attached a volume of: their details are derived again.
RETOUCHED_SQL = f"""
SELECT DISTINCT resource_type, resource_id, account_id FROM new_links
WHERE NOT failed AND event_name IN ({', '.join(f"'{name}'" for name in (*TAGGING_EVENTS, 'AttachVolume'))})"""
_KEY = ", ".join(RESOURCE_KEY)
# The stored rows still current (of the resources in {among}: all when it is ``inventory``), with their
# resources row as it is now; not those derived afresh ({fresh}).
KEPT_SQL = f"""
WITH i AS (SELECT * FROM inventory i SEMI JOIN {{among}} k ON {same_resource('k', 'i')}),
r AS (SELECT * FROM resources r SEMI JOIN {{among}} k ON {same_resource('k', 'r')})
SELECT {KEPT_COLUMNS} FROM i JOIN r ON {CURRENT_SQL}
WHERE r.alive AND NOT EXISTS (SELECT 1 FROM {{fresh}} f WHERE {same_resource('f', 'i')})"""
CONSISTENT_SQL = """
SELECT (SELECT count(*) FROM inventory WHERE prices <> $prices) = 0
   AND (SELECT count(*) FROM inventory) = (SELECT count(*) FROM resources WHERE alive)"""


def inventory_matches_resources(work: Work) -> bool:
    """Whether inventory holds a row, priced with the table in use, for each alive resource and no other
    (asked before a publish changes resources: then only what it changes needs looking at)."""
    return bool(work.store.scalar(CONSISTENT_SQL, {"prices": prices_version()}))


def refresh_inventory(work: Work, changed: pa.Table, *, events_changed: bool, targeted: bool) -> int:
    """Bring inventory up to date with resources and the price table in use; returns rows derived. With
    ``targeted`` (inventory_matches_resources before the publish), only the resources in ``changed`` (the
    keys of the rows this publish changed) and those a service created are looked at."""
    prices, store = prices_version(), work.store
    with store.registered(changed.select(list(RESOURCE_KEY))) as touched, store.temp_table(RETOUCHED_SQL) as retouched, \
            store.temp_table("SELECT * FROM inventory WHERE false") as derived:
        chunks = missing_inventory(store, prices, redo_delegated=events_changed, retouched=retouched,
                                   among=touched if targeted else None)
        for chunk in chunks:  # into DuckDB as they come (it holds them within its memory cap)
            with store.registered(chunk) as rows:
                store.append_rows(derived, f"SELECT * FROM {rows}")
        if targeted:
            _rewrite_changed(work, touched, derived, prices)
        else:
            work.replace_all(INVENTORY, f"{KEPT_SQL.format(among='inventory', fresh=derived)} "
                             f"UNION ALL BY NAME SELECT * FROM {derived}", params={"prices": prices})
        return int(store.scalar(f"SELECT count(*) FROM {derived}"))


def _rewrite_changed(work: Work, touched: str, derived: str, prices: str) -> None:
    """The rows of the resources in ``touched`` and the ``derived`` rows that differ from the stored ones (the
    redone delegations mostly do not) replace the stored rows of the same resources."""
    store = work.store
    with store.temp_table(f"SELECT * FROM {derived} EXCEPT SELECT i.* FROM inventory i "
                          f"SEMI JOIN {derived} f ON {same_resource('f', 'i')}") as fresh, \
            store.temp_table(f"SELECT {_KEY} FROM {touched} UNION SELECT {_KEY} FROM {fresh}") as keys:
        work.rewrite(INVENTORY, keep=f"NOT EXISTS (SELECT 1 FROM {keys} k WHERE {same_resource('k', 't')})",
                     add=f"{KEPT_SQL.format(among=keys, fresh=fresh)} UNION ALL BY NAME SELECT * FROM {fresh}",
                     params={"prices": prices})
