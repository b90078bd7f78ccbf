"""IoT Core: things, thing groups, policies, topic rules."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.pricing import BY_USE, NoCharge

REQ = "requestParameters"
RESP = "responseElements"

# --- IoT --------------------------------------------------------------------------------------------
IOT = "iot.amazonaws.com"
IOT_THING = ResourceType(
    type="AWS::IoT::Thing", source=IOT, arn=_arn("iot", "thing/{id}"),
    create={"CreateThing": (f"{RESP}.thingName", f"{REQ}.thingName")},
    arn_paths={"CreateThing": f"{RESP}.thingArn"},
    delete={"DeleteThing": f"{REQ}.thingName"},
    modify={op: f"{REQ}.thingName" for op in ("UpdateThing", "AttachThingPrincipal", "DetachThingPrincipal",
                                              "AddThingToThingGroup", "RemoveThingFromThingGroup")},
    price=NoCharge(),
)
IOT_POLICY = ResourceType(
    type="AWS::IoT::Policy", source=IOT, arn=_arn("iot", "policy/{id}"),
    create={"CreatePolicy": (f"{RESP}.policyName", f"{REQ}.policyName")},
    arn_paths={"CreatePolicy": f"{RESP}.policyArn"},
    delete={"DeletePolicy": f"{REQ}.policyName"},
    modify={op: f"{REQ}.policyName" for op in ("CreatePolicyVersion", "DeletePolicyVersion",
                                               "SetDefaultPolicyVersion", "AttachPolicy", "DetachPolicy")},
    price=NoCharge(),
)
IOT_TOPIC_RULE = ResourceType(
    type="AWS::IoT::TopicRule", source=IOT, arn=_arn("iot", "rule/{id}"),
    create={"CreateTopicRule": f"{REQ}.ruleName"},
    delete={"DeleteTopicRule": f"{REQ}.ruleName"},
    modify={op: f"{REQ}.ruleName" for op in ("ReplaceTopicRule", "EnableTopicRule", "DisableTopicRule")},
    unpriced_reason=BY_USE,
)
IOT_THING_GROUP = ResourceType(
    type="AWS::IoT::ThingGroup", source=IOT, arn=_arn("iot", "thinggroup/{id}"),
    create={"CreateThingGroup": (f"{RESP}.thingGroupName", f"{REQ}.thingGroupName")},
    arn_paths={"CreateThingGroup": f"{RESP}.thingGroupArn"},
    delete={"DeleteThingGroup": f"{REQ}.thingGroupName"},
    modify={"UpdateThingGroup": f"{REQ}.thingGroupName"},
    price=NoCharge(),
)
IOT_TAGS = _tags(IOT, f"{REQ}.resourceArn")

ENTRIES = (
    IOT_THING, IOT_POLICY, IOT_TOPIC_RULE, IOT_THING_GROUP, IOT_TAGS,
)
