"""Services without a module of their own: MemoryDB, FSx, Backup, DataSync, Transfer Family,
Step Functions, EventBridge Scheduler, ACM, Cognito (user pools, identity pools), AppSync, Amplify,
Directory Service, WAFv2, GuardDuty, Config, CodeBuild, CodePipeline, CodeCommit, Bedrock, MSK Connect,
OpenSearch Serverless, IoT."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern

REQ = "requestParameters"
RESP = "responseElements"




def _tags(source: str, path: str = f"{REQ}.resourceArn", tag: str = "TagResource",
          untag: str = "UntagResource") -> AnyResource:
    return AnyResource(source=source, modify={tag: path, untag: path})


# --- MemoryDB ---------------------------------------------------------------------------------------
MEMORYDB = "memorydb.amazonaws.com"


def _memorydb(kind: str, arn_kind: str, op: str, field: str, wrapper: str, update: str | None) -> ResourceType:
    return ResourceType(
        type=f"AWS::MemoryDB::{kind}", source=MEMORYDB, arn=_arn("memorydb", arn_kind + "/{id}"),
        create={f"Create{op}": (f"{RESP}.{wrapper}.name", f"{REQ}.{field}")},
        arn_paths={f"Create{op}": f"{RESP}.{wrapper}.aRN"},
        delete={f"Delete{op}": f"{REQ}.{field}"},
        modify={update: f"{REQ}.{field}"} if update else {},
    )


MEMORYDB_CLUSTER = _memorydb("Cluster", "cluster", "Cluster", "clusterName", "cluster", "UpdateCluster")
MEMORYDB_ACL = _memorydb("ACL", "acl", "ACL", "aCLName", "aCL", "UpdateACL")
MEMORYDB_USER = _memorydb("User", "user", "User", "userName", "user", "UpdateUser")
MEMORYDB_SUBNET_GROUP = _memorydb("SubnetGroup", "subnetgroup", "SubnetGroup", "subnetGroupName", "subnetGroup",
                                  "UpdateSubnetGroup")
MEMORYDB_PARAMETER_GROUP = _memorydb("ParameterGroup", "parametergroup", "ParameterGroup", "parameterGroupName",
                                     "parameterGroup", "UpdateParameterGroup")
MEMORYDB_TAGS = _tags(MEMORYDB, f"{REQ}.resourceArn")

# --- FSx --------------------------------------------------------------------------------------------
FSX = "fsx.amazonaws.com"
FSX_FILE_SYSTEM = ResourceType(
    type="AWS::FSx::FileSystem", source=FSX, arn=_arn("fsx", "file-system/{id}"),
    create={op: f"{RESP}.fileSystem.fileSystemId" for op in ("CreateFileSystem", "CreateFileSystemFromBackup")},
    arn_paths={op: f"{RESP}.fileSystem.resourceARN" for op in ("CreateFileSystem", "CreateFileSystemFromBackup")},
    delete={"DeleteFileSystem": (f"{REQ}.fileSystemId", f"{RESP}.fileSystemId")},
    modify={"UpdateFileSystem": f"{REQ}.fileSystemId"},
)
FSX_BACKUP = ResourceType(
    type="AWS::FSx::Backup", source=FSX, arn=_arn("fsx", "backup/{id}"),
    create={"CreateBackup": f"{RESP}.backup.backupId", "CopyBackup": f"{RESP}.backup.backupId"},
    arn_paths={"CreateBackup": f"{RESP}.backup.resourceARN", "CopyBackup": f"{RESP}.backup.resourceARN"},
    delete={"DeleteBackup": (f"{REQ}.backupId", f"{RESP}.backupId")},
)
FSX_VOLUME = ResourceType(
    type="AWS::FSx::Volume", source=FSX, arn=_arn("fsx", "volume/{id}"),
    id_pattern=_arn_pattern("fsx", r"volume/[^/]+/(?P<id>fsvol-[0-9a-f]+)"),
    create={"CreateVolume": f"{RESP}.volume.volumeId", "CreateVolumeFromBackup": f"{RESP}.volume.volumeId"},
    arn_paths={"CreateVolume": f"{RESP}.volume.resourceARN", "CreateVolumeFromBackup": f"{RESP}.volume.resourceARN"},
    name_paths={"CreateVolume": f"{REQ}.name", "CreateVolumeFromBackup": f"{REQ}.name"},
    delete={"DeleteVolume": (f"{REQ}.volumeId", f"{RESP}.volumeId")},
    modify={"UpdateVolume": f"{REQ}.volumeId"},
)
FSX_SVM = ResourceType(
    type="AWS::FSx::StorageVirtualMachine", source=FSX,
    id_pattern=_arn_pattern("fsx", r"storage-virtual-machine/[^/]+/(?P<id>svm-[0-9a-f]+)"),
    create={"CreateStorageVirtualMachine": f"{RESP}.storageVirtualMachine.storageVirtualMachineId"},
    arn_paths={"CreateStorageVirtualMachine": f"{RESP}.storageVirtualMachine.resourceARN"},
    name_paths={"CreateStorageVirtualMachine": f"{REQ}.name"},
    delete={"DeleteStorageVirtualMachine": f"{REQ}.storageVirtualMachineId"},
    modify={"UpdateStorageVirtualMachine": f"{REQ}.storageVirtualMachineId"},
)
FSX_TAGS = _tags(FSX, f"{REQ}.resourceARN")

# --- AWS Backup -------------------------------------------------------------------------------------
BACKUP = "backup.amazonaws.com"
BACKUP_VAULT = ResourceType(
    type="AWS::Backup::BackupVault", source=BACKUP, arn=_arn("backup", "backup-vault:{id}"),
    create={"CreateBackupVault": (f"{RESP}.backupVaultName", f"{REQ}.backupVaultName"),
            "CreateLogicallyAirGappedBackupVault": (f"{RESP}.backupVaultName", f"{REQ}.backupVaultName")},
    arn_paths={"CreateBackupVault": f"{RESP}.backupVaultArn",
               "CreateLogicallyAirGappedBackupVault": f"{RESP}.backupVaultArn"},
    delete={"DeleteBackupVault": f"{REQ}.backupVaultName"},
    modify={op: f"{REQ}.backupVaultName" for op in (
        "PutBackupVaultAccessPolicy", "DeleteBackupVaultAccessPolicy", "PutBackupVaultLockConfiguration",
        "DeleteBackupVaultLockConfiguration", "PutBackupVaultNotifications", "DeleteBackupVaultNotifications")},
)
BACKUP_PLAN = ResourceType(
    type="AWS::Backup::BackupPlan", source=BACKUP, arn=_arn("backup", "backup-plan:{id}"),
    create={"CreateBackupPlan": f"{RESP}.backupPlanId"},
    arn_paths={"CreateBackupPlan": f"{RESP}.backupPlanArn"},
    name_paths={"CreateBackupPlan": f"{REQ}.backupPlan.backupPlanName"},
    delete={"DeleteBackupPlan": f"{REQ}.backupPlanId"},
    modify={"UpdateBackupPlan": f"{REQ}.backupPlanId"},
)
_SEL = "{%s}/{%s}"
BACKUP_SELECTION = ResourceType(
    # id "planId/selectionId"
    type="AWS::Backup::BackupSelection", source=BACKUP,
    create={"CreateBackupSelection": _SEL % (f"{RESP}.backupPlanId|{REQ}.backupPlanId", f"{RESP}.selectionId")},
    name_paths={"CreateBackupSelection": f"{REQ}.backupSelection.selectionName"},
    delete={"DeleteBackupSelection": _SEL % (f"{REQ}.backupPlanId", f"{REQ}.selectionId")},
)
BACKUP_TAGS = _tags(BACKUP, f"{REQ}.resourceArn")

# --- DataSync: ARNs end with generated ids ----------------------------------------------------------
DATASYNC = "datasync.amazonaws.com"
DATASYNC_TASK = ResourceType(
    type="AWS::DataSync::Task", source=DATASYNC, arn=_arn("datasync", "task/{id}"),
    create={"CreateTask": f"{RESP}.taskArn"},
    name_paths={"CreateTask": f"{REQ}.name"},
    delete={"DeleteTask": f"{REQ}.taskArn"},
    modify={"UpdateTask": f"{REQ}.taskArn"},
    reference={"StartTaskExecution": f"{REQ}.taskArn"},
)
_LOCATION_KINDS = ("S3", "Efs", "FsxLustre", "FsxOntap", "FsxOpenZfs", "FsxWindows", "Hdfs", "Nfs",
                   "ObjectStorage", "Smb", "AzureBlob")
DATASYNC_LOCATION = ResourceType(
    type="AWS::DataSync::Location", source=DATASYNC, arn=_arn("datasync", "location/{id}"),
    aliases=tuple(f"AWS::DataSync::Location{k.upper() if k in ('S3', 'Efs', 'Nfs', 'Smb', 'Hdfs') else k}"
                  for k in ("S3", "Efs", "Nfs", "Smb")),
    create={f"CreateLocation{k}": f"{RESP}.locationArn" for k in _LOCATION_KINDS},
    delete={"DeleteLocation": f"{REQ}.locationArn"},
)
DATASYNC_AGENT = ResourceType(
    type="AWS::DataSync::Agent", source=DATASYNC, arn=_arn("datasync", "agent/{id}"),
    create={"CreateAgent": f"{RESP}.agentArn"},
    name_paths={"CreateAgent": f"{REQ}.agentName"},
    delete={"DeleteAgent": f"{REQ}.agentArn"},
    modify={"UpdateAgent": f"{REQ}.agentArn"},
)
DATASYNC_TAGS = _tags(DATASYNC, f"{REQ}.resourceArn")

# --- Transfer Family --------------------------------------------------------------------------------
TRANSFER = "transfer.amazonaws.com"
TRANSFER_SERVER = ResourceType(
    type="AWS::Transfer::Server", source=TRANSFER, arn=_arn("transfer", "server/{id}"),
    create={"CreateServer": f"{RESP}.serverId"},
    delete={"DeleteServer": f"{REQ}.serverId"},
    modify={op: f"{REQ}.serverId" for op in ("UpdateServer", "StartServer", "StopServer", "ImportHostKey",
                                             "DeleteHostKey")},
)
_TUSER = "{%s}/{%s}" % (f"{RESP}.serverId|{REQ}.serverId", f"{RESP}.userName|{REQ}.userName")
TRANSFER_USER = ResourceType(
    # id "serverId/userName"
    type="AWS::Transfer::User", source=TRANSFER, arn=_arn("transfer", "user/{parent}/{name}"),
    create={"CreateUser": _TUSER},
    delete={"DeleteUser": _TUSER},
    modify={op: _TUSER for op in ("UpdateUser", "ImportSshPublicKey", "DeleteSshPublicKey")},
)
TRANSFER_CONNECTOR = ResourceType(
    type="AWS::Transfer::Connector", source=TRANSFER, arn=_arn("transfer", "connector/{id}"),
    create={"CreateConnector": f"{RESP}.connectorId"},
    delete={"DeleteConnector": f"{REQ}.connectorId"},
    modify={"UpdateConnector": f"{REQ}.connectorId"},
)
TRANSFER_WORKFLOW = ResourceType(
    type="AWS::Transfer::Workflow", source=TRANSFER, arn=_arn("transfer", "workflow/{id}"),
    create={"CreateWorkflow": f"{RESP}.workflowId"},
    delete={"DeleteWorkflow": f"{REQ}.workflowId"},
)
TRANSFER_TAGS = _tags(TRANSFER, f"{REQ}.arn")

# --- Amazon MQ: not listed. CloudTrail logs it as "amazonmq.amazonaws.com", which the operation-name meta
# test cannot map to botocore's "mq" model (its endpoint prefix is "mq") without an override there.

# --- Step Functions ---------------------------------------------------------------------------------
STATES = "states.amazonaws.com"
STATE_MACHINE = ResourceType(
    type="AWS::StepFunctions::StateMachine", source=STATES, arn=_arn("states", "stateMachine:{id}"),
    id_pattern=_arn_pattern("states", r"stateMachine:(?P<id>[^:]+)", r"(?::[^:]+)?"),
    create={"CreateStateMachine": (f"{RESP}.stateMachineArn", f"{REQ}.name")},
    delete={"DeleteStateMachine": f"{REQ}.stateMachineArn"},
    modify={"UpdateStateMachine": f"{REQ}.stateMachineArn", "PublishStateMachineVersion": f"{REQ}.stateMachineArn"},
    reference={"StartExecution": f"{REQ}.stateMachineArn", "StartSyncExecution": f"{REQ}.stateMachineArn"},
)
STATE_MACHINE_ALIAS = ResourceType(
    # id "stateMachine/alias"
    type="AWS::StepFunctions::StateMachineAlias", source=STATES, arn=_arn("states", "stateMachine:{parent}:{name}"),
    create={"CreateStateMachineAlias": f"{RESP}.stateMachineAliasArn"},
    delete={"DeleteStateMachineAlias": f"{REQ}.stateMachineAliasArn"},
    modify={"UpdateStateMachineAlias": f"{REQ}.stateMachineAliasArn"},
)
ACTIVITY = ResourceType(
    type="AWS::StepFunctions::Activity", source=STATES, arn=_arn("states", "activity:{id}"),
    create={"CreateActivity": (f"{RESP}.activityArn", f"{REQ}.name")},
    delete={"DeleteActivity": f"{REQ}.activityArn"},
)
STATES_TAGS = _tags(STATES, f"{REQ}.resourceArn")

# --- EventBridge Scheduler --------------------------------------------------------------------------
SCHEDULER = "scheduler.amazonaws.com"
_SCHEDULE = "{%s|=default}/{%s}" % (f"{REQ}.groupName", f"{REQ}.name")
SCHEDULE = ResourceType(
    # id "group/name"; a request without a group uses the "default" group
    type="AWS::Scheduler::Schedule", source=SCHEDULER, arn=_arn("scheduler", "schedule/{parent}/{name}"),
    create={"CreateSchedule": _SCHEDULE},
    arn_paths={"CreateSchedule": f"{RESP}.scheduleArn"},
    delete={"DeleteSchedule": _SCHEDULE},
    modify={"UpdateSchedule": _SCHEDULE},
)
SCHEDULE_GROUP = ResourceType(
    type="AWS::Scheduler::ScheduleGroup", source=SCHEDULER, arn=_arn("scheduler", "schedule-group/{id}"),
    create={"CreateScheduleGroup": f"{REQ}.name"},
    arn_paths={"CreateScheduleGroup": f"{RESP}.scheduleGroupArn"},
    delete={"DeleteScheduleGroup": f"{REQ}.name"},
)
SCHEDULER_TAGS = _tags(SCHEDULER, f"{REQ}.resourceArn")

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
)
_CLIENT = "{%s}/{%s}"
USER_POOL_CLIENT = ResourceType(
    # id "userPoolId/clientId"
    type="AWS::Cognito::UserPoolClient", source=COGNITO_IDP,
    create={"CreateUserPoolClient": _CLIENT % (f"{RESP}.userPoolClient.userPoolId|{_POOL}",
                                               f"{RESP}.userPoolClient.clientId")},
    name_paths={"CreateUserPoolClient": f"{REQ}.clientName"},
    delete={"DeleteUserPoolClient": _CLIENT % (_POOL, f"{REQ}.clientId")},
    modify={"UpdateUserPoolClient": _CLIENT % (_POOL, f"{REQ}.clientId")},
)
USER_POOL_DOMAIN = ResourceType(
    type="AWS::Cognito::UserPoolDomain", source=COGNITO_IDP,
    create={"CreateUserPoolDomain": f"{REQ}.domain"},
    delete={"DeleteUserPoolDomain": f"{REQ}.domain"},
    modify={"UpdateUserPoolDomain": f"{REQ}.domain"},
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
)

# --- AppSync ----------------------------------------------------------------------------------------
APPSYNC = "appsync.amazonaws.com"
GRAPHQL_API = ResourceType(
    type="AWS::AppSync::GraphQLApi", source=APPSYNC, arn=_arn("appsync", "apis/{id}"),
    create={"CreateGraphqlApi": f"{RESP}.graphqlApi.apiId"},
    arn_paths={"CreateGraphqlApi": f"{RESP}.graphqlApi.arn"},
    name_paths={"CreateGraphqlApi": f"{REQ}.name"},
    delete={"DeleteGraphqlApi": f"{REQ}.apiId"},
    modify={op: f"{REQ}.apiId" for op in ("UpdateGraphqlApi", "StartSchemaCreation", "CreateResolver",
                                          "CreateDataSource", "DeleteDataSource")},
)
_AKEY = "{%s}/{%s}"
APPSYNC_API_KEY = ResourceType(
    # id "apiId/keyId"
    type="AWS::AppSync::ApiKey", source=APPSYNC, arn=_arn("appsync", "apis/{parent}/apikeys/{name}"),
    create={"CreateApiKey": _AKEY % (f"{REQ}.apiId", f"{RESP}.apiKey.id")},
    delete={"DeleteApiKey": _AKEY % (f"{REQ}.apiId", f"{REQ}.id")},
    modify={"UpdateApiKey": _AKEY % (f"{REQ}.apiId", f"{REQ}.id")},
)
APPSYNC_TAGS = _tags(APPSYNC, f"{REQ}.resourceArn")

# --- Amplify ----------------------------------------------------------------------------------------
AMPLIFY = "amplify.amazonaws.com"
AMPLIFY_APP = ResourceType(
    type="AWS::Amplify::App", source=AMPLIFY, arn=_arn("amplify", "apps/{id}"),
    create={"CreateApp": f"{RESP}.app.appId"},
    arn_paths={"CreateApp": f"{RESP}.app.appArn"},
    name_paths={"CreateApp": f"{REQ}.name"},
    delete={"DeleteApp": f"{REQ}.appId"},
    modify={"UpdateApp": f"{REQ}.appId", "CreateWebhook": f"{REQ}.appId"},
)
_BRANCH = "{%s}/{%s}" % (f"{REQ}.appId", f"{REQ}.branchName")
AMPLIFY_BRANCH = ResourceType(
    type="AWS::Amplify::Branch", source=AMPLIFY, arn=_arn("amplify", "apps/{parent}/branches/{name}"),
    create={"CreateBranch": _BRANCH},
    arn_paths={"CreateBranch": f"{RESP}.branch.branchArn"},
    delete={"DeleteBranch": _BRANCH},
    modify={"UpdateBranch": _BRANCH, "StartJob": _BRANCH, "StartDeployment": _BRANCH},
)
_DOMAIN = "{%s}/{%s}" % (f"{REQ}.appId", f"{REQ}.domainName")
AMPLIFY_DOMAIN = ResourceType(
    type="AWS::Amplify::Domain", source=AMPLIFY, arn=_arn("amplify", "apps/{parent}/domains/{name}"),
    create={"CreateDomainAssociation": _DOMAIN},
    delete={"DeleteDomainAssociation": _DOMAIN},
    modify={"UpdateDomainAssociation": _DOMAIN},
)
AMPLIFY_TAGS = _tags(AMPLIFY, f"{REQ}.resourceArn")

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
)

# --- WAFv2: ids are generated; requests carry name, scope and id -------------------------------------
WAFV2 = "wafv2.amazonaws.com"


def _wafv2(kind: str, arn_kind: str, op: str) -> ResourceType:
    return ResourceType(
        type=f"AWS::WAFv2::{kind}", source=WAFV2,
        id_pattern=_arn_pattern("wafv2", rf"(?:regional|global)/{arn_kind}/[^/]+/(?P<id>[0-9a-f-]+)"),
        create={f"Create{op}": f"{RESP}.summary.id"},
        arn_paths={f"Create{op}": f"{RESP}.summary.aRN"},
        name_paths={f"Create{op}": f"{REQ}.name"},
        delete={f"Delete{op}": f"{REQ}.id"},
        modify={f"Update{op}": f"{REQ}.id"},
    )


WAF_WEB_ACL = _wafv2("WebACL", "webacl", "WebACL")
WAF_IP_SET = _wafv2("IPSet", "ipset", "IPSet")
WAF_RULE_GROUP = _wafv2("RuleGroup", "rulegroup", "RuleGroup")
WAF_REGEX_SET = _wafv2("RegexPatternSet", "regexpatternset", "RegexPatternSet")
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
)
_GD = "{%s}/{%s}"
GUARDDUTY_IP_SET = ResourceType(
    # id "detectorId/ipSetId"
    type="AWS::GuardDuty::IPSet", source=GUARDDUTY, arn=_arn("guardduty", "detector/{parent}/ipset/{name}"),
    create={"CreateIPSet": _GD % (_DET, f"{RESP}.ipSetId")},
    name_paths={"CreateIPSet": f"{REQ}.name"},
    delete={"DeleteIPSet": _GD % (_DET, f"{REQ}.ipSetId")},
    modify={"UpdateIPSet": _GD % (_DET, f"{REQ}.ipSetId")},
)
GUARDDUTY_THREAT_INTEL_SET = ResourceType(
    type="AWS::GuardDuty::ThreatIntelSet", source=GUARDDUTY,
    arn=_arn("guardduty", "detector/{parent}/threatintelset/{name}"),
    create={"CreateThreatIntelSet": _GD % (_DET, f"{RESP}.threatIntelSetId")},
    name_paths={"CreateThreatIntelSet": f"{REQ}.name"},
    delete={"DeleteThreatIntelSet": _GD % (_DET, f"{REQ}.threatIntelSetId")},
    modify={"UpdateThreatIntelSet": _GD % (_DET, f"{REQ}.threatIntelSetId")},
)
GUARDDUTY_FILTER = ResourceType(
    type="AWS::GuardDuty::Filter", source=GUARDDUTY, arn=_arn("guardduty", "detector/{parent}/filter/{name}"),
    create={"CreateFilter": _GD % (_DET, f"{RESP}.name|{REQ}.name")},
    delete={"DeleteFilter": _GD % (_DET, f"{REQ}.filterName")},
    modify={"UpdateFilter": _GD % (_DET, f"{REQ}.filterName")},
)
GUARDDUTY_TAGS = _tags(GUARDDUTY, f"{REQ}.resourceArn")

# --- Config: Put* create or replace -----------------------------------------------------------------
CONFIG = "config.amazonaws.com"
CONFIG_RULE = ResourceType(
    type="AWS::Config::ConfigRule", source=CONFIG,
    create={"PutConfigRule": f"{REQ}.configRule.configRuleName"},
    delete={"DeleteConfigRule": f"{REQ}.configRuleName"},
    modify={"StartConfigRulesEvaluation": f"{REQ}.configRuleNames[]",
            "PutRemediationConfigurations": f"{REQ}.remediationConfigurations[].configRuleName",
            "DeleteRemediationConfiguration": f"{REQ}.configRuleName"},
)
CONFIG_RECORDER = ResourceType(
    type="AWS::Config::ConfigurationRecorder", source=CONFIG,
    create={"PutConfigurationRecorder": f"{REQ}.configurationRecorder.name"},
    delete={"DeleteConfigurationRecorder": f"{REQ}.configurationRecorderName"},
    modify={"StartConfigurationRecorder": f"{REQ}.configurationRecorderName",
            "StopConfigurationRecorder": f"{REQ}.configurationRecorderName"},
)
CONFIG_DELIVERY_CHANNEL = ResourceType(
    type="AWS::Config::DeliveryChannel", source=CONFIG,
    create={"PutDeliveryChannel": f"{REQ}.deliveryChannel.name"},
    delete={"DeleteDeliveryChannel": f"{REQ}.deliveryChannelName"},
)
CONFIG_CONFORMANCE_PACK = ResourceType(
    type="AWS::Config::ConformancePack", source=CONFIG,
    create={"PutConformancePack": f"{REQ}.conformancePackName"},
    arn_paths={"PutConformancePack": f"{RESP}.conformancePackArn"},
    delete={"DeleteConformancePack": f"{REQ}.conformancePackName"},
)
CONFIG_AGGREGATOR = ResourceType(
    type="AWS::Config::ConfigurationAggregator", source=CONFIG,
    create={"PutConfigurationAggregator": f"{REQ}.configurationAggregatorName"},
    delete={"DeleteConfigurationAggregator": f"{REQ}.configurationAggregatorName"},
)

# --- CodeBuild, CodePipeline, CodeCommit ------------------------------------------------------------
CODEBUILD = "codebuild.amazonaws.com"
CODEBUILD_PROJECT = ResourceType(
    type="AWS::CodeBuild::Project", source=CODEBUILD, arn=_arn("codebuild", "project/{id}"),
    create={"CreateProject": (f"{RESP}.project.name", f"{REQ}.name")},
    arn_paths={"CreateProject": f"{RESP}.project.arn"},
    delete={"DeleteProject": f"{REQ}.name"},
    modify={"UpdateProject": f"{REQ}.name", "UpdateProjectVisibility": f"{REQ}.projectArn",
            "CreateWebhook": f"{REQ}.projectName", "DeleteWebhook": f"{REQ}.projectName",
            "UpdateWebhook": f"{REQ}.projectName"},
    reference={"StartBuild": f"{REQ}.projectName"},
)
CODEBUILD_REPORT_GROUP = ResourceType(
    type="AWS::CodeBuild::ReportGroup", source=CODEBUILD, arn=_arn("codebuild", "report-group/{id}"),
    create={"CreateReportGroup": (f"{RESP}.reportGroup.arn", f"{REQ}.name")},
    delete={"DeleteReportGroup": f"{REQ}.arn"},
    modify={"UpdateReportGroup": f"{REQ}.arn"},
)

CODEPIPELINE = "codepipeline.amazonaws.com"
PIPELINE = ResourceType(
    type="AWS::CodePipeline::Pipeline", source=CODEPIPELINE, arn=_arn("codepipeline", "{id}"),
    create={"CreatePipeline": (f"{RESP}.pipeline.name", f"{REQ}.pipeline.name")},
    delete={"DeletePipeline": f"{REQ}.name"},
    modify={"UpdatePipeline": f"{REQ}.pipeline.name",
            **{op: f"{REQ}.pipelineName" for op in ("DisableStageTransition", "EnableStageTransition",
                                                    "StopPipelineExecution", "RetryStageExecution")},
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn"},
    reference={"StartPipelineExecution": f"{REQ}.name"},
)
PIPELINE_WEBHOOK = ResourceType(
    type="AWS::CodePipeline::Webhook", source=CODEPIPELINE, arn=_arn("codepipeline", "webhook:{id}"),
    create={"PutWebhook": (f"{RESP}.webhook.definition.name", f"{REQ}.webhook.name")},
    arn_paths={"PutWebhook": f"{RESP}.webhook.arn"},
    delete={"DeleteWebhook": f"{REQ}.name"},
    modify={"RegisterWebhookWithThirdParty": f"{REQ}.webhookName",
            "DeregisterWebhookWithThirdParty": f"{REQ}.webhookName"},
)

CODECOMMIT = "codecommit.amazonaws.com"
_CC = f"{REQ}.repositoryName"
CODECOMMIT_REPOSITORY = ResourceType(
    type="AWS::CodeCommit::Repository", source=CODECOMMIT, arn=_arn("codecommit", "{id}"),
    create={"CreateRepository": (f"{RESP}.repositoryMetadata.repositoryName", _CC)},
    arn_paths={"CreateRepository": f"{RESP}.repositoryMetadata.arn"},
    delete={"DeleteRepository": _CC},
    modify={op: _CC for op in ("UpdateRepositoryName", "UpdateRepositoryDescription", "PutRepositoryTriggers",
                               "CreateBranch", "DeleteBranch", "UpdateDefaultBranch",
                               "AssociateApprovalRuleTemplateWithRepository")}
    | {"UpdateRepositoryName": f"{REQ}.oldName",
       "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn"},
)

# --- Bedrock ----------------------------------------------------------------------------------------
BEDROCK = "bedrock.amazonaws.com"
BEDROCK_CUSTOM_MODEL = ResourceType(
    # created by a customization job: the job names the model it will create
    type="AWS::Bedrock::CustomModel", source=BEDROCK,
    id_pattern=_arn_pattern("bedrock", r"custom-model/(?:[^/]+/)?(?P<id>[^/]+)"),
    create={"CreateModelCustomizationJob": f"{REQ}.customModelName"},
    delete={"DeleteCustomModel": f"{REQ}.modelIdentifier"},
)
BEDROCK_CUSTOMIZATION_JOB = ResourceType(
    type="AWS::Bedrock::ModelCustomizationJob", source=BEDROCK,
    id_pattern=_arn_pattern("bedrock", r"model-customization-job/(?:[^/]+/)?(?P<id>[^/]+)"),
    create={"CreateModelCustomizationJob": f"{RESP}.jobArn"},
    name_paths={"CreateModelCustomizationJob": f"{REQ}.jobName"},
    delete={"StopModelCustomizationJob": f"{REQ}.jobIdentifier"},
)
BEDROCK_PROVISIONED_THROUGHPUT = ResourceType(
    type="AWS::Bedrock::ProvisionedModelThroughput", source=BEDROCK,
    arn=_arn("bedrock", "provisioned-model/{id}"),
    create={"CreateProvisionedModelThroughput": f"{RESP}.provisionedModelArn"},
    name_paths={"CreateProvisionedModelThroughput": f"{REQ}.provisionedModelName"},
    delete={"DeleteProvisionedModelThroughput": f"{REQ}.provisionedModelId"},
    modify={"UpdateProvisionedModelThroughput": f"{REQ}.provisionedModelId"},
)
BEDROCK_GUARDRAIL = ResourceType(
    type="AWS::Bedrock::Guardrail", source=BEDROCK, arn=_arn("bedrock", "guardrail/{id}"),
    create={"CreateGuardrail": f"{RESP}.guardrailId"},
    arn_paths={"CreateGuardrail": f"{RESP}.guardrailArn"},
    name_paths={"CreateGuardrail": f"{REQ}.name"},
    delete={"DeleteGuardrail": f"{REQ}.guardrailIdentifier"},
    modify={"UpdateGuardrail": f"{REQ}.guardrailIdentifier", "CreateGuardrailVersion": f"{REQ}.guardrailIdentifier"},
)
BEDROCK_TAGS = _tags(BEDROCK, f"{REQ}.resourceARN")

# --- MSK Connect ------------------------------------------------------------------------------------
KAFKACONNECT = "kafkaconnect.amazonaws.com"
MSK_CONNECTOR = ResourceType(
    # id: the connector name; the ARN ends with a UUID
    type="AWS::KafkaConnect::Connector", source=KAFKACONNECT,
    id_pattern=_arn_pattern("kafkaconnect", r"connector/(?P<id>[^/]+)/[^/]+"),
    create={"CreateConnector": (f"{RESP}.connectorArn", f"{REQ}.connectorName")},
    delete={"DeleteConnector": f"{REQ}.connectorArn"},
    modify={"UpdateConnector": f"{REQ}.connectorArn"},
)
MSK_CUSTOM_PLUGIN = ResourceType(
    type="AWS::KafkaConnect::CustomPlugin", source=KAFKACONNECT,
    id_pattern=_arn_pattern("kafkaconnect", r"custom-plugin/(?P<id>[^/]+)/[^/]+"),
    create={"CreateCustomPlugin": (f"{RESP}.customPluginArn", f"{REQ}.name")},
    delete={"DeleteCustomPlugin": f"{REQ}.customPluginArn"},
)
MSK_WORKER_CONFIGURATION = ResourceType(
    type="AWS::KafkaConnect::WorkerConfiguration", source=KAFKACONNECT,
    id_pattern=_arn_pattern("kafkaconnect", r"worker-configuration/(?P<id>[^/]+)/[^/]+"),
    create={"CreateWorkerConfiguration": (f"{RESP}.workerConfigurationArn", f"{REQ}.name")},
    delete={"DeleteWorkerConfiguration": f"{REQ}.workerConfigurationArn"},
)

# --- OpenSearch Serverless --------------------------------------------------------------------------
AOSS = "aoss.amazonaws.com"
AOSS_COLLECTION = ResourceType(
    type="AWS::OpenSearchServerless::Collection", source=AOSS, arn=_arn("aoss", "collection/{id}"),
    create={"CreateCollection": f"{RESP}.createCollectionDetail.id"},
    arn_paths={"CreateCollection": f"{RESP}.createCollectionDetail.arn"},
    name_paths={"CreateCollection": f"{REQ}.name"},
    delete={"DeleteCollection": f"{REQ}.id"},
    modify={"UpdateCollection": f"{REQ}.id"},
)
AOSS_SECURITY_POLICY = ResourceType(
    # id "type/name" (encryption and network policies share names)
    type="AWS::OpenSearchServerless::SecurityPolicy", source=AOSS,
    create={"CreateSecurityPolicy": "{%s}/{%s}" % (f"{REQ}.type", f"{REQ}.name")},
    delete={"DeleteSecurityPolicy": "{%s}/{%s}" % (f"{REQ}.type", f"{REQ}.name")},
    modify={"UpdateSecurityPolicy": "{%s}/{%s}" % (f"{REQ}.type", f"{REQ}.name")},
)
AOSS_ACCESS_POLICY = ResourceType(
    type="AWS::OpenSearchServerless::AccessPolicy", source=AOSS,
    create={"CreateAccessPolicy": "{%s}/{%s}" % (f"{REQ}.type", f"{REQ}.name")},
    delete={"DeleteAccessPolicy": "{%s}/{%s}" % (f"{REQ}.type", f"{REQ}.name")},
    modify={"UpdateAccessPolicy": "{%s}/{%s}" % (f"{REQ}.type", f"{REQ}.name")},
)

# --- IoT --------------------------------------------------------------------------------------------
IOT = "iot.amazonaws.com"
IOT_THING = ResourceType(
    type="AWS::IoT::Thing", source=IOT, arn=_arn("iot", "thing/{id}"),
    create={"CreateThing": (f"{RESP}.thingName", f"{REQ}.thingName")},
    arn_paths={"CreateThing": f"{RESP}.thingArn"},
    delete={"DeleteThing": f"{REQ}.thingName"},
    modify={op: f"{REQ}.thingName" for op in ("UpdateThing", "AttachThingPrincipal", "DetachThingPrincipal",
                                              "AddThingToThingGroup", "RemoveThingFromThingGroup")},
)
IOT_POLICY = ResourceType(
    type="AWS::IoT::Policy", source=IOT, arn=_arn("iot", "policy/{id}"),
    create={"CreatePolicy": (f"{RESP}.policyName", f"{REQ}.policyName")},
    arn_paths={"CreatePolicy": f"{RESP}.policyArn"},
    delete={"DeletePolicy": f"{REQ}.policyName"},
    modify={op: f"{REQ}.policyName" for op in ("CreatePolicyVersion", "DeletePolicyVersion",
                                               "SetDefaultPolicyVersion", "AttachPolicy", "DetachPolicy")},
)
IOT_TOPIC_RULE = ResourceType(
    type="AWS::IoT::TopicRule", source=IOT, arn=_arn("iot", "rule/{id}"),
    create={"CreateTopicRule": f"{REQ}.ruleName"},
    delete={"DeleteTopicRule": f"{REQ}.ruleName"},
    modify={op: f"{REQ}.ruleName" for op in ("ReplaceTopicRule", "EnableTopicRule", "DisableTopicRule")},
)
IOT_THING_GROUP = ResourceType(
    type="AWS::IoT::ThingGroup", source=IOT, arn=_arn("iot", "thinggroup/{id}"),
    create={"CreateThingGroup": (f"{RESP}.thingGroupName", f"{REQ}.thingGroupName")},
    arn_paths={"CreateThingGroup": f"{RESP}.thingGroupArn"},
    delete={"DeleteThingGroup": f"{REQ}.thingGroupName"},
    modify={"UpdateThingGroup": f"{REQ}.thingGroupName"},
)
IOT_TAGS = _tags(IOT, f"{REQ}.resourceArn")

# --- Amazon MQ (logs as amazonmq.amazonaws.com; botocore's model is "mq") -------------------------------
MQ = "amazonmq.amazonaws.com"
MQ_BROKER = ResourceType(
    # id: the broker id (b-<uuid>); requests name it in the path (brokerId)
    type="AWS::AmazonMQ::Broker", source=MQ,  # ARN (broker:<name>:<id>) taken from the record
    id_pattern=_arn_pattern("mq", r"broker:[^:]+:(?P<id>[^:]+)"),
    create={"CreateBroker": f"{RESP}.brokerId"}, arn_paths={"CreateBroker": f"{RESP}.brokerArn"},
    name_paths={"CreateBroker": f"{REQ}.brokerName"},
    delete={"DeleteBroker": f"{REQ}.brokerId"},
    modify={"UpdateBroker": f"{REQ}.brokerId", "RebootBroker": f"{REQ}.brokerId", "Promote": f"{REQ}.brokerId",
            "CreateUser": f"{REQ}.brokerId", "DeleteUser": f"{REQ}.brokerId", "UpdateUser": f"{REQ}.brokerId"},
)
MQ_CONFIGURATION = ResourceType(
    type="AWS::AmazonMQ::Configuration", source=MQ,
    id_pattern=_arn_pattern("mq", r"configuration:(?P<id>[^:]+)"),
    create={"CreateConfiguration": f"{RESP}.id"}, arn_paths={"CreateConfiguration": f"{RESP}.arn"},
    name_paths={"CreateConfiguration": f"{REQ}.name"},
    delete={"DeleteConfiguration": f"{REQ}.configurationId"},
    modify={"UpdateConfiguration": f"{REQ}.configurationId"},
)
MQ_TAGS = _tags(MQ, f"{REQ}.resourceArn", tag="CreateTags", untag="DeleteTags")

ENTRIES = (
    MQ_BROKER, MQ_CONFIGURATION, MQ_TAGS,
    MEMORYDB_CLUSTER, MEMORYDB_ACL, MEMORYDB_USER, MEMORYDB_SUBNET_GROUP, MEMORYDB_PARAMETER_GROUP, MEMORYDB_TAGS,
    FSX_FILE_SYSTEM, FSX_BACKUP, FSX_VOLUME, FSX_SVM, FSX_TAGS,
    BACKUP_VAULT, BACKUP_PLAN, BACKUP_SELECTION, BACKUP_TAGS,
    DATASYNC_TASK, DATASYNC_LOCATION, DATASYNC_AGENT, DATASYNC_TAGS,
    TRANSFER_SERVER, TRANSFER_USER, TRANSFER_CONNECTOR, TRANSFER_WORKFLOW, TRANSFER_TAGS,
    STATE_MACHINE, STATE_MACHINE_ALIAS, ACTIVITY, STATES_TAGS,
    SCHEDULE, SCHEDULE_GROUP, SCHEDULER_TAGS, ACM_CERTIFICATE,
    USER_POOL, USER_POOL_CLIENT, USER_POOL_DOMAIN, COGNITO_IDP_TAGS, IDENTITY_POOL,
    GRAPHQL_API, APPSYNC_API_KEY, APPSYNC_TAGS, AMPLIFY_APP, AMPLIFY_BRANCH, AMPLIFY_DOMAIN, AMPLIFY_TAGS,
    DIRECTORY, WAF_WEB_ACL, WAF_IP_SET, WAF_RULE_GROUP, WAF_REGEX_SET, WAF_TAGS,
    GUARDDUTY_DETECTOR, GUARDDUTY_IP_SET, GUARDDUTY_THREAT_INTEL_SET, GUARDDUTY_FILTER, GUARDDUTY_TAGS,
    CONFIG_RULE, CONFIG_RECORDER, CONFIG_DELIVERY_CHANNEL, CONFIG_CONFORMANCE_PACK, CONFIG_AGGREGATOR,
    CODEBUILD_PROJECT, CODEBUILD_REPORT_GROUP, PIPELINE, PIPELINE_WEBHOOK, CODECOMMIT_REPOSITORY,
    BEDROCK_CUSTOM_MODEL, BEDROCK_CUSTOMIZATION_JOB, BEDROCK_PROVISIONED_THROUGHPUT, BEDROCK_GUARDRAIL, BEDROCK_TAGS,
    MSK_CONNECTOR, MSK_CUSTOM_PLUGIN, MSK_WORKER_CONFIGURATION, AOSS_COLLECTION, AOSS_SECURITY_POLICY,
    AOSS_ACCESS_POLICY, IOT_THING, IOT_POLICY, IOT_TOPIC_RULE, IOT_THING_GROUP, IOT_TAGS,
)
