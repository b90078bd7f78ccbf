"""Row types produced by normalization (plain data, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass

# Actions, strongest first: one event may touch one resource in several ways; the strongest wins.
ACTIONS = ("create", "delete", "modify", "reference")
ACTION_RANK = {a: i for i, a in enumerate(ACTIONS)}


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """One resource touched by one event.

    ``resource_id`` is the canonical short id for the type (``i-0abc...``, a bucket name, a role name,
    a function name, a queue name...), never an ARN unless the type has no shorter id.
    ``via`` says which mechanism found it: ``catalog`` (a declarative rule), ``record`` (the record's
    own ``resources`` list) or ``id-prefix`` (an EC2-style id such as ``sg-...`` seen in the request).
    """

    resource_id: str
    resource_type: str | None
    arn: str | None
    name: str | None
    action: str
    via: str


@dataclass(frozen=True, slots=True)
class Tool:
    """The client that made a call: a stable slug (``terraform``, ``console``...) and its version."""

    id: str
    version: str | None
    user_agent: str | None
