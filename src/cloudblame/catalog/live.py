"""How AWS says whether a resource is still there, as data: the describe call a catalog entry declares in its
``live`` (one :class:`Describe`), and how its answer reads (state, size, tags).

A declaration names the boto3 client and operation, the parameter the resource goes in (its id alone, or a list
of up to ``batch`` ids), where the resources are in the answer and where each one's id, state, size dimensions
and tags are, which states mean stopped and which mean gone (an instance terminated, a table being deleted), and
which error codes mean the resource does not exist. Nothing here talks to AWS: :mod:`cloudblame.actions.live`
describes the store's alive resources with it, :mod:`cloudblame.actions.cleanup` checks a step before acting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from cloudblame.core.jpath import compile_path, first, resolve

By = Literal["id", "name"]


@dataclass(frozen=True)
class Describe:
    """One describe call for resources of a type.

    ``service`` / ``operation``  the boto3 client and its method (``ec2``, ``describe_instances``).
    ``param``      the parameter naming the resource: its id alone (``batch`` 1) or a list of up to ``batch`` ids.
    ``by``         what goes in it: the resource's ``id``, or its ``name`` (its id when no name is known: SageMaker
                   names keep their case, the id is lower-cased).
    ``ids``        a regex the ids it can name match (others are not asked about: an EIP known by its address).
    ``items``      the path of the resources in the answer (None: the answer is the one resource asked about).
    ``id_path``    an item's id (which item is which, in the answer to a list); compared case-insensitively.
    ``state``      an item's state; ``stopped`` and ``gone`` the states (any case) of a resource stopped, and of
                   one that no longer exists or soon will not (terminated, deleting).
    ``missing``    error codes meaning the resource does not exist (``InvalidInstanceID.NotFound``).
    ``size``       size dimension (the catalog entry's names) -> path of its value in an item.
    ``tags``       an item's tags (a list of ``Key``/``Value`` pairs).
    ``args``       fixed arguments of the call.
    """

    service: str
    operation: str
    param: str
    batch: int = 1
    by: By = "id"
    ids: str | None = None
    items: str | None = None
    id_path: str | None = None
    state: str | None = None
    stopped: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    size: Mapping[str, str] = field(default_factory=dict)
    tags: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", MappingProxyType(dict(self.size)))
        object.__setattr__(self, "args", MappingProxyType(dict(self.args)))
        if self.batch < 1 or (self.batch > 1 and not (self.items and self.id_path)):
            raise ValueError(f"{self.operation}: a batch of ids needs items and id_path")
        for path in (self.items, self.id_path, self.state, self.tags, *self.size.values()):
            if path is not None:
                compile_path(path)  # raises ValueError on a malformed path
        if self.ids is not None:
            re.compile(self.ids)

    def asks_about(self, resource_id: str) -> bool:
        """Whether the call can name the resource ``resource_id``."""
        return self.ids is None or re.search(self.ids, resource_id) is not None

    def kwargs(self, names: list[str]) -> dict[str, Any]:
        """The call's arguments for ``names`` (one, or up to ``batch``)."""
        if len(names) > self.batch or not names:
            raise ValueError(f"{self.operation} takes 1 to {self.batch} resources, not {len(names)}")
        return {self.param: list(names) if self.batch > 1 else names[0], **self.args}

    def items_of(self, answer: Any) -> list[Any]:
        """The resources of an answer (dicts)."""
        found = [answer] if self.items is None else resolve(answer, self.items)
        return [item for item in found if isinstance(item, dict)]

    def id_of(self, item: Any) -> str | None:
        value = first(item, self.id_path) if self.id_path else None
        return str(value) if value is not None else None

    def state_of(self, item: Any) -> str | None:
        value = first(item, self.state) if self.state else None
        return str(value) if value is not None else None

    def size_of(self, item: Any) -> dict[str, Any]:
        """The size dimensions an item gives (those it does not give left out)."""
        out = {}
        for dimension, path in self.size.items():
            value = first(item, path)
            if value is not None:
                out[dimension] = value
        return out

    def tags_of(self, item: Any) -> dict[str, str]:
        pairs = first(item, self.tags) if self.tags else None
        return {str(t.get("Key")): str(t.get("Value")) for t in pairs or [] if isinstance(t, dict)}

    def is_stopped(self, state: str | None) -> bool:
        return state is not None and state.lower() in {s.lower() for s in self.stopped}

    def is_gone(self, state: str | None) -> bool:
        return state is not None and state.lower() in {s.lower() for s in self.gone}


# The error codes of things that do not exist, shared by several services.
RESOURCE_NOT_FOUND = ("ResourceNotFoundException",)
# SageMaker answers a describe of a name it does not know with a ValidationException (RecordNotFound).
SAGEMAKER_NOT_FOUND = ("ValidationException", "ResourceNotFound")
