"""Who acts in the sample trail: people, CI and services, and the credentials each call carries.

Each person has a way in (IAM Identity Center, an IAM user, a GitHub Actions role) and tools they
use. Session credentials are issued once a day (or once a CI run) by an STS event whose
``responseElements.credentials.accessKeyId`` is the key every later call of that session carries,
so the chain can be walked back from any call to the person.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Any

from cloudblame.demo.envelope import (
    BROWSERS,
    GITHUB_STS_UA,
    assumed_role_identity,
    iam_user_identity,
    service_identity,
)
from cloudblame.demo.service_shapes import (
    assume_role_with_saml_shape,
    assume_role_with_web_identity_shape,
)
from cloudblame.demo.values import Ids, iso

SSO_REGION = "eu-west-1"
SSO_PATH = f"/aws-reserved/sso.amazonaws.com/{SSO_REGION}/"
GITHUB_PROVIDER = "token.actions.githubusercontent.com"


@dataclass
class Person:
    """One actor. ``tools`` maps a tool flavour (terraform, cli, boto3, console) to a weight."""

    name: str  # the human the tests expect: IAM user name or SSO e-mail
    kind: str  # sso | iam | github
    tools: dict[str, int]
    ips: tuple[str, ...]
    variant: str = "linux"  # os flavour of terraform / cli agents
    browser: str = "chrome-mac"
    role: str | None = None  # SSO permission-set role or CI role name
    role_id: str = ""
    user_id: str = ""
    long_key: str = ""  # AKIA... of an IAM user
    active_until: float = 1.0  # fraction of the window after which the person is gone
    sessions: dict[tuple[str, int], Session] = field(default_factory=dict)


@dataclass(frozen=True)
class Session:
    key: str
    issued: int  # epoch second
    identity: dict[str, Any]  # the userIdentity of calls made with it
    console: bool = False


@dataclass(frozen=True)
class Caller:
    """What one call carries: identity, user agent flavour, source IP, console flag, invokedBy."""

    person: Person | None
    identity: dict[str, Any]
    flavour: str
    variant: str
    ip: str
    console: bool = False


def make_people(ids: Ids) -> list[Person]:
    def sso(name: str, ps: str, tools: dict[str, Any], ips: tuple[Any, ...], variant: str) -> Person:
        role = f"AWSReservedSSO_{ps}_{ids.hexid(16)}"
        return Person(name, "sso", tools, ips, variant=variant, role=role, role_id=ids.key("AROA"))

    def iam(name: str, tools: dict[str, Any], ips: tuple[Any, ...], until: float = 1.0) -> Person:
        return Person(name, "iam", tools, ips, user_id=ids.key("AIDA"), long_key=ids.key("AKIA"),
                      active_until=until, browser="firefox-win")

    return [
        sso("maria.lopez@example.com", "AdministratorAccess", {"terraform": 8, "cli": 2},
            ("203.0.113.25", "203.0.113.26"), "mac"),
        sso("tom.becker@example.com", "PowerUser", {"console": 6, "cli": 3}, ("198.51.100.14",), "linux"),
        iam("alice", {"cli": 5, "boto3": 4}, ("203.0.113.77", "198.51.100.90")),
        iam("bob", {"console": 9, "cli": 1}, ("198.51.100.201",), until=0.5),
        Person("github-deployer", "github", {"terraform": 1}, ("4.175.114.51", "20.42.9.120"),
               role="github-deployer", role_id=ids.key("AROA")),
    ]


_FIRST = ("ana", "ben", "chen", "dara", "emil", "fatima", "gus", "hana", "ivan", "jonas", "kofi", "lena", "mei",
          "nils", "omar", "priya", "quinn", "rosa", "sven", "tariq", "uma", "viktor", "wen", "yara", "zoe")
_LAST = ("adams", "berg", "costa", "dubois", "eriksen", "fischer", "garcia", "haddad", "ito", "jensen", "kim",
         "larsen", "moreau", "nakamura", "okafor", "petrov", "quist", "rossi", "santos", "tanaka", "ueda", "varga",
         "weber", "yilmaz", "zhang")
# IAM Identity Center permission sets the crowd shares (one role per set and account, as in AWS)
PERMISSION_SETS = ("AdministratorAccess", "PowerUserAccess", "DataEngineer", "Developer", "ReadOnlyAccess")
_TOOL_MIXES = ({"terraform": 6, "cli": 3, "console": 1}, {"console": 7, "cli": 3}, {"cli": 5, "boto3": 5},
               {"boto3": 8, "cli": 2}, {"terraform": 3, "console": 4, "cli": 3})


def make_crowd(ids: Ids, count: int) -> list[Person]:
    """``count`` more people for large corpora: SSO users sharing permission-set roles, and IAM users
    (people and bots), with varied tools; about one in ten leaves before the end of the window."""
    rng = ids.rng
    roles = {ps: (f"AWSReservedSSO_{ps}_{ids.hexid(16)}", ids.key("AROA")) for ps in PERMISSION_SETS}
    crowd = []
    for i in range(count):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i // len(_FIRST) + i * 7) % len(_LAST)]
        tools = dict(_TOOL_MIXES[rng.randrange(len(_TOOL_MIXES))])
        ips = tuple(f"{rng.choice(('203.0.113', '198.51.100', '192.0.2'))}.{rng.randrange(2, 254)}"
                    for _ in range(rng.randrange(1, 3)))
        until = 1.0 if rng.random() < 0.9 else 0.3 + 0.6 * rng.random()
        if rng.random() < 0.8:
            role, role_id = roles[PERMISSION_SETS[rng.randrange(len(PERMISSION_SETS))]]
            crowd.append(Person(f"{first}.{last}@example.com", "sso", tools, ips,
                                variant=("mac", "linux")[rng.randrange(2)], role=role, role_id=role_id,
                                active_until=until))
        else:
            name = f"{first}.{last}" if rng.random() < 0.6 else f"svc-{first}-{i}"
            crowd.append(Person(name, "iam", tools, ips, user_id=ids.key("AIDA"), long_key=ids.key("AKIA"),
                                active_until=until, browser=("firefox-win", "edge-win")[rng.randrange(2)]))
    return crowd


def session(person: Person, account: str, t: int, ids: Ids) -> tuple[Session, dict[str, Any] | None]:
    """The person's session for the day of ``t`` (issued at 07:5x), and the STS record fields that
    issued it when it is new (None when already issued)."""
    day = t // 86400
    found = person.sessions.get((account, day))
    if found:
        return found, None
    issued = day * 86400 + 7 * 3600 + 50 * 60 + zlib.crc32(person.name.encode()) % 600
    key = ids.key("ASIA")
    role = person.role or ""  # people of these kinds always have one
    if person.kind == "sso":
        identity = assumed_role_identity(account, role, SSO_PATH, person.role_id, person.name, key,
                                         iso(issued))
        sts = _saml_issue(person, account, key, issued, ids)
    elif person.kind == "github":
        identity = assumed_role_identity(account, role, "/", person.role_id, "GitHubActions", key,
                                         iso(issued), web_provider=GITHUB_PROVIDER)
        sts = _web_identity_issue(person, account, key, issued, ids)
    else:  # an IAM user's console session
        identity = iam_user_identity(account, person.name, person.user_id, key, iso(issued))
        sts = _console_login(person, account, issued)
    made = Session(key, issued, identity, console=person.kind == "iam")
    person.sessions[(account, day)] = made
    if len(person.sessions) > 256:  # keep memory bounded on long corpora
        person.sessions.pop(next(iter(person.sessions)))
    return made, sts


def _saml_issue(person: Person, account: str, key: str, t: int, ids: Ids) -> dict[str, Any]:
    role_arn = f"arn:aws:iam::{account}:role{SSO_PATH}{person.role}"
    provider = f"arn:aws:iam::{account}:saml-provider/AWSSSO_{ids.hexid(16)}_DO_NOT_DELETE"
    req, resp = assume_role_with_saml_shape(role_arn, provider, person.name, person.role_id, account, key,
                                            t + 43200, ids.uuid(), ids.alnum(28), SSO_REGION, ids.hexid(16))
    identity = {"type": "SAMLUser", "principalId": f"{resp['nameQualifier']}:{person.name}",
                "userName": person.name, "identityProvider": resp["nameQualifier"]}
    return {"t": t, "source": "sts.amazonaws.com", "name": "AssumeRoleWithSAML", "identity": identity,
            "req": req, "resp": resp, "read_only": True, "ua": "aws-internal/3 aws-sdk-java/1.12.772",
            "ip": person.ips[0], "resources": [{"accountId": account, "type": "AWS::IAM::Role", "ARN": role_arn},
                                               {"accountId": account, "type": "AWS::IAM::SAMLProvider", "ARN": provider}]}


def _web_identity_issue(person: Person, account: str, key: str, t: int, ids: Ids) -> dict[str, Any]:
    role_arn = f"arn:aws:iam::{account}:role/{person.role}"
    provider = f"arn:aws:iam::{account}:oidc-provider/{GITHUB_PROVIDER}"
    subject = "repo:example-org/platform-infra:ref:refs/heads/main"
    req, resp = assume_role_with_web_identity_shape(role_arn, "GitHubActions", person.role_id, account, key,
                                                    t + 3600, subject, provider)
    identity = {"type": "WebIdentityUser", "principalId": f"{provider}:sts.amazonaws.com:{subject}",
                "userName": subject, "identityProvider": provider}
    return {"t": t, "source": "sts.amazonaws.com", "name": "AssumeRoleWithWebIdentity", "identity": identity,
            "req": req, "resp": resp, "read_only": True, "ua": GITHUB_STS_UA, "ip": person.ips[0],
            "resources": [{"accountId": account, "type": "AWS::IAM::Role", "ARN": role_arn}]}


def _console_login(person: Person, account: str, t: int) -> dict[str, Any]:
    identity = iam_user_identity(account, person.name, person.user_id, None)
    return {"t": t, "source": "signin.amazonaws.com", "name": "ConsoleLogin", "identity": identity,
            "req": None, "resp": {"ConsoleLogin": "Success"}, "read_only": False, "ua": BROWSERS[person.browser],
            "ip": person.ips[0], "event_type": "AwsConsoleSignIn",
            "additional": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                           "MFAUsed": "Yes"}}


def caller(person: Person, account: str, t: int, flavour: str, ids: Ids, rng: random.Random) -> tuple[Caller,
           dict[str, Any] | None]:
    """How ``person`` calls with ``flavour`` at ``t``: their identity, agent and IP (plus a new
    session's issuing record, if this call is the day's first)."""
    variant = person.browser if flavour == "console" else person.variant
    ip = person.ips[rng.randrange(len(person.ips))]
    if person.kind == "iam" and flavour != "console":
        identity = iam_user_identity(account, person.name, person.user_id, person.long_key)
        return Caller(person, identity, flavour, variant, ip), None
    sess, issue = session(person, account, t, ids)
    return Caller(person, sess.identity, flavour, variant, ip, console=flavour == "console"), issue


def service_caller(service: str, account: str, t: int, ids: Ids, *, role: str | None = None,
                   session_name: str | None = None) -> Caller:
    """An AWS service acting: its service-linked role (``role``) or the AWSService principal."""
    host = f"{service}.amazonaws.com"
    if role:
        identity = assumed_role_identity(account, role, f"/aws-service-role/{host}/", "AROA" + "SERVICE" * 2,
                                         session_name or service, ids.key("ASIA"), iso(t - 60), invoked_by=host)
    else:
        identity = service_identity(host)
    return Caller(None, identity, "fixed", host, host)


def on_behalf(base: Caller, service: str) -> Caller:
    """A service using the caller's own credentials (forward access session), e.g. CloudFormation."""
    host = f"{service}.amazonaws.com"
    identity = dict(base.identity, invokedBy=host)
    return Caller(base.person, identity, "fixed", host, host)
