"""The inventory table: every alive resource with its details (tags, size, cost, purpose, the person behind
a service that created it), derived in Python from its creation record and later tagging records
(cloudblame.queries.details). A publish derives again only the rows whose resources row changed (its
evidence hash), those derived under another price table, and, when events arrived, those of resources a
service created (their delegation reads other events); rows of resources no longer alive go."""

from __future__ import annotations

import pyarrow as pa

from cloudblame.derive.work import Work
from cloudblame.queries.details import CURRENT_SQL, missing_inventory, prices_version
from cloudblame.store.tables import INVENTORY

KEYS = ("resource_type", "resource_id", "account_id")

# Stored rows that are no longer current (their resource died or changed, or another price table).
STALE_SQL = f"""
SELECT i.resource_type, i.resource_id, i.account_id FROM inventory i
WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.alive AND {CURRENT_SQL})"""


def refresh_inventory(work: Work, *, events_changed: bool) -> int:
    """Bring inventory up to date with resources and the price table in use; returns rows derived."""
    prices, store = prices_version(), work.store
    derived = list(missing_inventory(store, prices, redo_delegated=events_changed))
    rows = pa.concat_tables(derived) if derived else INVENTORY.schema.empty_table()
    del derived
    with store.registered(rows) as fresh, store.temp_table(STALE_SQL, {"prices": prices}) as stale:
        if rows.num_rows or store.scalar(f"SELECT count(*) FROM {stale}"):
            work.upsert(INVENTORY, fresh, KEYS, delete=stale)
    return rows.num_rows
