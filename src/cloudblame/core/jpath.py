"""A tolerant JSON path resolver for CloudTrail records.

CloudTrail key casing is not uniform (``dBInstanceIdentifier``, ``CreateNatGatewayRequest.SubnetId``,
``ARN`` vs ``arn``) and EC2 lists come as ``{"items": [...]}`` or ``{"item": obj-or-list}``. Paths are
dotted; a segment ending in ``[]`` fans out over a list (a lone object counts as a one-element list);
``[N]`` picks one element. Keys match exactly first, then case-insensitively.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_SEGMENT = re.compile(r"^(?P<key>[^\[\]]*)(?:\[(?P<index>\d*)\])?$")


@lru_cache(maxsize=4096)
def compile_path(path: str) -> tuple[tuple[str, str | None], ...]:
    parts = []
    for raw in path.split("."):
        m = _SEGMENT.match(raw)
        if not m:
            raise ValueError(f"bad path segment {raw!r} in {path!r}")
        parts.append((m["key"], m["index"]))
    return tuple(parts)


def get_key(obj: Any, key: str) -> Any:
    """``obj[key]`` trying the exact key, then a case-insensitive match; None when absent."""
    if not isinstance(obj, dict):
        return None
    if key in obj:
        return obj[key]
    low = key.lower()
    for k, v in obj.items():
        if isinstance(k, str) and k.lower() == low:
            return v
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resolve(obj: Any, path: str) -> list[Any]:
    """All values at ``path`` in ``obj`` (empty values dropped), in document order."""
    current = [obj]
    for key, index in compile_path(path):
        nxt: list[Any] = []
        for item in current:
            value = get_key(item, key) if key else item
            if value is None:
                continue
            if index is None:
                nxt.append(value)
            elif index == "":
                nxt.extend(_as_list(value))
            else:
                seq = _as_list(value)
                if int(index) < len(seq):
                    nxt.append(seq[int(index)])
        current = nxt
        if not current:
            return []
    return [v for v in current if v not in (None, "", {}, [])]


def first(obj: Any, *paths: str) -> Any:
    """The first value found at any of ``paths``, or None."""
    for path in paths:
        found = resolve(obj, path)
        if found:
            return found[0]
    return None
