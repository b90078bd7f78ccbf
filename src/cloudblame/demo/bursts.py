"""The bursts planted in the sample sandbox account's story, for the insights to find: alice launches eight
m4.16xlarge instances in one minute from her CLI (a call-rate burst, and a costly one) and terminates them
later; a leaked key of the reports bot hammers an API it may not call (an AccessDenied storm).

Their records draw their ids and times from a random source of their own, so the rest of the story keeps
its ids whether or not they are planted.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from cloudblame.demo.ec2_shapes import instance_ids_of, run_instances_shape, state_change_shape
from cloudblame.demo.envelope import iam_user_identity
from cloudblame.demo.people import Caller
from cloudblame.demo.values import Ids

if TYPE_CHECKING:
    from cloudblame.demo.scenario import Story

BURST_TYPE = "m4.16xlarge"
BURST_SIZE = 8  # RunInstances calls, all in one minute
STORM_CALLS = 40  # denied calls, one every 3 seconds: two minutes
STORM_IP = "185.220.101.47"
STORM_UA = ("Boto3/1.26.0 md/Botocore#1.29.0 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.10.12 "
            "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.29.0")


def plant_bursts(s: Story, net: dict[str, Any]) -> None:
    """Add the bursts to ``s`` (after the rest of the story: the storm uses the bot's key made in it)."""
    own = random.Random(f"bursts-{s.account}-{s.start}")
    part = type(s)(Ids(own), own, s.people, s.account, s.start, s.days)
    _alice_load_test(part, net)
    _leaked_bot_key(part, s.records)
    s.records.extend(part.records)
    s.expected.update(part.expected)


def _alice_load_test(s: Story, net: dict[str, Any]) -> None:
    """Eight m4.16xlarge launched one by one within a minute from alice's CLI; terminated 2.5 hours later."""
    t0 = s.at(0.65, 15, 20)
    t0 -= t0 % 60
    c = s.who("alice", "cli", t0)
    instances = []
    for k in range(BURST_SIZE):
        t = t0 + 3 + 6 * k
        name = f"alice-load-{k + 1}"
        req, resp = run_instances_shape(s.ids, account=s.account, region="us-east-1", t=t, image="ami-0c7217cdde317cfec",
                                        itype=BURST_TYPE, subnet=net["subnets"][k % 2], vpc=net["vpc"], sg=net["sg"],
                                        az=f"us-east-1{'ab'[k % 2]}", tags={"Name": name, "Project": "load-test"},
                                        client_token=s.ids.token())
        s.call(t, c, "ec2.amazonaws.com", "RunInstances", req, resp)
        instances.append(instance_ids_of(resp)[0])
        s.expect(instances[-1], "AWS::EC2::Instance", "alice", "aws-cli", t, name)
    t = t0 + 9000
    req, resp = state_change_shape(instances, "shutting-down", "running")
    s.call(t, s.who("alice", "cli", t), "ec2.amazonaws.com", "TerminateInstances", req, resp)
    for iid in instances:
        s.deleted(iid, "alice", t)


def _leaked_bot_key(s: Story, records: list[tuple[int, dict[str, Any]]]) -> None:
    """The reports bot's access key, used from an unknown address at night: iam:ListUsers, denied, 40 times
    in two minutes."""
    user_id, key = _bot_credentials(records)
    c = Caller(None, iam_user_identity(s.account, "reports-bot", user_id, key), "fixed", "linux", STORM_IP)
    t0 = s.at(0.75, 3, 12)
    t0 -= t0 % 60
    for k in range(STORM_CALLS):
        s.call(t0 + 3 * k, c, "iam.amazonaws.com", "ListUsers", {"maxItems": 100}, None, read_only=True,
               error="AccessDenied", ua=STORM_UA)


def _bot_credentials(records: list[tuple[int, dict[str, Any]]]) -> tuple[str, str]:
    """The user id and access key id the story gave the reports bot (its CreateUser and CreateAccessKey)."""
    found: dict[str, str] = {}
    for _, rec in records:
        response = rec.get("responseElements") or {}
        if rec["eventName"] == "CreateUser" and response.get("user", {}).get("userName") == "reports-bot":
            found["user"] = response["user"]["userId"]
        elif rec["eventName"] == "CreateAccessKey" and response.get("accessKey", {}).get("userName") == "reports-bot":
            found["key"] = response["accessKey"]["accessKeyId"]
    return found["user"], found["key"]
