"""Identity resolution: the human behind roles, chained sessions, web identities and services
(composed scenarios, each written from the record shapes of reference §2, plus real records)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.cli.views import chain_text
from cloudblame.pipeline.ingest import ingest_paths
from cloudblame.queries.blame import blame
from cloudblame.queries.events import EventFilter, search_events
from cloudblame.queries.who import who
from cloudblame.store import Store
from tests.conftest import dataset
from tests.integration.formats import write_jsonl
from tests.integration.sample_records import ACCOUNT, TF_UA, iam_user, record, sso

OTHER = "444455556666"


def role_session(account: str, role: str, session: str, key: str, created: str, **extra) -> dict:
    ctx = {"sessionIssuer": {"type": "Role", "principalId": "AROAROLE" + role.upper()[:8],
                             "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account, "userName": role},
           "attributes": {"creationDate": created, "mfaAuthenticated": "false"}}
    ctx.update(extra.pop("context", {}))
    return {"type": "AssumedRole", "principalId": f"AROAROLE:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
            "accessKeyId": key, "sessionContext": ctx, **extra}


def assume_role(n, time, caller, account, role, session, key, region="us-east-1", recipient=None, shared=None):
    rec = record(n, time, "sts.amazonaws.com", "AssumeRole", caller, "aws-cli/2.15.0",
                 {"roleArn": f"arn:aws:iam::{account}:role/{role}", "roleSessionName": session},
                 {"credentials": {"accessKeyId": key, "expiration": "Mar 4, 2025, 10:12:44 AM"},
                  "assumedRoleUser": {"assumedRoleId": f"AROAROLE:{session}",
                                      "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}"}},
                 region=region, read_only=True)
    if recipient:
        rec["recipientAccountId"] = recipient
    if shared:
        rec["sharedEventID"] = shared
    return rec


def _store(tmp_path, *batches):
    store = Store.open(tmp_path / "id-store")
    for i, batch in enumerate(batches):
        write_jsonl(tmp_path / f"in{i}", batch)
        ingest_paths(store, [str(tmp_path / f"in{i}")])
    return store


def _chained_sso_records():
    maria = sso("maria.lopez@example.com", "ASIAMARIASSO0000001")
    hop1 = assume_role(10, "2025-03-04T09:00:00Z", maria, ACCOUNT, "platform-admin", "maria-tf", "ASIAHOP1KEY00000001")
    admin = role_session(ACCOUNT, "platform-admin", "maria-tf", "ASIAHOP1KEY00000001", "2025-03-04T09:00:00Z")
    hop2 = assume_role(11, "2025-03-04T09:00:30Z", admin, ACCOUNT, "terraform-deployer", "tf-run",
                       "ASIAHOP2KEY00000002", region="eu-west-1")
    deployer = role_session(ACCOUNT, "terraform-deployer", "tf-run", "ASIAHOP2KEY00000002", "2025-03-04T09:00:30Z")
    run = record(12, "2025-03-04T09:01:00Z", "ec2.amazonaws.com", "RunInstances", deployer, TF_UA,
                 {"instanceType": "t3.micro"},
                 {"instancesSet": {"items": [{"instanceId": "i-0aaaabbbbccccdddd"}]}})
    return [hop1, hop2], [run]


def test_sso_user_through_two_chained_roles_to_terraform(tmp_path):
    sts, calls = _chained_sso_records()
    store = _store(tmp_path, sts + calls)
    created = blame(store, "i-0aaaabbbbccccdddd")["created"]
    actor = created["actor"]
    assert (actor["human"], actor["confidence"], actor["kind"]) == ("maria.lopez@example.com", "high", "sso")
    assert [h["how"] for h in actor["chain"]] == ["sso", "AssumeRole", "AssumeRole"]
    assert [h["linked_by"] for h in actor["chain"][1:]] == ["access-key", "access-key"]
    assert [h["event_id"] for h in actor["chain"][1:]] == [sts[0]["eventID"], sts[1]["eventID"]]
    assert chain_text(actor, created["tool"]) == (
        "maria.lopez@example.com -> AWSReservedSSO_PlatformAdmin (sso) -> platform-admin (AssumeRole) "
        "-> terraform-deployer (AssumeRole) -> terraform 1.9.8")
    # the Event History's user name filter finds the human behind the chained session
    assert [e["event_name"] for e in search_events(store, EventFilter(username="maria.lopez@example.com",
                                                                       event_name="RunInstances"))] == ["RunInstances"]


def test_sts_events_arriving_later_resolve_earlier_calls(tmp_path):
    sts, calls = _chained_sso_records()
    store = _store(tmp_path, calls)
    before = blame(store, "i-0aaaabbbbccccdddd")["created"]["actor"]
    assert (before["human"], before["confidence"]) == ("terraform-deployer/tf-run", "low")
    write_jsonl(tmp_path / "late", sts)
    ingest_paths(store, [str(tmp_path / "late")])
    after = blame(store, "i-0aaaabbbbccccdddd")["created"]["actor"]
    assert (after["human"], after["confidence"]) == ("maria.lopez@example.com", "high")


def test_github_actions_workflow_creating_a_table(tmp_path):
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    subject = "repo:example-org/orders:ref:refs/heads/main"
    web_user = {"type": "WebIdentityUser", "principalId": f"{provider}:sts.amazonaws.com:{subject}",
                "userName": subject, "identityProvider": provider}
    issue = record(20, "2025-03-04T10:00:00Z", "sts.amazonaws.com", "AssumeRoleWithWebIdentity", web_user,
                   "aws-sdk-js/3.693.0", {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/gh-deploy",
                                          "roleSessionName": "GitHubActions"},
                   {"credentials": {"accessKeyId": "ASIAGITHUBKEY000001"}, "subjectFromWebIdentityToken": subject,
                    "assumedRoleUser": {"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/gh-deploy/GitHubActions"},
                    "provider": provider}, read_only=True)
    session = role_session(ACCOUNT, "gh-deploy", "GitHubActions", "ASIAGITHUBKEY000001", "2025-03-04T10:00:00Z",
                           context={"webIdFederationData": {"federatedProvider": provider, "attributes": {}}})
    table = record(21, "2025-03-04T10:02:00Z", "dynamodb.amazonaws.com", "CreateTable", session, TF_UA,
                   {"tableName": "orders"}, {"tableDescription": {
                       "tableArn": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders", "tableName": "orders"}})
    store = _store(tmp_path, [issue, table])
    actor = blame(store, "orders")["created"]["actor"]
    assert (actor["human"], actor["confidence"]) == ("github:example-org/orders (refs/heads/main)", "high")
    assert [h["how"] for h in actor["chain"]] == ["web-identity", "AssumeRoleWithWebIdentity"]


def _slr_launch(n, time, tags):
    slr = role_session(ACCOUNT, "AWSServiceRoleForAutoScaling", "AutoScaling", "ASIASLRKEY000000001",
                       "2025-03-05T11:59:00Z", invokedBy="autoscaling.amazonaws.com")
    return record(n, time, "ec2.amazonaws.com", "RunInstances", slr, "autoscaling.amazonaws.com",
                  {"instanceType": "c6i.large", "tagSpecificationSet": {"items": [
                      {"resourceType": "instance", "tags": [{"key": k, "value": v} for k, v in tags.items()]}]}},
                  {"instancesSet": {"items": [{"instanceId": f"i-0{n:016x}"}]}})


def test_instance_launched_by_auto_scaling_blames_the_last_changer_of_the_group(tmp_path):
    alice, bob = iam_user("alice", "AKIAALICE0000000001"), iam_user("bob", "AKIABOB00000000001")
    create = record(30, "2025-03-05T09:00:00Z", "autoscaling.amazonaws.com", "CreateAutoScalingGroup", alice, TF_UA,
                    {"autoScalingGroupName": "workers", "minSize": 1, "maxSize": 4}, None)
    update = record(31, "2025-03-05T11:00:00Z", "autoscaling.amazonaws.com", "UpdateAutoScalingGroup", bob,
                    "aws-cli/2.15.0", {"autoScalingGroupName": "workers", "desiredCapacity": 3}, None)
    launch = _slr_launch(32, "2025-03-05T12:00:00Z", {"aws:autoscaling:groupName": "workers"})
    early = _slr_launch(33, "2025-03-05T10:00:00Z", {"aws:autoscaling:groupName": "workers"})
    store = _store(tmp_path, [create, update, launch, early])
    late = blame(store, "i-0" + f"{32:016x}")["created"]
    assert (late["actor"]["human"], late["actor"]["kind"]) == ("bob", "delegated")
    assert late["actor"]["chain"][-1]["how"] == "auto-scaling-group workers"
    assert late["actor"]["chain"][-1]["event_id"] == update["eventID"]
    assert (late["tool"]["id"], late["tool"]["via"]) == ("aws-cli", "autoscaling")
    assert blame(store, "i-0" + f"{33:016x}")["created"]["actor"]["human"] == "alice"  # before bob's change


def test_lambda_created_by_a_cdk_stack_with_a_service_role(tmp_path):
    tom = iam_user("tom", "AKIATOM00000000001")
    cdk_ua = "aws-sdk-js/3.741.0 ua/2.1 api/cloudformation#3.741.0 aws-cdk/2.178.1"
    stack = record(40, "2025-03-06T08:00:00Z", "cloudformation.amazonaws.com", "CreateStack", tom, cdk_ua,
                   {"stackName": "ApiStack"},
                   {"stackId": f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/ApiStack/1234"})
    role = f"cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-eu-west-1"
    cfn = role_session(ACCOUNT, role, "AWSCloudFormation", "ASIACFNKEY000000001", "2025-03-06T08:00:05Z",
                       invokedBy="cloudformation.amazonaws.com")
    fn = record(41, "2025-03-06T08:01:00Z", "lambda.amazonaws.com", "CreateFunction20150331", cfn,
                "cloudformation.amazonaws.com", {"functionName": "ApiStack-handler",
                                                 "tags": {"aws:cloudformation:stack-name": "ApiStack"}},
                {"functionName": "ApiStack-handler",
                 "functionArn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:ApiStack-handler"})
    untagged = record(42, "2025-03-06T08:01:30Z", "sqs.amazonaws.com", "CreateQueue", cfn,
                      "cloudformation.amazonaws.com", {"queueName": "ApiStack-jobs"},
                      {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ApiStack-jobs"})
    store = _store(tmp_path, [stack, fn, untagged])
    created = blame(store, "ApiStack-handler")["created"]
    assert (created["actor"]["human"], created["actor"]["confidence"]) == ("tom", "high")
    assert (created["tool"]["id"], created["tool"]["version"], created["tool"]["via"]) == ("cdk", "2.178.1", "cloudformation")
    queue = blame(store, "ApiStack-jobs")["created"]
    assert (queue["actor"]["human"], queue["actor"]["confidence"]) == ("tom", "low")  # linked by time only
    assert queue["actor"]["chain"][-1]["linked_by"] == "stack operation before"


def test_cross_account_role(tmp_path):
    carol = iam_user("carol", "AKIACAROL000000001")
    carol["arn"] = f"arn:aws:iam::{OTHER}:user/carol"
    mine = assume_role(50, "2025-03-07T09:00:00Z", carol, ACCOUNT, "deployer", "carol", "ASIAXACCT0000000001",
                       recipient=OTHER, shared="shared-50")
    theirs = assume_role(51, "2025-03-07T09:00:00Z", {"type": "AWSAccount", "principalId": "AIDACAROL", "accountId": OTHER},
                         ACCOUNT, "deployer", "carol", "ASIAXACCT0000000001", shared="shared-50")
    session = role_session(ACCOUNT, "deployer", "carol", "ASIAXACCT0000000001", "2025-03-07T09:00:00Z")
    bucket = record(52, "2025-03-07T09:05:00Z", "s3.amazonaws.com", "CreateBucket", session, "aws-cli/2.15.0",
                    {"bucketName": "xacct-bucket"}, None)
    store = _store(tmp_path, [theirs, mine, bucket])
    actor = blame(store, "xacct-bucket")["created"]["actor"]
    assert (actor["human"], actor["confidence"]) == ("carol", "high")
    assert actor["chain"][1]["event_id"] == mine["eventID"]  # the caller's copy, not the AWSAccount one


def test_session_linked_by_role_and_creation_time_when_the_key_differs(tmp_path):
    alice = iam_user("alice", "AKIAALICE0000000001")
    issue = assume_role(60, "2025-03-08T09:00:00Z", alice, ACCOUNT, "ops", "alice-ops", "ASIALOGGEDKEY000001")
    session = role_session(ACCOUNT, "ops", "alice-ops", "ASIAOTHERKEY0000001", "2025-03-08T09:00:03Z")
    q = record(61, "2025-03-08T09:10:00Z", "sqs.amazonaws.com", "CreateQueue", session, "aws-cli/2.15.0",
               {"queueName": "ops-q"}, {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ops-q"})
    stale = role_session(ACCOUNT, "ops", "alice-ops", "ASIASTALEKEY0000001", "2025-03-08T11:00:00Z")
    q2 = record(62, "2025-03-08T11:10:00Z", "sqs.amazonaws.com", "CreateQueue", stale, "aws-cli/2.15.0",
                {"queueName": "ops-q2"}, {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/ops-q2"})
    store = _store(tmp_path, [issue, q, q2])
    actor = blame(store, "ops-q")["created"]["actor"]
    assert (actor["human"], actor["chain"][1]["linked_by"]) == ("alice", "role-session-and-time")
    unresolved = blame(store, "ops-q2")["created"]["actor"]  # created two hours later: no issuing event
    assert (unresolved["human"], unresolved["confidence"]) == ("ops/alice-ops", "low")


def test_who_explains_a_key_a_role_session_and_a_person(tmp_path):
    sts, calls = _chained_sso_records()
    store = _store(tmp_path, sts + calls)
    by_key = who(store, "ASIAHOP2KEY00000002")
    assert [h["human"] for h in by_key["humans"]] == ["maria.lopez@example.com"]
    assert by_key["sessions"][0]["issued_with"] == "AssumeRole"
    assert [c["id"] for c in by_key["created"]] == ["i-0aaaabbbbccccdddd"]
    person = who(store, "maria.lopez@example.com")
    keys = {s["access_key_id"] for s in person["sessions"]}
    assert {"ASIAMARIASSO0000001", "ASIAHOP1KEY00000001", "ASIAHOP2KEY00000002"} <= keys
    assert person["activity"]["events"] == 3
    store.close()
    out = CliRunner().invoke(app, ["who", "ASIAHOP2KEY00000002", "--db", store.path, "-f", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["humans"][0]["human"] == "maria.lopez@example.com"
    table = CliRunner().invoke(app, ["who", "maria.lopez@example.com", "--db", store.path])
    assert table.exit_code == 0 and "AssumeRole" in table.stdout


def test_who_unknown_identity(tmp_path):
    store = _store(tmp_path, _chained_sso_records()[1])
    store.close()
    result = CliRunner().invoke(app, ["who", "AKIANOBODY", "--db", str(tmp_path / "id-store")])
    assert result.exit_code == 2 and "no event" in result.output


def test_real_assumed_role_creator_without_sts_events_is_low_confidence(tmp_path):
    folder = dataset("c7n-eventbridge")
    store = Store.open(tmp_path / "c7n-store")
    ingest_paths(store, [str(folder / "event-cloud-trail-run-instance-creator-assumed.json")])
    (instance,) = [r[0] for r in store.conn.execute(
        "SELECT resource_id FROM event_resources WHERE action = 'create'").fetchall()]
    actor = blame(store, instance)["created"]["actor"]
    assert (actor["human"], actor["confidence"], actor["session_name"]) == ("GR_Dev_Developer/Radiant", "low", "Radiant")


def test_real_federation_token_session(tmp_path):
    folder = dataset("stratus-red-team")
    store = Store.open(tmp_path / "fed-store")
    ingest_paths(store, [str(folder / "detonation-logs" / "aws.persistence.sts-federation-token.json")])
    rows = search_events(store, EventFilter(event_name="GetCallerIdentity"))
    assert rows[0]["actor"]["human"] == "stratus-red-team-user-federation-user"
    assert rows[0]["actor"]["identity_type"] == "FederatedUser"
    session = who(store, rows[0]["actor"]["principal"])["sessions"][0]
    assert session["issued_with"] == "GetFederationToken"


def test_real_instance_role_sessions_in_invictus(invictus_store):
    store, _ = invictus_store
    rows = search_events(store, EventFilter(event_name="PutInventory", limit=10))
    assert rows and all(r["actor"]["human"].startswith("ec2:i-") for r in rows)
    assert all(r["actor"]["kind"] == "instance" and r["actor"]["confidence"] == "high" for r in rows)
    # the session was issued by EC2 to the instance profile: the chain shows that AssumeRole
    assert all(r["actor"]["chain"][-1]["how"] == "AssumeRole" for r in rows)


def test_service_catalog_launch_blames_who_provisioned_the_product(tmp_path):
    dana = iam_user("dana", "AKIADANA000000001")
    provision = record(70, "2025-03-09T09:00:00Z", "servicecatalog.amazonaws.com", "ProvisionProduct", dana,
                       "[S3Console/0.4]", {"productId": "prod-abc", "provisionedProductName": "team-db"},
                       {"recordDetail": {"recordId": "rec-1", "provisionedProductId": "pp-7x2k4q",
                                         "provisionedProductName": "team-db"}})
    launch_role = role_session(ACCOUNT, "SCLaunchRole", "AWSCloudFormation", "ASIASCLAUNCH000001",
                               "2025-03-09T09:00:10Z", invokedBy="cloudformation.amazonaws.com")
    arn = f"arn:aws:servicecatalog:eu-west-1:{ACCOUNT}:stack/team-db/pp-7x2k4q"
    db = record(71, "2025-03-09T09:02:00Z", "rds.amazonaws.com", "CreateDBInstance", launch_role,
                "cloudformation.amazonaws.com",
                {"dBInstanceIdentifier": "team-db", "dBInstanceClass": "db.t3.medium",
                 "tags": [{"key": "aws:servicecatalog:provisionedProductArn", "value": arn},
                          {"key": "aws:cloudformation:stack-name", "value": "SC-111122223333-pp-7x2k4q"}]},
                {"dBInstanceIdentifier": "team-db", "dBInstanceArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:team-db"})
    store = _store(tmp_path, [provision, db])
    created = blame(store, "team-db", resource_type="AWS::RDS::DBInstance")["created"]
    assert (created["actor"]["human"], created["actor"]["kind"]) == ("dana", "delegated")
    assert created["actor"]["chain"][-1]["how"] == "service-catalog-product pp-7x2k4q"
    assert created["tool"]["id"] == "console" and created["tool"]["via"] == "cloudformation"
