"""Security, identity and compliance: IAM (global), console sign-in, KMS, Secrets Manager, ACM, Cognito
(user pools, identity pools), Directory Service, CloudHSM, WAFv2, GuardDuty."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType, composite_id
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.pricing import BY_USE, NOT_IN_TABLE, NoCharge, PriceModel

REQ = "requestParameters"
RESP = "responseElements"

# --- IAM: global, region-less ARNs; names are the ids. ARNs may carry a path ("role/service-role/x"):
# the ARN found in a record is kept as is, the template (no path) is only a fallback.
IAM = "iam.amazonaws.com"


def _iam_pattern(kind: str) -> str:
    return rf"^(?P<arn>arn:(?P<partition>[^:]+):iam::(?P<account>[^:]*):{kind}/(?:.*/)?(?P<id>[^/]+))$"


IAM_ROLE = ResourceType(
    type="AWS::IAM::Role", source=IAM, global_=True, arn="arn:{partition}:iam::{account}:role/{id}",
    id_pattern=_iam_pattern("role"),
    create={"CreateRole": (f"{RESP}.role.roleName", f"{REQ}.roleName"),
            "CreateServiceLinkedRole": f"{RESP}.role.roleName"},
    arn_paths={"CreateRole": f"{RESP}.role.arn", "CreateServiceLinkedRole": f"{RESP}.role.arn"},
    delete={"DeleteRole": f"{REQ}.roleName", "DeleteServiceLinkedRole": f"{REQ}.roleName"},
    modify={op: f"{REQ}.roleName" for op in (
        "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "UpdateAssumeRolePolicy",
        "UpdateRole", "UpdateRoleDescription", "TagRole", "UntagRole", "PutRolePermissionsBoundary",
        "DeleteRolePermissionsBoundary")},
    reference={"AddRoleToInstanceProfile": f"{REQ}.roleName",
               "RemoveRoleFromInstanceProfile": f"{REQ}.roleName"},
    price=NoCharge(),
)

IAM_USER = ResourceType(
    type="AWS::IAM::User", source=IAM, global_=True, arn="arn:{partition}:iam::{account}:user/{id}",
    id_pattern=_iam_pattern("user"),
    create={"CreateUser": (f"{RESP}.user.userName", f"{REQ}.userName")},
    arn_paths={"CreateUser": f"{RESP}.user.arn"},
    delete={"DeleteUser": f"{REQ}.userName"},
    modify={
        **{op: f"{REQ}.userName" for op in (
            "AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy", "DeleteUserPolicy", "UpdateUser", "TagUser",
            "UntagUser", "CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "AddUserToGroup",
            "RemoveUserFromGroup", "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
            "EnableMFADevice", "DeactivateMFADevice", "UploadSSHPublicKey", "DeleteSSHPublicKey")},
        # an access key created for (or removed from) a user changes what that user can do
        "CreateAccessKey": (f"{RESP}.accessKey.userName", f"{REQ}.userName"),
        "DeleteAccessKey": f"{REQ}.userName",
        "UpdateAccessKey": f"{REQ}.userName",
    },
    price=NoCharge(),
)

IAM_GROUP = ResourceType(
    type="AWS::IAM::Group", source=IAM, global_=True, arn="arn:{partition}:iam::{account}:group/{id}",
    id_pattern=_iam_pattern("group"),
    create={"CreateGroup": (f"{RESP}.group.groupName", f"{REQ}.groupName")},
    arn_paths={"CreateGroup": f"{RESP}.group.arn"},
    delete={"DeleteGroup": f"{REQ}.groupName"},
    modify={op: f"{REQ}.groupName" for op in (
        "AttachGroupPolicy", "DetachGroupPolicy", "PutGroupPolicy", "DeleteGroupPolicy", "UpdateGroup",
        "AddUserToGroup", "RemoveUserFromGroup")},
    price=NoCharge(),
)

_POLICY_ARN = f"{REQ}.policyArn"
IAM_POLICY = ResourceType(
    type="AWS::IAM::ManagedPolicy", source=IAM, global_=True, aliases=("AWS::IAM::Policy",),
    arn="arn:{partition}:iam::{account}:policy/{id}",
    id_pattern=_iam_pattern("policy"),
    create={"CreatePolicy": (f"{RESP}.policy.policyName", f"{REQ}.policyName")},
    arn_paths={"CreatePolicy": f"{RESP}.policy.arn"},
    delete={"DeletePolicy": _POLICY_ARN},
    modify={op: _POLICY_ARN for op in ("CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
                                       "TagPolicy", "UntagPolicy")},
    reference={op: _POLICY_ARN for op in ("AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy",
                                          "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")},
    price=NoCharge(),
)

IAM_ACCESS_KEY = ResourceType(
    # no ARN; the id (AKIA...) is what later events show as userIdentity.accessKeyId
    type="AWS::IAM::AccessKey", source=IAM, global_=True,
    create={"CreateAccessKey": f"{RESP}.accessKey.accessKeyId"},
    delete={"DeleteAccessKey": f"{REQ}.accessKeyId"},
    modify={"UpdateAccessKey": f"{REQ}.accessKeyId"},
    price=NoCharge(),
)

IAM_INSTANCE_PROFILE = ResourceType(
    type="AWS::IAM::InstanceProfile", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:instance-profile/{id}", id_pattern=_iam_pattern("instance-profile"),
    create={"CreateInstanceProfile": (f"{RESP}.instanceProfile.instanceProfileName", f"{REQ}.instanceProfileName")},
    arn_paths={"CreateInstanceProfile": f"{RESP}.instanceProfile.arn"},
    delete={"DeleteInstanceProfile": f"{REQ}.instanceProfileName"},
    modify={op: f"{REQ}.instanceProfileName" for op in (
        "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile", "TagInstanceProfile", "UntagInstanceProfile")},
    price=NoCharge(),
)

IAM_SAML_PROVIDER = ResourceType(
    type="AWS::IAM::SAMLProvider", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:saml-provider/{id}",
    create={"CreateSAMLProvider": (f"{RESP}.sAMLProviderArn", f"{REQ}.name")},
    delete={"DeleteSAMLProvider": f"{REQ}.sAMLProviderArn"},
    modify={op: f"{REQ}.sAMLProviderArn" for op in ("UpdateSAMLProvider", "TagSAMLProvider", "UntagSAMLProvider")},
    price=NoCharge(),
)

IAM_OIDC_PROVIDER = ResourceType(
    # id: the provider URL without scheme ("token.actions.githubusercontent.com")
    type="AWS::IAM::OIDCProvider", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:oidc-provider/{id}",
    id_pattern=(r"^(?P<arn>arn:(?P<partition>[^:]+):iam::(?P<account>[^:]*):oidc-provider/(?P<id>.+))$",
                r"^https://(?P<id>.+?)/?$"),
    create={"CreateOpenIDConnectProvider": (f"{RESP}.openIDConnectProviderArn", f"{REQ}.url")},
    delete={"DeleteOpenIDConnectProvider": f"{REQ}.openIDConnectProviderArn"},
    modify={op: f"{REQ}.openIDConnectProviderArn" for op in (
        "UpdateOpenIDConnectProviderThumbprint", "AddClientIDToOpenIDConnectProvider",
        "RemoveClientIDFromOpenIDConnectProvider", "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider")},
    price=NoCharge(),
)

IAM_VIRTUAL_MFA = ResourceType(
    # the serial number of a virtual MFA device is its ARN
    type="AWS::IAM::VirtualMFADevice", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:mfa/{id}", id_pattern=_iam_pattern("mfa"),
    create={"CreateVirtualMFADevice": (f"{RESP}.virtualMFADevice.serialNumber", f"{REQ}.virtualMFADeviceName")},
    delete={"DeleteVirtualMFADevice": f"{REQ}.serialNumber"},
    modify={"EnableMFADevice": f"{REQ}.serialNumber", "DeactivateMFADevice": f"{REQ}.serialNumber"},
    price=NoCharge(),
)

# A console sign-in names the IAM user who signed in (role sessions and root are not resources here).
CONSOLE_SIGNIN = AnyResource(
    source="signin.amazonaws.com", reference={"ConsoleLogin": "userIdentity.arn"}, types=("AWS::IAM::User",),
)

# --- KMS --------------------------------------------------------------------------------------------
KMS = "kms.amazonaws.com"
_KEY = f"{REQ}.keyId"
KMS_KEY = ResourceType(
    # strict: keyId may also be an alias ("alias/x" or its ARN), which is not a key id
    type="AWS::KMS::Key", source=KMS, arn="arn:{partition}:kms:{region}:{account}:key/{id}", strict_ids=True,
    id_pattern=r"^(?P<id>(?:mrk-)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$",
    create={"CreateKey": f"{RESP}.keyMetadata.keyId", "ReplicateKey": f"{RESP}.replicaKeyMetadata.keyId"},
    arn_paths={"CreateKey": f"{RESP}.keyMetadata.arn", "ReplicateKey": f"{RESP}.replicaKeyMetadata.arn"},
    # the key is only removed when the waiting period ends (a later service event); CancelKeyDeletion undoes
    delete={"ScheduleKeyDeletion": (_KEY, f"{RESP}.keyId")},
    modify={**{op: _KEY for op in (
        "CancelKeyDeletion", "DisableKey", "EnableKey", "EnableKeyRotation", "DisableKeyRotation", "PutKeyPolicy",
        "UpdateKeyDescription", "TagResource", "UntagResource", "CreateGrant", "RevokeGrant", "RetireGrant",
        "ImportKeyMaterial", "DeleteImportedKeyMaterial", "UpdatePrimaryRegion")},
            "CreateAlias": f"{REQ}.targetKeyId", "UpdateAlias": f"{REQ}.targetKeyId"},
    unpriced_reason=NOT_IN_TABLE,
)

KMS_ALIAS = ResourceType(
    type="AWS::KMS::Alias", source=KMS, arn="arn:{partition}:kms:{region}:{account}:{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):kms:(?P<region>[^:]*):(?P<account>\d*):(?P<id>alias/.+))$",
    create={"CreateAlias": f"{REQ}.aliasName"},
    delete={"DeleteAlias": f"{REQ}.aliasName"},
    modify={"UpdateAlias": f"{REQ}.aliasName"},
    price=NoCharge(),
)

# --- Secrets Manager: the id is the secret name; the ARN ends with "-" and 6 random characters ------
SECRETS = "secretsmanager.amazonaws.com"
_SECRET = f"{REQ}.secretId"
SECRET = ResourceType(
    type="AWS::SecretsManager::Secret", source=SECRETS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):secretsmanager:(?P<region>[^:]*):(?P<account>\d*):secret:(?P<id>.+)-[A-Za-z0-9]{6})$",
    create={"CreateSecret": (f"{REQ}.name", f"{RESP}.name")},
    arn_paths={"CreateSecret": f"{RESP}.arn", "DeleteSecret": f"{RESP}.arn", "RestoreSecret": f"{RESP}.arn"},
    # deletion is scheduled (recoveryWindowInDays) unless forceDeleteWithoutRecovery; RestoreSecret undoes
    delete={"DeleteSecret": _SECRET},
    modify={op: _SECRET for op in (
        "PutSecretValue", "UpdateSecret", "RestoreSecret", "RotateSecret", "CancelRotateSecret", "PutResourcePolicy",
        "DeleteResourcePolicy", "TagResource", "UntagResource", "UpdateSecretVersionStage",
        "ReplicateSecretToRegions", "RemoveRegionsFromReplication", "StopReplicationToReplica")},
    unpriced_reason=NOT_IN_TABLE,
)

# --- ACM --------------------------------------------------------------------------------------------
ACM = "acm.amazonaws.com"
_CERT = f"{REQ}.certificateArn"
ACM_CERTIFICATE = ResourceType(
    type="AWS::CertificateManager::Certificate", source=ACM, arn=_arn("acm", "certificate/{id}"),
    create={"RequestCertificate": f"{RESP}.certificateArn",
            # ImportCertificate with a certificateArn re-imports into an existing certificate; upsert flags
            # are booleans only, so a re-import counts as a creation (as PutMetricAlarm does)
            "ImportCertificate": (f"{RESP}.certificateArn", _CERT)},
    name_paths={"RequestCertificate": f"{REQ}.domainName"},
    delete={"DeleteCertificate": _CERT},
    modify={op: _CERT for op in ("RenewCertificate", "UpdateCertificateOptions", "AddTagsToCertificate",
                                 "RemoveTagsFromCertificate", "ResendValidationEmail")},
    unpriced_reason="public certificates are free; private ones are charged per certificate, which the table does "
                    "not have",
)

# --- Cognito ----------------------------------------------------------------------------------------
COGNITO_IDP = "cognito-idp.amazonaws.com"
_POOL = f"{REQ}.userPoolId"
USER_POOL = ResourceType(
    type="AWS::Cognito::UserPool", source=COGNITO_IDP, arn=_arn("cognito-idp", "userpool/{id}"),
    create={"CreateUserPool": f"{RESP}.userPool.id"},
    arn_paths={"CreateUserPool": f"{RESP}.userPool.arn"},
    name_paths={"CreateUserPool": f"{REQ}.poolName"},
    delete={"DeleteUserPool": _POOL},
    modify={op: _POOL for op in ("UpdateUserPool", "SetUserPoolMfaConfig", "AddCustomAttributes",
                                 "CreateIdentityProvider", "DeleteIdentityProvider", "CreateGroup", "DeleteGroup")},
    unpriced_reason=BY_USE,
)
USER_POOL_CLIENT = ResourceType(
    # id "userPoolId/clientId"
    type="AWS::Cognito::UserPoolClient", source=COGNITO_IDP,
    create={"CreateUserPoolClient": composite_id(f"{RESP}.userPoolClient.userPoolId|{_POOL}", f"{RESP}.userPoolClient.clientId")},
    name_paths={"CreateUserPoolClient": f"{REQ}.clientName"},
    delete={"DeleteUserPoolClient": composite_id(_POOL, f"{REQ}.clientId")},
    modify={"UpdateUserPoolClient": composite_id(_POOL, f"{REQ}.clientId")},
    price=NoCharge(),
)
USER_POOL_DOMAIN = ResourceType(
    type="AWS::Cognito::UserPoolDomain", source=COGNITO_IDP,
    create={"CreateUserPoolDomain": f"{REQ}.domain"},
    delete={"DeleteUserPoolDomain": f"{REQ}.domain"},
    modify={"UpdateUserPoolDomain": f"{REQ}.domain"},
    price=NoCharge(),
)
COGNITO_IDP_TAGS = _tags(COGNITO_IDP, f"{REQ}.resourceArn")

COGNITO_IDENTITY = "cognito-identity.amazonaws.com"
_IDPOOL = f"{REQ}.identityPoolId"
IDENTITY_POOL = ResourceType(
    type="AWS::Cognito::IdentityPool", source=COGNITO_IDENTITY, arn=_arn("cognito-identity", "identitypool/{id}"),
    create={"CreateIdentityPool": f"{RESP}.identityPoolId"},
    name_paths={"CreateIdentityPool": (f"{RESP}.identityPoolName", f"{REQ}.identityPoolName")},
    delete={"DeleteIdentityPool": _IDPOOL},
    modify={"UpdateIdentityPool": _IDPOOL, "SetIdentityPoolRoles": _IDPOOL},
    price=NoCharge(),
)

# --- Directory Service ------------------------------------------------------------------------------
DS = "ds.amazonaws.com"
DIRECTORY = ResourceType(
    type="AWS::DirectoryService::MicrosoftAD", source=DS, arn=_arn("ds", "directory/{id}"),
    aliases=("AWS::DirectoryService::SimpleAD",),
    create={op: f"{RESP}.directoryId" for op in ("CreateDirectory", "CreateMicrosoftAD", "ConnectDirectory")},
    name_paths={op: f"{REQ}.name" for op in ("CreateDirectory", "CreateMicrosoftAD", "ConnectDirectory")},
    delete={"DeleteDirectory": f"{REQ}.directoryId"},
    modify={op: f"{REQ}.directoryId" for op in (
        "EnableSso", "DisableSso", "CreateAlias", "EnableRadius", "DisableRadius", "UpdateRadius",
        "CreateTrust", "ShareDirectory", "UnshareDirectory", "ResetUserPassword", "UpdateSettings")}
    | {"AddTagsToResource": f"{REQ}.resourceId", "RemoveTagsFromResource": f"{REQ}.resourceId"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- CloudHSM -----------------------------------------------------------------------------------------
CLOUDHSM = "cloudhsm.amazonaws.com"  # CloudHSM v2 (botocore "cloudhsmv2") logs under this source
CLOUDHSM_CLUSTER = ResourceType(
    type="AWS::CloudHSM::Cluster", source=CLOUDHSM, arn="arn:{partition}:cloudhsm:{region}:{account}:cluster/{id}",
    create={"CreateCluster": f"{RESP}.cluster.clusterId"},
    delete={"DeleteCluster": f"{REQ}.clusterId"},
    modify={"ModifyCluster": f"{REQ}.clusterId", "InitializeCluster": f"{REQ}.clusterId",
            "TagResource": f"{REQ}.resourceId", "UntagResource": f"{REQ}.resourceId"},
    price=NoCharge(),
)

CLOUDHSM_HSM = ResourceType(
    type="AWS::CloudHSM::Hsm", source=CLOUDHSM,
    create={"CreateHsm": f"{RESP}.hsm.hsmId"},
    delete={"DeleteHsm": f"{REQ}.hsmId"},
    unpriced_reason=NOT_IN_TABLE,
)

# --- WAFv2: ids are generated; requests carry name, scope and id -------------------------------------
WAFV2 = "wafv2.amazonaws.com"


def _wafv2(kind: str, arn_kind: str, op: str, price: PriceModel | None = None,
           unpriced_reason: str | None = None) -> ResourceType:
    return ResourceType(
        type=f"AWS::WAFv2::{kind}", source=WAFV2,
        id_pattern=_arn_pattern("wafv2", rf"(?:regional|global)/{arn_kind}/[^/]+/(?P<id>[0-9a-f-]+)"),
        create={f"Create{op}": f"{RESP}.summary.id"},
        arn_paths={f"Create{op}": f"{RESP}.summary.aRN"},
        name_paths={f"Create{op}": f"{REQ}.name"},
        delete={f"Delete{op}": f"{REQ}.id"},
        modify={f"Update{op}": f"{REQ}.id"}, price=price, unpriced_reason=unpriced_reason,
    )


WAF_WEB_ACL = _wafv2("WebACL", "webacl", "WebACL", unpriced_reason=NOT_IN_TABLE)
WAF_IP_SET = _wafv2("IPSet", "ipset", "IPSet", price=NoCharge())
WAF_RULE_GROUP = _wafv2("RuleGroup", "rulegroup", "RuleGroup", unpriced_reason=NOT_IN_TABLE)
WAF_REGEX_SET = _wafv2("RegexPatternSet", "regexpatternset", "RegexPatternSet", price=NoCharge())
WAF_TAGS = AnyResource(source=WAFV2, modify={"TagResource": f"{REQ}.resourceARN",
                                             "UntagResource": f"{REQ}.resourceARN",
                                             "AssociateWebACL": f"{REQ}.webACLArn",
                                             "DisassociateWebACL": f"{REQ}.resourceArn",
                                             "PutLoggingConfiguration": f"{REQ}.loggingConfiguration.resourceArn",
                                             "DeleteLoggingConfiguration": f"{REQ}.resourceArn"})

# --- GuardDuty --------------------------------------------------------------------------------------
GUARDDUTY = "guardduty.amazonaws.com"
_DET = f"{REQ}.detectorId"
GUARDDUTY_DETECTOR = ResourceType(
    type="AWS::GuardDuty::Detector", source=GUARDDUTY, arn=_arn("guardduty", "detector/{id}"),
    create={"CreateDetector": f"{RESP}.detectorId"},
    delete={"DeleteDetector": _DET},
    modify={op: _DET for op in ("UpdateDetector", "UpdateMalwareScanSettings", "CreateMembers", "DeleteMembers",
                                "UpdateOrganizationConfiguration", "CreatePublishingDestination")},
    unpriced_reason=BY_USE,
)
GUARDDUTY_IP_SET = ResourceType(
    # id "detectorId/ipSetId"
    type="AWS::GuardDuty::IPSet", source=GUARDDUTY, arn=_arn("guardduty", "detector/{parent}/ipset/{name}"),
    create={"CreateIPSet": composite_id(_DET, f"{RESP}.ipSetId")},
    name_paths={"CreateIPSet": f"{REQ}.name"},
    delete={"DeleteIPSet": composite_id(_DET, f"{REQ}.ipSetId")},
    modify={"UpdateIPSet": composite_id(_DET, f"{REQ}.ipSetId")},
    price=NoCharge(),
)
GUARDDUTY_THREAT_INTEL_SET = ResourceType(
    type="AWS::GuardDuty::ThreatIntelSet", source=GUARDDUTY,
    arn=_arn("guardduty", "detector/{parent}/threatintelset/{name}"),
    create={"CreateThreatIntelSet": composite_id(_DET, f"{RESP}.threatIntelSetId")},
    name_paths={"CreateThreatIntelSet": f"{REQ}.name"},
    delete={"DeleteThreatIntelSet": composite_id(_DET, f"{REQ}.threatIntelSetId")},
    modify={"UpdateThreatIntelSet": composite_id(_DET, f"{REQ}.threatIntelSetId")},
    price=NoCharge(),
)
GUARDDUTY_FILTER = ResourceType(
    type="AWS::GuardDuty::Filter", source=GUARDDUTY, arn=_arn("guardduty", "detector/{parent}/filter/{name}"),
    create={"CreateFilter": composite_id(_DET, f"{RESP}.name|{REQ}.name")},
    delete={"DeleteFilter": composite_id(_DET, f"{REQ}.filterName")},
    modify={"UpdateFilter": composite_id(_DET, f"{REQ}.filterName")},
    price=NoCharge(),
)
GUARDDUTY_TAGS = _tags(GUARDDUTY, f"{REQ}.resourceArn")

ENTRIES = (
    IAM_ROLE, IAM_USER, IAM_GROUP, IAM_POLICY, IAM_ACCESS_KEY, IAM_INSTANCE_PROFILE, IAM_SAML_PROVIDER,
    IAM_OIDC_PROVIDER, IAM_VIRTUAL_MFA, CONSOLE_SIGNIN, KMS_KEY, KMS_ALIAS, SECRET, ACM_CERTIFICATE, USER_POOL,
    USER_POOL_CLIENT, USER_POOL_DOMAIN, COGNITO_IDP_TAGS, IDENTITY_POOL, DIRECTORY, CLOUDHSM_CLUSTER, CLOUDHSM_HSM,
    WAF_WEB_ACL, WAF_IP_SET, WAF_RULE_GROUP, WAF_REGEX_SET, WAF_TAGS, GUARDDUTY_DETECTOR, GUARDDUTY_IP_SET,
    GUARDDUTY_THREAT_INTEL_SET, GUARDDUTY_FILTER, GUARDDUTY_TAGS,
)
