"""Management and monitoring: CloudFormation, CloudTrail, SSM parameters, CloudWatch alarms and logs,
EventBridge, Route 53, CloudHSM."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType

REQ = "requestParameters"
RESP = "responseElements"

CFN = "cloudformation.amazonaws.com"
_STACK = f"{REQ}.stackName"
CFN_STACK = ResourceType(
    # id: the stack name; the stack id is an ARN ending with a UUID (accepted wherever a name is)
    type="AWS::CloudFormation::Stack", source=CFN,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):cloudformation:(?P<region>[^:]*):(?P<account>\d*):stack/(?P<id>[^/]+)/[^/]+)$",
    create={"CreateStack": _STACK},
    arn_paths={"CreateStack": f"{RESP}.stackId", "UpdateStack": f"{RESP}.stackId"},
    delete={"DeleteStack": _STACK},
    modify={op: _STACK for op in (
        "UpdateStack", "CancelUpdateStack", "ContinueUpdateRollback", "SetStackPolicy",
        "UpdateTerminationProtection", "ExecuteChangeSet", "CreateChangeSet", "RollbackStack")},
)

CFN_STACK_SET = ResourceType(
    type="AWS::CloudFormation::StackSet", source=CFN,
    create={"CreateStackSet": f"{REQ}.stackSetName"},
    delete={"DeleteStackSet": f"{REQ}.stackSetName"},
    modify={op: f"{REQ}.stackSetName" for op in (
        "UpdateStackSet", "CreateStackInstances", "DeleteStackInstances", "UpdateStackInstances")},
)

CLOUDTRAIL = "cloudtrail.amazonaws.com"
TRAIL = ResourceType(
    # requests may name the trail by its ARN
    type="AWS::CloudTrail::Trail", source=CLOUDTRAIL, arn="arn:{partition}:cloudtrail:{region}:{account}:trail/{id}",
    create={"CreateTrail": (f"{RESP}.name", f"{REQ}.name")},
    arn_paths={op: f"{RESP}.trailARN"
               for op in ("CreateTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors")},
    delete={"DeleteTrail": f"{REQ}.name"},
    modify={**{op: f"{REQ}.name" for op in ("UpdateTrail", "StartLogging", "StopLogging")},
            "PutEventSelectors": f"{REQ}.trailName", "PutInsightSelectors": f"{REQ}.trailName",
            "AddTags": f"{REQ}.resourceId", "RemoveTags": f"{REQ}.resourceId"},
)

SSM = "ssm.amazonaws.com"
SSM_PARAMETER = ResourceType(
    # id: the name without its leading "/" (the ARN is ".../parameter/a/b" for "/a/b" and ".../parameter/c"
    # for "c"); the name as written is kept as the human name
    type="AWS::SSM::Parameter", source=SSM, arn="arn:{partition}:ssm:{region}:{account}:parameter/{id}",
    id_transform="strip-leading-slash",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):ssm:(?P<region>[^:]*):(?P<account>\d*):parameter/(?P<id>.+))$",
    create={"PutParameter": f"{REQ}.name"},
    upsert_flags={"PutParameter": f"{REQ}.overwrite"},
    name_paths={"PutParameter": f"{REQ}.name"},
    delete={"DeleteParameter": f"{REQ}.name", "DeleteParameters": f"{REQ}.names[]"},
    modify={"LabelParameterVersion": f"{REQ}.name", "UnlabelParameterVersion": f"{REQ}.name"},
)

MONITORING = "monitoring.amazonaws.com"
CLOUDWATCH_ALARM = ResourceType(
    # PutMetricAlarm creates or replaces: without a flag to tell, it counts as a creation
    type="AWS::CloudWatch::Alarm", source=MONITORING, arn="arn:{partition}:cloudwatch:{region}:{account}:alarm:{id}",
    aliases=("AWS::CloudWatch::CompositeAlarm",),
    create={"PutMetricAlarm": f"{REQ}.alarmName", "PutCompositeAlarm": f"{REQ}.alarmName"},
    delete={"DeleteAlarms": f"{REQ}.alarmNames[]"},
    modify={"EnableAlarmActions": f"{REQ}.alarmNames[]", "DisableAlarmActions": f"{REQ}.alarmNames[]",
            "SetAlarmState": f"{REQ}.alarmName",
            "TagResource": f"{REQ}.resourceARN", "UntagResource": f"{REQ}.resourceARN"},
)

LOGS = "logs.amazonaws.com"
_LG = f"{REQ}.logGroupName"
LOG_GROUP = ResourceType(
    type="AWS::Logs::LogGroup", source=LOGS, arn="arn:{partition}:logs:{region}:{account}:log-group:{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):logs:(?P<region>[^:]*):(?P<account>\d*):log-group:(?P<id>[^:]+))(?::\*)?$",
    create={"CreateLogGroup": _LG},
    delete={"DeleteLogGroup": _LG},
    modify={**{op: _LG for op in (
        "PutRetentionPolicy", "DeleteRetentionPolicy", "AssociateKmsKey", "DisassociateKmsKey",
        "PutSubscriptionFilter", "DeleteSubscriptionFilter", "PutMetricFilter", "DeleteMetricFilter",
        "TagLogGroup", "UntagLogGroup")},
            # the data protection APIs take logGroupIdentifier: a name or an ARN
            "PutDataProtectionPolicy": (f"{REQ}.logGroupIdentifier", _LG),
            "DeleteDataProtectionPolicy": (f"{REQ}.logGroupIdentifier", _LG),
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn"},
    reference={"CreateLogStream": _LG, "DeleteLogStream": _LG},
)

EVENTS = "events.amazonaws.com"
EVENT_RULE = ResourceType(
    # rules on a custom bus have ARNs ".../rule/<bus>/<name>"; PutRule creates or updates
    type="AWS::Events::Rule", source=EVENTS, arn="arn:{partition}:events:{region}:{account}:rule/{id}",
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):events:(?P<region>[^:]*):(?P<account>\d*):rule/(?:[^/]+/)?(?P<id>[^/]+))$",
    create={"PutRule": (f"{REQ}.name", f"{RESP}.ruleArn")},
    arn_paths={"PutRule": f"{RESP}.ruleArn"},
    delete={"DeleteRule": f"{REQ}.name"},
    modify={"PutTargets": f"{REQ}.rule", "RemoveTargets": f"{REQ}.rule", "EnableRule": f"{REQ}.name",
            "DisableRule": f"{REQ}.name", "TagResource": f"{REQ}.resourceARN", "UntagResource": f"{REQ}.resourceARN"},
)

EVENT_BUS = ResourceType(
    type="AWS::Events::EventBus", source=EVENTS, arn="arn:{partition}:events:{region}:{account}:event-bus/{id}",
    create={"CreateEventBus": f"{REQ}.name"},
    arn_paths={"CreateEventBus": f"{RESP}.eventBusArn"},
    delete={"DeleteEventBus": f"{REQ}.name"},
    modify={"UpdateEventBus": f"{REQ}.name", "PutPermission": f"{REQ}.eventBusName",
            "RemovePermission": f"{REQ}.eventBusName"},
)

ROUTE53 = "route53.amazonaws.com"
HOSTED_ZONE = ResourceType(
    # the API returns ids as "/hostedzone/Z123..."
    type="AWS::Route53::HostedZone", source=ROUTE53, global_=True, arn="arn:{partition}:route53:::hostedzone/{id}",
    id_pattern=r"^/?hostedzone/(?P<id>[A-Z0-9]+)$",
    create={"CreateHostedZone": f"{RESP}.hostedZone.id"},
    name_paths={"CreateHostedZone": f"{REQ}.name"},
    delete={"DeleteHostedZone": f"{REQ}.id"},
    modify={"ChangeResourceRecordSets": f"{REQ}.hostedZoneId", "ChangeTagsForResource": f"{REQ}.resourceId",
            "AssociateVPCWithHostedZone": f"{REQ}.hostedZoneId", "DisassociateVPCFromHostedZone": f"{REQ}.hostedZoneId",
            "UpdateHostedZoneComment": f"{REQ}.id"},
)

CLOUDHSM = "cloudhsm.amazonaws.com"  # CloudHSM v2 (botocore "cloudhsmv2") logs under this source
CLOUDHSM_CLUSTER = ResourceType(
    type="AWS::CloudHSM::Cluster", source=CLOUDHSM, arn="arn:{partition}:cloudhsm:{region}:{account}:cluster/{id}",
    create={"CreateCluster": f"{RESP}.cluster.clusterId"},
    delete={"DeleteCluster": f"{REQ}.clusterId"},
    modify={"ModifyCluster": f"{REQ}.clusterId", "InitializeCluster": f"{REQ}.clusterId",
            "TagResource": f"{REQ}.resourceId", "UntagResource": f"{REQ}.resourceId"},
)

CLOUDHSM_HSM = ResourceType(
    type="AWS::CloudHSM::Hsm", source=CLOUDHSM,
    create={"CreateHsm": f"{RESP}.hsm.hsmId"},
    delete={"DeleteHsm": f"{REQ}.hsmId"},
)

SERVICE_CATALOG = "servicecatalog.amazonaws.com"
_PP = (f"{REQ}.provisionedProductId", f"{REQ}.provisionedProductName")
PROVISIONED_PRODUCT = ResourceType(
    # id: the provisioned product id (pp-...); resources it launches carry its ARN in the tag
    # aws:servicecatalog:provisionedProductArn (...:stack/<name>/<pp-id>)
    type="AWS::ServiceCatalog::CloudFormationProvisionedProduct", source=SERVICE_CATALOG,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):servicecatalog:(?P<region>[^:]*):(?P<account>\d*):stack/[^/]+/(?P<id>pp-[a-z0-9]+))$",
    create={"ProvisionProduct": (f"{RESP}.recordDetail.provisionedProductId",)},
    name_paths={"ProvisionProduct": f"{REQ}.provisionedProductName"},
    delete={"TerminateProvisionedProduct": _PP},
    modify={"UpdateProvisionedProduct": _PP, "UpdateProvisionedProductProperties": f"{REQ}.provisionedProductId"},
)

ENTRIES = (
    PROVISIONED_PRODUCT, CFN_STACK, CFN_STACK_SET, TRAIL, SSM_PARAMETER, CLOUDWATCH_ALARM, LOG_GROUP, EVENT_RULE, EVENT_BUS,
    HOSTED_ZONE, CLOUDHSM_CLUSTER, CLOUDHSM_HSM,
)
