"""The sample-trail generator: layout, record shape, determinism, size, and its known answers."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import pytest

from cloudblame.demo import generate_sample_trail

KEY = re.compile(
    r"AWSLogs/(?:(?P<org>o-[a-z0-9]{10,32})/)?(?P<acct>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/"
    r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P=acct)_CloudTrail_(?P=region)_(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$"
)
REQUIRED = ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
            "userAgent", "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "eventType",
            "managementEvent", "recipientAccountId", "eventCategory")


def _files(root):
    return sorted(p for p in root.rglob("*.json.gz"))


def _records(root):
    for path in _files(root):
        for rec in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            yield path, rec


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    return generate_sample_trail(root, records=3000), root


def test_layout_and_record_shape(sample):
    summary, root = sample
    ids = set()
    for path, rec in _records(root):
        m = KEY.search(path.relative_to(root).as_posix())
        assert m, path
        assert (rec["recipientAccountId"], rec["awsRegion"]) == (m["acct"], m["region"])
        assert all(k in rec for k in REQUIRED), (path, sorted(set(REQUIRED) - set(rec)))
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", rec["eventTime"])
        assert "2026-10-01" <= rec["eventTime"][:10] <= "2026-11-12"
        stamp = f"{m['stamp'][:4]}-{m['stamp'][4:6]}-{m['stamp'][6:8]}T{m['stamp'][9:11]}:{m['stamp'][11:13]}:00Z"
        assert stamp >= rec["eventTime"][:17] + "00Z", (path, rec["eventTime"])  # delivered after its events
        ids.add(rec["eventID"])
    assert len(ids) == summary.records
    assert abs(summary.records - 3000) <= 150
    assert summary.files == len(_files(root))


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    def digest(root):
        return hashlib.sha256(b"".join(p.relative_to(root).as_posix().encode() + p.read_bytes()
                                       for p in _files(root))).hexdigest()

    a = generate_sample_trail(tmp_path / "a", records=800, days=10)
    b = generate_sample_trail(tmp_path / "b", records=800, days=10)
    generate_sample_trail(tmp_path / "c", records=800, days=10, seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    assert a.expected == b.expected


def test_expected_creations_are_in_the_records(sample):
    summary, root = sample
    text_by_id = {}
    for _, rec in _records(root):
        if rec.get("errorCode") or rec["readOnly"]:
            continue
        blob = json.dumps(rec.get("responseElements")) + json.dumps(rec.get("requestParameters"))
        for e in summary.expected:
            if e.resource_id in blob and rec["eventTime"] == e.created:
                ui = rec["userIdentity"]
                text_by_id[(e.resource_id, e.resource_type)] = ui.get("userName") or ui["arn"].rsplit("/", 1)[-1]
    assert len(summary.expected) >= 20
    for e in summary.expected:
        if e.via or e.creator.startswith("github:"):
            continue  # made by a service or a CI role for the creator: the record names the service
        assert text_by_id.get((e.resource_id, e.resource_type)) == e.creator, e
    spot = [e for e in summary.expected if e.resource_id == summary.spotlight]
    assert spot and spot[0].deleted_by and spot[0].deleted_by != spot[0].creator


def test_scenario_has_failures_service_calls_and_sessions(sample):
    _, root = sample
    recs = [r for _, r in _records(root)]
    assert {"Client.UnauthorizedOperation", "Client.DryRunOperation"} <= {r.get("errorCode") for r in recs}
    assert any(r["userIdentity"].get("invokedBy") == "cloudformation.amazonaws.com" for r in recs)
    assert any("AWSServiceRoleForAutoScaling" in r["userIdentity"].get("arn", "") for r in recs)
    issued = {r["responseElements"]["credentials"]["accessKeyId"] for r in recs
              if r["eventName"].startswith("AssumeRoleWith")}
    used = {r["userIdentity"]["accessKeyId"] for r in recs
            if "AWSReservedSSO_" in r["userIdentity"].get("arn", "")}
    assert used and used <= issued  # every SSO session key was issued by a recorded STS event


def test_organization_layout(tmp_path):
    s = generate_sample_trail(tmp_path, records=600, days=7, accounts=3, organization=True)
    accounts = {KEY.search(p.relative_to(tmp_path).as_posix())["acct"] for p in _files(tmp_path)}
    orgs = {KEY.search(p.relative_to(tmp_path).as_posix())["org"] for p in _files(tmp_path)}
    assert accounts == set(s.accounts) and len(accounts) == 3
    assert len(orgs) == 1 and None not in orgs
