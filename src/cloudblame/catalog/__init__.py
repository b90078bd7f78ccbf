"""The resource catalog: AWS resource types as declarative data, and their indexes.

Each entry (:class:`ResourceType`, see :mod:`cloudblame.catalog.base`) says which events of one
eventSource create, delete, modify or reference one resource type, where the ids are, which size dimensions
of its creation record drive its cost and how it is charged (a price model of :mod:`cloudblame.catalog.pricing`,
or why it has none). Entries live in
modules named by service family, after the AWS console's categories (``ec2``, ``compute``, ``containers``,
``storage``, ``databases``, ``analytics``, ``security``, ``management``, ``integration``, ``networking``,
``machine_learning``, ``developer_tools``, ``iot``), and are registered in :data:`CATALOG`. Adding a type is
adding an entry there; nothing else changes.

Indexes (built once at import, immutable):

- :data:`RULES` ``(eventSource, eventName) -> (Rule, ...)``. Never keyed on eventName alone:
  ``CreateCluster`` exists in EKS, ECS, Redshift, MSK, CloudHSM...
- :data:`TYPES` ``type string (or alias) -> ResourceType`` (the first entry of a type).
- :data:`ARN_SERVICES` ``ARN service ("ec2", "iam"...) -> types whose patterns match such ARNs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from cloudblame.catalog import (
    analytics,
    compute,
    containers,
    databases,
    developer_tools,
    ec2,
    integration,
    iot,
    machine_learning,
    management,
    networking,
    security,
    storage,
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
    "ARN_SERVICES",
    "CATALOG",
    "EC2_ID_PREFIXES",
    "EC2_PREFIXES_NOT_CANONICAL",
    "RULES",
    "TYPES",
    "AnyResource",
    "ResourceType",
    "Rule",
    "rules_for",
]

CATALOG: tuple[ResourceType | AnyResource, ...] = (
    *ec2.ENTRIES, *compute.ENTRIES, *containers.ENTRIES, *storage.ENTRIES, *databases.ENTRIES, *analytics.ENTRIES,
    *security.ENTRIES, *management.ENTRIES, *integration.ENTRIES, *networking.ENTRIES, *machine_learning.ENTRIES,
    *developer_tools.ENTRIES, *iot.ENTRIES,
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


def _rule(entry: ResourceType | AnyResource, action: str, event: str, paths: tuple[str, ...]) -> Rule:
    """The rule of one event of one entry, its paths compiled (ValueError on a malformed one)."""
    names_from_tags = action in ("create", "modify") and not event.startswith(("Delete", "Untag", "Remove"))
    ids = tuple(compile_spec(p) for p in paths)
    if not isinstance(entry, ResourceType):
        return Rule(entry, action, ids, (), (), None, (), names_from_tags)
    upsert_flag = entry.upsert_flags.get(event) if action == "create" else None
    if upsert_flag:
        compile_spec(upsert_flag)
    return Rule(entry=entry, action=action, ids=ids,
                arns=tuple(compile_spec(p) for p in _as_paths(entry.arn_paths.get(event, ()))),
                names=tuple(compile_spec(p) for p in _as_paths(entry.name_paths.get(event, ()))),
                upsert_flag=upsert_flag, when=tuple(entry.when.items()), names_from_tags=names_from_tags)


def _as_paths(paths: str | tuple[str, ...]) -> tuple[str, ...]:
    return (paths,) if isinstance(paths, str) else paths


def _build_rules(catalog: Iterable[ResourceType | AnyResource]) -> Mapping[tuple[str, str], tuple[Rule, ...]]:
    index: dict[tuple[str, str], list[Rule]] = {}
    for entry in catalog:
        for action, events in entry.events().items():
            for event, paths in events.items():
                index.setdefault((entry.source, event), []).append(_rule(entry, action, event, paths))
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def _build_types(catalog: Iterable[ResourceType | AnyResource]) -> Mapping[str, ResourceType]:
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
