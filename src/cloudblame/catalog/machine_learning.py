"""Machine learning: SageMaker, Bedrock."""

from __future__ import annotations

from cloudblame.catalog.base import AnyResource, ResourceType, composite_id
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.base import regional_arn_pattern as _arn_pattern
from cloudblame.catalog.live import SAGEMAKER_NOT_FOUND, Describe
from cloudblame.catalog.pricing import BY_STORAGE, BY_USE, NOT_IN_TABLE, Hourly, NoCharge, PriceModel
from cloudblame.catalog.usage import UsageMetric

REQ = "requestParameters"
RESP = "responseElements"

# --- SageMaker: names appear lower-cased in ARNs; the id is lower-cased, the name keeps its case -----
SAGEMAKER = "sagemaker.amazonaws.com"
_NB = f"{REQ}.notebookInstanceName"
NOTEBOOK_INSTANCE = ResourceType(
    type="AWS::SageMaker::NotebookInstance", source=SAGEMAKER, id_transform="lower",
    arn="arn:{partition}:sagemaker:{region}:{account}:notebook-instance/{id}",
    create={"CreateNotebookInstance": _NB},
    arn_paths={"CreateNotebookInstance": f"{RESP}.notebookInstanceArn"},
    name_paths={"CreateNotebookInstance": _NB},
    delete={"DeleteNotebookInstance": _NB},
    modify={op: _NB for op in ("StartNotebookInstance", "StopNotebookInstance", "UpdateNotebookInstance")},
    reference={"CreatePresignedNotebookInstanceUrl": _NB},
    size={"instance_type": f"{REQ}.instanceType"}, price=Hourly("sagemaker", "instance_type"),
    live=Describe("sagemaker", "describe_notebook_instance", "NotebookInstanceName", by="name",
                  state="NotebookInstanceStatus", stopped=("Stopped", "Stopping"), gone=("Deleting",),
                  missing=SAGEMAKER_NOT_FOUND, size={"instance_type": "InstanceType"}),
)

_EP = f"{REQ}.endpointName"
SAGEMAKER_ENDPOINT = ResourceType(
    type="AWS::SageMaker::Endpoint", source=SAGEMAKER, id_transform="lower",
    arn="arn:{partition}:sagemaker:{region}:{account}:endpoint/{id}",
    create={"CreateEndpoint": _EP},
    arn_paths={"CreateEndpoint": f"{RESP}.endpointArn"},
    name_paths={"CreateEndpoint": _EP},
    delete={"DeleteEndpoint": _EP},
    modify={op: _EP for op in ("UpdateEndpoint", "UpdateEndpointWeightsAndCapacities")},
    # CreateEndpointConfig's productionVariants hold the instance type and count; CreateEndpoint names the config
    unpriced_reason="its instance type and count are in its endpoint config, not in its own events",
    # published per production variant: the one SageMaker's SDKs name (another reads as no data); by its name,
    # which keeps its case
    usage=(UsageMetric("AWS/SageMaker", "Invocations", "EndpointName", "Sum", 0, "invocations", value_of="name",
                       fixed={"VariantName": "AllTraffic"}),),
    live=Describe("sagemaker", "describe_endpoint", "EndpointName", by="name", state="EndpointStatus",
                  gone=("Deleting",), missing=SAGEMAKER_NOT_FOUND),
)

SAGEMAKER_TAGS = AnyResource(source=SAGEMAKER, modify={"AddTags": f"{REQ}.resourceArn",
                                                       "DeleteTags": f"{REQ}.resourceArn"})

# --- SageMaker endpoint configs, models, jobs, pipelines, feature groups, domains, profiles -----------


def _sm(kind: str, arn_kind: str, op: str, name_field: str, arn_field: str, delete: str | None,
        modify: tuple[str, ...] = (), reason: str | None = None, price: PriceModel | None = None,
        unpriced_reason: str | None = None) -> ResourceType:
    name = f"{REQ}.{name_field}"
    return ResourceType(
        type=f"AWS::SageMaker::{kind}", source=SAGEMAKER, id_transform="lower",
        arn=_arn("sagemaker", arn_kind + "/{id}"),
        create={op: name}, arn_paths={op: f"{RESP}.{arn_field}"}, name_paths={op: name},
        delete={delete: name} if delete else {},
        modify={m: name for m in modify}, no_delete_reason=reason, price=price, unpriced_reason=unpriced_reason,
    )


SM_ENDPOINT_CONFIG = _sm("EndpointConfig", "endpoint-config", "CreateEndpointConfig", "endpointConfigName",
                         "endpointConfigArn", "DeleteEndpointConfig", price=NoCharge())
SM_MODEL = _sm("Model", "model", "CreateModel", "modelName", "modelArn", "DeleteModel", price=NoCharge())
SM_TRAINING_JOB = _sm("TrainingJob", "training-job", "CreateTrainingJob", "trainingJobName", "trainingJobArn",
                      None, ("StopTrainingJob", "UpdateTrainingJob"),
                      reason="training jobs cannot be deleted; they end (StopTrainingJob) and stay listed",
                      unpriced_reason=BY_USE)
SM_PROCESSING_JOB = _sm("ProcessingJob", "processing-job", "CreateProcessingJob", "processingJobName",
                        "processingJobArn", "DeleteProcessingJob", ("StopProcessingJob",), unpriced_reason=BY_USE)
SM_NOTEBOOK_LIFECYCLE = _sm("NotebookInstanceLifecycleConfig", "notebook-instance-lifecycle-config",
                            "CreateNotebookInstanceLifecycleConfig", "notebookInstanceLifecycleConfigName",
                            "notebookInstanceLifecycleConfigArn", "DeleteNotebookInstanceLifecycleConfig",
                            ("UpdateNotebookInstanceLifecycleConfig",), price=NoCharge())
SM_MODEL_PACKAGE_GROUP = _sm("ModelPackageGroup", "model-package-group", "CreateModelPackageGroup",
                             "modelPackageGroupName", "modelPackageGroupArn", "DeleteModelPackageGroup",
                             price=NoCharge())
SM_PIPELINE = _sm("Pipeline", "pipeline", "CreatePipeline", "pipelineName", "pipelineArn", "DeletePipeline",
                  ("UpdatePipeline",), unpriced_reason=BY_USE)
SM_FEATURE_GROUP = _sm("FeatureGroup", "feature-group", "CreateFeatureGroup", "featureGroupName",
                       "featureGroupArn", "DeleteFeatureGroup", ("UpdateFeatureGroup",), unpriced_reason=BY_USE)
SM_DOMAIN = ResourceType(
    type="AWS::SageMaker::Domain", source=SAGEMAKER, arn=_arn("sagemaker", "domain/{id}"),
    create={"CreateDomain": f"{RESP}.domainId"},
    arn_paths={"CreateDomain": f"{RESP}.domainArn"},
    name_paths={"CreateDomain": f"{REQ}.domainName"},
    delete={"DeleteDomain": f"{REQ}.domainId"},
    modify={"UpdateDomain": f"{REQ}.domainId"},
    unpriced_reason=BY_STORAGE,
)
_PROFILE = composite_id(f"{REQ}.domainId", f"{REQ}.userProfileName")
SM_USER_PROFILE = ResourceType(
    # id "domainId/profile"
    type="AWS::SageMaker::UserProfile", source=SAGEMAKER, arn=_arn("sagemaker", "user-profile/{parent}/{name}"),
    create={"CreateUserProfile": _PROFILE},
    arn_paths={"CreateUserProfile": f"{RESP}.userProfileArn"},
    delete={"DeleteUserProfile": _PROFILE},
    modify={"UpdateUserProfile": _PROFILE},
    price=NoCharge(),
)
_SPACE = composite_id(f"{REQ}.domainId", f"{REQ}.spaceName")
SM_SPACE = ResourceType(
    type="AWS::SageMaker::Space", source=SAGEMAKER, arn=_arn("sagemaker", "space/{parent}/{name}"),
    create={"CreateSpace": _SPACE},
    arn_paths={"CreateSpace": f"{RESP}.spaceArn"},
    delete={"DeleteSpace": _SPACE},
    modify={"UpdateSpace": _SPACE},
    unpriced_reason=BY_USE,
)

# --- Bedrock ----------------------------------------------------------------------------------------
BEDROCK = "bedrock.amazonaws.com"
BEDROCK_CUSTOM_MODEL = ResourceType(
    # created by a customization job: the job names the model it will create
    type="AWS::Bedrock::CustomModel", source=BEDROCK,
    id_pattern=_arn_pattern("bedrock", r"custom-model/(?:[^/]+/)?(?P<id>[^/]+)"),
    create={"CreateModelCustomizationJob": f"{REQ}.customModelName"},
    delete={"DeleteCustomModel": f"{REQ}.modelIdentifier"},
    unpriced_reason=NOT_IN_TABLE,
)
BEDROCK_CUSTOMIZATION_JOB = ResourceType(
    type="AWS::Bedrock::ModelCustomizationJob", source=BEDROCK,
    id_pattern=_arn_pattern("bedrock", r"model-customization-job/(?:[^/]+/)?(?P<id>[^/]+)"),
    create={"CreateModelCustomizationJob": f"{RESP}.jobArn"},
    name_paths={"CreateModelCustomizationJob": f"{REQ}.jobName"},
    delete={"StopModelCustomizationJob": f"{REQ}.jobIdentifier"},
    unpriced_reason=BY_USE,
)
BEDROCK_PROVISIONED_THROUGHPUT = ResourceType(
    type="AWS::Bedrock::ProvisionedModelThroughput", source=BEDROCK,
    arn=_arn("bedrock", "provisioned-model/{id}"),
    create={"CreateProvisionedModelThroughput": f"{RESP}.provisionedModelArn"},
    name_paths={"CreateProvisionedModelThroughput": f"{REQ}.provisionedModelName"},
    delete={"DeleteProvisionedModelThroughput": f"{REQ}.provisionedModelId"},
    modify={"UpdateProvisionedModelThroughput": f"{REQ}.provisionedModelId"},
    unpriced_reason=NOT_IN_TABLE,
)
BEDROCK_GUARDRAIL = ResourceType(
    type="AWS::Bedrock::Guardrail", source=BEDROCK, arn=_arn("bedrock", "guardrail/{id}"),
    create={"CreateGuardrail": f"{RESP}.guardrailId"},
    arn_paths={"CreateGuardrail": f"{RESP}.guardrailArn"},
    name_paths={"CreateGuardrail": f"{REQ}.name"},
    delete={"DeleteGuardrail": f"{REQ}.guardrailIdentifier"},
    modify={"UpdateGuardrail": f"{REQ}.guardrailIdentifier", "CreateGuardrailVersion": f"{REQ}.guardrailIdentifier"},
    unpriced_reason=BY_USE,
)
BEDROCK_TAGS = _tags(BEDROCK, f"{REQ}.resourceARN")

ENTRIES = (
    NOTEBOOK_INSTANCE, SAGEMAKER_ENDPOINT, SAGEMAKER_TAGS, SM_ENDPOINT_CONFIG, SM_MODEL, SM_TRAINING_JOB,
    SM_PROCESSING_JOB, SM_NOTEBOOK_LIFECYCLE, SM_MODEL_PACKAGE_GROUP, SM_PIPELINE, SM_FEATURE_GROUP, SM_DOMAIN,
    SM_USER_PROFILE, SM_SPACE, BEDROCK_CUSTOM_MODEL, BEDROCK_CUSTOMIZATION_JOB, BEDROCK_PROVISIONED_THROUGHPUT,
    BEDROCK_GUARDRAIL, BEDROCK_TAGS,
)
