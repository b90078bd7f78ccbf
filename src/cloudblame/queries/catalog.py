"""What the catalog covers, and which creation events in the store only the fallback recognised."""

from __future__ import annotations

from cloudblame.catalog import RULES
from cloudblame.core.contracts import CatalogRule, InferredEvent
from cloudblame.core.timeutil import iso_z
from cloudblame.queries import BadInput, Values, values_of
from cloudblame.store.db import Store

ACTIONS = ("create", "delete", "modify", "reference")


def catalog_rules(*, source: Values = None, action: Values = None) -> list[CatalogRule]:
    """One row per (eventSource, eventName, resource type, action) with the id path(s); ``source`` and
    ``action`` take one value or several (BadInput for an action not in ACTIONS)."""
    actions = set(values_of(action))
    if unknown := sorted(actions - set(ACTIONS)):
        raise BadInput(f"unknown action {unknown[0]!r}: choose from {', '.join(ACTIONS)}")
    sources = {s if "." in s else f"{s}.amazonaws.com" for s in values_of(source)}
    rows: list[CatalogRule] = []
    for (event_source, event_name), rules in sorted(RULES.items()):
        if sources and event_source not in sources:
            continue
        for rule in rules:
            if actions and rule.action not in actions:
                continue
            rows.append({
                "event_source": event_source, "event_name": event_name,
                "resource_type": getattr(rule.entry, "type", None) or "any (typed by id or ARN)",
                "action": rule.action,
                "id_path": " | ".join(p for spec in rule.ids for p in spec.paths()),
            })
    return rows


def inferred_events(store: Store) -> list[InferredEvent]:
    """Creation events seen in the store that no rule covers (the fallback inferred their resources)."""
    rows = store.query(
        """SELECT e.event_source, e.event_name, any_value(r.resource_type) AS inferred_type,
                  count(*) AS events, min(e.event_time) AS first, max(e.event_time) AS last,
                  any_value(r.resource_id) AS example_id
           FROM event_resources r JOIN event_rows e ON e.event_id = r.event_id AND e.event_time = r.event_time
           WHERE r.via = 'inferred' GROUP BY ALL ORDER BY events DESC, e.event_source, e.event_name""")
    return [{"event_source": r["event_source"], "event_name": r["event_name"], "inferred_type": r["inferred_type"],
             "events": r["events"], "first": iso_z(r["first"]), "last": iso_z(r["last"]), "example_id": r["example_id"]}
            for r in rows]
