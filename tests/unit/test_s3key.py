from cloudblame.sources.s3key import parse_trail_key


def test_account_trail_key():
    k = parse_trail_key("bucket/prefix/AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/"
                        "111122223333_CloudTrail_eu-west-1_20250304T0915Z_abcdefghijklmnop.json.gz")
    assert (k.account, k.region, k.date, k.kind, k.org_id) == ("111122223333", "eu-west-1", "2025-03-04", "CloudTrail", None)


def test_organization_trail_key():
    k = parse_trail_key("/data/AWSLogs/o-1234abcde1/333333333333/CloudTrail/us-west-2/2024/01/31/x.json.gz")
    assert (k.org_id, k.account, k.region, k.date) == ("o-1234abcde1", "333333333333", "us-west-2", "2024-01-31")


def test_digest_and_not_layout():
    k = parse_trail_key("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/03/04/d.json.gz")
    assert k.kind == "CloudTrail-Digest"
    assert parse_trail_key("/tmp/trail.json") is None
    assert parse_trail_key("AWSLogs/1111/CloudTrail/us-east-1/2025/03/04/x.json") is None
