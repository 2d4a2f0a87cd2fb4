"""Edges from resource properties: state machine definitions (``import_workflows``), what a function's environment
names and its permissions allow and SAM connectors (``import_access``), and here Pipes, Firehose, bucket
notifications, table streams, user pool triggers, RDS proxies, CloudFront origins, load balancers, and what links a
node to things the diagram does not draw (alarms that notify topics, custom resources).
"""

from __future__ import annotations

from typing import Any

from designer.domain.iac.builder import Builder
from designer.domain.iac.grants import Grants
from designer.domain.iac.import_access import connectors, named_and_permitted, subject_of
from designer.domain.iac.import_events import filter_criteria
from designer.domain.iac.import_nodes import number
from designer.domain.iac.import_workflows import state_machine
from designer.domain.iac.left_out import DETAIL_PREFIXES, PURPOSE
from designer.domain.iac.template import Resource, mapping

__all__ = ["read_links"]

PIPE_SOURCES = {
    "SqsQueueParameters": ("sqs", "sqs-fifo"),
    "KinesisStreamParameters": ("kinesis",),
    "DynamoDBStreamParameters": ("dynamodb",),
}
PIPE_TARGET_TYPES = (
    "lambda",
    "sfn-express",
    "sfn-standard",
    "sqs",
    "sqs-fifo",
    "sns",
    "sns-fifo",
    "eventbridge",
    "kinesis",
    "firehose",
    "apigw-rest",
    "external-api",
    "fargate",
)
# Tag of a node that something the diagram does not draw uses or starts: an alarm notifying a topic, CloudFormation
# calling a custom resource's function, a service outside the catalog writing to a bucket, a schedule made at run
# time. Such a node is no orphan.
LINKED_OUTSIDE = "linked-outside"


def read_links(b: Builder) -> None:
    tpl = b.tpl
    for res in tpl.of_type("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
        if res.logical in b.types:
            state_machine(b, res)
    for logical, type_id in list(b.types.items()):
        if logical in tpl.resources and type_id in ("lambda", "fargate"):
            named_and_permitted(b, tpl.resources[logical], type_id)
        if logical in tpl.resources:
            connectors(b, tpl.resources[logical])
    for res in tpl.of_type("AWS::Pipes::Pipe"):
        if res.logical in b.types:
            _pipe(b, res)
    for res in tpl.of_type("AWS::KinesisFirehose::DeliveryStream"):
        _firehose(b, res)
    grants = Grants(tpl)
    for res in tpl.of_type("AWS::S3::Bucket"):
        _bucket(b, grants, res)
    for res in tpl.of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        stream = res.prop("KinesisStreamSpecification", "StreamArn")
        b.connect(res.logical, b.resolve_one(stream, ("kinesis",)), ["publish"], via=res.logical)
    for res in tpl.of_type("AWS::Cognito::UserPool"):
        for fn in tpl.targets(res.props.get("LambdaConfig")):
            b.connect(res.logical, fn, ["invoke-sync"], via=res.logical)
    for res in tpl.of_type("AWS::Events::Archive"):
        bus = tpl.target(res.props.get("SourceArn"))
        b.set_config(bus, "archive", True, replace=True)
    for res in tpl.of_type("AWS::RDS::DBProxyTargetGroup"):
        proxy = tpl.target(res.props.get("DBProxyName"))
        for db in tpl.targets([res.props.get("DBClusterIdentifiers"), res.props.get("DBInstanceIdentifiers")]):
            b.connect(proxy, db, ["route"], via=res.logical)
    for res in tpl.of_type("AWS::CloudFront::Distribution"):
        for origin in res.prop("DistributionConfig", "Origins", default=[]) or []:
            if isinstance(origin, dict):
                b.connect(res.logical, tpl.target(origin.get("DomainName")), ["route"], via=res.logical)
    _load_balancers(b)
    _linked_outside(b)


# ------------------------------------------------------------------------------------------------ pipes


def _pipe(b: Builder, res: Resource) -> None:
    """A pipe reads its source (a poll edge into the pipe), may call an enrichment (``enrich``), and delivers each
    batch to its target with the kind the target's type and the pipe's invocation type say."""
    me, props = res.logical, res.props
    params = mapping(props.get("SourceParameters"))
    source_types = next((t for k, t in PIPE_SOURCES.items() if k in params), ("sqs", "sqs-fifo", "kinesis", "dynamodb"))
    source = b.resolve_one(props.get("Source"), source_types)
    stream = next((mapping(v) for k, v in params.items() if k in PIPE_SOURCES), {})
    if b.types.get(source or "") == "dynamodb":
        b.set_config(source, "stream", True, replace=True)
    bisect = b.tpl.literal(stream.get("OnPartialBatchItemFailure"))
    attrs = {
        "batch_size": number(b.tpl.literal(stream.get("BatchSize"))),
        "batching_window_s": number(b.tpl.literal(stream.get("MaximumBatchingWindowInSeconds"))),
        "filter": filter_criteria(params.get("FilterCriteria")),
        "max_retry_attempts": number(b.tpl.literal(stream.get("MaximumRetryAttempts"))),
        "max_record_age_s": number(b.tpl.literal(stream.get("MaximumRecordAgeInSeconds"))),
        "bisect_on_error": True if bisect == "AUTOMATIC_BISECT" else None,
    }
    if source is None:
        b.note(me, "the pipe's source is outside the catalog (Kafka, MQ) or cannot be told; left out")
    else:
        b.connect(source, me, ["poll"], via=me, attrs=attrs)
    dlq = mapping(stream.get("DeadLetterConfig")).get("Arn")
    b.connect(me, b.resolve_one(dlq, ("sqs",)), ["dead-letter"], via=me)
    enrichment = b.resolve_one(props.get("Enrichment"), ("lambda", "sfn-express", "apigw-rest", "external-api"))
    b.connect(me, enrichment, ["enrich"], via=me)
    target = b.resolve_one(props.get("Target"), PIPE_TARGET_TYPES)
    if target is None:
        b.note(me, "the pipe's target is outside the catalog (Batch, CloudWatch Logs, Timestream, ...); left out")
        return
    b.connect(me, target, _pipe_kinds(mapping(props.get("TargetParameters")), b.types.get(target, "")), via=me)


def _pipe_kinds(params: dict[str, Any], target_type: str) -> list[str]:
    invocation = next(
        (
            str(mapping(params.get(k)).get("InvocationType", ""))
            for k in ("LambdaFunctionParameters", "StepFunctionStateMachineParameters")
            if k in params
        ),
        "",
    )
    if target_type in ("lambda", "sfn-express"):
        return ["invoke-async"] if invocation == "FIRE_AND_FORGET" else ["invoke-sync", "invoke-async"]
    return ["invoke-async", "send", "publish", "route"]


# ------------------------------------------------------------------------------------------------ others


def _firehose(b: Builder, res: Resource) -> None:
    me = res.logical
    stream = res.prop("KinesisStreamSourceConfiguration", "KinesisStreamARN")
    b.connect(b.resolve_one(stream, ("kinesis",)), me, ["poll"], via=me)
    for key, spec in res.props.items():
        if not key.endswith("DestinationConfiguration") or not isinstance(spec, dict):
            continue
        sinks = [
            spec.get("BucketARN"),
            spec.get("DomainARN"),
            spec.get("CollectionEndpoint"),
            spec.get("ClusterEndpoint"),
        ]
        backup = mapping(spec.get("S3Configuration"))
        for sink in b.resolve([*sinks, backup.get("BucketARN")], ("s3", "opensearch")):
            b.connect(me, sink, ["write"], via=me)
        for fn in b.resolve(spec.get("ProcessingConfiguration"), ("lambda",)):
            b.connect(me, fn, ["invoke-sync"], via=me)
        endpoint = mapping(spec.get("EndpointConfiguration")).get("Url")
        if endpoint is not None:
            b.connect(me, b.resolve_one(endpoint, ("apigw-rest", "apigw-http")), ["route"], via=me)


def _bucket(b: Builder, grants: Grants, res: Resource) -> None:
    me = res.logical
    notifications = res.props.get("NotificationConfiguration")
    if not isinstance(notifications, dict):
        return
    for key, field, types in (
        ("LambdaConfigurations", "Function", ("lambda",)),
        ("QueueConfigurations", "Queue", ("sqs", "sqs-fifo")),
        ("TopicConfigurations", "Topic", ("sns",)),
    ):
        for item in notifications.get(key) or []:
            if isinstance(item, dict):
                target = b.resolve_one(item.get(field), types)
                allowed = grants.allows(target, "s3") if target else None
                attrs = {
                    "filter": _key_filter(item.get("Filter")),
                    "events": [str(item["Event"])[:60]] if isinstance(item.get("Event"), str) else None,
                    "permitted": False if allowed is False else None,
                }
                b.connect(me, target, ["trigger"], via=me, attrs=attrs)
    if res.prop("NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled") in (True, "true"):
        b.connect(me, b.tpl.default_bus_id(), ["publish"], via=me)


def _key_filter(value: Any) -> dict[str, Any] | None:
    rules = mapping(mapping(value).get("S3Key")).get("Rules")
    out = {str(r.get("Name", "")).lower(): r.get("Value") for r in rules or [] if isinstance(r, dict)}
    return {k: v for k, v in out.items() if k in ("prefix", "suffix")} or None


def _load_balancers(b: Builder) -> None:
    tpl = b.tpl
    groups: dict[str, list[str]] = {}
    for res in tpl.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
        groups[res.logical] = tpl.targets(res.props.get("Targets"))
    for res in tpl.of_type("AWS::ECS::Service"):
        for lb in res.props.get("LoadBalancers") or []:
            for group in tpl.refs(lb.get("TargetGroupArn") if isinstance(lb, dict) else None):
                groups.setdefault(group, []).append(res.logical)
    for res in tpl.of_type("AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule"):
        lb = tpl.target(res.props.get("LoadBalancerArn"))
        if lb is None and res.type.endswith("ListenerRule"):
            listener = next(iter(tpl.refs(res.props.get("ListenerArn"))), None)
            lb = tpl.target(tpl.resources[listener].props.get("LoadBalancerArn")) if listener in tpl.resources else None
        actions = res.props.get("DefaultActions") or res.props.get("Actions")
        for group in tpl.refs(actions):
            for target in groups.get(group, []):
                b.connect(lb, tpl.node_of(target), ["route"], via=res.logical)


def _linked_outside(b: Builder) -> None:
    """Tag the nodes that resources the diagram does not draw use (see ``LINKED_OUTSIDE``), and those another node's
    environment names without a drawn connection (it hands their name to something outside, a run-time schedule)."""
    tpl = b.tpl
    for res in tpl.resources.values():
        if res.logical in b.types or tpl.node_of(res.logical) or not _uses_others(res.type):
            continue
        for node in tpl.targets(res.props):
            b.tag(node, LINKED_OUTSIDE)
    linked = {(e.source, e.target) for e in b.edges.values()} | {(e.target, e.source) for e in b.edges.values()}
    for logical in list(b.types):
        own = tpl.resources.get(logical)
        if own is None:
            continue
        for node in tpl.targets(subject_of(b, own)[1]):
            if node != logical and (logical, node) not in linked:
                b.tag(node, LINKED_OUTSIDE)


def _uses_others(rtype: str) -> bool:
    """Whether a resource of a type that is no node uses the nodes it names (an alarm, a custom resource, a service
    outside the catalog), rather than only configuring or permitting (roles, policies, log groups)."""
    if rtype.startswith(("Custom::", "AWS::CloudFormation::CustomResource", "AWS::CloudWatch::", "AWS::Budgets::")):
        return True
    if rtype in ("AWS::Logs::SubscriptionFilter", "AWS::IoT::TopicRule"):
        return True
    return rtype not in PURPOSE and not rtype.startswith(DETAIL_PREFIXES)
