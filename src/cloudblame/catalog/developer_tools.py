"""Developer tools: CodeBuild, CodePipeline, CodeCommit, Amplify."""

from __future__ import annotations

from cloudblame.catalog.base import ResourceType, composite_id
from cloudblame.catalog.base import any_resource_tags as _tags
from cloudblame.catalog.base import regional_arn as _arn
from cloudblame.catalog.pricing import BY_USE, NOT_IN_TABLE, NoCharge

REQ = "requestParameters"
RESP = "responseElements"

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
    unpriced_reason=BY_USE,
)
CODEBUILD_REPORT_GROUP = ResourceType(
    type="AWS::CodeBuild::ReportGroup", source=CODEBUILD, arn=_arn("codebuild", "report-group/{id}"),
    create={"CreateReportGroup": (f"{RESP}.reportGroup.arn", f"{REQ}.name")},
    delete={"DeleteReportGroup": f"{REQ}.arn"},
    modify={"UpdateReportGroup": f"{REQ}.arn"},
    price=NoCharge(),
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
    unpriced_reason=NOT_IN_TABLE,
)
PIPELINE_WEBHOOK = ResourceType(
    type="AWS::CodePipeline::Webhook", source=CODEPIPELINE, arn=_arn("codepipeline", "webhook:{id}"),
    create={"PutWebhook": (f"{RESP}.webhook.definition.name", f"{REQ}.webhook.name")},
    arn_paths={"PutWebhook": f"{RESP}.webhook.arn"},
    delete={"DeleteWebhook": f"{REQ}.name"},
    modify={"RegisterWebhookWithThirdParty": f"{REQ}.webhookName",
            "DeregisterWebhookWithThirdParty": f"{REQ}.webhookName"},
    price=NoCharge(),
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
    unpriced_reason=BY_USE,
)

# --- Amplify ----------------------------------------------------------------------------------------
AMPLIFY = "amplify.amazonaws.com"
AMPLIFY_APP = ResourceType(
    type="AWS::Amplify::App", source=AMPLIFY, arn=_arn("amplify", "apps/{id}"),
    create={"CreateApp": f"{RESP}.app.appId"},
    arn_paths={"CreateApp": f"{RESP}.app.appArn"},
    name_paths={"CreateApp": f"{REQ}.name"},
    delete={"DeleteApp": f"{REQ}.appId"},
    modify={"UpdateApp": f"{REQ}.appId", "CreateWebhook": f"{REQ}.appId"},
    unpriced_reason=BY_USE,
)
_BRANCH = composite_id(f"{REQ}.appId", f"{REQ}.branchName")
AMPLIFY_BRANCH = ResourceType(
    type="AWS::Amplify::Branch", source=AMPLIFY, arn=_arn("amplify", "apps/{parent}/branches/{name}"),
    create={"CreateBranch": _BRANCH},
    arn_paths={"CreateBranch": f"{RESP}.branch.branchArn"},
    delete={"DeleteBranch": _BRANCH},
    modify={"UpdateBranch": _BRANCH, "StartJob": _BRANCH, "StartDeployment": _BRANCH},
    unpriced_reason=BY_USE,
)
_DOMAIN = composite_id(f"{REQ}.appId", f"{REQ}.domainName")
AMPLIFY_DOMAIN = ResourceType(
    type="AWS::Amplify::Domain", source=AMPLIFY, arn=_arn("amplify", "apps/{parent}/domains/{name}"),
    create={"CreateDomainAssociation": _DOMAIN},
    delete={"DeleteDomainAssociation": _DOMAIN},
    modify={"UpdateDomainAssociation": _DOMAIN},
    price=NoCharge(),
)
AMPLIFY_TAGS = _tags(AMPLIFY, f"{REQ}.resourceArn")

ENTRIES = (
    CODEBUILD_PROJECT, CODEBUILD_REPORT_GROUP, PIPELINE, PIPELINE_WEBHOOK, CODECOMMIT_REPOSITORY, AMPLIFY_APP,
    AMPLIFY_BRANCH, AMPLIFY_DOMAIN, AMPLIFY_TAGS,
)
