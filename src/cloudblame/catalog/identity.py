"""Identity and secrets: IAM (global), KMS, Secrets Manager, console sign-in."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType

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
)

IAM_ACCESS_KEY = ResourceType(
    # no ARN; the id (AKIA...) is what later events show as userIdentity.accessKeyId
    type="AWS::IAM::AccessKey", source=IAM, global_=True,
    create={"CreateAccessKey": f"{RESP}.accessKey.accessKeyId"},
    delete={"DeleteAccessKey": f"{REQ}.accessKeyId"},
    modify={"UpdateAccessKey": f"{REQ}.accessKeyId"},
)

IAM_INSTANCE_PROFILE = ResourceType(
    type="AWS::IAM::InstanceProfile", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:instance-profile/{id}", id_pattern=_iam_pattern("instance-profile"),
    create={"CreateInstanceProfile": (f"{RESP}.instanceProfile.instanceProfileName", f"{REQ}.instanceProfileName")},
    arn_paths={"CreateInstanceProfile": f"{RESP}.instanceProfile.arn"},
    delete={"DeleteInstanceProfile": f"{REQ}.instanceProfileName"},
    modify={op: f"{REQ}.instanceProfileName" for op in (
        "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile", "TagInstanceProfile", "UntagInstanceProfile")},
)

IAM_SAML_PROVIDER = ResourceType(
    type="AWS::IAM::SAMLProvider", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:saml-provider/{id}",
    create={"CreateSAMLProvider": (f"{RESP}.sAMLProviderArn", f"{REQ}.name")},
    delete={"DeleteSAMLProvider": f"{REQ}.sAMLProviderArn"},
    modify={op: f"{REQ}.sAMLProviderArn" for op in ("UpdateSAMLProvider", "TagSAMLProvider", "UntagSAMLProvider")},
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
)

IAM_VIRTUAL_MFA = ResourceType(
    # the serial number of a virtual MFA device is its ARN
    type="AWS::IAM::VirtualMFADevice", source=IAM, global_=True,
    arn="arn:{partition}:iam::{account}:mfa/{id}", id_pattern=_iam_pattern("mfa"),
    create={"CreateVirtualMFADevice": (f"{RESP}.virtualMFADevice.serialNumber", f"{REQ}.virtualMFADeviceName")},
    delete={"DeleteVirtualMFADevice": f"{REQ}.serialNumber"},
    modify={"EnableMFADevice": f"{REQ}.serialNumber", "DeactivateMFADevice": f"{REQ}.serialNumber"},
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
)

KMS_ALIAS = ResourceType(
    type="AWS::KMS::Alias", source=KMS, arn="arn:{partition}:kms:{region}:{account}:{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):kms:(?P<region>[^:]*):(?P<account>\d*):(?P<id>alias/.+))$",
    create={"CreateAlias": f"{REQ}.aliasName"},
    delete={"DeleteAlias": f"{REQ}.aliasName"},
    modify={"UpdateAlias": f"{REQ}.aliasName"},
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
)

ENTRIES = (
    IAM_ROLE, IAM_USER, IAM_GROUP, IAM_POLICY, IAM_ACCESS_KEY, IAM_INSTANCE_PROFILE, IAM_SAML_PROVIDER,
    IAM_OIDC_PROVIDER, IAM_VIRTUAL_MFA, CONSOLE_SIGNIN, KMS_KEY, KMS_ALIAS, SECRET,
)
