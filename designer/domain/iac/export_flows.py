"""State machine definitions and the permissions, roles and environment variables edges need; Firehose
streams' sources and destinations."""

from __future__ import annotations

import re
from typing import Any

from designer.domain.diagram import Edge
from designer.domain.iac import asl
from designer.domain.iac.exporter import Exporter, clean
from designer.domain.iac.names import logical_id

__all__ = ["environment", "finish", "grant", "policy", "resource_policy_name", "role"]

QUEUES, TOPICS = ("sqs", "sqs-fifo"), ("sns", "sns-fifo")
STATE_MACHINES = ("sfn-standard", "sfn-express")
ENV_SUFFIX = {
    "sqs": "QUEUE_URL", "sqs-fifo": "QUEUE_URL", "sns": "TOPIC_ARN", "sns-fifo": "TOPIC_ARN", "eventbridge": "BUS_NAME",
    "kinesis": "STREAM_NAME", "firehose": "DELIVERY_STREAM", "sfn-standard": "STATE_MACHINE_ARN",
    "sfn-express": "STATE_MACHINE_ARN", "dynamodb": "TABLE", "s3": "BUCKET", "lambda": "FUNCTION",
    "apigw-rest": "API_URL", "apigw-http": "API_URL", "apigw-websocket": "API_ID", "appsync": "GRAPHQL_URL",
    "cognito": "USER_POOL_ID", "ses": "CONFIGURATION_SET", "rds": "DB_HOST", "aurora-serverless": "DB_HOST",
    "elasticache": "CACHE_HOST", "opensearch": "SEARCH_ENDPOINT",
}  # fmt: skip


def role(x: Exporter, owner: str, service: str, grants: list[tuple[str, str]]) -> dict[str, Any]:
    """An IAM role ``service`` assumes on behalf of ``owner``, allowed each (action, target node); its ARN."""
    key = (owner, service)
    if key not in x.links.roles:
        name = x.aux(f"{x.logical[owner]}{service.replace('-', '').capitalize()}Role")
        document = {"Version": "2012-10-17", "Statement": []}
        props = {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": f"{service}.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [{"PolicyName": "Access", "PolicyDocument": document}],
        }
        x.add(name, "AWS::IAM::Role", props)
        x.links.roles[key] = {"name": name, "statements": document["Statement"]}
    entry = x.links.roles[key]
    for action, target in grants:
        statement = {"Effect": "Allow", "Action": action, "Resource": x.arn(target)}
        if statement not in entry["statements"]:
            entry["statements"].append(statement)
    return {"Fn::GetAtt": [entry["name"], "Arn"]}


def grant(x: Exporter, principal: str, target: str, access: str) -> None:
    accesses = x.links.access.setdefault(principal, {}).setdefault(target, [])
    if access not in accesses:
        accesses.append(access)


def resource_policy_name(x: Exporter, target: str) -> str:
    if target not in x.links.policy_names:
        x.links.policy_names[target] = x.aux(f"{x.logical[target]}Policy")
    return x.links.policy_names[target]


def environment(x: Exporter, fn: str, target: str) -> None:
    """An environment variable that tells the function's code where ``target`` is."""
    t = x.type(target)
    value: Any = x.ref(target)
    if t == "s3" or (t == "eventbridge" and x.is_default_bus(target)):
        value = x.name_of(target)
    elif t in ("apigw-rest", "apigw-http"):
        stage = "/Prod" if t == "apigw-rest" else ""
        value = {"Fn::Sub": f"https://${{{x.logical[target]}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}{stage}"}
    elif t == "appsync":
        value = x.att(target, "GraphQLUrl")
    elif (
        t in ("rds", "aurora-serverless")
        or t == "elasticache"
        and x.resources[x.logical[target]]["Type"] == "AWS::ElastiCache::ServerlessCache"
    ):
        value = x.att(target, "Endpoint.Address")
    elif t == "opensearch":
        serverless = x.node(target).config["mode"] == "serverless"
        value = x.att(target, "CollectionEndpoint" if serverless else "DomainEndpoint")
    elif t in ("elasticache", "apigw-websocket"):
        value = x.ref(target)
    variables = x.links.env.setdefault(fn, {})
    base = re.sub(r"[^A-Za-z0-9]+", "_", x.node(target).id).strip("_").upper() or "TARGET"
    name = f"{base}_{ENV_SUFFIX.get(t, 'ID')}"
    name = name if name[0].isalpha() else f"N_{name}"
    if variables.get(name, value) != value:
        name = f"{name}_{len(variables)}"
    variables[name] = value


def _statement(actions: list[str], resource: Any) -> dict[str, Any]:
    return {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}


def policy(x: Exporter, principal: str, target: str, accesses: list[str]) -> list[Any]:
    """Least-privilege SAM policies for what ``principal`` does to ``target``."""
    t = x.type(target)
    if t == "dynamodb":
        kind = {"read", "write"} & set(accesses) if "task" not in accesses else {"read", "write"}
        name = {frozenset({"read"}): "DynamoDBReadPolicy", frozenset({"write"}): "DynamoDBWritePolicy"}
        return [{name.get(frozenset(kind), "DynamoDBCrudPolicy"): {"TableName": x.ref(target)}}]
    if t == "s3":
        kind = {"read", "write"} & set(accesses) if "task" not in accesses else {"read", "write"}
        name = {frozenset({"read"}): "S3ReadPolicy", frozenset({"write"}): "S3WritePolicy"}
        return [{name.get(frozenset(kind), "S3CrudPolicy"): {"BucketName": x.name_of(target)}}]
    simple = {
        "sqs": ("SQSSendMessagePolicy", "QueueName"),
        "sns": ("SNSPublishMessagePolicy", "TopicName"),
        "eventbridge": ("EventBridgePutEventsPolicy", "EventBusName"),
        "kinesis": ("KinesisCrudPolicy", "StreamName"),
        "firehose": ("FirehoseWritePolicy", "DeliveryStreamName"),
        "lambda": ("LambdaInvokePolicy", "FunctionName"),
    }
    family = {"sqs-fifo": "sqs", "sns-fifo": "sns"}.get(t, t)
    if family in simple:
        template, param = simple[family]
        return [{template: {param: x.name_of(target)}}]
    if t in STATE_MACHINES:
        out: list[Any] = []
        if "start" in accesses or "task" in accesses:
            out.append({"StepFunctionsExecutionPolicy": {"StateMachineName": x.name_of(target)}})
        if "start-sync" in accesses:
            out.append(_statement(["states:StartSyncExecution"], x.ref(target)))
        if "callback" in accesses:
            out.append(_statement(["states:SendTaskSuccess", "states:SendTaskFailure"], x.ref(target)))
        return out
    if t == "ses":
        identities = {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"}
        return [_statement(["ses:SendEmail", "ses:SendRawEmail"], [x.arn(target), identities])]
    if t in ("apigw-rest", "apigw-http"):
        return [_statement(["execute-api:Invoke"], x.arn(target))]
    if t == "apigw-websocket":
        return [_statement(["execute-api:ManageConnections"], x.arn(target))]
    if t == "appsync":
        return [_statement(["appsync:GraphQL"], {"Fn::Sub": f"${{{x.logical[target]}.Arn}}/*"})]
    if t == "cognito":
        return [_statement(["cognito-idp:AdminGetUser", "cognito-idp:ListUsers"], x.arn(target))]
    if t == "aurora-serverless":
        return [
            _statement(["rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement"], x.att(target, "DBClusterArn")),
            _statement(["secretsmanager:GetSecretValue"], x.att(target, "MasterUserSecret.SecretArn")),
        ]
    return []


# ------------------------------------------------------------------------------------------------ state machines

TASK_TYPES = (
    "lambda",
    "dynamodb",
    *QUEUES,
    *TOPICS,
    "eventbridge",
    *STATE_MACHINES,
    "s3",
    "apigw-rest",
    "ses",
    "aurora-serverless",
)


def _call(x: Exporter, edge: Edge, step: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The Task ``Resource``, ``Parameters`` and definition substitutions for a call to the edge's target."""
    target, t, name = edge.target, x.type(edge.target), x.logical[edge.target]
    read_only = bool(edge.attr("read_only"))
    if t == "lambda":
        wait = bool(edge.attr("wait_for_callback"))
        payload = {"token.$": "$$.Task.Token", "input.$": "$"} if wait else None
        params = {"FunctionName": f"${{{name}Arn}}", **({"Payload": payload} if payload else {"Payload.$": "$"})}
        suffix = ".waitForTaskToken" if wait else ""
        return f"arn:aws:states:::lambda:invoke{suffix}", params, {f"{name}Arn": x.att(target, "Arn")}
    if t == "dynamodb":
        if read_only:
            params = {"TableName": f"${{{name}Name}}", "Key": {"pk": {"S.$": "$.id"}}}
            return "arn:aws:states:::dynamodb:getItem", params, {f"{name}Name": x.ref(target)}
        params = {"TableName": f"${{{name}Name}}", "Item": {"pk": {"S.$": "$$.Execution.Id"}}}
        return "arn:aws:states:::dynamodb:putItem", params, {f"{name}Name": x.ref(target)}
    if t in QUEUES:
        params = {"QueueUrl": f"${{{name}Url}}", "MessageBody.$": "$"}
        if t == "sqs-fifo":
            params["MessageGroupId"] = "workflow"
        return "arn:aws:states:::sqs:sendMessage", params, {f"{name}Url": x.ref(target)}
    if t in TOPICS:
        params = {"TopicArn": f"${{{name}Arn}}", "Message.$": "$"}
        if t == "sns-fifo":
            params["MessageGroupId"] = "workflow"
        return "arn:aws:states:::sns:publish", params, {f"{name}Arn": x.ref(target)}
    if t == "eventbridge":
        bus = "default" if x.is_default_bus(target) else f"${{{name}Name}}"
        entry = {"EventBusName": bus, "Source": "archlab.workflow", "DetailType": step, "Detail.$": "$"}
        subs = {} if x.is_default_bus(target) else {f"{name}Name": x.ref(target)}
        return "arn:aws:states:::events:putEvents", {"Entries": [entry]}, subs
    if t in STATE_MACHINES:
        params = {"StateMachineArn": f"${{{name}Arn}}", "Input.$": "$"}
        return "arn:aws:states:::states:startExecution", params, {f"{name}Arn": x.ref(target)}
    if t == "s3":
        subs = {f"{name}Name": x.name_of(target)}
        if read_only:
            return "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": f"${{{name}Name}}", "Key.$": "$.key"}, subs
        params = {"Bucket": f"${{{name}Name}}", "Key.$": "$$.Execution.Name", "Body.$": "$"}
        return "arn:aws:states:::aws-sdk:s3:putObject", params, subs
    if t == "apigw-rest":
        endpoint = {"Fn::Sub": f"${{{name}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"}
        params = {
            "ApiEndpoint": f"${{{name}Endpoint}}",
            "Method": "POST",
            "Stage": "Prod",
            "Path": "/",
            "RequestBody.$": "$",
            "AuthType": "IAM_ROLE",
        }
        return "arn:aws:states:::apigateway:invoke", params, {f"{name}Endpoint": endpoint}
    if t == "ses":
        params = {
            "ConfigurationSetName": f"${{{name}Name}}",
            "FromEmailAddress": "noreply@example.com",
            "Destination": {"ToAddresses.$": "States.Array($.email)"},
            "Content": {"Simple": {"Subject": {"Data": step}, "Body": {"Text": {"Data.$": "States.JsonToString($)"}}}},
        }
        return "arn:aws:states:::aws-sdk:sesv2:sendEmail", params, {f"{name}Name": x.ref(target)}
    params = {"ResourceArn": f"${{{name}Arn}}", "SecretArn": f"${{{name}Secret}}", "Sql": "SELECT 1"}
    subs = {f"{name}Arn": x.att(target, "DBClusterArn"), f"{name}Secret": x.att(target, "MasterUserSecret.SecretArn")}
    return "arn:aws:states:::aws-sdk:rdsdata:executeStatement", params, subs


def _step_name(text: Any, taken: set[str]) -> str:
    base = clean(str(text or ""), 76).strip() or "Step"
    name, n = base, 1
    while name in taken or name == "Failed":
        n += 1
        name = f"{base} {n}"
    taken.add(name)
    return name


def _definition(x: Exporter, machine: str) -> None:
    node = x.node(machine)
    everywhere = bool(node.config.get("retry_catch"))
    steps: list[asl.Step] = []
    compensations: list[asl.Step] = []
    substitutions: dict[str, Any] = {}
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    for edge in x.links.steps.get(machine, []):
        label = x.d.label(edge.target)
        wanted = edge.attr("step") or (f"Undo{edge.attr('undoes')}" if edge.kind == "compensate" else logical_id(label))
        name = _step_name(wanted, taken)
        if edge.kind == "task":  # the validator names a step by its step attribute, else the target's label
            renamed.setdefault(str(edge.attr("step") or label), name)
        callable_ = edge.target in x.rendered and x.type(edge.target) in TASK_TYPES and x.depend(machine, edge.target)
        if callable_:
            resource, params, subs = _call(x, edge, name)
            substitutions.update(subs)
            grant(x, machine, edge.target, "task")
        else:
            resource, params = f"calls {clean(label, 60)}, kept in the template's Metadata", {}
            x.to_metadata(edge)
        undoes = str(edge.attr("undoes")) if edge.kind == "compensate" else None
        step = asl.Step(
            name=name,
            resource=resource,
            parameters=params,
            retry=bool(edge.attr("retry")) or everywhere,
            catch=bool(edge.attr("catch")) or everywhere,
            undoes=undoes,
            pass_only=not callable_,
        )
        (compensations if edge.kind == "compensate" else steps).append(step)
    compensations = [
        asl.Step(c.name, c.resource, c.parameters, c.retry, c.catch, _undone(c.undoes, renamed), c.pass_only)
        for c in compensations
    ]
    props = x.props(machine)
    props["Definition"] = asl.build(steps, compensations, comment=clean(node.label, 200))
    if substitutions:
        props["DefinitionSubstitutions"] = substitutions


def _undone(undoes: str | None, renamed: dict[str, str]) -> str | None:
    """The state name a compensation undoes: the step's state, else the diagram's text made safe."""
    if undoes is None:
        return None
    return renamed.get(undoes) or clean(undoes, 76).strip()


def _firehose(x: Exporter, hose: str, parts: dict[str, list[Edge]]) -> None:
    props = x.props(hose)
    if parts["source"]:
        stream = parts["source"][0].source
        props["DeliveryStreamType"] = "KinesisStreamAsSource"
        reads = [
            ("kinesis:GetRecords", stream),
            ("kinesis:GetShardIterator", stream),
            ("kinesis:DescribeStream", stream),
        ]
        props["KinesisStreamSourceConfiguration"] = {
            "KinesisStreamARN": x.arn(stream),
            "RoleARN": role(x, hose, "firehose", reads),
        }
    buckets = [e for e in parts["sinks"] if x.type(e.target) == "s3"]
    searches = [e for e in parts["sinks"] if x.type(e.target) == "opensearch"]
    used: list[Edge] = []
    config: dict[str, Any] = {}
    if buckets:
        grants = [("s3:PutObject", buckets[0].target), ("s3:GetBucketLocation", buckets[0].target)]
        s3 = {"BucketARN": x.arn(buckets[0].target), "RoleARN": role(x, hose, "firehose", grants)}
        c = x.node(hose).config
        hints = {"IntervalInSeconds": c["buffer_interval_s"], "SizeInMBs": c["buffer_mb"]}
        if searches:
            config = {"CollectionEndpoint": x.att(searches[0].target, "CollectionEndpoint"), "IndexName": "events"}
            config.update(
                {
                    "RoleARN": role(x, hose, "firehose", [("aoss:APIAccessAll", searches[0].target)]),
                    "S3Configuration": s3,
                }
            )
            props["AmazonOpenSearchServerlessDestinationConfiguration"] = config
            used += [searches[0]]
        else:
            config = {**s3, "BufferingHints": hints}
            props["ExtendedS3DestinationConfiguration"] = config
        used.append(buckets[0])
    if config and parts["processors"]:
        fn = parts["processors"][0].target
        role(x, hose, "firehose", [("lambda:InvokeFunction", fn)])
        parameters = [{"ParameterName": "LambdaArn", "ParameterValue": x.att(fn, "Arn")}]
        config["ProcessingConfiguration"] = {
            "Enabled": True,
            "Processors": [{"Type": "Lambda", "Parameters": parameters}],
        }
        used.append(parts["processors"][0])
    for edge in parts["sinks"] + parts["processors"]:
        if edge not in used:
            x.to_metadata(edge)


def finish(x: Exporter) -> None:
    for node in x.d.nodes:
        if node.id in x.rendered and node.type in STATE_MACHINES:
            _definition(x, node.id)
    for hose, parts in x.links.hoses.items():
        _firehose(x, hose, parts)
