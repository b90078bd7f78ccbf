"""The one reader of tags in CloudTrail requests (pure): every shape AWS uses, for everything that shows
or reasons about tags (names, owners, purpose, the parent a service tagged a resource with).

Shapes, as services write them in ``requestParameters`` (or under a wrapped ``{"XRequest": {...}}`` body):

- lists of pairs: ``[{"Key", "Value"}]`` (IAM, RDS, Auto Scaling...), ``[{"key", "value"}]`` (EC2),
  ``[{"TagKey", "TagValue"}]`` / ``[{"tagKey", "tagValue"}]`` (KMS);
- maps: ``{"Owner": "bob"}`` (Lambda, SQS, EKS, Secrets Manager's ``tags`` map...);
- containers around them: ``tagSet: {items: [...]}`` (EC2 CreateTags), ``Tagging: {TagSet: {Tag: [...]}}``
  (S3), ``tagSpecificationSet: {items: [{resourceType, tags}]}`` / ``TagSpecifications: [{ResourceType,
  Tags}]`` (EC2 creations: specs name the resource type they tag), ``tagList``, ``TagList``, ``tags``, ``Tags``.

Keys are matched case-insensitively; a pair without a value has the value ""; values that are objects are
not tags and are skipped.
"""

from __future__ import annotations

from typing import Any

from cloudblame.core.jpath import get_key

__all__ = ["TAGGING_EVENTS", "UNTAGGING_EVENTS", "name_tag", "request_tags", "tag_pairs"]

# The calls that add tags to a resource (their request holds the tags), and those that remove them.
TAGGING_EVENTS = ("CreateTags", "TagResource", "TagResources", "AddTags", "AddTagsToResource", "TagRole", "TagUser",
                  "PutBucketTagging", "TagQueue", "TagPolicy", "TagInstanceProfile")
UNTAGGING_EVENTS = ("DeleteTags", "UntagResource", "UntagResources", "RemoveTags", "RemoveTagsFromResource",
                    "UntagRole", "UntagUser", "DeleteBucketTagging", "UntagQueue", "UntagPolicy",
                    "UntagInstanceProfile")

_KEY_NAMES = ("key", "tagKey")
_VALUE_NAMES = ("value", "tagValue")
_CONTAINERS = ("items", "item", "TagSet", "Tag", "Tags", "tagList")
_SPEC_KEYS = ("tagSpecificationSet", "TagSpecification", "TagSpecifications")
_LIST_KEYS = ("tags", "tagList", "tagsList", "tagSet", "Tagging", "TagsList")
_MAX_DEPTH = 5


def _text(value: Any) -> str | None:
    """A tag value as text; None for what is not a scalar."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def _pair(element: dict[str, Any]) -> tuple[str, str] | None:
    """One ``{Key, Value}``-like element (None when it is not one)."""
    for key_name, value_name in zip(_KEY_NAMES, _VALUE_NAMES):
        key = get_key(element, key_name)
        if key is not None:
            value = _text(get_key(element, value_name))
            return (key, value) if isinstance(key, str) and key and value is not None else None
    return None


def tag_pairs(value: Any, _depth: int = 0) -> list[tuple[str, str]]:
    """(key, value) pairs, in order, from any tag container (see the module doc)."""
    if _depth > _MAX_DEPTH:
        return []
    if isinstance(value, list):
        return [pair for item in value for pair in tag_pairs(item, _depth + 1)]
    if not isinstance(value, dict):
        return []
    if any(get_key(value, k) is not None for k in _KEY_NAMES):
        pair = _pair(value)
        return [pair] if pair else []
    for container in _CONTAINERS:
        inner = get_key(value, container)
        if isinstance(inner, (list, dict)):
            return tag_pairs(inner, _depth + 1)
    return [(k, text) for k, v in value.items()
            if isinstance(k, str) and k != "xmlns" and (text := _text(v)) is not None]


def _bodies(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The request, and the body of a wrapped EC2 request (``{"CreateXRequest": {...}}``)."""
    request = record.get("requestParameters")
    if not isinstance(request, dict):
        return []
    return [request] + [v for k, v in request.items()
                        if isinstance(k, str) and k.endswith(("Request", "Req")) and isinstance(v, dict)]


def _specs(value: Any) -> list[dict[str, Any]]:
    """The elements of a tag specification set (a list, EC2's ``{"items": [...]}``, or one spec alone)."""
    if isinstance(value, dict):
        value = get_key(value, "items") if get_key(value, "items") is not None else [value]
    return [spec for spec in value if isinstance(spec, dict)] if isinstance(value, list) else []


def request_tags(record: dict[str, Any], tag_type: str | None = None) -> dict[str, str]:
    """Every tag a request sets, the first value of a key winning. ``tag_type``: of the tag
    specifications, only those for that resource type (EC2's ``resourceType``, e.g. ``instance``)."""
    tags: dict[str, str] = {}
    for body in _bodies(record):
        for spec_key in _SPEC_KEYS:
            for spec in _specs(get_key(body, spec_key)):
                kind = get_key(spec, "resourceType")
                if tag_type and isinstance(kind, str) and kind != tag_type:
                    continue
                for key, value in tag_pairs(spec):
                    tags.setdefault(key, value)
        for list_key in _LIST_KEYS:
            for key, value in tag_pairs(get_key(body, list_key)):
                tags.setdefault(key, value)
    return tags


def name_tag(record: dict[str, Any], tag_type: str | None = None) -> str | None:
    """The ``Name`` tag (any case) a request sets, stripped; None when it sets none."""
    for key, value in request_tags(record, tag_type).items():
        if key.strip().lower() == "name" and value.strip():
            return value.strip()
    return None
