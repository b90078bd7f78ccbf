"""Application integration: SNS (topics, subscriptions), SQS, EventBridge (rules, buses, archives,
connections, API destinations), EventBridge Scheduler, Step Functions, Amazon MQ, AppSync."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType, composite_id
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.pricing import BY_STORAGE, BY_USE, NOT_IN_TABLE, NoCharge

REQ = "requestParameters"
RESP = "responseElements"

SNS = "sns.amazonaws.com"
_TOPIC = f"{REQ}.topicArn"
SNS_TOPIC = ResourceType(
    type="AWS::SNS::Topic", source=SNS, arn="arn:{partition}:sns:{region}:{account}:{id}",
    create={"CreateTopic": (f"{RESP}.topicArn", f"{REQ}.name")},
    delete={"DeleteTopic": _TOPIC},
    modify={**{op: _TOPIC for op in ("SetTopicAttributes", "Subscribe", "AddPermission", "RemovePermission")},
            "TagResource": f"{REQ}.resourceArn", "UntagResource": f"{REQ}.resourceArn",
            "PutDataProtectionPolicy": f"{REQ}.resourceArn"},
    unpriced_reason=BY_USE,
)

# --- SNS subscriptions ------------------------------------------------------------------------------
SNS_SUBSCRIPTION = ResourceType(
    # id: the subscription ARN's last segment (a UUID); "pending confirmation" yields no ARN
    type="AWS::SNS::Subscription", source=SNS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):sns:(?P<region>[^:]*):(?P<account>\d*):[^:]+:(?P<id>[0-9a-f-]{36}))$",
    strict_ids=True,
    create={"Subscribe": f"{RESP}.subscriptionArn"},
    delete={"Unsubscribe": f"{REQ}.subscriptionArn"},
    modify={"SetSubscriptionAttributes": f"{REQ}.subscriptionArn", "ConfirmSubscription": f"{RESP}.subscriptionArn"},
    price=NoCharge(),
)

SQS = "sqs.amazonaws.com"
_QUEUE_URL = f"{REQ}.queueUrl"
SQS_QUEUE = ResourceType(
    # id: the queue name; requests after creation name the queue by URL https://<host>/<account>/<name>
    type="AWS::SQS::Queue", source=SQS, arn="arn:{partition}:sqs:{region}:{account}:{id}",
    id_pattern=(
        r"^https?://sqs\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<account>\d{12})/(?P<id>[^/?#]+)/?$",
        r"^https?://(?:(?P<region>[a-z0-9-]+)\.)?queue\.amazonaws\.com(?:\.cn)?/(?P<account>\d{12})/(?P<id>[^/?#]+)/?$",
        r"^https?://[^/]+/(?P<account>\d{12})/(?P<id>[^/?#]+)/?$",
    ),
    create={"CreateQueue": (f"{REQ}.queueName", f"{RESP}.queueUrl")},
    delete={"DeleteQueue": _QUEUE_URL},
    modify={op: _QUEUE_URL for op in ("SetQueueAttributes", "TagQueue", "UntagQueue", "AddPermission",
                                      "RemovePermission", "PurgeQueue")},
    unpriced_reason=BY_USE,
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
    unpriced_reason=BY_USE,
)

EVENT_BUS = ResourceType(
    type="AWS::Events::EventBus", source=EVENTS, arn="arn:{partition}:events:{region}:{account}:event-bus/{id}",
    create={"CreateEventBus": f"{REQ}.name"},
    arn_paths={"CreateEventBus": f"{RESP}.eventBusArn"},
    delete={"DeleteEventBus": f"{REQ}.name"},
    modify={"UpdateEventBus": f"{REQ}.name", "PutPermission": f"{REQ}.eventBusName",
            "RemovePermission": f"{REQ}.eventBusName"},
    unpriced_reason=BY_USE,
)

# --- EventBridge archives, connections, API destinations ---------------------------------------------
EVENT_ARCHIVE = ResourceType(
    type="AWS::Events::Archive", source=EVENTS, arn=_arn("events", "archive/{id}"),
    create={"CreateArchive": f"{REQ}.archiveName"},
    arn_paths={"CreateArchive": f"{RESP}.archiveArn"},
    delete={"DeleteArchive": f"{REQ}.archiveName"},
    modify={"UpdateArchive": f"{REQ}.archiveName"},
    unpriced_reason=BY_STORAGE,
)
EVENT_CONNECTION = ResourceType(
    type="AWS::Events::Connection", source=EVENTS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):events:(?P<region>[^:]*):(?P<account>\d*):connection/(?P<id>[^/]+)/[^/]+)$",
    create={"CreateConnection": f"{REQ}.name"},
    arn_paths={"CreateConnection": f"{RESP}.connectionArn"},
    delete={"DeleteConnection": f"{REQ}.name"},
    modify={op: f"{REQ}.name" for op in ("UpdateConnection", "DeauthorizeConnection")},
    price=NoCharge(),
)
EVENT_API_DESTINATION = ResourceType(
    type="AWS::Events::ApiDestination", source=EVENTS,
    id_pattern=r"^(?P<arn>arn:(?P<partition>[^:]+):events:(?P<region>[^:]*):(?P<account>\d*):api-destination/(?P<id>[^/]+)/[^/]+)$",
    create={"CreateApiDestination": f"{REQ}.name"},
    arn_paths={"CreateApiDestination": f"{RESP}.apiDestinationArn"},
    delete={"DeleteApiDestination": f"{REQ}.name"},
    modify={"UpdateApiDestination": f"{REQ}.name"},
    unpriced_reason=BY_USE,
)

# --- EventBridge Scheduler --------------------------------------------------------------------------
SCHEDULER = "scheduler.amazonaws.com"
_SCHEDULE = composite_id(f"{REQ}.groupName|=default", f"{REQ}.name")
SCHEDULE = ResourceType(
    # id "group/name"; a request without a group uses the "default" group
    type="AWS::Scheduler::Schedule", source=SCHEDULER, arn=_arn("scheduler", "schedule/{parent}/{name}"),
    create={"CreateSchedule": _SCHEDULE},
    arn_paths={"CreateSchedule": f"{RESP}.scheduleArn"},
    delete={"DeleteSchedule": _SCHEDULE},
    modify={"UpdateSchedule": _SCHEDULE},
    unpriced_reason=BY_USE,
)
SCHEDULE_GROUP = ResourceType(
    type="AWS::Scheduler::ScheduleGroup", source=SCHEDULER, arn=_arn("scheduler", "schedule-group/{id}"),
    create={"CreateScheduleGroup": f"{REQ}.name"},
    arn_paths={"CreateScheduleGroup": f"{RESP}.scheduleGroupArn"},
    delete={"DeleteScheduleGroup": f"{REQ}.name"},
    price=NoCharge(),
)
SCHEDULER_TAGS = _tags(SCHEDULER, f"{REQ}.resourceArn")

# --- Step Functions ---------------------------------------------------------------------------------
STATES = "states.amazonaws.com"
STATE_MACHINE = ResourceType(
    type="AWS::StepFunctions::StateMachine", source=STATES, arn=_arn("states", "stateMachine:{id}"),
    id_pattern=_arn_pattern("states", r"stateMachine:(?P<id>[^:]+)", r"(?::[^:]+)?"),
    create={"CreateStateMachine": (f"{RESP}.stateMachineArn", f"{REQ}.name")},
    delete={"DeleteStateMachine": f"{REQ}.stateMachineArn"},
    modify={"UpdateStateMachine": f"{REQ}.stateMachineArn", "PublishStateMachineVersion": f"{REQ}.stateMachineArn"},
    reference={"StartExecution": f"{REQ}.stateMachineArn", "StartSyncExecution": f"{REQ}.stateMachineArn"},
    unpriced_reason=BY_USE,
)
STATE_MACHINE_ALIAS = ResourceType(
    # id "stateMachine/alias"
    type="AWS::StepFunctions::StateMachineAlias", source=STATES, arn=_arn("states", "stateMachine:{parent}:{name}"),
    create={"CreateStateMachineAlias": f"{RESP}.stateMachineAliasArn"},
    delete={"DeleteStateMachineAlias": f"{REQ}.stateMachineAliasArn"},
    modify={"UpdateStateMachineAlias": f"{REQ}.stateMachineAliasArn"},
    price=NoCharge(),
)
ACTIVITY = ResourceType(
    type="AWS::StepFunctions::Activity", source=STATES, arn=_arn("states", "activity:{id}"),
    create={"CreateActivity": (f"{RESP}.activityArn", f"{REQ}.name")},
    delete={"DeleteActivity": f"{REQ}.activityArn"},
    price=NoCharge(),
)
STATES_TAGS = _tags(STATES, f"{REQ}.resourceArn")

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
    unpriced_reason=NOT_IN_TABLE,
)
MQ_CONFIGURATION = ResourceType(
    type="AWS::AmazonMQ::Configuration", source=MQ,
    id_pattern=_arn_pattern("mq", r"configuration:(?P<id>[^:]+)"),
    create={"CreateConfiguration": f"{RESP}.id"}, arn_paths={"CreateConfiguration": f"{RESP}.arn"},
    name_paths={"CreateConfiguration": f"{REQ}.name"},
    delete={"DeleteConfiguration": f"{REQ}.configurationId"},
    modify={"UpdateConfiguration": f"{REQ}.configurationId"},
    price=NoCharge(),
)
MQ_TAGS = _tags(MQ, f"{REQ}.resourceArn", tag="CreateTags", untag="DeleteTags")

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
    unpriced_reason=BY_USE,
)
APPSYNC_API_KEY = ResourceType(
    # id "apiId/keyId"
    type="AWS::AppSync::ApiKey", source=APPSYNC, arn=_arn("appsync", "apis/{parent}/apikeys/{name}"),
    create={"CreateApiKey": composite_id(f"{REQ}.apiId", f"{RESP}.apiKey.id")},
    delete={"DeleteApiKey": composite_id(f"{REQ}.apiId", f"{REQ}.id")},
    modify={"UpdateApiKey": composite_id(f"{REQ}.apiId", f"{REQ}.id")},
    price=NoCharge(),
)
APPSYNC_TAGS = _tags(APPSYNC, f"{REQ}.resourceArn")

ENTRIES = (
    SNS_TOPIC, SNS_SUBSCRIPTION, SQS_QUEUE, EVENT_RULE, EVENT_BUS, EVENT_ARCHIVE, EVENT_CONNECTION,
    EVENT_API_DESTINATION, SCHEDULE, SCHEDULE_GROUP, SCHEDULER_TAGS, STATE_MACHINE, STATE_MACHINE_ALIAS, ACTIVITY,
    STATES_TAGS, MQ_BROKER, MQ_CONFIGURATION, MQ_TAGS, GRAPHQL_API, APPSYNC_API_KEY, APPSYNC_TAGS,
)
