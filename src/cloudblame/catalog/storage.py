"""Storage: S3, EFS, FSx, AWS Backup, DataSync, Transfer Family."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType, composite_id
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.live import Describe
from cloudblame.catalog.pricing import BY_STORAGE, BY_USE, NOT_IN_TABLE, NoCharge
from cloudblame.catalog.usage import UsageMetric

REQ = "requestParameters"
RESP = "responseElements"

# --- S3 ---------------------------------------------------------------------------------------------
S3 = "s3.amazonaws.com"
_BUCKET = f"{REQ}.bucketName"
S3_BUCKET = ResourceType(
    type="AWS::S3::Bucket", source=S3, arn="arn:{partition}:s3:::{id}", global_=True,
    create={"CreateBucket": _BUCKET},
    delete={"DeleteBucket": _BUCKET},
    modify={op: _BUCKET for op in (
        "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "PutBucketTagging", "DeleteBucketTagging",
        "PutBucketVersioning", "PutBucketEncryption", "DeleteBucketEncryption", "PutBucketLogging",
        "PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock", "PutBucketReplication", "DeleteBucketReplication", "PutBucketCors",
        "DeleteBucketCors", "PutBucketWebsite", "DeleteBucketWebsite", "PutBucketNotification",
        "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", "PutBucketRequestPayment",
        "PutObjectLockConfiguration", "PutBucketAccelerateConfiguration", "PutBucketInventoryConfiguration",
        "PutBucketAnalyticsConfiguration", "PutBucketMetricsConfiguration",
        "PutBucketIntelligentTieringConfiguration")},
    unpriced_reason=BY_STORAGE,
    # request metrics exist only where a metrics configuration is enabled: the filter the S3 console names
    # EntireBucket (a bucket without one reads as no data)
    usage=(UsageMetric("AWS/S3", "AllRequests", "BucketName", "Sum", 0, "requests",
                       fixed={"FilterId": "EntireBucket"}),),
    live=Describe("s3", "head_bucket", "Bucket", missing=("404", "NoSuchBucket", "NotFound")),
)

S3_OBJECT = ResourceType(
    # reference-only: objects appear in data events' ``resources`` lists; the id is "bucket/key"
    type="AWS::S3::Object", source=S3, global_=True,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):s3:::(?P<id>[^/]+/.+))$",
)

# --- EFS --------------------------------------------------------------------------------------------
EFS = "elasticfilesystem.amazonaws.com"
EFS_FILE_SYSTEM = ResourceType(
    # strict: TagResource/UntagResource take a file system id or an access point id
    type="AWS::EFS::FileSystem", source=EFS, strict_ids=True,
    arn="arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{id}",
    id_pattern=r"^(?P<id>fs-[0-9a-fA-F]{8,40})$",
    create={"CreateFileSystem": f"{RESP}.fileSystemId"},
    arn_paths={"CreateFileSystem": f"{RESP}.fileSystemArn"},
    name_paths={"CreateFileSystem": f"{RESP}.name"},
    delete={"DeleteFileSystem": f"{REQ}.fileSystemId"},
    modify={**{op: f"{REQ}.fileSystemId"
               for op in ("UpdateFileSystem", "PutLifecycleConfiguration", "PutFileSystemPolicy",
                          "DeleteFileSystemPolicy", "PutBackupPolicy", "CreateTags", "DeleteTags",
                          "UpdateFileSystemProtection")},
            "CreateMountTarget": (f"{RESP}.fileSystemId", f"{REQ}.fileSystemId"),
            "TagResource": f"{REQ}.resourceId", "UntagResource": f"{REQ}.resourceId"},
    unpriced_reason=BY_STORAGE,
    live=Describe("efs", "describe_file_systems", "FileSystemId", items="FileSystems[]", state="LifeCycleState",
                  gone=("deleting", "deleted"), missing=("FileSystemNotFound",), tags="Tags"),
)

EFS_MOUNT_TARGET = ResourceType(
    type="AWS::EFS::MountTarget", source=EFS,
    create={"CreateMountTarget": f"{RESP}.mountTargetId"},
    delete={"DeleteMountTarget": f"{REQ}.mountTargetId"},
    modify={"ModifyMountTargetSecurityGroups": f"{REQ}.mountTargetId"},
    price=NoCharge(),
)

EFS_ACCESS_POINT = ResourceType(
    type="AWS::EFS::AccessPoint", source=EFS, strict_ids=True,
    arn="arn:{partition}:elasticfilesystem:{region}:{account}:access-point/{id}",
    id_pattern=r"^(?P<id>fsap-[0-9a-fA-F]{8,40})$",
    create={"CreateAccessPoint": f"{RESP}.accessPointId"},
    arn_paths={"CreateAccessPoint": f"{RESP}.accessPointArn"},
    delete={"DeleteAccessPoint": f"{REQ}.accessPointId"},
    modify={"TagResource": f"{REQ}.resourceId", "UntagResource": f"{REQ}.resourceId"},
    price=NoCharge(),
)

# --- FSx --------------------------------------------------------------------------------------------
FSX = "fsx.amazonaws.com"
FSX_FILE_SYSTEM = ResourceType(
    type="AWS::FSx::FileSystem", source=FSX, arn=_arn("fsx", "file-system/{id}"),
    create={op: f"{RESP}.fileSystem.fileSystemId" for op in ("CreateFileSystem", "CreateFileSystemFromBackup")},
    arn_paths={op: f"{RESP}.fileSystem.resourceARN" for op in ("CreateFileSystem", "CreateFileSystemFromBackup")},
    delete={"DeleteFileSystem": (f"{REQ}.fileSystemId", f"{RESP}.fileSystemId")},
    modify={"UpdateFileSystem": f"{REQ}.fileSystemId"},
    unpriced_reason=NOT_IN_TABLE,
)
FSX_BACKUP = ResourceType(
    type="AWS::FSx::Backup", source=FSX, arn=_arn("fsx", "backup/{id}"),
    create={"CreateBackup": f"{RESP}.backup.backupId", "CopyBackup": f"{RESP}.backup.backupId"},
    arn_paths={"CreateBackup": f"{RESP}.backup.resourceARN", "CopyBackup": f"{RESP}.backup.resourceARN"},
    delete={"DeleteBackup": (f"{REQ}.backupId", f"{RESP}.backupId")},
    unpriced_reason=BY_STORAGE,
)
FSX_VOLUME = ResourceType(
    type="AWS::FSx::Volume", source=FSX, arn=_arn("fsx", "volume/{id}"),
    id_pattern=_arn_pattern("fsx", r"volume/[^/]+/(?P<id>fsvol-[0-9a-f]+)"),
    create={"CreateVolume": f"{RESP}.volume.volumeId", "CreateVolumeFromBackup": f"{RESP}.volume.volumeId"},
    arn_paths={"CreateVolume": f"{RESP}.volume.resourceARN", "CreateVolumeFromBackup": f"{RESP}.volume.resourceARN"},
    name_paths={"CreateVolume": f"{REQ}.name", "CreateVolumeFromBackup": f"{REQ}.name"},
    delete={"DeleteVolume": (f"{REQ}.volumeId", f"{RESP}.volumeId")},
    modify={"UpdateVolume": f"{REQ}.volumeId"},
    unpriced_reason=BY_STORAGE,
)
FSX_SVM = ResourceType(
    type="AWS::FSx::StorageVirtualMachine", source=FSX,
    id_pattern=_arn_pattern("fsx", r"storage-virtual-machine/[^/]+/(?P<id>svm-[0-9a-f]+)"),
    create={"CreateStorageVirtualMachine": f"{RESP}.storageVirtualMachine.storageVirtualMachineId"},
    arn_paths={"CreateStorageVirtualMachine": f"{RESP}.storageVirtualMachine.resourceARN"},
    name_paths={"CreateStorageVirtualMachine": f"{REQ}.name"},
    delete={"DeleteStorageVirtualMachine": f"{REQ}.storageVirtualMachineId"},
    modify={"UpdateStorageVirtualMachine": f"{REQ}.storageVirtualMachineId"},
    price=NoCharge(),
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
    unpriced_reason=BY_STORAGE,
)
BACKUP_PLAN = ResourceType(
    type="AWS::Backup::BackupPlan", source=BACKUP, arn=_arn("backup", "backup-plan:{id}"),
    create={"CreateBackupPlan": f"{RESP}.backupPlanId"},
    arn_paths={"CreateBackupPlan": f"{RESP}.backupPlanArn"},
    name_paths={"CreateBackupPlan": f"{REQ}.backupPlan.backupPlanName"},
    delete={"DeleteBackupPlan": f"{REQ}.backupPlanId"},
    modify={"UpdateBackupPlan": f"{REQ}.backupPlanId"},
    price=NoCharge(),
)
BACKUP_SELECTION = ResourceType(
    # id "planId/selectionId"
    type="AWS::Backup::BackupSelection", source=BACKUP,
    create={"CreateBackupSelection": composite_id(f"{RESP}.backupPlanId|{REQ}.backupPlanId", f"{RESP}.selectionId")},
    name_paths={"CreateBackupSelection": f"{REQ}.backupSelection.selectionName"},
    delete={"DeleteBackupSelection": composite_id(f"{REQ}.backupPlanId", f"{REQ}.selectionId")},
    price=NoCharge(),
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
    unpriced_reason=BY_USE,
)
_LOCATION_KINDS = ("S3", "Efs", "FsxLustre", "FsxOntap", "FsxOpenZfs", "FsxWindows", "Hdfs", "Nfs",
                   "ObjectStorage", "Smb", "AzureBlob")
DATASYNC_LOCATION = ResourceType(
    type="AWS::DataSync::Location", source=DATASYNC, arn=_arn("datasync", "location/{id}"),
    aliases=tuple(f"AWS::DataSync::Location{k.upper() if k in ('S3', 'Efs', 'Nfs', 'Smb', 'Hdfs') else k}"
                  for k in ("S3", "Efs", "Nfs", "Smb")),
    create={f"CreateLocation{k}": f"{RESP}.locationArn" for k in _LOCATION_KINDS},
    delete={"DeleteLocation": f"{REQ}.locationArn"},
    price=NoCharge(),
)
DATASYNC_AGENT = ResourceType(
    type="AWS::DataSync::Agent", source=DATASYNC, arn=_arn("datasync", "agent/{id}"),
    create={"CreateAgent": f"{RESP}.agentArn"},
    name_paths={"CreateAgent": f"{REQ}.agentName"},
    delete={"DeleteAgent": f"{REQ}.agentArn"},
    modify={"UpdateAgent": f"{REQ}.agentArn"},
    price=NoCharge(),
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
    unpriced_reason=NOT_IN_TABLE,
)
_TUSER = composite_id(f"{RESP}.serverId|{REQ}.serverId", f"{RESP}.userName|{REQ}.userName")
TRANSFER_USER = ResourceType(
    # id "serverId/userName"
    type="AWS::Transfer::User", source=TRANSFER, arn=_arn("transfer", "user/{parent}/{name}"),
    create={"CreateUser": _TUSER},
    delete={"DeleteUser": _TUSER},
    modify={op: _TUSER for op in ("UpdateUser", "ImportSshPublicKey", "DeleteSshPublicKey")},
    price=NoCharge(),
)
TRANSFER_CONNECTOR = ResourceType(
    type="AWS::Transfer::Connector", source=TRANSFER, arn=_arn("transfer", "connector/{id}"),
    create={"CreateConnector": f"{RESP}.connectorId"},
    delete={"DeleteConnector": f"{REQ}.connectorId"},
    modify={"UpdateConnector": f"{REQ}.connectorId"},
    unpriced_reason=BY_USE,
)
TRANSFER_WORKFLOW = ResourceType(
    type="AWS::Transfer::Workflow", source=TRANSFER, arn=_arn("transfer", "workflow/{id}"),
    create={"CreateWorkflow": f"{RESP}.workflowId"},
    delete={"DeleteWorkflow": f"{REQ}.workflowId"},
    unpriced_reason=BY_USE,
)
TRANSFER_TAGS = _tags(TRANSFER, f"{REQ}.arn")

ENTRIES = (
    S3_BUCKET, S3_OBJECT, EFS_FILE_SYSTEM, EFS_MOUNT_TARGET, EFS_ACCESS_POINT, FSX_FILE_SYSTEM, FSX_BACKUP,
    FSX_VOLUME, FSX_SVM, FSX_TAGS, BACKUP_VAULT, BACKUP_PLAN, BACKUP_SELECTION, BACKUP_TAGS, DATASYNC_TASK,
    DATASYNC_LOCATION, DATASYNC_AGENT, DATASYNC_TAGS, TRANSFER_SERVER, TRANSFER_USER, TRANSFER_CONNECTOR,
    TRANSFER_WORKFLOW, TRANSFER_TAGS,
)
