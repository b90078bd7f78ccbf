"""The inventory table: every alive resource with its details (tags, size, cost, purpose, the person behind
a service that created it), derived in Python from its creation record and later tagging records
(cloudblame.queries.details). A publish derives again only the rows whose resources row changed (its
evidence hash), those derived under another price table, and, when events arrived, those of resources a
service created (their delegation reads other events); rows of resources no longer alive go."""

from __future__ import annotations

import pyarrow as pa

from cloudblame.derive.work import Work
from cloudblame.queries.details import CURRENT_SQL, DETAILS, TAGGING_EVENTS, missing_inventory, prices_version
from cloudblame.store.tables import INVENTORY, RESOURCE_COLUMN_NAMES

# The resources the new events tagged, or attached a volume of: their details are derived again.
RETOUCHED_SQL = f"""
SELECT DISTINCT resource_type, resource_id, account_id FROM new_links
WHERE NOT failed AND event_name IN ({', '.join(f"'{name}'" for name in (*TAGGING_EVENTS, 'AttachVolume'))})"""
# The stored rows still current, with their resources row as it is now (activity moves on without them).
KEPT_SQL = f"""
SELECT {', '.join(f'r.{c}' for c in RESOURCE_COLUMN_NAMES)}, {DETAILS} FROM inventory i
JOIN resources r ON {CURRENT_SQL}
WHERE r.alive AND NOT EXISTS (SELECT 1 FROM {{fresh}} f WHERE f.resource_type = i.resource_type
                              AND f.resource_id = i.resource_id AND f.account_id IS NOT DISTINCT FROM i.account_id)"""


def refresh_inventory(work: Work, *, events_changed: bool) -> int:
    """Bring inventory up to date with resources and the price table in use; returns rows derived."""
    prices, store = prices_version(), work.store
    with store.temp_table(RETOUCHED_SQL) as retouched:
        derived = list(missing_inventory(store, prices, redo_delegated=events_changed, retouched=retouched))
    rows = pa.concat_tables(derived) if derived else INVENTORY.schema.empty_table()
    del derived
    with store.registered(rows) as fresh:
        work.replace_all(INVENTORY, f"{KEPT_SQL.format(fresh=fresh)} UNION ALL BY NAME SELECT * FROM {fresh}",
                         params={"prices": prices})
    return rows.num_rows
