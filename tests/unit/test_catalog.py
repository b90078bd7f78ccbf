"""Meta-tests over the whole resource catalog: it must stay consistent as entries are added."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from cloudblame.catalog import (
    ARN_SERVICES,
    CATALOG,
    EC2_ID_PREFIXES,
    EC2_PREFIXES_NOT_CANONICAL,
    RULES,
    TYPES,
    ResourceType,
    rules_for,
)
from cloudblame.catalog.base import PATH_ROOTS, compile_spec
from cloudblame.catalog.pricing import NoCharge

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
PEER_RULES = SHARED / "reference" / "peer_extraction_rules.json"

TYPES_ONLY = [e for e in CATALOG if isinstance(e, ResourceType)]


def _entry_id(entry) -> str:
    return f"{entry.source}:{getattr(entry, 'type', '*')}"


def _all_events(entry):
    for action, events in entry.events().items():
        for event, paths in events.items():
            yield action, event, paths


# --- structure ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", CATALOG, ids=_entry_id)
def test_every_path_compiles_and_starts_at_a_record_section(entry):
    for _, event, paths in _all_events(entry):
        assert paths, f"{event}: no path"
        for path in paths:
            spec = compile_spec(path)
            for p in spec.paths():
                assert p.split(".", 1)[0].split("[", 1)[0] in PATH_ROOTS, p
    if isinstance(entry, ResourceType):
        known = {event for _, event, _ in _all_events(entry)}
        for mapping_name in ("arn_paths", "name_paths", "upsert_flags"):
            mapping = getattr(entry, mapping_name)
            stray = set(mapping) - known
            assert not stray, f"{mapping_name} names events the entry does not handle: {stray}"
            for value in mapping.values():
                for path in (value,) if isinstance(value, str) else value:
                    compile_spec(path)


def test_path_compiler_rejects_bad_paths():
    # the test above is only worth something if compile_spec can fail
    for bad in ("responseElement.x", "requestParameters.a[x]", "{requestParameters.a", "", "x{y}z"):
        with pytest.raises(ValueError):
            compile_spec(bad)
    with pytest.raises(ValueError):
        ResourceType(type="AWS::X::Y", source="x.amazonaws.com", arn="arn:{partition}:x:{region}:{acct}:y/{id}")
    with pytest.raises(ValueError):
        ResourceType(type="AWS::X::Y", source="x.amazonaws.com", id_pattern=r"^(?P<name>.+)$")


def test_no_duplicate_source_event_type_keys():
    keys = Counter()
    for entry in CATALOG:
        for _, event, _ in _all_events(entry):
            keys[(entry.source, event, getattr(entry, "type", "*"))] += 1
    dups = [k for k, n in keys.items() if n > 1]
    assert not dups, f"(source, event, type) handled twice: {dups}"


def test_type_strings_are_cloudformation_style_and_sources_are_event_sources():
    for entry in CATALOG:
        assert re.fullmatch(r"[a-z0-9-]+\.amazonaws\.com", entry.source), entry.source
        if isinstance(entry, ResourceType):
            for t in (entry.type, *entry.aliases):
                assert re.fullmatch(r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+", t), t
        else:
            for t in entry.types:
                assert t in TYPES, f"AnyResource restricted to unknown type {t}"


def test_every_type_with_create_events_has_a_delete_event_or_a_reason():
    creates, deletes, reasons = defaultdict(set), defaultdict(set), {}
    for entry in TYPES_ONLY:
        creates[entry.type] |= set(entry.create)
        deletes[entry.type] |= set(entry.delete)
        if entry.no_delete_reason:
            reasons[entry.type] = entry.no_delete_reason
    missing = [t for t in creates if creates[t] and not deletes[t] and t not in reasons]
    assert not missing, f"types created but never deleted (add delete events or no_delete_reason): {missing}"


def test_every_type_with_create_events_has_a_price_model_or_a_reason():
    """An alive resource is priced (NoCharge included) or says why it cannot be; never both."""
    missing = [e.type for e in TYPES_ONLY if e.create and e.price is None and not e.unpriced_reason]
    assert not missing, f"types created but neither priced nor saying why (add price or unpriced_reason): {missing}"
    both = [e.type for e in TYPES_ONLY if e.price is not None and e.unpriced_reason]
    assert not both
    with pytest.raises(ValueError):
        ResourceType(type="AWS::X::Y", source="x.amazonaws.com", price=NoCharge(), unpriced_reason="free")


def test_size_paths_compile_and_sizes_are_only_where_a_model_reads_them():
    """Size paths start at a record section; a type with a size has a model that reads some of it."""
    with pytest.raises(ValueError):
        ResourceType(type="AWS::X::Y", source="x.amazonaws.com", size={"count": "count"})
    for entry in TYPES_ONLY:
        if entry.size or entry.size_defaults:
            assert entry.price is not None, entry.type
            assert set(entry.price.reads()) & (set(entry.size) | set(entry.size_defaults)), entry.type


def test_global_types_have_region_less_arns_and_regional_types_have_a_region():
    for entry in TYPES_ONLY:
        if not entry.arn:
            continue
        if entry.global_:
            assert "{region}" not in entry.arn, entry.type
        else:
            assert "{region}" in entry.arn, entry.type


@pytest.mark.parametrize("entry", [e for e in TYPES_ONLY if e.arn], ids=_entry_id)
def test_arn_templates_round_trip_through_the_type_patterns(entry):
    """An ARN built from the template is recognised by the type and gives back the same id."""
    composite = "{parent}" in entry.arn
    rid = "parent-1/child-1" if composite else "res-1"
    if entry.id_transform == "lower":
        rid = rid.lower()
    fields = {"partition": "aws", "region": "eu-west-3", "account": "123456789012", "id": rid}
    if composite:
        fields["parent"], fields["name"] = rid.split("/")
    arn = entry.arn.format(**fields)
    for pattern in entry.patterns:
        m = pattern.match(arn)
        if m:
            g = m.groupdict()
            got = g.get("id") or f"{g['parent']}/{g['name']}"
            assert got == rid, (arn, pattern.pattern)
            break
    else:
        pytest.fail(f"no pattern of {entry.type} matches its own ARN {arn}")
    service = arn.split(":")[2]
    assert entry in ARN_SERVICES[service]


def test_ec2_prefix_table_types_are_in_the_catalog_with_ec2_arns():
    assert all(p.endswith("-") for p in EC2_ID_PREFIXES)
    assert EC2_PREFIXES_NOT_CANONICAL <= set(EC2_ID_PREFIXES)
    for prefix, rtype in EC2_ID_PREFIXES.items():
        entry = TYPES.get(rtype)
        assert entry is not None, f"{prefix} -> {rtype} is not a catalog type"
        assert entry.source == "ec2.amazonaws.com", rtype
        assert entry.arn and entry.arn.startswith("arn:{partition}:ec2:"), rtype
    for p in ("i-", "vol-", "snap-", "sg-", "subnet-", "vpc-", "ami-", "eni-", "igw-", "nat-", "rtb-", "acl-",
              "eipalloc-", "lt-", "key-", "sir-", "fleet-", "pcx-", "tgw-", "vpce-", "dopt-", "vgw-", "cgw-",
              "vpn-", "tgw-attach-"):
        assert p in EC2_ID_PREFIXES, p


def test_index_is_keyed_on_source_and_event_never_on_event_alone():
    assert all(isinstance(k, tuple) and len(k) == 2 for k in RULES)
    by_source = {src: {r.entry.type for r in rules_for(src, "CreateCluster") if r.action == "create"}
                 for src in ("eks.amazonaws.com", "ecs.amazonaws.com", "redshift.amazonaws.com",
                             "kafka.amazonaws.com", "cloudhsm.amazonaws.com")}
    assert by_source == {
        "eks.amazonaws.com": {"AWS::EKS::Cluster"},
        "ecs.amazonaws.com": {"AWS::ECS::Cluster"},
        "redshift.amazonaws.com": {"AWS::Redshift::Cluster"},
        "kafka.amazonaws.com": {"AWS::MSK::Cluster"},
        "cloudhsm.amazonaws.com": {"AWS::CloudHSM::Cluster"},
    }
    assert rules_for("ec2.amazonaws.com", "CreateCluster") == ()


def test_elb_classic_and_v2_entries_are_told_apart_by_api_version():
    whens = {r.entry.type: dict(r.when) for r in rules_for("elasticloadbalancing.amazonaws.com", "CreateLoadBalancer")}
    assert whens == {
        "AWS::ElasticLoadBalancing::LoadBalancer": {"apiVersion": "2012-06-01"},
        "AWS::ElasticLoadBalancingV2::LoadBalancer": {"apiVersion": "2015-12-01"},
    }


def test_catalog_size():
    creation_rules = sum(len(e.create) for e in TYPES_ONLY)
    types = {e.type for e in TYPES_ONLY}
    assert creation_rules >= 100, creation_rules
    assert len(types) >= 80, len(types)
    assert len({e.source for e in CATALOG}) >= 40


# --- coverage of what peer tools know -------------------------------------------------------------------

def _peer_rules() -> dict:
    if not PEER_RULES.is_file():
        pytest.skip(f"{PEER_RULES} is not present (the peer coverage test needs ../shared/reference)")
    return json.loads(PEER_RULES.read_text())


def test_every_peer_creation_rule_is_a_catalog_creation_with_a_delete_event():
    peer = _peer_rules()
    missing, no_delete = [], []
    for rule in peer["creation_rules"]:
        key = (rule["eventSource"], rule["eventName"])
        creators = [r.entry for r in RULES.get(key, ()) if r.action == "create"]
        if not creators:
            missing.append(key)
            continue
        for entry in creators:
            if not any(e.delete for e in TYPES_ONLY if e.type == entry.type) and not entry.no_delete_reason:
                no_delete.append((key, entry.type))
    assert not missing, f"peer creation rules the catalog does not know: {sorted(set(missing))}"
    assert not no_delete, f"peer-created types without a delete event: {no_delete}"


def test_every_peer_modification_rule_is_covered():
    peer = _peer_rules()
    missing = sorted({(r["eventSource"], r["eventName"]) for r in peer["modification_rules"]
                      if (r["eventSource"], r["eventName"]) not in RULES})
    assert not missing, f"peer modification rules the catalog does not know: {missing}"


# --- every event name is an API operation ----------------------------------------------------------------

# eventSource prefixes whose botocore service name differs and cannot be found by endpointPrefix
SERVICE_OVERRIDES = {
    "cloudhsm.amazonaws.com": ("cloudhsmv2", "cloudhsm"),  # CloudHSM v2 logs under cloudhsm.amazonaws.com
    "amazonmq.amazonaws.com": ("mq",),  # Amazon MQ logs under amazonmq.amazonaws.com, botocore calls it mq
}
ELB_MODELS = {"2012-06-01": "elb", "2015-12-01": "elbv2"}

# CloudTrail event names that are not botocore operation names, each with the reason.
EVENT_NAME_EXCEPTIONS: dict[tuple[str, str], tuple[str | None, str]] = {
    **{("lambda.amazonaws.com", name): (name[: re.search(r"20\d{6}", name).start()],
                                        "Lambda events carry the API version the caller used")
       for name in (
           "CreateFunction20150331", "CreateFunction20141111", "DeleteFunction20150331", "DeleteFunction20141111",
           "UpdateFunctionCode20150331", "UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331",
           "UpdateFunctionConfiguration20150331v2", "AddPermission20150331", "AddPermission20150331v2",
           "RemovePermission20150331", "RemovePermission20150331v2", "PublishVersion20150331",
           "CreateAlias20150331", "UpdateAlias20150331", "PutFunctionConcurrency20171031",
           "DeleteFunctionConcurrency20171031", "TagResource20170331", "TagResource20170331v2",
           "UntagResource20170331", "UntagResource20170331v2", "CreateEventSourceMapping20150331")},
    **{("cloudfront.amazonaws.com", name): (name[:-len("2020_05_31")],
                                            "CloudFront Functions events carry the API version")
       for name in ("CreateFunction2020_05_31", "DeleteFunction2020_05_31", "UpdateFunction2020_05_31",
                    "PublishFunction2020_05_31")},
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock"): (
        "PutPublicAccessBlock", "CloudTrail names the bucket-level S3 operation with 'Bucket'"),
    ("s3.amazonaws.com", "DeleteBucketPublicAccessBlock"): (
        "DeletePublicAccessBlock", "CloudTrail names the bucket-level S3 operation with 'Bucket'"),
    ("signin.amazonaws.com", "ConsoleLogin"): (None, "a console sign-in event, not an API operation"),
    **{("opsworks.amazonaws.com", name): (None, "OpsWorks Stacks reached end of life; botocore dropped its model")
       for name in ("CreateStack", "CloneStack", "DeleteStack", "UpdateStack", "StartStack", "StopStack")},
}


def _botocore_data() -> Path:
    candidates = []
    spec = importlib.util.find_spec("botocore")
    if spec and spec.origin:
        candidates.append(Path(spec.origin).parent / "data")
    candidates += sorted(Path("/root/.pyenv/versions").glob("*/lib/python3*/site-packages/botocore/data"))
    candidates += sorted(Path("/usr/lib").glob("python3*/*-packages/botocore/data"))
    for c in candidates:
        if (c / "ec2").is_dir():
            return c
    pytest.skip("botocore service models are not installed (the operation-name test needs them)")


def _load_models(data: Path) -> tuple[dict[str, set[str]], dict[str, list[str]], dict[str, str]]:
    ops, by_prefix, versions = {}, defaultdict(list), {}
    for service in sorted(p for p in data.iterdir() if p.is_dir()):
        dated = sorted(v for v in service.iterdir() if v.is_dir())
        if not dated:
            continue
        path = dated[-1] / "service-2.json"
        opener = open
        if not path.exists():
            path, opener = path.with_suffix(".json.gz"), gzip.open
        if not path.exists():
            continue
        with opener(path, "rt", encoding="utf-8") as f:
            model = json.load(f)
        ops[service.name] = set(model["operations"])
        by_prefix[model["metadata"].get("endpointPrefix")].append(service.name)
        versions[service.name] = model["metadata"].get("apiVersion")
    return ops, by_prefix, versions


def test_every_event_name_is_an_operation_of_the_service():
    ops, by_prefix, versions = _load_models(_botocore_data())
    used_exceptions, unknown = set(), []
    for entry in CATALOG:
        prefix = entry.source[: -len(".amazonaws.com")]
        services = list(SERVICE_OVERRIDES.get(entry.source, ())) or by_prefix.get(prefix, []) or (
            [prefix] if prefix in ops else [])
        when = getattr(entry, "when", {})
        if "apiVersion" in when:  # ELB: the model is chosen by the record's apiVersion
            services = [ELB_MODELS[when["apiVersion"]]]
            assert versions[services[0]] == when["apiVersion"]
        known = set().union(*(ops[s] for s in services)) if services else set()
        for _, event, _ in _all_events(entry):
            if event in known:
                continue
            exception = EVENT_NAME_EXCEPTIONS.get((entry.source, event))
            if exception is None:
                unknown.append((entry.source, event, services))
                continue
            used_exceptions.add((entry.source, event))
            operation, reason = exception
            assert reason
            if operation is not None:
                assert operation in known, f"{event}: exception maps to unknown operation {operation}"
    assert not unknown, f"event names that are not operations of their service: {unknown}"
    stale = set(EVENT_NAME_EXCEPTIONS) - used_exceptions
    assert not stale, f"exceptions no longer needed: {stale}"
