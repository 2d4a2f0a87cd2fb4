"""Edges from resource properties: state machine definitions (inline or in the file ``DefinitionUri`` names), what a
function's environment names and its permissions allow, SAM connectors, Pipes, Firehose, bucket notifications, table
streams, user pool triggers, RDS proxies, CloudFront origins, load balancers, and alarms that notify topics.

A permission alone is not a connection: a function or container is connected to a resource only when its
environment names the resource and a permission (a policy for that resource, a statement on every resource of its
service, an AWS managed policy) lets it act on it; a SAM connector is a connection by itself.
"""

from __future__ import annotations

import re
from typing import Any

from designer.domain.iac import asl_read as asl
from designer.domain.iac import iam
from designer.domain.iac.builder import Builder
from designer.domain.iac.grants import Grants
from designer.domain.iac.import_events import filter_criteria
from designer.domain.iac.import_nodes import DETAIL_PREFIXES, PURPOSE, number
from designer.domain.iac.template import NAME_KEYS, Resource, mapping, text_of

__all__ = ["read_links"]

_PLACEHOLDER = re.compile(r"\$\{([^!}][^}]*)\}")
# Service integration of a Task state -> (the parameters that name the resource it calls, the types it can be).
_TASK_PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lambda": (("FunctionName",), ("lambda",)),
    "dynamodb": (("TableName",), ("dynamodb",)),
    "sqs": (("QueueUrl",), ("sqs", "sqs-fifo")),
    "sns": (("TopicArn", "TargetArn"), ("sns", "sns-fifo")),
    "events": (("Entries",), ("eventbridge",)),
    "states": (("StateMachineArn",), ("sfn-standard", "sfn-express")),
    "sfn": (("StateMachineArn",), ("sfn-standard", "sfn-express")),
    "s3": (("Bucket",), ("s3",)),
    "ecs": (("TaskDefinition", "Cluster"), ("fargate",)),
    "sagemaker": (("EndpointName",), ("sagemaker",)),
    "sagemakerruntime": (("EndpointName",), ("sagemaker",)),
    "apigateway": (("ApiEndpoint",), ("apigw-rest", "apigw-http", "apigw-websocket")),
    "apigatewaymanagementapi": (("ApiEndpoint", "Endpoint"), ("apigw-websocket",)),
    "sesv2": (("ConfigurationSetName",), ("ses",)),
    "ses": (("ConfigurationSetName",), ("ses",)),
    "rdsdata": (("ResourceArn",), ("aurora-serverless",)),
    "firehose": (("DeliveryStreamName",), ("firehose",)),
    "kinesis": (("StreamName",), ("kinesis",)),
    "http": (("ApiEndpoint",), ("apigw-rest", "apigw-http", "external-api")),
}
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
            _state_machine(b, res)
    for logical, type_id in list(b.types.items()):
        if logical in tpl.resources and type_id in ("lambda", "fargate"):
            _named_and_permitted(b, tpl.resources[logical], type_id)
        if logical in tpl.resources:
            _connectors(b, tpl.resources[logical])
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


# ------------------------------------------------------------------------------------------------ state machines


def _state_machine(b: Builder, res: Resource) -> None:
    raw = res.props.get("Definition") if "Definition" in res.props else res.props.get("DefinitionString")
    if raw is None and isinstance(res.props.get("DefinitionUri"), str):
        raw = b.document(res.props["DefinitionUri"], res.logical, "the state machine's definition (DefinitionUri)")
    elif raw is None and ("DefinitionUri" in res.props or "DefinitionS3Location" in res.props):
        b.note(res.logical, "the state machine's definition is in S3; its task connections are left out")
    definition, variables = asl.load_definition(raw)
    if definition is None:
        if raw is not None:
            b.note(res.logical, "the state machine's definition cannot be read; its task connections are left out")
        # What the definition is given (its substitutions) and the role lets it call still says what it calls.
        _named_and_permitted(b, res, b.types[res.logical], env=res.props.get("DefinitionSubstitutions"))
        return
    subs = res.props.get("DefinitionSubstitutions")
    variables.update(subs if isinstance(subs, dict) else {})
    named = _named_in(b, definition, variables)
    for task in asl.tasks(definition):
        if _is_activity(b, task.resource, variables):
            b.note(res.logical, f"state {task.name!r} is an activity task: workers outside the diagram poll for it")
            continue
        targets = _task_targets(b, task, variables, named)
        if not targets:
            b.note(res.logical, f"state {task.name!r} calls a service outside the catalog or this template; left out")
            continue
        for target in targets:
            if task.undoes is not None:
                attrs: dict[str, Any] = {"undoes": task.undoes[:80], "step": task.name}
                b.connect(res.logical, target, ["compensate"], via=res.logical, attrs=attrs)
            else:
                attrs = {
                    "step": task.name,
                    "retry": task.retry or None,
                    "catch": task.catch or None,
                    "wait_for_callback": task.wait_for_callback or None,
                    "timeout_s": task.timeout_s,
                    "heartbeat_s": task.heartbeat_s,
                    "catch_errors": list(task.catch_errors) or None,
                    "on_error": task.on_error or None,
                }
                b.connect(res.logical, target, ["task"], via=res.logical, attrs=attrs)


def _named_in(b: Builder, definition: Any, variables: dict[str, Any]) -> list[str]:
    """Nodes the definition names anywhere by a literal name, an ARN or a ${substitution} (a Pass state that builds
    a later task's input)."""
    texts = _strings(definition)
    literal = (b.tpl.node_of(b.tpl.by_name(text)) for text in texts if "$" not in text)
    substituted = (
        node
        for text in texts
        for name in _PLACEHOLDER.findall(text)
        if name in variables
        for node in b.tpl.targets(variables[name])
    )
    return list(dict.fromkeys([*b.tpl.targets(definition), *(n for n in literal if n), *substituted]))


def _is_activity(b: Builder, resource: Any, variables: dict[str, Any]) -> bool:
    """Whether a task's resource is a Step Functions activity (an ARN ``...:activity:name``, an Activity resource or
    a parameter that holds one), which workers poll rather than a service the state machine calls."""
    text = resource if isinstance(resource, str) else ""
    values: list[Any] = [text]
    for name in _PLACEHOLDER.findall(text):
        values.append(variables.get(name, {"Ref": name.split(".")[0]}))
    for value in values:
        literal = text_of(b.tpl.literal(value)) or ""
        if ":activity:" in literal:
            return True
        for ref in b.tpl.refs(value):
            found = b.tpl.resources.get(ref)
            if found is not None and found.type == "AWS::StepFunctions::Activity":
                return True
        name = value.get("Ref") if isinstance(value, dict) else None
        param = b.tpl.parameters.get(name) if isinstance(name, str) else None
        if isinstance(param, dict) and ":activity:" in str(param.get("AllowedPattern", "")):
            return True
    return False


def _task_targets(b: Builder, task: asl.TaskState, variables: dict[str, Any], named: list[str]) -> list[str]:
    resource = task.resource if isinstance(task.resource, str) else ""
    service = resource.split(":::")[-1].removeprefix("aws-sdk:").split(":")[0].lower() if ":::" in resource else ""
    keys, types = _TASK_PARAMS.get(service, ((), ()))
    direct = _resolve(b, task.resource, variables, ("lambda",) if not service else types)
    if direct:
        return direct
    params = task.parameters if isinstance(task.parameters, dict) else {}
    values = [params.get(k) for k in keys] if keys else list(params.values())
    found = _resolve(b, values, variables, types, names=bool(keys) and service != "http")
    if not found and service == "events":
        found = [b.tpl.default_bus_id()]  # PutEvents without a bus name goes to the default bus
    if not found and service in ("ses", "sesv2"):
        found = [n for n, t in b.types.items() if t == "ses"][:1]
    if not found and service == "http":
        found = _http_endpoint(b, params.get("ApiEndpoint"), variables)
    if not found and types:  # the target comes from the state's input: the one node of its kind the definition names
        fitting = [n for n in named if b.types.get(n) in types]
        found = fitting if len(fitting) == 1 else []
    return found


def _resolve(
    b: Builder, value: Any, variables: dict[str, Any], types: tuple[str, ...], *, names: bool = False
) -> list[str]:
    """Nodes a definition value names: ${placeholders}, intrinsics, literal names and ARNs; with ``names`` (the value
    is a parameter that names a resource, such as TableName), a literal name no resource has is another stack's."""
    found: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if len(item) == 1 and next(iter(item)).startswith(("Ref", "Fn::")):
                found.extend(b.resolve(item, types))
                continue  # the intrinsic is read whole (an ARN's Region and account name no resource)
            stack.extend((v, depth + 1) for v in reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in reversed(item))
        elif isinstance(item, str):
            for name in _PLACEHOLDER.findall(item):
                ref = variables.get(name, {"Ref": name.split(".")[0]})
                found.extend(b.resolve(ref, types) if not isinstance(ref, str) else _literal(b, ref, types))
            if "$" not in item:
                physical = names and depth <= 1  # the parameter's own value, not text nested in a message
                found.extend(_literal(b, item, types) or (_named_external(b, item, types) if physical else []))
    return [n for n in dict.fromkeys(found) if not types or b.types.get(n) in types or n == b.tpl.default_bus]


def _literal(b: Builder, text: str, types: tuple[str, ...]) -> list[str]:
    named = b.tpl.node_of(b.tpl.by_name(text))
    if named:
        return [named]
    return b.resolve(text, types) if text.startswith("arn:") else []


def _named_external(b: Builder, text: str, types: tuple[str, ...]) -> list[str]:
    """A resource of another stack or account a definition names by its physical name (or queue URL)."""
    name = text.rstrip("/").rsplit("/", 1)[-1] if text.startswith("https://") else text
    if not name or len(name) > 200 or not types:
        return []
    node = b.node_for(b.tpl.external_name(name), types[:1])
    return [node] if node else []


def _http_endpoint(b: Builder, endpoint: Any, variables: dict[str, Any]) -> list[str]:
    """The external HTTP API a Step Functions HTTP task calls, labelled by its host."""
    text = text_of(endpoint) or ""
    for name in _PLACEHOLDER.findall(text):
        value = variables.get(name)
        text = text.replace(f"${{{name}}}", text_of(b.tpl.literal(value)) or "") if value is not None else text
    host = text.split("//")[-1].split("/")[0][:60]
    if not host or "$" in host:
        return []
    node = next((n for n, label in b.labels.items() if label == host and b.types.get(n) == "external-api"), None)
    if node is None:
        node = b.implicit("HttpEndpoint", "external-api", f"HTTP endpoint {host}")
        b.labels[node] = host
    return [node]


# ------------------------------------------------------------------------------------------------ permissions


def _subject(b: Builder, res: Resource) -> tuple[Resource, Any]:
    """The resource whose permissions count, and the environment its code reads (a container's task role and
    environment for an ECS service or task definition)."""
    tpl = b.tpl
    if res.type in ("AWS::ECS::Service", "AWS::ECS::TaskDefinition"):
        task_def = res
        if res.type == "AWS::ECS::Service":
            found = [tpl.resources[r] for r in tpl.refs(res.props.get("TaskDefinition")) if r in tpl.resources]
            task_def = found[0] if found else Resource(res.logical, res.type, {})
        containers = task_def.props.get("ContainerDefinitions")
        env = [c.get("Environment") for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []
        return Resource(res.logical, res.type, {"Role": task_def.props.get("TaskRoleArn")}), env
    code = [res.prop("InlineCode"), res.prop("Code", "ZipFile")]  # inline code names what it uses like variables do
    return res, [res.prop("Environment", "Variables"), *(c for c in code if c is not None)]


def _named_and_permitted(b: Builder, res: Resource, principal_type: str, env: Any = None) -> None:
    """Edges to the resources a function's (or container's) environment names and its permissions cover; for a
    state machine whose definition cannot be read, ``env`` is what its definition is given (its substitutions)."""
    tpl = b.tpl
    subject, own_env = _subject(b, res)
    env = own_env if env is None else env
    named = set(tpl.refs(env, external=True))
    for value in _strings(env):
        literal = tpl.by_name(value)
        named.update([literal] if literal else [])
    # A resource with a fixed physical name needs no variable: code can name it, and a policy for it says it does.
    named.update(t for t, _, _ in iam.accesses(tpl, subject) if _fixed_name(b, t))
    named.discard(res.logical)
    named.update(_resumed(b, subject))
    if not named:
        return
    destinations = {e.target for e in b.edges.values() if e.source == res.logical and e.kind == "dead-letter"}
    granted: dict[str, list[str]] = {}
    for target, access, _ in iam.accesses(tpl, subject, external=True):
        if target in named and access != "poll":
            granted.setdefault(target, []).append(access)
    for service, access in iam.service_accesses(tpl, subject):
        for target in named:
            node_type = b.types.get(tpl.node_of(target) or "")
            external = tpl.externals.get(target)
            fits = (
                node_type in iam.SERVICE_TYPES.get(service, ())
                if node_type
                else bool(external and external.service == service)
            )
            if fits and access != "poll":
                granted.setdefault(target, []).append(access)
    network: set[str] = set()  # reached over the network: whether it reads or writes cannot be told
    for target in named - set(granted):
        # A database is reached over the network with a password, not through IAM: a function in a VPC that is
        # given the database's endpoint connects to it (its security groups are the database's business).
        relational = b.types.get(tpl.node_of(target) or "") in b.cat.group("relational")
        if relational and ("VpcConfig" in res.props or "VpcConfig" in subject.props):
            granted[target] = ["read", "write"]
            network.add(target)
    for target, kinds_of in granted.items():
        types = tuple(t for a in kinds_of for t in _types_of_access(a))
        node = tpl.node_of(target) or b.resolve_one({"Ref": target} if target in tpl.resources else target, types)
        if node is None and target in tpl.externals:
            node = b.resolve_one(_external_value(target), types)
        if node is None or node == res.logical:
            continue
        for access in dict.fromkeys(kinds_of):
            if node in destinations and access in ("send", "publish", "invoke"):
                continue  # the permission Lambda needs to deliver to the function's own destination
            if access == "callback" and {"start", "start-sync"} & set(kinds_of):
                continue  # it starts the machine too: the start is the connection
            kinds = iam.edge_kinds(principal_type, access)
            attrs = {"callback": True} if access == "callback" else None
            guessed = access == "invoke" or target in network
            b.connect(res.logical, node, kinds, via=res.logical, guessed=guessed, attrs=attrs)


def _resumed(b: Builder, subject: Resource) -> list[str]:
    """The state machines a function resumes with the task token it is handed (states:SendTaskSuccess/Failure):
    the machines the permission names, or, on every resource, the one machine of the template that waits for a
    token. Only the callback resumes them, so the permission is the connection."""
    tpl = b.tpl
    named = [t for t, access, _ in iam.accesses(tpl, subject) if access == "callback"]
    if not named and ("states", "callback") in iam.service_accesses(tpl, subject):
        waiting = {e.source for e in b.edges.values() if e.kind == "task" and e.attrs.get("wait_for_callback")}
        named = list(waiting) if len(waiting) == 1 else []
    return named


def _fixed_name(b: Builder, logical: str) -> bool:
    res = b.tpl.resources.get(logical)
    if res is None:
        return False
    return any(isinstance(b.tpl.literal(res.props.get(k)), str) for k in NAME_KEYS if k in res.props)


def _external_value(key: str) -> Any:
    kind, _, name = key[1:].partition(":")
    if kind == "param":
        return {"Ref": name}
    if kind == "import":
        return {"Fn::ImportValue": name}
    if kind == "ssm":
        return f"{{{{resolve:ssm:{name}}}}}"
    return None


def _types_of_access(access: str) -> tuple[str, ...]:
    return {
        "read": ("dynamodb", "s3", "rds", "aurora-serverless", "opensearch", "elasticache"),
        "write": ("dynamodb", "s3", "rds", "aurora-serverless", "opensearch", "elasticache"),
        "send": ("sqs", "sqs-fifo", "ses"),
        "publish": ("sns", "sns-fifo", "eventbridge", "kinesis", "firehose"),
        "invoke": ("lambda",),
        "start": ("sfn-standard", "sfn-express"),
        "start-sync": ("sfn-express",),
        "callback": ("sfn-standard", "sfn-express"),
        "manage": ("apigw-websocket", "apigw-rest", "apigw-http", "appsync", "sagemaker", "cognito"),
    }.get(access, ())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _connectors(b: Builder, res: Resource) -> None:
    tpl = b.tpl
    principal = b.types.get(res.logical, "")
    for target, access, _ in iam.connector_accesses(tpl, res):
        node = tpl.node_of(target)
        if node is None or node == res.logical:
            continue
        b.connect(res.logical, node, iam.edge_kinds(principal, access), via=res.logical)


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
    b.connect(me, target, _pipe_kinds(mapping(props.get("TargetParameters")), b.types[target]), via=me)


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
        for node in tpl.targets(_subject(b, own)[1]):
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
