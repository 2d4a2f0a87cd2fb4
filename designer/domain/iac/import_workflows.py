"""Edges from a state machine's definition (inline, or in the file ``DefinitionUri`` names): what each Task state
calls, read from its resource, its parameters and the substitutions the definition is given; activities, which
workers poll, are not calls. A definition that cannot be read falls back on what its substitutions name and its
role may do (:func:`import_access.named_and_permitted`)."""

from __future__ import annotations

import re
from typing import Any

from designer.domain.iac import asl_read as asl
from designer.domain.iac.builder import Builder
from designer.domain.iac.import_access import named_and_permitted, strings
from designer.domain.iac.template import Resource, text_of

__all__ = ["PLACEHOLDER", "state_machine"]

PLACEHOLDER = re.compile(r"\$\{([^!}][^}]*)\}")
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


def state_machine(b: Builder, res: Resource) -> None:
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
        named_and_permitted(b, res, b.types[res.logical], env=res.props.get("DefinitionSubstitutions"))
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
    texts = strings(definition)
    literal = (b.tpl.node_of(b.tpl.by_name(text)) for text in texts if "$" not in text)
    substituted = (
        node
        for text in texts
        for name in PLACEHOLDER.findall(text)
        if name in variables
        for node in b.tpl.targets(variables[name])
    )
    return list(dict.fromkeys([*b.tpl.targets(definition), *(n for n in literal if n), *substituted]))


def _is_activity(b: Builder, resource: Any, variables: dict[str, Any]) -> bool:
    """Whether a task's resource is a Step Functions activity (an ARN ``...:activity:name``, an Activity resource or
    a parameter that holds one), which workers poll rather than a service the state machine calls."""
    text = resource if isinstance(resource, str) else ""
    values: list[Any] = [text]
    for name in PLACEHOLDER.findall(text):
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
            for name in PLACEHOLDER.findall(item):
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
    for name in PLACEHOLDER.findall(text):
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
