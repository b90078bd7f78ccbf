"""The resource catalog: AWS resource types as declarative data, and their indexes.

Each entry (:class:`ResourceType`, see :mod:`cloudblame.catalog.base`) says which events of one
eventSource create, delete, modify or reference one resource type, and where the ids are. Entries live in
per-family modules (``ec2``, ``compute``, ``data``, ``identity``, ``management``, ``app``) and are
registered in :data:`CATALOG`. Adding a type is adding an entry there; nothing else changes.

Indexes (built once at import, immutable):

- :data:`RULES` ``(eventSource, eventName) -> (Rule, ...)``. Never keyed on eventName alone:
  ``CreateCluster`` exists in EKS, ECS, Redshift, MSK, CloudHSM...
- :data:`TYPES` ``type string (or alias) -> ResourceType`` (the first entry of a type).
- :data:`ARN_SERVICES` ``ARN service ("ec2", "iam"...) -> types whose patterns match such ARNs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from cloudblame.catalog import (
    app, breadth_compute, breadth_core, breadth_services, compute, data, ec2, identity, management,
)
from cloudblame.catalog.base import (
    EC2_ID_PREFIXES,
    EC2_PREFIXES_NOT_CANONICAL,
    AnyResource,
    IdSpec,
    ResourceType,
    compile_spec,
)

__all__ = [
    "ARN_SERVICES", "CATALOG", "EC2_ID_PREFIXES", "EC2_PREFIXES_NOT_CANONICAL", "AnyResource", "ResourceType",
    "Rule", "RULES", "TYPES", "rules_for",
]

CATALOG: tuple[ResourceType | AnyResource, ...] = (
    *ec2.ENTRIES, *compute.ENTRIES, *data.ENTRIES, *identity.ENTRIES, *management.ENTRIES, *app.ENTRIES,
    *breadth_compute.ENTRIES, *breadth_services.ENTRIES, *breadth_core.ENTRIES,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One (entry, action) pair for one event, with its paths compiled."""

    entry: ResourceType | AnyResource
    action: str
    ids: tuple[IdSpec, ...]
    arns: tuple[IdSpec, ...]
    names: tuple[IdSpec, ...]
    upsert_flag: str | None
    when: tuple[tuple[str, str], ...]
    names_from_tags: bool  # the Name tag the call sets names the resource (not for Delete/Untag/Remove)


def _build_rules(catalog) -> Mapping[tuple[str, str], tuple[Rule, ...]]:
    index: dict[tuple[str, str], list[Rule]] = {}
    for entry in catalog:
        is_type = isinstance(entry, ResourceType)
        for action, events in entry.events().items():
            for event, paths in events.items():
                rule = Rule(
                    entry=entry, action=action,
                    ids=tuple(compile_spec(p) for p in paths),
                    arns=tuple(compile_spec(p) for p in entry.arn_paths.get(event, ())) if is_type else (),
                    names=tuple(compile_spec(p) for p in entry.name_paths.get(event, ())) if is_type else (),
                    upsert_flag=entry.upsert_flags.get(event) if is_type and action == "create" else None,
                    when=tuple(entry.when.items()) if is_type else (),
                    names_from_tags=action in ("create", "modify")
                    and not event.startswith(("Delete", "Untag", "Remove")),
                )
                if rule.upsert_flag:
                    compile_spec(rule.upsert_flag)
                index.setdefault((entry.source, event), []).append(rule)
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def _build_types(catalog) -> Mapping[str, ResourceType]:
    types: dict[str, ResourceType] = {}
    for entry in catalog:
        if isinstance(entry, ResourceType):
            for name in (entry.type, *entry.aliases):
                types.setdefault(name, entry)
    return MappingProxyType(types)


def _build_arn_services(types: Mapping[str, ResourceType]) -> Mapping[str, tuple[ResourceType, ...]]:
    out: dict[str, list[ResourceType]] = {}
    for name, entry in types.items():
        if name != entry.type:
            continue  # aliases point at the same entry
        for service in entry.arn_services:
            out.setdefault(service, []).append(entry)
    return MappingProxyType({k: tuple(v) for k, v in out.items()})


RULES = _build_rules(CATALOG)
TYPES = _build_types(CATALOG)
ARN_SERVICES = _build_arn_services(TYPES)


def rules_for(source: str, event: str) -> tuple[Rule, ...]:
    """The rules of one (eventSource, eventName); empty when the catalog does not know the event."""
    return RULES.get((source, event), ())
