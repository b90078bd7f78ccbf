"""Management and governance: CloudFormation, Service Catalog, CloudTrail, Config, Systems Manager
(parameters, documents, maintenance windows, associations), CloudWatch (alarms, dashboards, metric streams),
CloudWatch Logs, OpsWorks."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.pricing import BY_USE, NOT_IN_TABLE, NoCharge

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
    price=NoCharge(),
)

CFN_STACK_SET = ResourceType(
    type="AWS::CloudFormation::StackSet", source=CFN,
    create={"CreateStackSet": f"{REQ}.stackSetName"},
    delete={"DeleteStackSet": f"{REQ}.stackSetName"},
    modify={op: f"{REQ}.stackSetName" for op in (
        "UpdateStackSet", "CreateStackInstances", "DeleteStackInstances", "UpdateStackInstances")},
    price=NoCharge(),
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
    unpriced_reason=BY_USE,
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
    unpriced_reason=BY_USE,
)

# --- Config: Put* create or replace -----------------------------------------------------------------
CONFIG = "config.amazonaws.com"
CONFIG_RULE = ResourceType(
    type="AWS::Config::ConfigRule", source=CONFIG,
    create={"PutConfigRule": f"{REQ}.configRule.configRuleName"},
    delete={"DeleteConfigRule": f"{REQ}.configRuleName"},
    modify={"StartConfigRulesEvaluation": f"{REQ}.configRuleNames[]",
            "PutRemediationConfigurations": f"{REQ}.remediationConfigurations[].configRuleName",
            "DeleteRemediationConfiguration": f"{REQ}.configRuleName"},
    unpriced_reason=BY_USE,
)
CONFIG_RECORDER = ResourceType(
    type="AWS::Config::ConfigurationRecorder", source=CONFIG,
    create={"PutConfigurationRecorder": f"{REQ}.configurationRecorder.name"},
    delete={"DeleteConfigurationRecorder": f"{REQ}.configurationRecorderName"},
    modify={"StartConfigurationRecorder": f"{REQ}.configurationRecorderName",
            "StopConfigurationRecorder": f"{REQ}.configurationRecorderName"},
    unpriced_reason=BY_USE,
)
CONFIG_DELIVERY_CHANNEL = ResourceType(
    type="AWS::Config::DeliveryChannel", source=CONFIG,
    create={"PutDeliveryChannel": f"{REQ}.deliveryChannel.name"},
    delete={"DeleteDeliveryChannel": f"{REQ}.deliveryChannelName"},
    price=NoCharge(),
)
CONFIG_CONFORMANCE_PACK = ResourceType(
    type="AWS::Config::ConformancePack", source=CONFIG,
    create={"PutConformancePack": f"{REQ}.conformancePackName"},
    arn_paths={"PutConformancePack": f"{RESP}.conformancePackArn"},
    delete={"DeleteConformancePack": f"{REQ}.conformancePackName"},
    unpriced_reason=BY_USE,
)
CONFIG_AGGREGATOR = ResourceType(
    type="AWS::Config::ConfigurationAggregator", source=CONFIG,
    create={"PutConfigurationAggregator": f"{REQ}.configurationAggregatorName"},
    delete={"DeleteConfigurationAggregator": f"{REQ}.configurationAggregatorName"},
    price=NoCharge(),
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
    unpriced_reason="standard parameters are free; advanced ones are charged per month, which the table does not have",
)

# --- SSM documents ----------------------------------------------------------------------------------
SSM_DOCUMENT = ResourceType(
    type="AWS::SSM::Document", source=SSM, arn=_arn("ssm", "document/{id}"),
    create={"CreateDocument": (f"{RESP}.documentDescription.name", f"{REQ}.name")},
    delete={"DeleteDocument": f"{REQ}.name"},
    modify={"UpdateDocument": f"{REQ}.name", "UpdateDocumentDefaultVersion": f"{REQ}.name",
            "ModifyDocumentPermission": f"{REQ}.name"},
    price=NoCharge(),
)
SSM_MAINTENANCE_WINDOW = ResourceType(
    type="AWS::SSM::MaintenanceWindow", source=SSM, arn=_arn("ssm", "maintenancewindow/{id}"),
    create={"CreateMaintenanceWindow": f"{RESP}.windowId"},
    name_paths={"CreateMaintenanceWindow": f"{REQ}.name"},
    delete={"DeleteMaintenanceWindow": f"{REQ}.windowId"},
    modify={op: f"{REQ}.windowId" for op in ("UpdateMaintenanceWindow", "RegisterTargetWithMaintenanceWindow",
                                             "RegisterTaskWithMaintenanceWindow")},
    price=NoCharge(),
)
SSM_ASSOCIATION = ResourceType(
    type="AWS::SSM::Association", source=SSM, arn=_arn("ssm", "association/{id}"),
    create={"CreateAssociation": f"{RESP}.associationDescription.associationId"},
    name_paths={"CreateAssociation": f"{REQ}.associationName"},
    delete={"DeleteAssociation": f"{REQ}.associationId"},
    modify={"UpdateAssociation": f"{REQ}.associationId"},
    price=NoCharge(),
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
    unpriced_reason=NOT_IN_TABLE,
)

# --- CloudWatch dashboards (global ARNs) ---------------------------------------------------------------
DASHBOARD = ResourceType(
    # PutDashboard creates or replaces
    type="AWS::CloudWatch::Dashboard", source=MONITORING, global_=True,
    arn="arn:{partition}:cloudwatch::{account}:dashboard/{id}",
    create={"PutDashboard": f"{REQ}.dashboardName"},
    delete={"DeleteDashboards": f"{REQ}.dashboardNames[]"},
    unpriced_reason=NOT_IN_TABLE,
)
METRIC_STREAM = ResourceType(
    type="AWS::CloudWatch::MetricStream", source=MONITORING, arn=_arn("cloudwatch", "metric-stream/{id}"),
    create={"PutMetricStream": f"{REQ}.name"},
    arn_paths={"PutMetricStream": f"{RESP}.arn"},
    delete={"DeleteMetricStream": f"{REQ}.name"},
    modify={"StartMetricStreams": f"{REQ}.names[]", "StopMetricStreams": f"{REQ}.names[]"},
    unpriced_reason=BY_USE,
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
    unpriced_reason=BY_USE,
)

OPSWORKS = "opsworks.amazonaws.com"
OPSWORKS_STACK = ResourceType(
    # OpsWorks Stacks reached end of life in 2024; its events remain in old trails.
    type="AWS::OpsWorks::Stack", source=OPSWORKS, arn="arn:{partition}:opsworks:{region}:{account}:stack/{id}/",
    create={"CreateStack": f"{RESP}.stackId", "CloneStack": f"{RESP}.stackId"},
    name_paths={"CreateStack": f"{REQ}.name", "CloneStack": f"{REQ}.name"},
    delete={"DeleteStack": f"{REQ}.stackId"},
    modify={op: f"{REQ}.stackId" for op in ("UpdateStack", "StartStack", "StopStack")},
    price=NoCharge(),
)

ENTRIES = (
    CFN_STACK, CFN_STACK_SET, PROVISIONED_PRODUCT, TRAIL, CONFIG_RULE, CONFIG_RECORDER, CONFIG_DELIVERY_CHANNEL,
    CONFIG_CONFORMANCE_PACK, CONFIG_AGGREGATOR, SSM_PARAMETER, SSM_DOCUMENT, SSM_MAINTENANCE_WINDOW,
    SSM_ASSOCIATION, CLOUDWATCH_ALARM, DASHBOARD, METRIC_STREAM, LOG_GROUP, OPSWORKS_STACK,
)
