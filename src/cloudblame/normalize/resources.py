"""Which resources one CloudTrail record created, deleted, modified or referenced (pure).

Three mechanisms, strongest first:

1. ``catalog``: the rules of :mod:`cloudblame.catalog` for the record's (eventSource, eventName) give
   ids with the action create / delete / modify / reference. Ids are canonicalised (an ARN, URL or
   partial ARN becomes the short id; RDS-style ids are lower-cased), the ARN is taken from the record
   or rebuilt from the type's template, the name is the rule's name path or the ``Name`` tag the call set.
2. ``record``: the record's own ``resources`` list (``[{"ARN"|"ARNPrefix", "accountId", "type"}]``) gives
   references, typed by the catalog when the ARN matches a known type.
3. ``id-prefix``: EC2-style ids (``sg-0123abcd``, ``subnet-...``) in ``requestParameters`` values whose key
   ends with ``Id``/``Ids`` (or in id lists) give references typed by their prefix.

Refs are deduplicated on (type, id): the strongest action wins (:data:`ACTION_RANK`), and missing ARN or
name are filled from the others. The record's ``errorCode`` does not change the action: the caller
decides that a failed create created nothing. Malformed records never raise: what can be read is returned.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, NamedTuple

from cloudblame.catalog import (
    ARN_SERVICES,
    EC2_ID_PREFIXES,
    EC2_PREFIXES_NOT_CANONICAL,
    RULES,
    TYPES,
    AnyResource,
    ResourceType,
    Rule,
)
from cloudblame.catalog.base import IdSpec
from cloudblame.core.jpath import get_key, resolve
from cloudblame.normalize.model import ACTION_RANK, ResourceRef
from cloudblame.normalize.tags import name_tag

__all__ = ["extract_resources"]

# Placeholders AWS writes instead of a value.
_REDACTED = frozenset({"HIDDEN_DUE_TO_SECURITY_REASONS", "***", "REDACTED"})

_EC2_ID = re.compile(
    r"^(?P<prefix>"
    + "|".join(re.escape(p[:-1]) for p in sorted(EC2_ID_PREFIXES, key=len, reverse=True))
    + r")-(?:[0-9a-fA-F]{17}|[0-9a-fA-F]{8})$"
)
# requestParameters keys (lower-cased) holding lists of EC2 ids without an "...Id(s)" name.
_ID_LIST_KEYS = frozenset({"securitygroups", "subnets", "groups", "resources", "resourcesset"})
_SCAN_MAX_DEPTH = 8
_SCAN_MAX_NODES = 4000
_MAX_RECORD_RESOURCES = 500


class _Ctx(NamedTuple):
    account: str | None
    region: str | None
    partition: str


class _Canon(NamedTuple):
    id: str
    arn: str | None  # an ARN given by the value itself
    partition: str | None
    region: str | None
    account: str | None


def extract_resources(record: dict[str, Any], *, account: str | None, region: str | None,
                      partition: str = "aws") -> list[ResourceRef]:
    """The resources ``record`` touched, deduplicated, in the order found (see the module doc).

    ``account`` and ``region`` (the record's ``recipientAccountId`` and ``awsRegion``) fill ARN
    templates; ``partition`` too, except that an ``aws`` partition with a China or GovCloud region is
    corrected to ``aws-cn`` / ``aws-us-gov``. Values found in ARNs or URLs take precedence over all three.
    """
    if not isinstance(record, dict):
        return []
    ctx = _Ctx(account if isinstance(account, str) and account else None,
               region if isinstance(region, str) and region else None,
               _partition(partition, region))
    refs: list[ResourceRef] = []
    source, name = record.get("eventSource"), record.get("eventName")
    if isinstance(source, str) and isinstance(name, str):
        for rule in RULES.get((source, name), ()):
            with suppress(Exception):  # a malformed record yields what could be read
                if isinstance(rule.entry, ResourceType):
                    _apply_type_rule(rule, rule.entry, record, ctx, refs)
                else:
                    _apply_any_rule(rule, rule.entry, record, ctx, refs)
    with suppress(Exception):
        _record_resources(record.get("resources"), refs)
    with suppress(Exception):
        req = record.get("requestParameters")
        if isinstance(req, (dict, list)):
            _id_prefix_refs(req, ctx, refs)
    return _dedupe(refs)


# --- values -------------------------------------------------------------------------------------------

def _partition(partition: str, region: str | None) -> str:
    if partition == "aws" and isinstance(region, str):
        if region.startswith("cn-"):
            return "aws-cn"
        if region.startswith("us-gov-"):
            return "aws-us-gov"
    return partition or "aws"


def _scalars(values: list[Any]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, (bool, dict, list)) or v is None:
            continue
        s = (v if isinstance(v, str) else str(v)).strip()
        if not s or s in _REDACTED or (s[0] == "<" and s[-1] == ">") or s in out:
            continue
        out.append(s)
    return out


def _spec_values(record: dict[str, Any], spec: IdSpec) -> list[str]:
    if spec.path is not None:
        return _scalars(resolve(record, spec.path))
    pieces = []
    for literal, alternatives in spec.parts:
        value = None
        for kind, x in alternatives:
            if kind == "lit":
                value = x
                break
            found = _scalars(resolve(record, x))
            if found:
                value = found[0]
                break
        if value is None:
            return []
        if value.startswith("arn:"):
            value = value.rsplit("/", 1)[-1]
        pieces.append(literal + value)
    return ["".join(pieces) + spec.tail]


def _first(record: dict[str, Any], specs: tuple[IdSpec, ...]) -> list[str]:
    for spec in specs:
        found = _spec_values(record, spec)
        if found:
            return found
    return []


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


# --- ids and ARNs ---------------------------------------------------------------------------------------

def _transform(entry: ResourceType, rid: str) -> str:
    t = entry.id_transform
    if t == "lower":
        return rid.lower()
    if t == "strip-leading-slash" and rid.startswith("/") and len(rid) > 1:
        return rid[1:]
    return rid


def _match(entry: ResourceType, value: str) -> _Canon | None:
    for pattern in entry.patterns:
        m = pattern.match(value)
        if m is None:
            continue
        g = m.groupdict()
        rid = g.get("id")
        if rid is None:
            rid = f"{g['parent']}/{g['name']}"
        arn = g.get("arn") or (value if value.startswith("arn:") else None)
        return _Canon(_transform(entry, rid), arn, g.get("partition"), g.get("region"), g.get("account"))
    return None


def _canon(entry: ResourceType, value: str) -> _Canon | None:
    """The canonical id of ``value`` as an id of ``entry``'s type, or None when it is not one."""
    found = _match(entry, value)
    if found is not None:
        return found
    if entry.strict_ids or (entry.patterns and value.startswith("arn:")):
        return None
    return _Canon(_transform(entry, value), None, None, None, None)


def _build_arn(entry: ResourceType | None, c: _Canon, ctx: _Ctx) -> str | None:
    template = entry.arn if entry is not None else None
    if not template:
        return None
    region = c.region or ctx.region
    account = c.account or ctx.account
    if ("{region}" in template and not region) or ("{account}" in template and not account):
        return None
    fields = {"partition": c.partition or ctx.partition, "region": region or "", "account": account or "",
              "id": c.id, "parent": "", "name": ""}
    if "{parent}" in template or "{name}" in template:
        if "/" not in c.id:
            return None
        fields["parent"], fields["name"] = c.id.split("/", 1)
    return template.format(**fields)


def _match_arn(arn: str) -> tuple[ResourceType, _Canon] | None:
    """The catalog type whose patterns match ``arn`` (looked up by the ARN's service), with its id."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    for entry in ARN_SERVICES.get(parts[2], ()):
        found = _match(entry, arn)
        if found is not None:
            return entry, found
    return None


def _generic_id(arn: str) -> str:
    """The last ``/`` or ``:`` segment of an ARN's resource part (the ARN itself when empty)."""
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else arn
    last = re.split(r"[/:]", resource.rstrip("/:"))[-1]
    return last or arn


# --- names ---------------------------------------------------------------------------------------------

def _name_tag(record: dict[str, Any], tag_type: str | None) -> str | None:
    """The ``Name`` tag the request sets (for ``tag_type``'s tag specification), unless a placeholder."""
    found = _scalars([name_tag(record, tag_type)])
    return found[0] if found else None


def _name(rule: Rule, entry: ResourceType | AnyResource, record: dict[str, Any]) -> str | None:
    if rule.names:
        found = _first(record, rule.names)
        if found:
            return found[0]
    if rule.names_from_tags:
        return _name_tag(record, getattr(entry, "tag_type", None))
    return None


# --- the three mechanisms --------------------------------------------------------------------------------

def _apply_type_rule(rule: Rule, entry: ResourceType, record: dict[str, Any], ctx: _Ctx,
                     out: list[ResourceRef]) -> None:
    for field_name, expected in rule.when:
        value = record.get(field_name)
        if value is not None and value != expected:
            return
    raws = _first(record, rule.ids)
    if not raws:
        return
    action = rule.action
    if rule.upsert_flag and any(_truthy(v) for v in resolve(record, rule.upsert_flag)):
        action = "modify"
    arn_by_id: dict[str, str] = {}
    loose: list[str] = []
    if rule.arns:
        for value in _first(record, rule.arns):
            c = _match(entry, value)
            if c is not None and c.arn:
                arn_by_id.setdefault(c.id, c.arn)
            elif c is None:
                loose.append(value)
    name = _name(rule, entry, record)
    for raw in raws:
        c = _canon(entry, raw)
        if c is None:
            continue
        arn = (c.arn or arn_by_id.get(c.id)
               or (loose[0] if len(raws) == 1 and len(loose) == 1 else None)
               or _build_arn(entry, c, ctx))
        out.append(ResourceRef(c.id, entry.type, arn, name, action, "catalog"))


def _apply_any_rule(rule: Rule, entry: AnyResource, record: dict[str, Any], ctx: _Ctx, out: list[ResourceRef]) -> None:
    raws = _first(record, rule.ids)
    if not raws:
        return
    name = _name(rule, entry, record)
    for raw in raws:
        ref = _typed_ref(raw, ctx, rule.action, "catalog", name)
        if ref is None or (entry.types and ref.resource_type not in entry.types):
            continue
        out.append(ref)


def _typed_ref(value: str, ctx: _Ctx, action: str, via: str, name: str | None) -> ResourceRef | None:
    """A ref for an id of unknown type: typed by EC2 prefix or by matching the ARN against the catalog."""
    m = _EC2_ID.match(value)
    if m is not None:
        return _prefix_ref(value, m.group("prefix") + "-", ctx, action, via, name)
    if value.startswith("arn:"):
        found = _match_arn(value)
        if found is not None:
            entry, c = found
            return ResourceRef(c.id, entry.type, c.arn or value, name, action, via)
        return ResourceRef(_generic_id(value), None, value, name, action, via)
    return ResourceRef(value, None, None, name, action, via)


def _prefix_ref(rid: str, prefix: str, ctx: _Ctx, action: str, via: str, name: str | None) -> ResourceRef:
    rtype = EC2_ID_PREFIXES[prefix]
    arn = None
    if prefix not in EC2_PREFIXES_NOT_CANONICAL:
        arn = _build_arn(TYPES.get(rtype), _Canon(rid, None, None, None, None), ctx)
    return ResourceRef(rid, rtype, arn, name, action, via)


def _record_resources(items: object, out: list[ResourceRef]) -> None:
    if not isinstance(items, list):
        return
    for item in items[:_MAX_RECORD_RESOURCES]:
        if not isinstance(item, dict):
            continue
        rtype = item.get("type") if isinstance(item.get("type"), str) and item.get("type") else None
        arn = get_key(item, "ARN")
        is_prefix = False
        if not isinstance(arn, str) or not arn.strip():
            prefix = get_key(item, "ARNPrefix")
            if not isinstance(prefix, str) or not prefix.strip():
                continue
            if (rtype and rtype.endswith("::Object")) or (rtype is None and ":s3:::" in prefix):
                continue  # a prefix of object keys names no one resource
            arn, is_prefix = prefix.strip().rstrip("/"), True
        arn = arn.strip()
        entry = TYPES.get(rtype) if rtype else None
        canon = _match(entry, arn) if entry is not None else None
        if canon is None and rtype is None:  # a type the record states is kept
            found = _match_arn(arn)
            if found is not None:
                entry, canon = found
        out_type: str | None
        if canon is not None and entry is not None:
            rid, out_type = canon.id, entry.type
        else:
            rid, out_type = _generic_id(arn), rtype
        out.append(ResourceRef(rid, out_type, None if is_prefix else arn, None, "reference", "record"))


def _id_prefix_refs(req: Any, ctx: _Ctx, out: list[ResourceRef]) -> None:
    seen: set[str] = set()
    budget = _SCAN_MAX_NODES
    queue: deque[tuple[object, bool, int]] = deque([(req, False, 0)])
    while queue and budget > 0:
        node, idish, depth = queue.popleft()
        budget -= 1
        items: Iterable[tuple[object, object]]
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = ((None, v) for v in node)
        else:
            continue
        for key, value in items:
            if key is None:
                key_idish = idish
            elif isinstance(key, str):
                low = key.lower()
                key_idish = low.endswith(("id", "ids")) or low in _ID_LIST_KEYS or idish
            else:
                continue
            if isinstance(value, str):
                if key_idish and 9 < len(value) < 40 and value not in seen:
                    m = _EC2_ID.match(value)
                    if m is not None:
                        seen.add(value)
                        out.append(_prefix_ref(value, m.group("prefix") + "-", ctx, "reference", "id-prefix", None))
            elif isinstance(value, (dict, list)) and depth < _SCAN_MAX_DEPTH:
                queue.append((value, key_idish, depth + 1))


def _dedupe(refs: list[ResourceRef]) -> list[ResourceRef]:
    best: dict[tuple[str | None, str], ResourceRef] = {}
    for ref in refs:
        key = (ref.resource_type, ref.resource_id)
        current = best.get(key)
        best[key] = ref if current is None else _merge(current, ref)
    return list(best.values())


def _merge(a: ResourceRef, b: ResourceRef) -> ResourceRef:
    rank_a, rank_b = ACTION_RANK.get(a.action, 99), ACTION_RANK.get(b.action, 99)
    if rank_a < rank_b or (rank_a == rank_b and (a.arn or a.name or not (b.arn or b.name))):
        win, other = a, b
    else:
        win, other = b, a
    if (win.arn is None and other.arn) or (win.name is None and other.name):
        return ResourceRef(win.resource_id, win.resource_type, win.arn or other.arn, win.name or other.name,
                           win.action, win.via)
    return win
