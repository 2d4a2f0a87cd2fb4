"""Edges from event sources: SAM function and state machine ``Events``, event source mappings, SNS
subscriptions, EventBridge rules and schedules, queue redrive policies, Lambda destinations and function URLs.

Deliveries the target's resource policy must allow (a rule or subscription to a queue, a topic or a function, and
their dead-letter queues) carry ``permitted: false`` when the template grants the service nothing (``grants``).
"""

from __future__ import annotations

from typing import Any

from designer.domain.iac.builder import Builder
from designer.domain.iac.grants import Grants
from designer.domain.iac.import_apis import route_auth
from designer.domain.iac.import_nodes import number
from designer.domain.iac.template import Resource, json_object, mapping, text_of

__all__ = ["MATCH_ALL", "filter_criteria", "read_events"]

# The pattern the exporter writes for a rule that takes every event; read back as "no filter".
MATCH_ALL = {"source": [{"prefix": ""}]}
SUCCESS_KINDS = ("send", "publish", "invoke-async")
DESTINATION_TYPES = ("sqs", "sqs-fifo", "sns", "sns-fifo", "eventbridge", "lambda", "s3")
QUEUES = ("sqs", "sqs-fifo")
TOPICS = ("sns", "sns-fifo")
RULE_TARGETS = (
    "lambda",
    "sqs",
    "sqs-fifo",
    "sns",
    "sns-fifo",
    "sfn-standard",
    "sfn-express",
    "kinesis",
    "firehose",
    "eventbridge",
    "apigw-rest",
    "fargate",
)
# Targets a service can reach only when their resource policy allows it, by service type.
POLICY_TYPES = frozenset({"sqs", "sqs-fifo", "sns", "sns-fifo", "lambda"})


def read_events(b: Builder) -> None:
    tpl = b.tpl
    grants = Grants(tpl)
    for res in tpl.of_type("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        if res.logical in b.types:
            _events(b, res)
    for res in tpl.of_type("AWS::Serverless::Function", "AWS::Lambda::Function"):
        if res.logical in b.types:
            _destinations(b, res.logical, res.props.get("EventInvokeConfig"), res.logical)
            dlq = res.prop("DeadLetterQueue", "TargetArn") or res.prop("DeadLetterConfig", "TargetArn")
            b.connect(res.logical, b.resolve_one(dlq, ("sqs", "sns")), ["dead-letter"], via=res.logical)
    for res in tpl.of_type("AWS::Lambda::EventInvokeConfig"):
        fn = tpl.target(res.props.get("FunctionName")) or tpl.node_of(tpl.by_name(res.props.get("FunctionName")))
        if fn:
            b.set_config(fn, "retry_attempts", number(tpl.literal(res.props.get("MaximumRetryAttempts"))))
            b.set_config(fn, "max_event_age_s", number(tpl.literal(res.props.get("MaximumEventAgeInSeconds"))))
            _destinations(b, fn, res.props, res.logical)
    for res in tpl.of_type("AWS::Lambda::Url"):
        fn = tpl.target(res.props.get("TargetFunctionArn"))
        auth = res.props.get("AuthType")
        if fn and isinstance(auth, str):
            b.set_config(fn, "url_auth", "iam" if auth.upper() == "AWS_IAM" else "none", replace=True)
    for res in tpl.of_type("AWS::Lambda::EventSourceMapping"):
        _mapping(b, res)
    for res in tpl.of_type("AWS::SQS::Queue"):
        redrive = json_object(res.props.get("RedrivePolicy"))
        if redrive:
            b.connect(
                res.logical, b.resolve_one(redrive.get("deadLetterTargetArn"), QUEUES), ["dead-letter"], via=res.logical
            )
    for res in tpl.of_type("AWS::SNS::Topic"):
        for sub in res.props.get("Subscription") or []:
            if isinstance(sub, dict):
                _subscription(b, grants, res.logical, sub, res.logical)
    for res in tpl.of_type("AWS::SNS::Subscription"):
        topic = b.resolve_one(res.props.get("TopicArn"), TOPICS)
        _subscription(b, grants, topic, res.props, res.logical)
    for res in tpl.of_type("AWS::Events::Rule"):
        _rule(b, grants, res)
    for res in tpl.of_type("AWS::Scheduler::Schedule"):
        _schedule(b, res)


def _permitted(b: Builder, grants: Grants, target: str | None, service: str) -> bool | None:
    """False when ``target`` is a queue, topic or function of this template whose policy does not let
    ``service`` deliver; None otherwise (allowed, or not the template's to say)."""
    if target is None or b.types.get(target) not in POLICY_TYPES:
        return None
    allowed = grants.allows(target, service)
    return False if allowed is False else None


def _poll_attrs(b: Builder, props: dict[str, Any]) -> dict[str, Any]:
    lit = b.tpl.literal
    types = props.get("FunctionResponseTypes")
    scaling = mapping(props.get("ScalingConfig"))
    bisect = lit(props.get("BisectBatchOnFunctionError"))
    return {
        "batch_size": number(lit(props.get("BatchSize"))),
        "batching_window_s": number(lit(props.get("MaximumBatchingWindowInSeconds"))),
        "max_concurrency": number(lit(scaling.get("MaximumConcurrency"))),
        "report_batch_item_failures": True if isinstance(types, list) and "ReportBatchItemFailures" in types else None,
        "filter": filter_criteria(props.get("FilterCriteria")),
        "max_retry_attempts": number(lit(props.get("MaximumRetryAttempts"))),
        "max_record_age_s": number(lit(props.get("MaximumRecordAgeInSeconds"))),
        "bisect_on_error": bisect if isinstance(bisect, bool) else None,
    }


def filter_criteria(criteria: Any) -> dict[str, Any] | None:
    """The event filter of a mapping or pipe as one object (several patterns become ``{"any_of": [...]}``)."""
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    patterns = []
    for item in filters if isinstance(filters, list) else []:
        pattern = item.get("Pattern") if isinstance(item, dict) else None
        parsed = json_object(pattern)
        if parsed is not None:
            patterns.append(parsed)
    if not patterns:
        return None
    return patterns[0] if len(patterns) == 1 else {"any_of": patterns}


def _shared(b: Builder, base: str, type_id: str, origin: str) -> str:
    """One implicit node per template for SAM's implicit APIs."""
    for logical, how in b.origin.items():
        if how == origin:
            return logical
    return b.implicit(base, type_id, origin)


def _events(b: Builder, res: Resource) -> None:
    me = res.logical
    events = res.props.get("Events")
    for name, event in (events or {}).items() if isinstance(events, dict) else ():
        if not isinstance(event, dict):
            continue
        etype, p = event.get("Type"), event.get("Properties") or {}
        if not isinstance(p, dict):
            continue
        if etype in ("Api", "HttpApi"):
            _api_event(b, me, str(etype), p)
        elif etype in ("SQS", "Kinesis", "DynamoDB"):
            types = {"SQS": QUEUES, "Kinesis": ("kinesis",), "DynamoDB": ("dynamodb",)}[str(etype)]
            source = b.resolve_one(p.get("Queue") if etype == "SQS" else p.get("Stream"), types)
            if etype == "DynamoDB":
                b.set_config(source, "stream", True, replace=True)
            b.connect(source, me, ["poll"], via=me, attrs=_poll_attrs(b, p))
            failure = mapping(mapping(p.get("DestinationConfig")).get("OnFailure"))
            b.connect(me, b.resolve_one(failure.get("Destination"), DESTINATION_TYPES), ["dead-letter"], via=me)
        elif etype == "SNS":
            topic = b.resolve_one(p.get("Topic"), TOPICS)
            attrs = {"filter": json_object(p.get("FilterPolicy"))}
            if p.get("SqsSubscription"):  # SAM puts a queue of its own between the topic and the function
                b.note(me, f"event {str(name)[:60]}: SAM adds an SQS queue between the topic and the function")
            b.connect(topic, me, ["subscribe"], via=me, attrs=attrs)
            redrive = json_object(p.get("RedrivePolicy"))
            if redrive:
                b.connect(topic, b.resolve_one(redrive.get("deadLetterTargetArn"), QUEUES), ["dead-letter"], via=me)
        elif etype in ("EventBridgeRule", "CloudWatchEvent"):
            _bus_event(b, me, p)
        elif etype in ("Schedule", "ScheduleV2"):
            _schedule_event(b, me, str(name), p, etype)
        elif etype == "S3":
            bucket = b.resolve_one(p.get("Bucket"), ("s3",))
            trigger = {"filter": _s3_filter(p.get("Filter")), "events": _events_list(p.get("Events"))}
            b.connect(bucket, me, ["trigger"], via=me, attrs=trigger)
        elif etype == "Cognito":
            b.connect(b.tpl.target(p.get("UserPool")), me, ["invoke-sync"], via=me)
        else:
            b.note(me, f"event {str(name)[:60]} of type {str(etype)[:40]} has no counterpart in the catalog; left out")


def _api_event(b: Builder, me: str, etype: str, p: dict[str, Any]) -> None:
    tpl = b.tpl
    if etype == "Api":
        api = tpl.target(p.get("RestApiId")) or _shared(b, "ServerlessRestApi", "apigw-rest", "SAM's implicit REST API")
        label = f"{str(p.get('Method', 'ANY')).upper()} {p.get('Path', '/')}"
    else:
        api = tpl.target(p.get("ApiId")) or _shared(b, "ServerlessHttpApi", "apigw-http", "SAM's implicit HTTP API")
        label = f"{str(p.get('Method', 'ANY')).upper()} {p['Path']}" if "Path" in p else "$default"
    kinds = ["route"] if b.types[me] == "lambda" else ["invoke-async", "invoke-sync"]
    b.connect(api, me, kinds, via=me, label=label, attrs={"auth": route_auth(b, api, p.get("Auth"))})


def _events_list(value: Any) -> list[str] | None:
    items = value if isinstance(value, list) else [value]
    found = [str(v)[:60] for v in items if isinstance(v, str)]
    return found or None


def _bus_event(b: Builder, me: str, p: dict[str, Any]) -> None:
    bus = _bus(b, p.get("EventBusName"))
    if bus is None:
        b.note(me, "the event bus of an EventBridge rule event is not in this template; left out")
        return
    pattern = json_object(p.get("Pattern"))
    b.connect(bus, me, ["subscribe"], via=me, attrs={"filter": None if pattern == MATCH_ALL else pattern})
    dlq = mapping(p.get("DeadLetterConfig"))
    if dlq:
        b.connect(bus, b.resolve_one(dlq.get("Arn"), QUEUES), ["dead-letter"], via=me)


def _bus(b: Builder, ref: Any) -> str | None:
    """The bus a rule listens to: a bus of the template, the account's default bus, or one of another stack."""
    tpl = b.tpl
    literal = tpl.literal(ref)
    if ref is None or literal == "default":
        return tpl.default_bus_id()
    found = tpl.target(ref) or tpl.by_name(literal) or b.resolve_one(ref, ("eventbridge",))
    if found is None and isinstance(literal, str) and literal and not literal.startswith("arn:"):
        found = b.node_for(tpl.external_name(literal), ("eventbridge",))  # another stack's bus, by its name
    return found


def _schedule_event(b: Builder, me: str, name: str, p: dict[str, Any], etype: str) -> None:
    lit = b.tpl.literal
    config = {
        "schedule": text_of(lit(p.get("ScheduleExpression") if etype == "ScheduleV2" else p.get("Schedule"))),
        "timezone": text_of(lit(p.get("ScheduleExpressionTimezone"))),
        "retry_attempts": number(lit(mapping(p.get("RetryPolicy")).get("MaximumRetryAttempts"))),
    }
    # SAM names the schedule it generates <function><event>.
    schedule = b.implicit(f"{me}{name}", "eventbridge-scheduler", f"schedule event of {me}")
    b.config[schedule] = {k: v for k, v in config.items() if v is not None}
    b.connect(schedule, me, ["trigger"], via=me)
    dlq = mapping(p.get("DeadLetterConfig"))
    if dlq:
        b.connect(schedule, b.resolve_one(dlq.get("Arn"), QUEUES), ["dead-letter"], via=me)


def _s3_filter(value: Any) -> dict[str, Any] | None:
    rules = mapping(mapping(value).get("S3Key")).get("Rules")
    out = {}
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
            out[str(rule["Name"]).lower()] = rule.get("Value")
    return out or None


def _destinations(b: Builder, fn: str, config: Any, via: str) -> None:
    destinations = mapping(config).get("DestinationConfig")
    if not isinstance(destinations, dict):
        return
    failure, success = destinations.get("OnFailure"), destinations.get("OnSuccess")
    if isinstance(failure, dict):
        target = b.resolve_one(failure.get("Destination"), DESTINATION_TYPES)
        if target is None and failure.get("Type"):
            b.note(via, "the on-failure destination is created by SAM without a resource of its own; left out")
        b.connect(fn, target, ["dead-letter"], via=via)
    if isinstance(success, dict):
        b.connect(fn, b.resolve_one(success.get("Destination"), DESTINATION_TYPES), SUCCESS_KINDS, via=via)


def _mapping(b: Builder, res: Resource) -> None:
    tpl = b.tpl
    fn_ref = res.props.get("FunctionName")
    fn = tpl.target(fn_ref) or tpl.node_of(tpl.by_name(tpl.literal(fn_ref)))
    source = b.resolve_one(res.props.get("EventSourceArn"), (*QUEUES, "kinesis", "dynamodb"))
    if source is None:
        b.note(
            res.logical, "the event source is not a resource of this template (Kafka, MQ or another stack); left out"
        )
        return
    if b.types.get(source) == "dynamodb":
        b.set_config(source, "stream", True, replace=True)
    b.connect(source, fn, ["poll"], via=res.logical, attrs=_poll_attrs(b, res.props))
    failure = res.prop("DestinationConfig", "OnFailure", "Destination")
    b.connect(fn, b.resolve_one(failure, DESTINATION_TYPES), ["dead-letter"], via=res.logical)


PROTOCOL_TYPES = {
    "sqs": QUEUES,
    "lambda": ("lambda",),
    "firehose": ("firehose",),
    "https": ("external-api",),
    "http": ("external-api",),
}


def _subscription(b: Builder, grants: Grants, topic: str | None, props: dict[str, Any], via: str) -> None:
    protocol = str(props.get("Protocol", "")).lower()
    endpoint = props.get("Endpoint")
    target = b.resolve_one(endpoint, PROTOCOL_TYPES.get(protocol, ()))
    literal = text_of(b.tpl.literal(endpoint))
    if target is None and protocol in ("http", "https") and literal:
        host = literal.split("//")[-1].split("/")[0][:60] or "endpoint"
        target = _shared(b, host, "external-api", f"HTTPS endpoint {host}")
        b.labels[target] = host
    if target is None:
        b.note(
            via,
            f"a {protocol or 'subscription'} endpoint is outside the catalog (email, SMS or another account); left out",
        )
        return
    attrs = {"filter": json_object(props.get("FilterPolicy")), "permitted": _permitted(b, grants, target, "sns")}
    b.connect(topic, target, ["subscribe"], via=via, attrs=attrs, distinct=True)
    redrive = json_object(props.get("RedrivePolicy"))
    if redrive:
        dlq = b.resolve_one(redrive.get("deadLetterTargetArn"), QUEUES)
        b.connect(topic, dlq, ["dead-letter"], via=via, attrs={"permitted": _permitted(b, grants, dlq, "sns")})


def _rule(b: Builder, grants: Grants, res: Resource) -> None:
    props = res.props
    if res.logical in b.types:  # a schedule rule
        source, kinds = res.logical, ["trigger"]
        attrs: dict[str, Any] = {}
    else:
        found = _bus(b, props.get("EventBusName"))
        if found is None:
            b.note(res.logical, "the rule's event bus is not in this template; left out")
            return
        source, kinds = found, ["subscribe"]
        pattern = json_object(props.get("EventPattern"))
        attrs = {"filter": None if pattern == MATCH_ALL else pattern}
    for target in props.get("Targets") or []:
        if not isinstance(target, dict):
            continue
        node = b.resolve_one(target.get("Arn"), RULE_TARGETS)
        if node is None:
            b.note(res.logical, f"target {str(target.get('Id', ''))[:60]} is not a resource of this template; left out")
            continue
        attrs["permitted"] = _permitted(b, grants, node, "events")
        b.connect(source, node, kinds, via=res.logical, attrs=dict(attrs), distinct=kinds == ["subscribe"])
        dlq = mapping(target.get("DeadLetterConfig"))
        if dlq:
            queue = b.resolve_one(dlq.get("Arn"), QUEUES)
            b.connect(
                source,
                queue,
                ["dead-letter"],
                via=res.logical,
                attrs={"permitted": _permitted(b, grants, queue, "events")},
            )


def _schedule(b: Builder, res: Resource) -> None:
    tpl = b.tpl
    source = tpl.node_of(res.logical)
    target = res.props.get("Target")
    if source is None or not isinstance(target, dict):
        return
    node = b.resolve_one(target.get("Arn"), RULE_TARGETS)
    if node is None and str(target.get("Arn", "")).startswith("arn:aws:scheduler:::aws-sdk:"):
        node = tpl.target(target.get("Input"))
    if node is None:
        b.note(res.logical, "the schedule's target is not a resource of this template; left out")
        return
    b.connect(source, node, ["trigger"], via=res.logical)
    dlq = mapping(target.get("DeadLetterConfig"))
    if dlq:
        b.connect(source, b.resolve_one(dlq.get("Arn"), QUEUES), ["dead-letter"], via=res.logical)
