"""Principal and actor of every identity kind (reference §2)."""

from __future__ import annotations

import pytest

from cloudblame.normalize.identity import actor_of, principal_of

ACCT = "111122223333"


def _actor(ui):
    p = principal_of(ui)
    return p, actor_of(ui, p)


def test_iam_user():
    p, a = _actor({"type": "IAMUser", "principalId": "AIDAX", "arn": f"arn:aws:iam::{ACCT}:user/dev/alice",
                   "accountId": ACCT, "accessKeyId": "AKIAX", "userName": "alice"})
    assert (a.human, a.kind, a.confidence) == ("alice", "iam-user", "high")
    assert (p.user_name, p.access_key_id, p.arn) == ("alice", "AKIAX", f"arn:aws:iam::{ACCT}:user/dev/alice")


def test_root():
    p, a = _actor({"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root", "accountId": ACCT})
    assert (a.human, a.kind) == (f"root@{ACCT}", "root")
    assert p.user_name == "root"


def test_identity_center_session_name_is_the_user():
    role = "AWSReservedSSO_PlatformAdmin_0a1b2c3d4e5f6a7b"
    p, a = _actor({
        "type": "AssumedRole", "principalId": "AROAX:maria@example.com",
        "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/maria@example.com", "accountId": ACCT,
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role,
                                             "arn": f"arn:aws:iam::{ACCT}:role/aws-reserved/sso.amazonaws.com/{role}"}},
    })
    assert (a.human, a.kind, a.confidence) == ("maria@example.com", "sso", "high")
    assert p.session_name == "maria@example.com" and p.session_issuer_name == role


def test_sso_lookalike_role_is_not_sso():
    role = "AWSReservedSSO_Admin_nothex"
    _, a = _actor({"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/bob",
                   "sessionContext": {"sessionIssuer": {"userName": role}}})
    assert a.kind == "role-session" and a.confidence == "low"


def test_source_identity_wins_over_session_name():
    _, a = _actor({"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCT}:assumed-role/deployer/pipeline-4711",
                   "sessionContext": {"sourceIdentity": "maria.lopez", "sessionIssuer": {"userName": "deployer"}}})
    assert (a.human, a.kind) == ("maria.lopez", "source-identity")


def test_federated_user_is_the_issuing_iam_user():
    _, a = _actor({"type": "FederatedUser", "arn": f"arn:aws:sts::{ACCT}:federated-user/bob-session",
                   "sessionContext": {"sessionIssuer": {"type": "IAMUser", "userName": "bob",
                                                        "arn": f"arn:aws:iam::{ACCT}:user/bob"}}})
    assert (a.human, a.kind, a.confidence) == ("bob", "federated", "high")


def test_plain_role_session_is_low_confidence():
    p, a = _actor({"type": "AssumedRole", "principalId": "AROAX:Radiant",
                   "arn": "arn:aws:sts::03412312600:assumed-role/GR_Dev_Developer/Radiant"})
    assert (a.human, a.kind, a.confidence) == ("GR_Dev_Developer/Radiant", "role-session", "low")
    assert p.user_name == "Radiant"


@pytest.mark.parametrize("session,issuer,human,kind", [
    ("AutoScaling", "AWSServiceRoleForAutoScaling", "aws-service:autoscaling", "service"),
    ("i-0123456789abcdef0", "app-instance-role", "ec2:i-0123456789abcdef0", "instance"),
])
def test_service_and_instance_sessions(session, issuer, human, kind):
    _, a = _actor({"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCT}:assumed-role/{issuer}/{session}",
                   "sessionContext": {"sessionIssuer": {"userName": issuer}}})
    assert (a.human, a.kind) == (human, kind)


def test_aws_service_and_saml_and_web_identity():
    _, a = _actor({"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"})
    assert (a.human, a.kind) == ("cloudformation.amazonaws.com", "service")
    _, a = _actor({"type": "SAMLUser", "principalId": "x:alice@corp", "userName": "alice@corp"})
    assert (a.human, a.kind) == ("alice@corp", "saml")
    _, a = _actor({"type": "WebIdentityUser", "userName": "repo:org/app:ref:refs/heads/main",
                   "identityProvider": "token.actions.githubusercontent.com"})
    assert a.human == "github:org/app (refs/heads/main)" and a.kind == "web-identity"
    _, a = _actor({"type": "WebIdentityUser", "userName": "system:serviceaccount:kube-system:karpenter",
                   "identityProvider": "oidc.eks.us-east-1.amazonaws.com/id/ABC"})
    assert a.human == "k8s:kube-system/karpenter"
    _, a = _actor({"type": "WebIdentityUser", "userName": "repo:org/app:environment:prod"})
    assert a.human == "github:org/app (environment:prod)"
    _, a = _actor({"type": "WebIdentityUser", "userName": "us-east-1:1234-abcd",
                   "identityProvider": "cognito-identity.amazonaws.com"})
    assert a.human == "us-east-1:1234-abcd"


@pytest.mark.parametrize("ui", [None, "alice", 42, [], {"type": None}, {"type": "AssumedRole"},
                                {"type": "IAMUser", "sessionContext": "x", "arn": 5}])
def test_malformed_identities_never_raise(ui):
    p, a = _actor(ui)
    assert a.kind in {"unknown", "role-session", "iam-user"}
