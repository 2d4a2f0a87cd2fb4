"""Edges that are event sources and deliveries: polls (SAM SQS/Kinesis/DynamoDB events), subscriptions (SNS
subscriptions and events, EventBridge rules and events), schedules, and bucket notifications."""

from __future__ import annotations

import json
import re
from typing import Any

from designer.domain.diagram import Edge
from designer.domain.iac.export_flows import resource_policy_name, role
from designer.domain.iac.exporter import Exporter
from designer.domain.iac.import_events import MATCH_ALL

__all__ = ["POLL_EVENTS", "allow", "bus_target", "event", "poll", "subscribe", "trigger"]

QUEUES, TOPICS = ("sqs", "sqs-fifo"), ("sns", "sns-fifo")
STATE_MACHINES = ("sfn-standard", "sfn-express")
POLL_EVENTS = {"sqs": "SQS", "sqs-fifo": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB"}


def event(x: Exporter, owner: str, base: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Add an event to a function or state machine; SAM names what it generates ``<owner><event>``."""
    events = x.props(owner).setdefault("Events", {})
    name, n = re.sub(r"[^A-Za-z0-9]", "", base)[:60] or "Event", 1
    while name in events or x.names.taken(x.logical[owner] + name):
        n += 1
        name = f"{base[:58]}{n}"
    x.names.claim(x.logical[owner] + name)
    events[name] = spec
    return spec


def allow(x: Exporter, target: str, service: str, source_arn: Any | None = None) -> None:
    """Let an AWS service deliver to a queue or topic (its resource policy)."""
    action = "sqs:SendMessage" if x.type(target) in QUEUES else "sns:Publish"
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": f"{service}.amazonaws.com"},
        "Action": action,
        "Resource": x.arn(target),
    }
    condition = {"ArnEquals": {"aws:SourceArn": source_arn}} if source_arn is not None else None
    statement["Condition"] = condition or {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    x.links.resource_policies.setdefault(target, []).append(statement)


def _filter(edge: Edge) -> dict[str, Any] | None:
    value = edge.attr("filter")
    return value if isinstance(value, dict) and value else None


def poll(x: Exporter, edge: Edge) -> bool:
    source = edge.source
    props: dict[str, Any] = {"Queue" if x.type(source) in QUEUES else "Stream": x.arn(source)}
    if x.type(source) == "dynamodb":
        props["Stream"] = x.att(source, "StreamArn")
    if x.type(source) in QUEUES:
        _fit_visibility(x, source, edge.target)
    else:
        props["StartingPosition"] = "LATEST"
    for attr, key in (("batch_size", "BatchSize"), ("batching_window_s", "MaximumBatchingWindowInSeconds")):
        if edge.attr(attr) is not None:
            props[key] = int(edge.attr(attr)) if attr == "batch_size" else int(round(edge.attr(attr)))
    if edge.attr("max_concurrency") is not None and x.type(source) in QUEUES:
        props["ScalingConfig"] = {"MaximumConcurrency": edge.attr("max_concurrency")}
    if edge.attr("report_batch_item_failures"):
        props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if _filter(edge):
        props["FilterCriteria"] = {"Filters": [{"Pattern": _json(_filter(edge))}]}
    event(x, edge.target, x.logical[source], {"Type": POLL_EVENTS[x.type(source)], "Properties": props})
    if x.type(source) in ("kinesis", "dynamodb"):
        x.links.dlq_users.setdefault(f"stream:{edge.target}", []).append(props)
    return True


def _fit_visibility(x: Exporter, queue: str, consumer: str) -> None:
    """Lambda refuses a queue mapping whose visibility timeout is below the function's timeout: raise it to the
    timeout, and say so in Metadata (the validator reports the diagram's value as an error)."""
    queue_props = x.props(queue)
    visibility = queue_props.get("VisibilityTimeout", x.node(queue).config["visibility_timeout_s"])
    timeout = x.node(consumer).config["timeout_s"]
    if visibility < timeout:
        queue_props["VisibilityTimeout"] = timeout
        x.adjustments.append(
            f"{x.logical[queue]}: VisibilityTimeout raised from {visibility} s to {timeout} s, the timeout of "
            f"{x.logical[consumer]}, which Lambda requires of a queue it polls (6 times that is advised)"
        )


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def subscribe(x: Exporter, edge: Edge) -> bool:
    s, t = x.type(edge.source), x.type(edge.target)
    if s in TOPICS:
        if t == "lambda":
            props: dict[str, Any] = {"Topic": x.ref(edge.source)}
            if _filter(edge):
                props["FilterPolicy"] = _filter(edge)
            event(x, edge.target, x.logical[edge.source], {"Type": "SNS", "Properties": props})
            x.links.dlq_users.setdefault(edge.source, []).append(props)
            return True
        if t in QUEUES or t == "firehose":
            sub: dict[str, Any] = {"TopicArn": x.ref(edge.source), "Protocol": "sqs" if t in QUEUES else "firehose"}
            sub["Endpoint"] = x.arn(edge.target)
            if _filter(edge):
                sub["FilterPolicy"] = _filter(edge)
            if t == "firehose":
                sub["SubscriptionRoleArn"] = role(x, edge.source, "sns", [("firehose:PutRecord", edge.target)])
            else:
                allow(x, edge.target, "sns", x.ref(edge.source))
            x.add(x.aux(f"{x.logical[edge.source]}To{x.logical[edge.target]}"), "AWS::SNS::Subscription", sub)
            x.links.dlq_users.setdefault(edge.source, []).append(sub)
            return True
        return False
    if s == "eventbridge":
        return bus_target(x, edge)
    return False


def bus_target(x: Exporter, edge: Edge) -> bool:
    bus, target = edge.source, edge.target
    t = x.type(target)
    pattern = _filter(edge) or MATCH_ALL
    if t == "lambda" or t in STATE_MACHINES:
        props: dict[str, Any] = {"Pattern": pattern}
        if not x.is_default_bus(bus):
            props["EventBusName"] = x.ref(bus)
        event(x, target, x.logical[bus], {"Type": "EventBridgeRule", "Properties": props})
        x.links.dlq_users.setdefault(bus, []).append(props)
        return True
    if t not in (*QUEUES, *TOPICS, "kinesis", "firehose", "eventbridge", "apigw-rest"):
        return False
    rule_name = x.aux(f"{x.logical[bus]}To{x.logical[target]}Rule")
    spec: dict[str, Any] = {"Id": x.logical[target][:64], "Arn": x.arn(target)}
    if t == "apigw-rest":
        arn = f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{x.logical[target]}}}/Prod/POST/"
        spec["Arn"] = {"Fn::Sub": arn}
    if t == "sqs-fifo":
        spec["SqsParameters"] = {"MessageGroupId": "events"}
    if t == "kinesis":
        spec["KinesisParameters"] = {"PartitionKeyPath": "$.id"}
    if t in QUEUES or t in TOPICS:
        allow(x, target, "events", {"Fn::GetAtt": [rule_name, "Arn"]})
    else:
        action = {"kinesis": "kinesis:PutRecord", "firehose": "firehose:PutRecord", "eventbridge": "events:PutEvents"}
        spec["RoleArn"] = role(x, bus, "events", [(action.get(t, "execute-api:Invoke"), target)])
    rule: dict[str, Any] = {"EventPattern": pattern, "State": "ENABLED", "Targets": [spec]}
    if not x.is_default_bus(bus):
        rule = {"EventBusName": x.ref(bus), **rule}
    x.add(rule_name, "AWS::Events::Rule", rule)
    x.links.dlq_users.setdefault(bus, []).append(spec)
    return True


def trigger(x: Exporter, edge: Edge) -> bool:
    s, t = x.type(edge.source), x.type(edge.target)
    if s == "s3":
        return _bucket_trigger(x, edge)
    if s != "eventbridge-scheduler":
        return False
    c = dict(x.node(edge.source).config)
    if not re.fullmatch(r"(rate|cron|at)\(.+\)", str(c["schedule"]).strip()):
        c["schedule"] = "rate(5 minutes)"  # the diagram's text is no schedule expression
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", str(c["timezone"])):
        c["timezone"] = "UTC"
    retry = {"MaximumRetryAttempts": c["retry_attempts"], "MaximumEventAgeInSeconds": c["max_event_age_s"]}
    group = x.logical[edge.source]
    if group not in x.resources:  # the scheduler is this target's ScheduleV2 event
        props = {"ScheduleExpression": c["schedule"], "ScheduleExpressionTimezone": c["timezone"], "RetryPolicy": retry}
        spec = event(x, edge.target, group, {"Type": "ScheduleV2", "Properties": props})
        x.meta_key[edge.source] = x.logical[edge.target] + next(
            k for k, v in x.props(edge.target)["Events"].items() if v is spec
        )
        x.links.dlq_users.setdefault(edge.source, []).append(props)
        return True
    if t not in ("lambda", *QUEUES, *TOPICS, *STATE_MACHINES, "eventbridge", "kinesis"):
        return False
    action = {"lambda": "lambda:InvokeFunction", "sqs": "sqs:SendMessage", "sqs-fifo": "sqs:SendMessage", "sns": "sns:Publish",
              "sns-fifo": "sns:Publish", "eventbridge": "events:PutEvents", "kinesis": "kinesis:PutRecord"}  # fmt: skip
    target: dict[str, Any] = {
        "Arn": x.arn(edge.target),
        "RoleArn": role(x, edge.source, "scheduler", [(action.get(t, "states:StartExecution"), edge.target)]),
        "RetryPolicy": retry,
    }
    if t == "sqs-fifo":
        target["SqsParameters"] = {"MessageGroupId": "schedule"}
    if t == "eventbridge":
        target["EventBridgeParameters"] = {"DetailType": "Scheduled", "Source": "archlab.scheduler"}
    if t == "kinesis":
        target["KinesisParameters"] = {"PartitionKey": "schedule"}
    props = {
        "GroupName": x.ref(edge.source),
        "ScheduleExpression": c["schedule"],
        "ScheduleExpressionTimezone": c["timezone"],
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": target,
    }
    x.add(x.aux(f"{group}{x.logical[edge.target]}"), "AWS::Scheduler::Schedule", props)
    x.links.dlq_users.setdefault(edge.source, []).append(target)
    return True


def _bucket_trigger(x: Exporter, edge: Edge) -> bool:
    bucket, target = edge.source, edge.target
    rules = [
        {"Name": k, "Value": v}
        for k, v in (_filter(edge) or {}).items()
        if k in ("prefix", "suffix") and isinstance(v, str)
    ]
    if x.type(target) == "lambda":
        props: dict[str, Any] = {"Bucket": x.ref(bucket), "Events": "s3:ObjectCreated:*"}
        if rules:
            props["Filter"] = {"S3Key": {"Rules": rules}}
        event(x, target, x.logical[bucket], {"Type": "S3", "Properties": props})
        return True
    key, field = ("QueueConfigurations", "Queue") if x.type(target) in QUEUES else ("TopicConfigurations", "Topic")
    item: dict[str, Any] = {"Event": "s3:ObjectCreated:*", field: x.arn(target)}
    if rules:
        item["Filter"] = {"S3Key": {"Rules": rules}}
    items = x.props(bucket).setdefault("NotificationConfiguration", {}).setdefault(key, [])
    if any(i.get(field) == item[field] for i in items):
        return False  # S3 takes one notification per target and event; a second filter stays in Metadata
    items.append(item)
    allow(x, target, "s3")
    depends = x.resources[x.logical[bucket]].setdefault("DependsOn", [])
    depends.append(resource_policy_name(x, target))
    return True
