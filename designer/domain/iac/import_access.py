"""Edges from what a function's (or container's) environment names and its permissions allow, and from SAM
connectors.

A permission alone is not a connection: a function or container is connected to a resource only when its
environment names the resource and a permission (a policy for that resource, a statement on every resource of its
service, an AWS managed policy) lets it act on it. Three things connect without a name in the environment: a SAM
connector, a database reached over the network from a function in a VPC given its endpoint, and the task token a
function hands back to the one workflow that waits for it."""

from __future__ import annotations

from typing import Any

from designer.domain.iac import iam
from designer.domain.iac.builder import Builder
from designer.domain.iac.template import NAME_KEYS, Resource

__all__ = ["connectors", "named_and_permitted", "strings", "subject_of"]


def subject_of(b: Builder, res: Resource) -> tuple[Resource, Any]:
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


def named_and_permitted(b: Builder, res: Resource, principal_type: str, env: Any = None) -> None:
    """Edges to the resources a function's (or container's) environment names and its permissions cover; for a
    state machine whose definition cannot be read, ``env`` is what its definition is given (its substitutions)."""
    tpl = b.tpl
    subject, own_env = subject_of(b, res)
    env = own_env if env is None else env
    named = set(tpl.refs(env, external=True))
    for value in strings(env):
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


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def connectors(b: Builder, res: Resource) -> None:
    tpl = b.tpl
    principal = b.types.get(res.logical, "")
    for target, access, _ in iam.connector_accesses(tpl, res):
        node = tpl.node_of(target)
        if node is None or node == res.logical:
            continue
        b.connect(res.logical, node, iam.edge_kinds(principal, access), via=res.logical)
