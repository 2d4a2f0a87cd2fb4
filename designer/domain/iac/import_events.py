"""Edges from event sources: SAM function and state machine ``Events``, event source mappings, SNS
subscriptions, EventBridge rules and schedules, queue redrive policies and Lambda destinations."""

from __future__ import annotations

from typing import Any

from designer.domain.iac.builder import Builder
from designer.domain.iac.import_nodes import number
from designer.domain.iac.template import Resource, json_object, text_of

__all__ = ["MATCH_ALL", "read_events"]

# The pattern the exporter writes for a rule that takes every event; read back as "no filter".
MATCH_ALL = {"source": [{"prefix": ""}]}
SUCCESS_KINDS = ("send", "publish", "invoke-async")


def read_events(b: Builder) -> None:
    tpl = b.tpl
    for res in tpl.of_type("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        if res.logical in b.types:
            _events(b, res)
    for res in tpl.of_type("AWS::Serverless::Function", "AWS::Lambda::Function"):
        if res.logical in b.types:
            _destinations(b, res.logical, res.props.get("EventInvokeConfig"), res.logical)
            dlq = res.prop("DeadLetterQueue", "TargetArn") or res.prop("DeadLetterConfig", "TargetArn")
            b.connect(res.logical, tpl.target(dlq), ["dead-letter"], via=res.logical)
    for res in tpl.of_type("AWS::Lambda::EventInvokeConfig"):
        fn = tpl.target(res.props.get("FunctionName")) or tpl.node_of(tpl.by_name(res.props.get("FunctionName")))
        if fn:
            b.set_config(fn, "retry_attempts", number(res.props.get("MaximumRetryAttempts")))
            b.set_config(fn, "max_event_age_s", number(res.props.get("MaximumEventAgeInSeconds")))
            _destinations(b, fn, res.props, res.logical)
    for res in tpl.of_type("AWS::Lambda::EventSourceMapping"):
        _mapping(b, res)
    for res in tpl.of_type("AWS::SQS::Queue"):
        redrive = res.props.get("RedrivePolicy")
        if isinstance(redrive, dict):
            b.connect(res.logical, tpl.target(redrive.get("deadLetterTargetArn")), ["dead-letter"], via=res.logical)
    for res in tpl.of_type("AWS::SNS::Topic"):
        for sub in res.props.get("Subscription") or []:
            if isinstance(sub, dict):
                _subscription(b, res.logical, sub, res.logical)
    for res in tpl.of_type("AWS::SNS::Subscription"):
        _subscription(b, tpl.target(res.props.get("TopicArn")), res.props, res.logical)
    for res in tpl.of_type("AWS::Events::Rule"):
        _rule(b, res)
    for res in tpl.of_type("AWS::Scheduler::Schedule"):
        _schedule(b, res)


def _poll_attrs(props: dict[str, Any]) -> dict[str, Any]:
    types = props.get("FunctionResponseTypes")
    return {
        "batch_size": number(props.get("BatchSize")),
        "batching_window_s": number(props.get("MaximumBatchingWindowInSeconds")),
        "max_concurrency": number((props.get("ScalingConfig") or {}).get("MaximumConcurrency"))
        if isinstance(props.get("ScalingConfig"), dict)
        else None,
        "report_batch_item_failures": True if isinstance(types, list) and "ReportBatchItemFailures" in types else None,
        "filter": filter_criteria(props.get("FilterCriteria")),
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
    tpl, me = b.tpl, res.logical
    events = res.props.get("Events")
    for name, event in (events or {}).items() if isinstance(events, dict) else ():
        if not isinstance(event, dict):
            continue
        etype, p = event.get("Type"), event.get("Properties") or {}
        if not isinstance(p, dict):
            continue
        if etype == "Api":
            api = tpl.target(p.get("RestApiId")) or _shared(
                b, "ServerlessRestApi", "apigw-rest", "SAM's implicit REST API"
            )
            label = f"{str(p.get('Method', 'ANY')).upper()} {p.get('Path', '/')}"
            kinds = ["route"] if b.types[me] == "lambda" else ["invoke-async", "invoke-sync"]
            b.connect(api, me, kinds, via=me, label=label)
        elif etype == "HttpApi":
            api = tpl.target(p.get("ApiId")) or _shared(b, "ServerlessHttpApi", "apigw-http", "SAM's implicit HTTP API")
            label = f"{str(p.get('Method', 'ANY')).upper()} {p['Path']}" if "Path" in p else "$default"
            b.connect(api, me, ["route"], via=me, label=label)
        elif etype in ("SQS", "Kinesis", "DynamoDB"):
            source = tpl.target(p.get("Queue") if etype == "SQS" else p.get("Stream"))
            if etype == "DynamoDB":
                b.set_config(source, "stream", True, replace=True)
            b.connect(source, me, ["poll"], via=me, attrs=_poll_attrs(p))
            failure = (
                p.get("DestinationConfig", {}).get("OnFailure", {})
                if isinstance(p.get("DestinationConfig"), dict)
                else {}
            )
            if isinstance(failure, dict):
                b.connect(me, tpl.target(failure.get("Destination")), ["dead-letter"], via=me)
        elif etype == "SNS":
            topic = tpl.target(p.get("Topic"))
            b.connect(topic, me, ["subscribe"], via=me, attrs={"filter": json_object(p.get("FilterPolicy"))})
            redrive = p.get("RedrivePolicy")
            if isinstance(redrive, dict):
                b.connect(topic, tpl.target(redrive.get("deadLetterTargetArn")), ["dead-letter"], via=me)
        elif etype in ("EventBridgeRule", "CloudWatchEvent"):
            _bus_event(b, me, p)
        elif etype in ("Schedule", "ScheduleV2"):
            _schedule_event(b, me, str(name), p, etype)
        elif etype == "S3":
            b.connect(
                tpl.target(p.get("Bucket")), me, ["trigger"], via=me, attrs={"filter": _s3_filter(p.get("Filter"))}
            )
        elif etype == "Cognito":
            b.connect(tpl.target(p.get("UserPool")), me, ["invoke-sync"], via=me)
        else:
            b.note(me, f"event {str(name)[:60]} of type {str(etype)[:40]} has no counterpart in the catalog; left out")


def _bus_event(b: Builder, me: str, p: dict[str, Any]) -> None:
    tpl = b.tpl
    bus_ref = p.get("EventBusName")
    bus = (tpl.target(bus_ref) or tpl.by_name(bus_ref)) if bus_ref is not None else tpl.default_bus_id()
    if bus is None:
        b.note(me, "the event bus of an EventBridge rule event is not in this template; left out")
        return
    pattern = json_object(p.get("Pattern"))
    b.connect(bus, me, ["subscribe"], via=me, attrs={"filter": None if pattern == MATCH_ALL else pattern})
    dlq = p.get("DeadLetterConfig")
    if isinstance(dlq, dict):
        b.connect(bus, tpl.target(dlq.get("Arn")), ["dead-letter"], via=me)


def _schedule_event(b: Builder, me: str, name: str, p: dict[str, Any], etype: str) -> None:
    config = {
        "schedule": text_of(p.get("ScheduleExpression") if etype == "ScheduleV2" else p.get("Schedule")),
        "timezone": text_of(p.get("ScheduleExpressionTimezone")),
        "retry_attempts": number((p.get("RetryPolicy") or {}).get("MaximumRetryAttempts"))
        if isinstance(p.get("RetryPolicy"), dict)
        else None,
    }
    # SAM names the schedule it generates <function><event>.
    schedule = b.implicit(f"{me}{name}", "eventbridge-scheduler", f"schedule event of {me}")
    b.config[schedule] = {k: v for k, v in config.items() if v is not None}
    b.connect(schedule, me, ["trigger"], via=me)
    dlq = p.get("DeadLetterConfig")
    if isinstance(dlq, dict):
        b.connect(schedule, b.tpl.target(dlq.get("Arn")), ["dead-letter"], via=me)


def _s3_filter(value: Any) -> dict[str, Any] | None:
    rules = (
        value.get("S3Key", {}).get("Rules")
        if isinstance(value, dict) and isinstance(value.get("S3Key"), dict)
        else None
    )
    out = {}
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
            out[str(rule["Name"]).lower()] = rule.get("Value")
    return out or None


def _destinations(b: Builder, fn: str, config: Any, via: str) -> None:
    destinations = config.get("DestinationConfig") if isinstance(config, dict) else None
    if not isinstance(destinations, dict):
        return
    failure, success = destinations.get("OnFailure"), destinations.get("OnSuccess")
    if isinstance(failure, dict):
        target = b.tpl.target(failure.get("Destination"))
        if target is None and failure.get("Type"):
            b.note(via, "the on-failure destination is created by SAM without a resource of its own; left out")
        b.connect(fn, target, ["dead-letter"], via=via)
    if isinstance(success, dict):
        b.connect(fn, b.tpl.target(success.get("Destination")), SUCCESS_KINDS, via=via)


def _mapping(b: Builder, res: Resource) -> None:
    tpl = b.tpl
    fn_ref = res.props.get("FunctionName")
    fn = tpl.target(fn_ref) or tpl.node_of(tpl.by_name(fn_ref))
    source = tpl.target(res.props.get("EventSourceArn"))
    if source is None:
        b.note(
            res.logical, "the event source is not a resource of this template (Kafka, MQ or another stack); left out"
        )
        return
    if b.types.get(source or "") == "dynamodb":
        b.set_config(source, "stream", True, replace=True)
    b.connect(source, fn, ["poll"], via=res.logical, attrs=_poll_attrs(res.props))
    failure = res.prop("DestinationConfig", "OnFailure", "Destination")
    b.connect(fn, tpl.target(failure), ["dead-letter"], via=res.logical)


def _subscription(b: Builder, topic: str | None, props: dict[str, Any], via: str) -> None:
    tpl = b.tpl
    protocol = str(props.get("Protocol", "")).lower()
    endpoint = props.get("Endpoint")
    target = tpl.target(endpoint)
    if target is None and protocol in ("http", "https") and text_of(endpoint):
        host = str(endpoint).split("//")[-1].split("/")[0][:60] or "endpoint"
        target = _shared(b, f"{via}Endpoint", "external-api", f"HTTPS endpoint {host}")
    if target is None:
        b.note(
            via,
            f"a {protocol or 'subscription'} endpoint is outside the catalog (email, SMS or another account); left out",
        )
        return
    b.connect(topic, target, ["subscribe"], via=via, attrs={"filter": json_object(props.get("FilterPolicy"))})
    redrive = json_object(props.get("RedrivePolicy"))
    if redrive:
        b.connect(topic, tpl.target(redrive.get("deadLetterTargetArn")), ["dead-letter"], via=via)


def _rule(b: Builder, res: Resource) -> None:
    tpl, props = b.tpl, res.props
    if res.logical in b.types:  # a schedule rule
        source, kinds = res.logical, ["trigger"]
        attrs: dict[str, Any] = {}
    else:
        bus_ref = props.get("EventBusName")
        found = (tpl.target(bus_ref) or tpl.by_name(bus_ref)) if bus_ref is not None else tpl.default_bus_id()
        if found is None:
            b.note(res.logical, "the rule's event bus is not in this template; left out")
            return
        source, kinds = found, ["subscribe"]
        pattern = json_object(props.get("EventPattern"))
        attrs = {"filter": None if pattern == MATCH_ALL else pattern}
    if source is None:
        b.note(res.logical, "the rule's event bus is not in this template; left out")
        return
    for target in props.get("Targets") or []:
        if not isinstance(target, dict):
            continue
        node = tpl.target(target.get("Arn"))
        if node is None:
            b.note(res.logical, f"target {str(target.get('Id', ''))[:60]} is not a resource of this template; left out")
            continue
        b.connect(source, node, kinds, via=res.logical, attrs=attrs)
        dlq = target.get("DeadLetterConfig")
        if isinstance(dlq, dict):
            b.connect(source, tpl.target(dlq.get("Arn")), ["dead-letter"], via=res.logical)


def _schedule(b: Builder, res: Resource) -> None:
    tpl = b.tpl
    source = tpl.node_of(res.logical)
    target = res.props.get("Target")
    if source is None or not isinstance(target, dict):
        return
    node = tpl.target(target.get("Arn"))
    if node is None and str(target.get("Arn", "")).startswith("arn:aws:scheduler:::aws-sdk:"):
        node = tpl.target(target.get("Input"))
    if node is None:
        b.note(res.logical, "the schedule's target is not a resource of this template; left out")
        return
    b.connect(source, node, ["trigger"], via=res.logical)
    dlq = target.get("DeadLetterConfig")
    if isinstance(dlq, dict):
        b.connect(source, tpl.target(dlq.get("Arn")), ["dead-letter"], via=res.logical)
