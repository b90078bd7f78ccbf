"""tag: write on each alive resource who created it (the human behind roles and SSO), with what tool and when.

A plan first (``plan_tags``, from the store alone): the alive resources of the inventory, each with the tags
it should carry (``CreatedBy``, ``CreatedWith``, ``CreatedAt`` and optionally ``CreatedVia``: key names are
the caller's), or skipped and why (created before the data, by an AWS service, a role session naming nobody,
no ARN, a type that takes no tags). Then ``compare_tags`` reads the tags each resource has in AWS and keeps
only the ones to add: an existing key is never overwritten unless asked, so a second run has nothing to do.
``apply_tags`` writes them: through the Resource Groups Tagging API (``tag_resources``, up to 20 ARNs a call,
per region and tag set) where it covers the type, through the service's own call where it does not
(``TAGGING``: IAM users and roles, S3 buckets, whose tag set is replaced whole and so is merged first).
Throttled calls are retried by botocore's adaptive retry mode; what fails is reported per resource.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cloudblame.catalog import TYPES
from cloudblame.core.contracts import Actor, InventoryItem
from cloudblame.core.errors import BadInput, NotFound
from cloudblame.queries import Values
from cloudblame.queries.blame import blame
from cloudblame.queries.inventory import inventory
from cloudblame.queries.people import people
from cloudblame.store.db import Store

# What each tag says -> its default key. ``via`` (the credential chain) is written only when asked for.
DEFAULT_KEYS = {"by": "CreatedBy", "with": "CreatedWith", "at": "CreatedAt", "via": "CreatedVia"}
# The kinds of actor that name a person (cloudblame.normalize.identity.Actor.kind).
PERSON_KINDS = frozenset({"iam-user", "sso", "identity-center", "source-identity", "saml", "federated"})
_NOT_A_PERSON = {"service": "an AWS service", "role-session": "a role session name, no person behind it found",
                 "web-identity": "a web identity (automation: a CI job or a workload)", "root": "the root user",
                 "account": "an account", "instance": "an instance's role", "resource": "a resource's role",
                 "unknown": "an unknown caller"}
TAGGING_API_BATCH = 20  # ARNs per tag_resources call (the API's limit)
READ_BATCH = 100  # ARNs per get_resources call (the API's limit)
MAX_VALUE = 256  # characters of a tag value
_NOT_IN_VALUES = re.compile(r"[^\w\s.:/=+\-@]")  # what AWS tag values may not hold (all services)

Tags = dict[str, str]


def tag_keys(spec: str | None = None, *, via: bool = False) -> dict[str, str]:
    """The tag key of each field (by, with, at and, with ``via``, via) from ``spec``, ``field=Key,...`` over the
    defaults; ``field=`` leaves that tag out. Raises BadInput on an unknown field or a key AWS refuses."""
    keys = {f: k for f, k in DEFAULT_KEYS.items() if f != "via" or via}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, sep, key = (s.strip() for s in part.partition("="))
        if not sep or name not in DEFAULT_KEYS:
            raise BadInput(f"--keys {part!r}: give FIELD=KEY with FIELD one of {', '.join(DEFAULT_KEYS)}")
        if key.lower().startswith("aws:") or len(key) > 128 or _NOT_IN_VALUES.search(key):
            raise BadInput(f"--keys {part!r}: {key!r} is not a tag key AWS accepts")
        keys[name] = key
    keys = {f: k for f, k in keys.items() if k}
    if len(set(keys.values())) < len(keys):
        raise BadInput("--keys: two fields have the same key")
    if not keys:
        raise BadInput("--keys leaves no tag to write")
    return keys


def tag_value(text: str) -> str:
    """``text`` as AWS takes a tag value everywhere: characters it refuses replaced by ``_``, at most 256."""
    return _NOT_IN_VALUES.sub("_", text)[:MAX_VALUE]


# --- how each type is tagged: the Resource Groups Tagging API unless this table says otherwise

@dataclass(frozen=True)
class ServiceTagging:
    """A type the tagging API does not tag: its service, how to read its tags and how to add some (by
    resource id), both given a boto3 client of that service."""

    service: str
    read: Callable[[Any, str], Tags]
    add: Callable[[Any, str, Tags], None]
    via: str


@dataclass(frozen=True)
class Untaggable:
    reason: str


def _tag_list(tags: Tags) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _tag_dict(tags: Iterable[dict[str, str]]) -> Tags:
    return {t["Key"]: t["Value"] for t in tags}


def _iam_tags(operation: str, name_param: str) -> Callable[[Any, str], Tags]:
    def read(client: Any, name: str) -> Tags:
        pages = client.get_paginator(operation).paginate(**{name_param: name})
        return {k: v for page in pages for k, v in _tag_dict(page["Tags"]).items()}
    return read


def _iam_add(operation: str, name_param: str) -> Callable[[Any, str, Tags], None]:
    def add(client: Any, name: str, tags: Tags) -> None:  # IAM adds (or overwrites) only the keys given
        getattr(client, operation)(**{name_param: name, "Tags": _tag_list(tags)})
    return add


def _bucket_tags(client: Any, bucket: str) -> Tags:
    from botocore.exceptions import ClientError

    try:
        return _tag_dict(client.get_bucket_tagging(Bucket=bucket)["TagSet"])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return {}
        raise


def _add_bucket_tags(client: Any, bucket: str, tags: Tags) -> None:
    """S3 replaces a bucket's whole tag set: the set read just now, with ``tags`` over it."""
    merged = {**_bucket_tags(client, bucket), **tags}
    client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tag_list(merged)})


TAGGING: dict[str, ServiceTagging | Untaggable] = {
    "AWS::IAM::User": ServiceTagging("iam", _iam_tags("list_user_tags", "UserName"),
                                     _iam_add("tag_user", "UserName"), "iam:TagUser"),
    "AWS::IAM::Role": ServiceTagging("iam", _iam_tags("list_role_tags", "RoleName"),
                                     _iam_add("tag_role", "RoleName"), "iam:TagRole"),
    "AWS::IAM::InstanceProfile": ServiceTagging("iam", _iam_tags("list_instance_profile_tags", "InstanceProfileName"),
                                                _iam_add("tag_instance_profile", "InstanceProfileName"),
                                                "iam:TagInstanceProfile"),
    "AWS::S3::Bucket": ServiceTagging("s3", _bucket_tags, _add_bucket_tags, "s3:PutBucketTagging (merged)"),
    "AWS::IAM::AccessKey": Untaggable("IAM access keys take no tags"),
    "AWS::IAM::Group": Untaggable("IAM groups take no tags"),
}
TAGGING_API = "tagging API"


# --- the plan

@dataclass
class TagRow:
    """One resource of the run: the tags it should carry, those to add, and what became of it."""

    type: str
    id: str
    arn: str | None
    account: str | None
    region: str | None
    created_by: str | None
    method: str | None = None
    wanted: Tags = field(default_factory=dict)
    tags: Tags = field(default_factory=dict)  # to add (after compare), or added
    kept: Tags = field(default_factory=dict)  # existing values a wanted tag would have replaced
    status: str = "planned"  # planned -> to tag | unchanged | skipped | failed -> tagged | failed
    reason: str | None = None

    def skip(self, reason: str) -> None:
        self.status, self.reason = "skipped", reason

    def fail(self, reason: str) -> None:
        self.status, self.reason = "failed", reason

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "arn": self.arn, "account": self.account, "region": self.region,
                "created_by": self.created_by, "method": self.method, "status": self.status, "tags": self.tags,
                "kept": self.kept, "reason": self.reason}


def partition_of(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region and region.startswith("us-gov-") else "aws"


def arn_of(item: InventoryItem) -> str | None:
    """The resource's ARN: as its records gave it, else built from its catalog type's template (None when
    the template needs what the inventory does not know)."""
    if item["arn"]:
        return item["arn"]
    entry = TYPES.get(item["type"])
    template = entry.arn if entry is not None else None
    if not template or ("{region}" in template and not item["region"]) or (
            "{account}" in template and not item["account"]):
        return None
    fields = {"partition": partition_of(item["region"]), "region": item["region"] or "",
              "account": item["account"] or "", "id": item["id"], "parent": "", "name": ""}
    if "{parent}" in template or "{name}" in template:
        if "/" not in item["id"]:
            return None
        fields["parent"], fields["name"] = item["id"].split("/", 1)
    return template.format(**fields)


def plan_tags(store: Store, keys: dict[str, str], *, owner: Values = None, resource_type: Values = None,
              region: Values = None, account: Values = None) -> list[TagRow]:
    """Every alive resource matching the filters (as inventory's), with the tags it should carry under
    ``keys`` (``tag_keys``), or skipped and why. Reads the store only."""
    kinds = {p["human"]: p["kind"] for p in people(store, services=True)}
    found = inventory(store, owner=owner, resource_type=resource_type, region=region, account=account,
                      sort="oldest", limit=None)["resources"]
    return [_planned(store, item, keys, kinds) for item in found]


def _planned(store: Store, item: InventoryItem, keys: dict[str, str], kinds: dict[str, str | None]) -> TagRow:
    created = item["created"]
    row = TagRow(item["type"], item["id"], arn_of(item), item["account"], item["region"],
                 created["by"] if created else None)
    how = TAGGING.get(item["type"])
    if created is None:
        row.skip("created before the data: creator unknown")
    elif not created["by"]:
        row.skip("no creator found in the creation event")
    elif (why := _not_a_person(created["by"], kinds)) is not None:
        row.skip(why)
    elif isinstance(how, Untaggable):
        row.skip(how.reason)
    elif how is None and row.arn is None:
        row.skip("no ARN")
    else:
        row.method = how.via if how else TAGGING_API
        values = {"by": created["by"], "with": created["tool"], "at": created["time"]}
        if "via" in keys:
            values["via"] = _via(store, item)
        row.wanted = {keys[f]: tag_value(v) for f, v in values.items() if f in keys and v}
    return row


def _not_a_person(name: str, kinds: dict[str, str | None]) -> str | None:
    """Why ``name`` (a creator) is no person to tag as one, or None when it is."""
    if name not in kinds:
        return f"created by {name}: not a known person"
    kind = kinds[name]
    if kind in PERSON_KINDS:
        return None
    return f"created by {name}: {_NOT_A_PERSON.get(kind or 'unknown', kind or 'unknown')}"


def _via(store: Store, item: InventoryItem) -> str | None:
    """The chain from the creator to the creation, as blame shows it: ``AWSReservedSSO_Admin / deployer /
    terraform via cloudformation`` (no arrows: tag values take few characters)."""
    try:
        created = blame(store, item["id"], resource_type=item["type"], account=item["account"])["created"]
    except NotFound:
        return None
    if created is None:
        return None
    hops = _hop_names(created["actor"])
    tool = created["tool"]
    tool_text = (tool["id"] or "?") + (f" via {tool['via']}" if tool.get("via") else "")
    return " / ".join([*hops, tool_text])


def _hop_names(actor: Actor) -> list[str]:
    names: list[str] = []
    for hop in actor["chain"]:
        principal = hop.get("principal") or "?"
        if ":assumed-role/" in principal:
            principal = principal.split(":assumed-role/", 1)[1].split("/")[0]
        elif principal.startswith("arn:") and "/" in principal:
            principal = principal.rsplit("/", 1)[-1]
        principal = re.sub(r"^(AWSReservedSSO_.+)_[0-9a-f]{16}$", r"\1", principal)
        if principal != actor["human"] and principal not in names:
            names.append(principal)
    return names


# --- AWS: clients, reading and writing tags

class Clients:
    """boto3 clients by (service, region), from one session (the standard credential chain or ``profile``),
    with botocore's adaptive retries (throttling backs off) and an optional ``endpoint_url``."""

    def __init__(self, *, profile: str | None = None, region: str | None = None, endpoint_url: str | None = None,
                 max_attempts: int = 8) -> None:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        try:
            self.session = boto3.Session(profile_name=profile, region_name=region)
            found = self.session.get_credentials()
        except BotoCoreError as exc:  # an unknown profile, a broken config file
            raise BadInput(f"AWS: {exc}") from None
        if found is None:
            raise BadInput("no AWS credentials found (environment, --profile, config files or instance role)")
        self.default_region = region or self.session.region_name or "us-east-1"
        self.endpoint_url = endpoint_url
        self.config = Config(retries={"mode": "adaptive", "max_attempts": max_attempts})
        self._made: dict[tuple[str, str], Any] = {}

    def get(self, service: str, region: str | None) -> Any:
        key = (service, region or self.default_region)
        if key not in self._made:
            self._made[key] = self.session.client(service, region_name=key[1], endpoint_url=self.endpoint_url,
                                                  config=self.config)
        return self._made[key]


def _error_text(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and response.get("Error"):
        error = response["Error"]
        return f"{error.get('Code', '?')}: {error.get('Message', '')}".strip().rstrip(":")
    return f"{type(exc).__name__}: {exc}"


def _chunks(items: list[TagRow], size: int) -> Iterator[list[TagRow]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def compare_tags(rows: list[TagRow], clients: Clients, *, overwrite: bool = False) -> None:
    """Read the tags each planned row's resource has now and keep, in ``tags``, only those to add (an
    existing key only with ``overwrite``): ``to tag``, ``unchanged`` (nothing to add) or ``failed`` (its
    tags could not be read)."""
    from botocore.exceptions import BotoCoreError, ClientError

    planned = [r for r in rows if r.status == "planned"]
    current: dict[int, Tags] = {}
    by_region: dict[str | None, list[TagRow]] = defaultdict(list)
    for row in planned:
        how = TAGGING.get(row.type)
        if isinstance(how, ServiceTagging):
            try:
                current[id(row)] = how.read(clients.get(how.service, row.region), row.id)
            except (BotoCoreError, ClientError) as exc:
                row.fail(f"reading its tags: {_error_text(exc)}")
        else:
            by_region[row.region].append(row)
    for region, group in by_region.items():
        _read_through_api(clients.get("resourcegroupstaggingapi", region), group, current)
    for row in planned:
        if row.status == "planned":
            _keep_new(row, current.get(id(row), {}), overwrite)


def _read_through_api(client: Any, rows: list[TagRow], current: dict[int, Tags]) -> None:
    """The tags of ``rows`` (one region) by get_resources; a resource it does not list has none (the API
    lists only resources that have, or had, tags)."""
    from botocore.exceptions import BotoCoreError, ClientError

    for batch in _chunks(rows, READ_BATCH):
        try:
            pages = client.get_paginator("get_resources").paginate(ResourceARNList=[r.arn for r in batch])
            found = {m["ResourceARN"]: _tag_dict(m.get("Tags", [])) for page in pages
                     for m in page["ResourceTagMappingList"]}
        except (BotoCoreError, ClientError) as exc:
            for row in batch:
                row.fail(f"reading its tags: {_error_text(exc)}")
            continue
        for row in batch:
            current[id(row)] = found.get(row.arn or "", {})


def _keep_new(row: TagRow, current: Tags, overwrite: bool) -> None:
    row.kept = {k: current[k] for k, v in row.wanted.items() if k in current and current[k] != v and not overwrite}
    row.tags = {k: v for k, v in row.wanted.items() if current.get(k) != v and k not in row.kept}
    if row.tags:
        row.status = "to tag"
    else:
        row.status = "unchanged"
        row.reason = ("keeps its own " + ", ".join(f"{k}={v}" for k, v in row.kept.items())
                      if row.kept else "already tagged")


def apply_tags(rows: list[TagRow], clients: Clients) -> None:
    """Write the tags of the rows ``to tag``: each becomes ``tagged`` or ``failed`` (with AWS's reason)."""
    from botocore.exceptions import BotoCoreError, ClientError

    through_api: dict[tuple[str | None, tuple[tuple[str, str], ...]], list[TagRow]] = defaultdict(list)
    for row in (r for r in rows if r.status == "to tag"):
        how = TAGGING.get(row.type)
        if isinstance(how, ServiceTagging):
            try:
                how.add(clients.get(how.service, row.region), row.id, row.tags)
                row.status = "tagged"
            except (BotoCoreError, ClientError) as exc:
                row.fail(_error_text(exc))
        else:
            through_api[(row.region, tuple(sorted(row.tags.items())))].append(row)
    for (region, tags), group in through_api.items():
        client = clients.get("resourcegroupstaggingapi", region)
        for batch in _chunks(group, TAGGING_API_BATCH):
            _tag_batch(client, batch, dict(tags))


def _tag_batch(client: Any, batch: list[TagRow], tags: Tags) -> None:
    """One tag_resources call; when the whole call fails (a service that raises for one missing resource
    rather than listing it as failed), each resource is tried alone, so one bad one fails alone."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        failed = client.tag_resources(ResourceARNList=[r.arn for r in batch], Tags=tags)["FailedResourcesMap"]
    except (BotoCoreError, ClientError) as exc:
        if len(batch) > 1:
            for row in batch:
                _tag_batch(client, [row], tags)
            return
        batch[0].fail(_error_text(exc))
        return
    for row in batch:
        if row.arn in failed:
            info = failed[row.arn]
            row.fail(f"{info.get('ErrorCode', '?')}: {info.get('ErrorMessage', '')}")
        else:
            row.status = "tagged"


def tag_report(rows: list[TagRow], keys: dict[str, str], *, applied: bool) -> dict[str, Any]:
    """The JSON of a run: its counts (``tagged``: written now; ``to_tag``: what a dry run would write) and rows."""
    counts = {status: sum(r.status == status for r in rows) for status in ("to tag", "tagged", "unchanged",
                                                                            "skipped", "failed")}
    return {"applied": applied, "keys": keys, "to_tag": counts["to tag"], "tagged": counts["tagged"],
            "unchanged": counts["unchanged"], "skipped": counts["skipped"], "failed": counts["failed"],
            "resources": [r.as_dict() for r in rows]}


def run_tag(store: Store, clients: Clients, keys: dict[str, str], *, apply: bool = False, overwrite: bool = False,
            **filters: Values) -> dict[str, Any]:
    """Plan, compare with AWS and (``apply``) write: the report (``tag_report``)."""
    rows = plan_tags(store, keys, **filters)
    compare_tags(rows, clients, overwrite=overwrite)
    if apply:
        apply_tags(rows, clients)
    return tag_report(rows, keys, applied=apply)
