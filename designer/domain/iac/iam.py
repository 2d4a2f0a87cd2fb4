"""What a resource may do to others, read from its permissions: SAM policy templates, inline statements, the
policies of its execution role, and SAM connectors.

An *access* is one of ``read write send publish invoke start start-sync poll manage``; ``edge_kinds`` turns it
into edge kinds for the principal's service type (a state machine's accesses are ``task`` edges).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from designer.domain.iac.template import Resource, Template

__all__ = [
    "SERVICE_TYPES",
    "TEMPLATES",
    "access_of_action",
    "accesses",
    "edge_kinds",
    "role_statements",
    "statement_accesses",
    "service_accesses",
    "connector_accesses",
]

# IAM service prefix -> the service types whose resources it acts on.
SERVICE_TYPES: dict[str, tuple[str, ...]] = {
    "dynamodb": ("dynamodb",),
    "sqs": ("sqs", "sqs-fifo"),
    "sns": ("sns", "sns-fifo"),
    "events": ("eventbridge",),
    "kinesis": ("kinesis",),
    "firehose": ("firehose",),
    "states": ("sfn-standard", "sfn-express"),
    "s3": ("s3",),
    "lambda": ("lambda",),
    "execute-api": ("apigw-rest", "apigw-http", "apigw-websocket"),
    "apigateway": ("apigw-rest", "apigw-http", "apigw-websocket"),
    "appsync": ("appsync",),
    "rds": ("rds", "aurora-serverless"),
    "ses": ("ses",),
    "sagemaker": ("sagemaker",),
}

# SAM policy template -> (parameter naming the resource, accesses it grants).
TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "DynamoDBCrudPolicy": ("TableName", ("read", "write")),
    "DynamoDBReadPolicy": ("TableName", ("read",)),
    "DynamoDBWritePolicy": ("TableName", ("write",)),
    "DynamoDBStreamReadPolicy": ("TableName", ("poll",)),
    "S3CrudPolicy": ("BucketName", ("read", "write")),
    "S3FullAccessPolicy": ("BucketName", ("read", "write")),
    "S3ReadPolicy": ("BucketName", ("read",)),
    "S3WritePolicy": ("BucketName", ("write",)),
    "SQSSendMessagePolicy": ("QueueName", ("send",)),
    "SQSPollerPolicy": ("QueueName", ("poll",)),
    "SNSPublishMessagePolicy": ("TopicName", ("publish",)),
    "SNSCrudPolicy": ("TopicName", ("publish",)),
    "EventBridgePutEventsPolicy": ("EventBusName", ("publish",)),
    "KinesisCrudPolicy": ("StreamName", ("publish",)),
    "KinesisStreamReadPolicy": ("StreamName", ("poll",)),
    "FirehoseWritePolicy": ("DeliveryStreamName", ("publish",)),
    "FirehoseCrudPolicy": ("DeliveryStreamName", ("publish",)),
    "LambdaInvokePolicy": ("FunctionName", ("invoke",)),
    "StepFunctionsExecutionPolicy": ("StateMachineName", ("start",)),
    "SESCrudPolicy": ("IdentityName", ("send",)),
    "SESSendBouncePolicy": ("IdentityName", ("send",)),
    "SESBulkTemplatedCrudPolicy": ("IdentityName", ("send",)),
    "SESBulkTemplatedCrudPolicy_v2": ("IdentityName", ("send",)),
    "ElasticsearchHttpPostPolicy": ("DomainName", ("write",)),
}

# (service, action prefix) -> accesses; the first match wins, "*" matches every action of the service.
_ACTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("dynamodb", "getrecords", ("poll",)),
    ("dynamodb", "getsharditerator", ("poll",)),
    ("dynamodb", "describestream", ("poll",)),
    ("dynamodb", "liststreams", ("poll",)),
    ("dynamodb", "get", ("read",)),
    ("dynamodb", "batchget", ("read",)),
    ("dynamodb", "query", ("read",)),
    ("dynamodb", "scan", ("read",)),
    ("dynamodb", "put", ("write",)),
    ("dynamodb", "update", ("write",)),
    ("dynamodb", "delete", ("write",)),
    ("dynamodb", "batchwrite", ("write",)),
    ("dynamodb", "*", ("read", "write")),
    ("s3", "get", ("read",)),
    ("s3", "list", ("read",)),
    ("s3", "put", ("write",)),
    ("s3", "delete", ("write",)),
    ("s3", "*", ("read", "write")),
    ("sqs", "sendmessage", ("send",)),
    ("sqs", "receivemessage", ("poll",)),
    ("sqs", "*", ("send",)),
    ("sns", "publish", ("publish",)),
    ("sns", "*", ("publish",)),
    ("events", "putevents", ("publish",)),
    ("events", "*", ("publish",)),
    ("kinesis", "putrecord", ("publish",)),
    ("kinesis", "getrecords", ("poll",)),
    ("kinesis", "subscribetoshard", ("poll",)),
    ("kinesis", "*", ("publish",)),
    ("firehose", "putrecord", ("publish",)),
    ("firehose", "*", ("publish",)),
    ("states", "sendtask", ("callback",)),  # SendTaskSuccess/Failure/Heartbeat: resumes a waiting execution
    ("states", "startsyncexecution", ("start-sync",)),
    ("states", "startexecution", ("start",)),
    ("states", "*", ("start",)),
    ("lambda", "invoke", ("invoke",)),
    ("lambda", "*", ("invoke",)),
    ("execute-api", "invoke", ("manage",)),
    ("execute-api", "manageconnections", ("manage",)),
    ("execute-api", "*", ("manage",)),
    ("appsync", "graphql", ("manage",)),
    ("cognito-idp", "", ("manage",)),  # "" matches every named action of the service
    ("cognito-idp", "*", ("manage",)),
    ("sagemaker", "invokeendpoint", ("manage",)),
    ("ses", "send", ("send",)),
    ("ses", "*", ("send",)),
    ("rds-data", "", ("read", "write")),
    ("rds-data", "*", ("read", "write")),
    ("rds-db", "connect", ("read", "write")),
    ("elasticache", "connect", ("read", "write")),
    ("aoss", "", ("read", "write")),
    ("aoss", "*", ("read", "write")),
    ("es", "eshttpget", ("read",)),
    ("es", "eshttphead", ("read",)),
    ("es", "eshttp", ("write",)),
    ("ecs", "runtask", ("start",)),
]


def access_of_action(action: Any) -> tuple[str, ...]:
    """Accesses one IAM action grants (``dynamodb:PutItem`` -> write); wildcards ``dynamodb:Get*`` count."""
    if not isinstance(action, str) or ":" not in action:
        return ()
    service, _, name = action.lower().partition(":")
    rules = [(prefix, granted) for svc, prefix, granted in _ACTIONS if svc == service]
    if not name.endswith("*"):
        return next((granted for prefix, granted in rules if prefix != "*" and name.startswith(prefix)), ())
    stem = name.rstrip("*")
    if not stem:
        return next((granted for prefix, granted in rules if prefix == "*"), ())
    # A wildcard such as dynamodb:Get* grants every action it covers; polling counts only when nothing else does.
    found = [
        a
        for prefix, granted in rules
        if prefix != "*" and (prefix.startswith(stem) or stem.startswith(prefix))
        for a in granted
    ]
    found = list(dict.fromkeys(found))
    return tuple(a for a in found if a != "poll") or tuple(found)


def statement_accesses(tpl: Template, statement: Any, *, external: bool = False) -> Iterator[tuple[str, str]]:
    """(target logical id, access) pairs of one policy statement (with ``external``, external references too)."""
    if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
        return
    actions = statement.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    granted = list(dict.fromkeys(a for action in actions for a in access_of_action(action)))
    if not granted:
        return
    for target in tpl.refs(statement.get("Resource"), external=external):
        for access in granted:
            yield target, access


# AWS managed policies a function or role may name, by the service-wide accesses they grant.
MANAGED: dict[str, tuple[tuple[str, str], ...]] = {
    "AmazonDynamoDBFullAccess": (("dynamodb", "read"), ("dynamodb", "write")),
    "AmazonDynamoDBReadOnlyAccess": (("dynamodb", "read"),),
    "AmazonSQSFullAccess": (("sqs", "send"),),
    "AmazonSNSFullAccess": (("sns", "publish"),),
    "AmazonS3FullAccess": (("s3", "read"), ("s3", "write")),
    "AmazonS3ReadOnlyAccess": (("s3", "read"),),
    "AmazonEventBridgeFullAccess": (("events", "publish"),),
    "CloudWatchEventsFullAccess": (("events", "publish"),),
    "AWSStepFunctionsFullAccess": (("states", "start"),),
    "AmazonKinesisFullAccess": (("kinesis", "publish"),),
    "AmazonKinesisFirehoseFullAccess": (("firehose", "publish"),),
    "AWSLambda_FullAccess": (("lambda", "invoke"),),
    "AWSLambdaRole": (("lambda", "invoke"),),
    "AmazonAPIGatewayInvokeFullAccess": (("execute-api", "manage"),),
    "AmazonSESFullAccess": (("ses", "send"),),
}


def service_accesses(tpl: Template, res: Resource) -> list[tuple[str, str]]:
    """(service, access) granted on every resource of a service: statements on ``Resource: "*"`` and AWS managed
    policies (``AmazonDynamoDBFullAccess``), named in ``Policies``, ``ManagedPolicyArns`` or the role's."""
    found: list[tuple[str, str]] = []
    statements = [s for name, doc in _documents(res.props.get("Policies")) if name is None for s in _statements(doc)]
    for statement in statements + role_statements(tpl, res.props.get("Role")):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        if statement.get("Resource") not in ("*", ["*"]):
            continue
        actions = statement.get("Action")
        for action in actions if isinstance(actions, list) else [actions]:
            if isinstance(action, str) and ":" in action:
                found.extend((action.split(":")[0].lower(), a) for a in access_of_action(action))
    for name in _managed_names(tpl, res):
        found.extend(MANAGED.get(name, ()))
    return list(dict.fromkeys(found))


def _managed_names(tpl: Template, res: Resource) -> list[str]:
    """Names of the AWS managed policies ``res`` (or its role) attaches."""
    values: list[Any] = []
    policies = res.props.get("Policies")
    values.extend(policies if isinstance(policies, list) else [policies])
    values.extend(res.props.get("ManagedPolicyArns") or [])
    for role in tpl.refs(res.props.get("Role")):
        if role in tpl.resources:
            values.extend(tpl.resources[role].props.get("ManagedPolicyArns") or [])
    names = []
    for value in values:
        text = value if isinstance(value, str) else ""
        if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            text = value["Fn::Sub"]
        if text:
            names.append(text.rsplit("/", 1)[-1])
    return names


def _documents(policies: Any) -> Iterator[tuple[str | None, Any]]:
    """(template name or None for a policy document, parameters or document) of a SAM ``Policies`` value."""
    items = policies if isinstance(policies, list) else [policies]
    for item in items:
        if not isinstance(item, dict):
            continue  # a managed policy name or ARN
        if "Statement" in item:
            yield None, item
        else:
            for name, params in item.items():
                yield str(name), params


def role_statements(tpl: Template, role_ref: Any) -> list[Any]:
    """Statements of the IAM role ``role_ref`` points at: its inline policies and the policies attached to it."""
    roles = [r for r in tpl.refs(role_ref) if r in tpl.resources and tpl.resources[r].type == "AWS::IAM::Role"]
    out: list[Any] = []
    for role in roles:
        for policy in tpl.resources[role].props.get("Policies") or []:
            if isinstance(policy, dict):
                out.extend(_statements(policy.get("PolicyDocument")))
        for res in tpl.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            if role in tpl.refs(res.props.get("Roles")):
                out.extend(_statements(res.props.get("PolicyDocument")))
    return out


def _statements(document: Any) -> list[Any]:
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement")
    return statements if isinstance(statements, list) else [statements]


def accesses(tpl: Template, res: Resource, *, external: bool = False) -> list[tuple[str, str, bool]]:
    """(target, access, from a policy template) for every resource ``res`` may reach by its policies, in template
    order; with ``external``, the keys of external references too."""
    found: list[tuple[str, str, bool]] = []
    for name, params in _documents(res.props.get("Policies")):
        if name is None:
            for statement in _statements(params):
                found.extend((t, a, False) for t, a in statement_accesses(tpl, statement, external=external))
        elif name in TEMPLATES and isinstance(params, dict):
            key, granted = TEMPLATES[name]
            value = params.get(key)
            targets = tpl.refs(value, external=external) or [n for n in [tpl.by_name(tpl.literal(value))] if n]
            found.extend((t, a, True) for t in targets for a in granted)
    for statement in role_statements(tpl, res.props.get("Role")):
        found.extend((t, a, False) for t, a in statement_accesses(tpl, statement, external=external))
    return list(dict.fromkeys(found))


def connector_accesses(tpl: Template, res: Resource) -> Iterator[tuple[str, str, bool]]:
    """(target, access, False) for the SAM connectors whose source is ``res`` (inline or ``AWS::Serverless::Connector``);
    a connector is a connection the template declares, not only a permission."""
    connectors: list[tuple[Any, Any]] = []
    inline = res.connectors or res.props.get("Connectors")
    if isinstance(inline, dict):
        for spec in inline.values():
            props = spec.get("Properties", {}) if isinstance(spec, dict) else {}
            connectors.append((props.get("Destination"), props.get("Permissions")))
    for conn in tpl.of_type("AWS::Serverless::Connector"):
        source = conn.props.get("Source")
        if isinstance(source, dict) and (source.get("Id") == res.logical or res.logical in tpl.refs(source)):
            connectors.append((conn.props.get("Destination"), conn.props.get("Permissions")))
    for destination, permissions in connectors:
        dests = destination if isinstance(destination, list) else [destination]
        perms = [p for p in permissions if isinstance(p, str)] if isinstance(permissions, list) else []
        for dest in dests:
            if not isinstance(dest, dict):
                continue
            target = dest.get("Id") if isinstance(dest.get("Id"), str) else next(iter(tpl.refs(dest)), None)
            for perm in perms:
                if target:
                    yield target, "read" if perm == "Read" else "connect-write", False


# access -> edge kinds to try, for a compute principal (lambda, fargate).
_COMPUTE = {
    "read": ("read",),
    "write": ("write",),
    "send": ("send",),
    "publish": ("publish",),
    "invoke": ("invoke-sync", "invoke-async"),
    "start": ("invoke-async", "invoke-sync"),
    "start-sync": ("invoke-sync", "invoke-async"),
    "callback": ("invoke-async",),
    "manage": ("invoke-sync",),
    "connect-write": ("write", "send", "publish", "invoke-sync", "invoke-async"),
}


def edge_kinds(principal_type: str, access: str) -> tuple[str, ...]:
    """Edge kinds (most likely first) for an access of a principal of the given service type."""
    if principal_type in ("sfn-standard", "sfn-express"):
        return () if access == "poll" else ("task",)
    return _COMPUTE.get(access, ())
