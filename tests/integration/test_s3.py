"""S3 trail buckets against moto in server mode (a real HTTP endpoint on 127.0.0.1)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import defaultdict

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudblame.demo import generate_sample_trail
from cloudblame.pipeline.ingest import ingest_paths, ingest_s3
from cloudblame.sources.s3 import ObjectFilter, S3SourceError
from cloudblame.store import Store
from tests.conftest import dataset
from tests.datasets import read_records

CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
         "AWS_EC2_METADATA_DISABLED": "true"}


def client(url):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def upload_tree(s3, bucket, root, prefix=""):
    s3.create_bucket(Bucket=bucket)
    keys = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            key = prefix + path.relative_to(root).as_posix()
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            keys.append(key)
    return keys


@pytest.fixture(scope="module")
def org_bucket(moto_url, tmp_path_factory):
    """An organization trail of 3 accounts and 3 regions (the project's own generator)."""
    root = tmp_path_factory.mktemp("org")
    sample = generate_sample_trail(root, records=1500, days=6, accounts=3, organization=True)
    s3 = client(moto_url)
    keys = upload_tree(s3, "org-trail", root, prefix="trails/")
    s3.put_object(Bucket="org-trail", Key=keys[0].replace("/CloudTrail/", "/CloudTrail-Digest/"), Body=b"{}")
    return sample, root, keys


def test_org_bucket_ingests_like_the_local_copy(org_bucket, moto_url, tmp_path):
    sample, root, keys = org_bucket
    with Store.open(tmp_path / "s3-store") as store:
        s = ingest_s3(store, "s3://org-trail/trails", client=client(moto_url), workers=4)
        from_s3 = store.query("SELECT event_id, account_id, aws_region, org_id FROM events ORDER BY event_id")
    with Store.open(tmp_path / "local-store") as store:
        ingest_paths(store, [str(root)])
        local = store.query("SELECT event_id, account_id, aws_region, org_id FROM events ORDER BY event_id")
    assert (s.files, s.records, s.new, s.problems) == (len(keys), sample.records, sample.records, [])
    assert from_s3 == local and {r["org_id"] for r in from_s3} == {keys[0].split("/")[2]}
    assert len({r["account_id"] for r in from_s3}) == 3 and s.bytes > 0


def test_rerun_fetches_nothing_new_then_only_new_objects(org_bucket, moto_url, tmp_path):
    sample, root, keys = org_bucket
    s3 = client(moto_url)
    with Store.open(tmp_path / "s-store") as store:
        ingest_s3(store, "s3://org-trail/trails", client=s3)
        again = ingest_s3(store, "s3://org-trail/trails", client=s3)
        assert (again.files_unchanged, again.files_read, again.new) == (len(keys), 0, 0)
        extra = keys[0].rsplit("/", 1)[0] + "/extra_CloudTrail.json.gz"
        rec = dict(read_records(next(root.rglob("*.json.gz")))[0], eventID="brand-new-event")
        s3.put_object(Bucket="org-trail", Key=extra, Body=gzip.compress(json.dumps({"Records": [rec]}).encode()))
        try:
            third = ingest_s3(store, "s3://org-trail/trails", client=s3)
        finally:
            s3.delete_object(Bucket="org-trail", Key=extra)
        assert (third.files_read, third.new) == (1, 1)


def test_account_region_and_time_filters_prune(org_bucket, moto_url, tmp_path):
    sample, root, keys = org_bucket
    account = sample.accounts[1]
    by_key = defaultdict(int)
    for key in keys:
        parts = key.split("/")
        by_key[(parts[3], parts[5])] += 1
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_s3(store, "s3://org-trail/trails", client=client(moto_url),
                      flt=ObjectFilter({account}, {"eu-west-1"}))
        assert s.files == by_key[(account, "eu-west-1")] > 0
        assert store.query("SELECT DISTINCT account_id, aws_region FROM events") == [
            {"account_id": account, "aws_region": "eu-west-1"}]
    from datetime import datetime
    since = datetime(2026, 10, 4)
    with Store.open(tmp_path / "t-store") as store:
        s = ingest_s3(store, "s3://org-trail/trails", client=client(moto_url), flt=ObjectFilter(since=since))
        first = store.scalar("SELECT min(event_time) FROM events")
    assert 0 < s.files < len(keys) and first >= datetime(2026, 10, 2)  # a day wider than asked


def test_access_denied_on_one_prefix_is_listed_and_the_rest_goes_on(org_bucket, moto_url, tmp_path):
    sample, _, keys = org_bucket
    denied = sample.accounts[2]
    s3 = client(moto_url)

    def deny(params, **_):
        if f"/{denied}/" in params.get("Prefix", ""):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "ListObjectsV2")

    s3.meta.events.register("before-parameter-build.s3.ListObjectsV2", deny)
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_s3(store, "s3://org-trail/trails", client=s3)
        accounts = {r["account_id"] for r in store.query("SELECT DISTINCT account_id FROM events")}
    assert accounts == set(sample.accounts) - {denied}
    assert s.problems and all(denied in p.path and p.reason.startswith("AccessDenied") for p in s.problems)


def test_corrupt_object_reported_and_skipped(moto_url, tmp_path):
    s3 = client(moto_url)
    s3.create_bucket(Bucket="corrupt")
    good = {"Records": [{"eventID": "c-1", "eventTime": "2025-01-01T00:00:00Z", "eventSource": "s3.amazonaws.com",
                         "eventName": "ListBuckets", "awsRegion": "us-east-1"}]}
    base = "AWSLogs/111122223333/CloudTrail/us-east-1/2025/01/01/"
    s3.put_object(Bucket="corrupt", Key=base + "a.json.gz", Body=gzip.compress(json.dumps(good).encode()))
    s3.put_object(Bucket="corrupt", Key=base + "b.json.gz", Body=gzip.compress(b'{"Records": [{"eventID": "x"')[:-9])
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_s3(store, "s3://corrupt", client=s3)
    assert s.records == 1
    assert any(p.path.endswith("b.json.gz") and "truncated gzip" in p.reason for p in s.problems)


def test_missing_bucket_is_a_clear_error(moto_url, tmp_path):
    with Store.open(tmp_path / "s-store") as store, pytest.raises(S3SourceError, match="does not exist"):
        ingest_s3(store, "s3://no-such-bucket-here", client=client(moto_url))


def _cli(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "cloudblame", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_killed_run_resumes_to_the_same_store(org_bucket, moto_url, tmp_path):
    url = "s3://org-trail/trails"
    common = ["--endpoint-url", moto_url, "--workers", "2", "--format", "json"]
    whole = _cli("ingest", url, "--db", str(tmp_path / "whole-store"), *common, env_extra=CREDS)
    assert whole.returncode == 0, whole.stderr
    killed = _cli("ingest", url, "--db", str(tmp_path / "resumed-store"), *common,
                  env_extra={**CREDS, "CLOUDBLAME_TEST_KILL_AFTER_OBJECTS": "7"})
    assert killed.returncode == -9
    resumed = _cli("ingest", url, "--db", str(tmp_path / "resumed-store"), *common, env_extra=CREDS)
    assert resumed.returncode == 0, resumed.stderr
    done, again = json.loads(whole.stdout), json.loads(resumed.stdout)
    # the resumed run reads each object the killed run did not commit, and only those
    assert again["files_unchanged"] + again["files_read"] == done["files"] == again["files"]
    assert again["files_read"] < done["files"], "the killed run committed nothing"

    def content(name):
        with Store.open(tmp_path / name, read_only=True) as store:
            return (store.query("SELECT event_id, raw FROM events ORDER BY event_id"),
                    store.query("SELECT * EXCLUDE (event_time) FROM event_resources ORDER BY ALL"),
                    store.query("SELECT path, size, etag FROM objects ORDER BY path"))

    assert content("whole-store") == content("resumed-store")


def test_no_credentials_is_explained(moto_url, tmp_path):
    result = _cli("ingest", "s3://org-trail/trails", "--db", str(tmp_path / "s-store"), "--endpoint-url", moto_url,
                  env_extra={"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
                             "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    assert result.returncode == 1
    assert "no AWS credentials found" in result.stdout + result.stderr


def test_real_records_in_an_org_bucket(moto_url, tmp_path):
    """Real records (invictus-aws and stratus-red-team), laid out as an organization trail."""
    records = [r for folder in ("invictus-aws", "stratus-red-team")
               for p in sorted(dataset(folder).rglob("*.json")) for r in read_records(p)]
    groups = defaultdict(list)
    for r in records:
        groups[(r.get("recipientAccountId") or "123456789012", r["awsRegion"], r["eventTime"][:10])].append(r)
    s3 = client(moto_url)
    s3.create_bucket(Bucket="real-org")
    for n, ((account, region, day), recs) in enumerate(sorted(groups.items())):
        key = (f"AWSLogs/o-realorg123/{account}/CloudTrail/{region}/{day.replace('-', '/')}/"
               f"{account}_CloudTrail_{region}_{day.replace('-', '')}T0000Z_{n:016d}.json.gz")
        s3.put_object(Bucket="real-org", Key=key, Body=gzip.compress(json.dumps({"Records": recs}).encode()))
    with Store.open(tmp_path / "s-store") as store:
        s = ingest_s3(store, "s3://real-org", client=s3, workers=4)
        accounts = store.scalar("SELECT count(DISTINCT account_id) FROM events")
    assert s.records == len(records) and s.new == len({r["eventID"] for r in records}) and s.problems == []
    assert accounts >= 10


def test_sync_from_a_config_file(org_bucket, moto_url, tmp_path):
    sample, root, keys = org_bucket
    local = tmp_path / "local"
    (local / "x").mkdir(parents=True)
    (local / "x" / "one.json").write_text(json.dumps({"Records": [
        {"eventID": "local-1", "eventTime": "2025-01-01T00:00:00Z", "eventSource": "s3.amazonaws.com",
         "eventName": "ListBuckets", "awsRegion": "us-east-1"}]}))
    config = tmp_path / "cloudblame.toml"
    config.write_text(f'''db = "{tmp_path / 'sync-store'}"

[[s3]]
url = "s3://org-trail/trails"
endpoint_url = "{moto_url}"
regions = ["us-east-1"]
workers = 4

[[path]]
path = "{local}"
''')
    first = _cli("sync", "--config", str(config), "--quiet", env_extra=CREDS)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("sync: 2 sources,") and " 0 problems" in first.stdout
    assert len(first.stdout.strip().splitlines()) == 1
    again = _cli("sync", "--config", str(config), "--quiet", env_extra=CREDS)
    assert again.returncode == 0 and ", 0 records, 0 new," in again.stdout
    with Store.open(tmp_path / "sync-store", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM events WHERE event_id = 'local-1'") == 1
        assert store.query("SELECT DISTINCT aws_region FROM events WHERE origin LIKE 's3://%'") == [
            {"aws_region": "us-east-1"}]
    config.write_text(config.read_text().replace("org-trail", "no-such-bucket"))
    broken = _cli("sync", "--config", str(config), "--quiet", env_extra=CREDS)
    assert broken.returncode == 1 and "1 problems" in broken.stdout


def test_sync_config_errors_are_clear(tmp_path):
    config = tmp_path / "cloudblame.toml"
    config.write_text('[[s3]]\nbucket = "x"\n')
    result = _cli("sync", "--config", str(config))
    assert result.returncode == 2 and "unknown keys ['bucket']" in result.stderr


def test_bucket_in_another_region_says_so(org_bucket, moto_url, tmp_path):
    s3 = client(moto_url)

    def redirect(params, **_):
        raise ClientError({"Error": {"Code": "PermanentRedirect", "Message": "use the right endpoint"}},
                          "ListObjectsV2")

    s3.meta.events.register("before-parameter-build.s3.ListObjectsV2", redirect)
    with Store.open(tmp_path / "s-store") as store, pytest.raises(S3SourceError, match="another region: pass"):
        ingest_s3(store, "s3://org-trail/trails", client=s3)
