"""Edges from resource properties and permissions: state machine definitions, what functions may call, Pipes,
Firehose, bucket notifications, table streams, user pool triggers, RDS proxies, CloudFront origins, load balancers.
"""

from __future__ import annotations

import re
from typing import Any

from designer.domain.iac import asl, iam
from designer.domain.iac.builder import Builder
from designer.domain.iac.import_events import filter_criteria
from designer.domain.iac.import_nodes import number
from designer.domain.iac.template import Resource, mapping

__all__ = ["read_links"]

PIPE_KINDS = ("poll", "subscribe", "trigger", "publish", "send", "invoke-async", "invoke-sync", "route")
_PLACEHOLDER = re.compile(r"\$\{([^!}][^}]*)\}")
# Service integration of a Task state -> the parameters that name the resource it calls.
_TASK_PARAMS = {
    "lambda": ("FunctionName",),
    "dynamodb": ("TableName",),
    "sqs": ("QueueUrl",),
    "sns": ("TopicArn", "TargetArn"),
    "events": ("Entries",),
    "states": ("StateMachineArn",),
    "s3": ("Bucket",),
    "ecs": ("TaskDefinition", "Cluster"),
    "sagemaker": ("EndpointName",),
    "sagemakerruntime": ("EndpointName",),
    "apigateway": ("ApiEndpoint",),
    "sesv2": ("ConfigurationSetName",),
    "ses": ("ConfigurationSetName",),
    "rdsdata": ("ResourceArn",),
    "firehose": ("DeliveryStreamName",),
    "kinesis": ("StreamName",),
}


def read_links(b: Builder) -> None:
    tpl = b.tpl
    for res in tpl.of_type("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
        if res.logical in b.types:
            _state_machine(b, res)
    for logical, type_id in list(b.types.items()):
        if logical in tpl.resources and type_id in ("lambda", "fargate"):
            _permissions(b, tpl.resources[logical], type_id)
    for res in tpl.of_type("AWS::Pipes::Pipe"):
        _pipe(b, res)
    for res in tpl.of_type("AWS::KinesisFirehose::DeliveryStream"):
        _firehose(b, res)
    for res in tpl.of_type("AWS::S3::Bucket"):
        _bucket(b, res)
    for res in tpl.of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        stream = res.prop("KinesisStreamSpecification", "StreamArn")
        b.connect(res.logical, tpl.target(stream), ["publish"], via=res.logical)
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


# ------------------------------------------------------------------------------------------------ state machines


def _state_machine(b: Builder, res: Resource) -> None:
    raw = res.props.get("Definition") if "Definition" in res.props else res.props.get("DefinitionString")
    definition, variables = asl.load_definition(raw)
    if definition is None:
        where = (
            "an external file"
            if "DefinitionUri" in res.props or "DefinitionS3Location" in res.props
            else "no readable form"
        )
        b.note(res.logical, f"the definition is in {where}; task edges come from the state machine's permissions")
        _permissions(b, res, b.types[res.logical])
        return
    subs = res.props.get("DefinitionSubstitutions")
    variables.update(subs if isinstance(subs, dict) else {})
    for task in asl.tasks(definition):
        targets = _task_targets(b, task, variables)
        if not targets:
            if not (isinstance(task.resource, str) and task.resource.startswith("arn:aws:states:::http:")):
                b.note(res.logical, f"state {task.name!r} calls a resource outside this template; left out")
            continue
        for target in targets:
            if task.undoes is not None:
                attrs: dict[str, Any] = {"undoes": task.undoes[:80], "step": task.name}
                b.connect(res.logical, target, ["compensate"], via=res.logical, attrs=attrs)
            else:
                attrs = {"step": task.name, "retry": task.retry or None, "catch": task.catch or None}
                attrs["wait_for_callback"] = task.wait_for_callback or None
                b.connect(res.logical, target, ["task"], via=res.logical, attrs=attrs)


def _task_targets(b: Builder, task: asl.TaskState, variables: dict[str, Any]) -> list[str]:
    direct = _resolve(b, task.resource, variables)
    if direct:
        return direct
    resource = task.resource if isinstance(task.resource, str) else ""
    service = resource.split(":::")[-1].removeprefix("aws-sdk:").split(":")[0] if ":::" in resource else ""
    params = task.parameters if isinstance(task.parameters, dict) else {}
    keys = _TASK_PARAMS.get(service, ())
    named = [params.get(k) for k in keys] if keys else list(params.values())
    found = _resolve(b, named, variables)
    if not found and service == "events":
        found = [b.tpl.default_bus_id()]  # PutEvents without a bus name goes to the default bus
    if not found and service in ("ses", "sesv2"):
        found = [n for n, t in b.types.items() if t == "ses"][:1]
    return found


def _resolve(b: Builder, value: Any, variables: dict[str, Any]) -> list[str]:
    """Nodes a definition value names: ${placeholders}, intrinsics, literal names and ARNs."""
    tpl = b.tpl
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.extend(tpl.targets(item) if len(item) == 1 and next(iter(item)).startswith(("Ref", "Fn::")) else [])
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, str):
            for name in _PLACEHOLDER.findall(item):
                ref = variables.get(name, {"Ref": name.split(".")[0]})
                found.extend(tpl.targets(ref))
            named = tpl.node_of(tpl.by_name(item)) if "$" not in item else None
            found.extend([named] if named else [])
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------------------------------------ permissions


def _permissions(b: Builder, res: Resource, principal_type: str) -> None:
    tpl = b.tpl
    subject = res
    if res.type == "AWS::ECS::Service":  # a service's permissions live on its task definition's task role
        task_defs = [tpl.resources[r] for r in tpl.refs(res.props.get("TaskDefinition")) if r in tpl.resources]
        subject = Resource(res.logical, res.type, {"Role": task_defs[0].props.get("TaskRoleArn")} if task_defs else {})
    elif res.type == "AWS::ECS::TaskDefinition":
        subject = Resource(res.logical, res.type, {"Role": res.props.get("TaskRoleArn")})
    destinations = {e.target for e in b.edges.values() if e.source == res.logical and e.kind == "dead-letter"}
    for target, access, _ in iam.accesses(tpl, subject):
        node = tpl.node_of(target) or (target if target == tpl.default_bus else None)
        if node is None or node == res.logical:
            continue
        if access == "poll":
            if principal_type not in ("sfn-standard", "sfn-express"):
                b.connect(node, res.logical, ["poll"], via=res.logical)
            continue
        if node in destinations and access in ("send", "publish", "invoke"):
            continue  # the permission Lambda needs to deliver to the function's own destination
        kinds = iam.edge_kinds(principal_type, access)
        guessed = access == "invoke" and principal_type in ("lambda", "fargate")
        b.connect(res.logical, node, kinds, via=res.logical, guessed=guessed)
    for service, access in iam.wildcard_accesses(tpl, subject):
        only = [n for n, t in b.types.items() if t in iam.SERVICE_TYPES.get(service, ()) and n != res.logical]
        if len(only) == 1 and iam.edge_kinds(principal_type, access):
            b.connect(res.logical, only[0], iam.edge_kinds(principal_type, access), via=res.logical)
            b.note(
                res.logical, f"a permission names every {service} resource; read as the template's only one, {only[0]}"
            )


# ------------------------------------------------------------------------------------------------ others


def _pipe(b: Builder, res: Resource) -> None:
    """The catalog has no EventBridge Pipes type, so a pipe cannot be the node it is (source -> pipe -> target,
    enrichment as pipe -> function). It is drawn as one edge source -> target where the catalog allows that pair.
    Its enrichment is left unconnected, with a note: the pipe, not an event source mapping, reads the source and
    calls the enrichment, and the enrichment does not call the target, so a poll edge into it or an invoke edge out
    of it would claim (and be checked as) a design the template does not have."""
    tpl, via = b.tpl, res.logical
    source = b.ensure(tpl.target(res.props.get("Source")))
    enrichment = b.ensure(tpl.target(res.props.get("Enrichment")))
    target = b.ensure(tpl.target(res.props.get("Target")))
    if b.types.get(source or "") == "dynamodb":
        b.set_config(source, "stream", True, replace=True)
    params = mapping(res.props.get("SourceParameters"))
    batch = next(
        (number(v.get("BatchSize")) for v in params.values() if isinstance(v, dict) and "BatchSize" in v), None
    )
    attrs = {"batch_size": batch, "filter": filter_criteria(params.get("FilterCriteria"))}
    flow = " -> ".join(n for n in (source, enrichment and f"enrichment {enrichment}", target) if n)
    if source is None or target is None:
        b.note(via, f"the pipe's source or target is outside this template or the catalog; left out ({flow})")
    elif set(PIPE_KINDS) & set(b.cat.allowed_kinds(b.types[source], b.types[target])):
        edge = b.connect(source, target, PIPE_KINDS, via=via, attrs=attrs)
        kind = edge.kind if edge else "?"
        b.note(via, f"the catalog has no EventBridge Pipes type: the pipe is drawn as {source} -> {target} ({kind})")
    else:
        b.called.add(target)  # by the pipe: no client is added for it
        b.note(
            via,
            f"the catalog has no EventBridge Pipes type and allows no connection from {source} ({b.types[source]}) "
            f"to {target} ({b.types[target]}); the pipe {flow} is not drawn",
        )
    if enrichment:
        b.note(
            via,
            f"the pipe calls {enrichment} to enrich each batch before the target; with no pipe node to draw that "
            f"call from, {enrichment} is not connected by this pipe (it is not a consumer of {source or 'the source'} "
            "and does not call the target itself)",
        )


def _firehose(b: Builder, res: Resource) -> None:
    tpl, me = b.tpl, res.logical
    stream = res.prop("KinesisStreamSourceConfiguration", "KinesisStreamARN")
    b.connect(tpl.target(stream), me, ["poll"], via=me)
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
        for sink in tpl.targets([*sinks, backup.get("BucketARN")]):
            b.connect(me, sink, ["write"], via=me)
        for fn in tpl.targets(spec.get("ProcessingConfiguration")):
            b.connect(me, fn, ["invoke-sync"], via=me)


def _bucket(b: Builder, res: Resource) -> None:
    tpl, me = b.tpl, res.logical
    notifications = res.props.get("NotificationConfiguration")
    if not isinstance(notifications, dict):
        return
    for key, field in (
        ("LambdaConfigurations", "Function"),
        ("QueueConfigurations", "Queue"),
        ("TopicConfigurations", "Topic"),
    ):
        for item in notifications.get(key) or []:
            if isinstance(item, dict):
                attrs = {"filter": _key_filter(item.get("Filter"))}
                b.connect(me, tpl.target(item.get(field)), ["trigger"], via=me, attrs=attrs)
    if res.prop("NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled") in (True, "true"):
        b.connect(me, tpl.default_bus_id(), ["publish"], via=me)


def _key_filter(value: Any) -> dict[str, Any] | None:
    rules = (
        value.get("S3Key", {}).get("Rules") if isinstance(value, dict) and isinstance(value.get("S3Key"), dict) else []
    )
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
