"""Edges into template structure: event sources, subscriptions, rules, schedules, redrive policies, destinations,
least-privilege permissions and environment variables. API integrations and Task states have modules of their
own; an edge no renderer takes goes to ``Metadata`` (``Exporter.to_metadata``).
"""

from __future__ import annotations

from collections.abc import Callable

from designer.domain.diagram import Edge
from designer.domain.iac import export_apis, export_flows
from designer.domain.iac.export_events import POLL_EVENTS, allow, event, poll, subscribe, trigger
from designer.domain.iac.export_flows import grant
from designer.domain.iac.exporter import Exporter

__all__ = ["render_edges"]

QUEUES, TOPICS = ("sqs", "sqs-fifo"), ("sns", "sns-fifo")
STATE_MACHINES = ("sfn-standard", "sfn-express")
DESTINATION_TYPES = {"sqs": "SQS", "sns": "SNS", "eventbridge": "EventBridge", "lambda": "Lambda", "s3": "S3Bucket"}
COGNITO_TRIGGERS = ("PreSignUp", "PostConfirmation", "PreAuthentication", "PostAuthentication", "PreTokenGeneration")
# What a function's send/publish/read/write edge asks of its target; export_flows.policy() writes the policy.
ACCESS_OF_KIND = {"send": "send", "publish": "publish", "read": "read", "write": "write"}

Renderer = Callable[[Exporter, Edge], bool]


def render_edges(x: Exporter) -> None:
    # Event sources, routes and subscriptions first, what functions call last: where both directions would be
    # a circular dependency, the permission is the one that moves to Metadata.
    callers = [e for e in x.d.edges if x.type(e.source) in ("lambda", "fargate")]
    done: set[tuple[str, str, str]] = set()
    for edge in [e for e in x.d.edges if x.type(e.source) not in ("lambda", "fargate")] + callers:
        source_ok = edge.source in x.rendered
        if edge.kind in ("task", "compensate") and source_ok:
            x.links.steps.setdefault(edge.source, []).append(edge)  # unrendered targets get a Pass state
            continue
        if (edge.source, edge.target, edge.kind) in done:
            continue  # the same connection twice is one subscription, mapping or permission
        done.add((edge.source, edge.target, edge.kind))
        render = _renderer(x, edge) if source_ok and edge.target in x.rendered and edge.source != edge.target else None
        if render is None or not render(x, edge):
            x.to_metadata(edge)
    export_flows.finish(x)
    export_apis.finish(x)
    _finish_failures(x)
    _finish_dead_letters(x)
    _finish_access(x)


def _renderer(x: Exporter, edge: Edge) -> Renderer | None:
    s, t, kind = x.type(edge.source), x.type(edge.target), edge.kind
    if (
        kind in ("route", "authorize", "invoke-sync", "invoke-async", "send", "publish", "read", "write")
        and s in export_apis.API_TYPES
    ):
        return export_apis.render
    if s == "cloudfront":
        return export_apis.render
    if kind == "poll":
        return poll if t == "lambda" and s in POLL_EVENTS else (_hose_source if t == "firehose" else None)
    if kind == "subscribe":
        return subscribe
    if kind == "trigger":
        return trigger
    if kind == "dead-letter":
        return _dead_letter
    if s == "lambda" and kind in ("send", "publish", "read", "write", "invoke-sync", "invoke-async"):
        return _access
    if s == "dynamodb" and kind == "publish":
        return _table_stream
    if s == "s3" and kind == "publish":
        return _bucket_to_bus
    if s == "cognito" and kind == "invoke-sync":
        return _cognito_trigger
    if s == "firehose":
        return _hose_sink
    return None


def _dead_letter(x: Exporter, edge: Edge) -> bool:
    s = x.type(edge.source)
    if s in QUEUES:
        props = x.props(edge.source)
        if "RedrivePolicy" in props or not x.depend(edge.source, edge.target):
            return False
        props["RedrivePolicy"] = {
            "deadLetterTargetArn": x.arn(edge.target),
            "maxReceiveCount": x.node(edge.source).config["max_receive_count"],
        }
        return True
    if s == "lambda":
        x.links.failures.setdefault(edge.source, []).append(edge)
        return True
    if edge.source in x.links.dlq:
        return False
    x.links.dlq[edge.source] = edge.target
    return True  # applied to the subscriptions, rule targets or schedules it has, or to Metadata at the end


def _access(x: Exporter, edge: Edge) -> bool:
    t = x.type(edge.target)
    kind = edge.kind
    if not x.depend(edge.source, edge.target):
        return False
    if kind in ("read", "write") and t not in ("dynamodb", "s3"):
        export_flows.environment(x, edge.source, edge.target)
        return False  # databases, caches and search: no IAM policy says read or write
    if t in STATE_MACHINES and edge.attr("callback"):
        grant(x, edge.source, edge.target, "callback")  # the token says which execution: no variable names it
        return True
    if t in STATE_MACHINES:
        access = "start-sync" if kind == "invoke-sync" and t == "sfn-express" else "start"
    elif t == "lambda":
        access = "invoke"
        if kind == "invoke-async" or any(
            e.kind == "invoke-async" for e in x.d.outgoing(edge.source) if e.target == edge.target
        ):
            x.to_metadata(edge)  # the policy does not say which; Metadata keeps the kind
    elif kind.startswith("invoke"):
        access = "manage"
    else:
        access = ACCESS_OF_KIND[kind]
        if any(e.target == edge.target for e in x.d.outgoing(edge.source, "dead-letter")):
            x.to_metadata(edge)  # read back as the permission its on-failure destination needs
    grant(x, edge.source, edge.target, access)
    export_flows.environment(x, edge.source, edge.target)
    return True


def _table_stream(x: Exporter, edge: Edge) -> bool:
    props = x.props(edge.source)
    if (
        x.type(edge.target) != "kinesis"
        or "KinesisStreamSpecification" in props
        or not x.depend(edge.source, edge.target)
    ):
        return False
    props["KinesisStreamSpecification"] = {"StreamArn": x.arn(edge.target)}
    return True


def _bucket_to_bus(x: Exporter, edge: Edge) -> bool:
    if not x.is_default_bus(edge.target):
        return False  # S3 sends its events to the default bus only
    x.props(edge.source).setdefault("NotificationConfiguration", {})["EventBridgeConfiguration"] = {
        "EventBridgeEnabled": True
    }
    return True


def _cognito_trigger(x: Exporter, edge: Edge) -> bool:
    if x.type(edge.target) != "lambda":
        return False
    used = [e.id for e in x.d.outgoing(edge.source, "invoke-sync")].index(edge.id)
    if used >= len(COGNITO_TRIGGERS) or not x.depend(edge.source, edge.target):
        return False
    props = {"UserPool": x.ref(edge.source), "Trigger": COGNITO_TRIGGERS[used]}
    event(x, edge.target, x.logical[edge.source], {"Type": "Cognito", "Properties": props})
    return True


def _hose_source(x: Exporter, edge: Edge) -> bool:
    hose = x.links.hoses.setdefault(edge.target, {"source": [], "sinks": [], "processors": []})
    if x.type(edge.source) != "kinesis" or hose["source"] or not x.depend(edge.target, edge.source):
        return False
    hose["source"].append(edge)
    return True


def _hose_sink(x: Exporter, edge: Edge) -> bool:
    hose = x.links.hoses.setdefault(edge.source, {"source": [], "sinks": [], "processors": []})
    t = x.type(edge.target)
    if not x.depend(edge.source, edge.target):
        return False
    if edge.kind == "write" and (
        t == "s3" or (t == "opensearch" and x.node(edge.target).config["mode"] == "serverless")
    ):
        hose["sinks"].append(edge)
        return True
    if edge.kind == "invoke-sync" and t == "lambda":
        hose["processors"].append(edge)
        return True
    return False


# ------------------------------------------------------------------------------------------------ finishing


def _finish_failures(x: Exporter) -> None:
    """A function's dead-letter edges: its stream events' on-failure destination, its asynchronous
    on-failure destination, then its DeadLetterQueue; any more go to Metadata."""
    for fn, edges in x.links.failures.items():
        props = x.props(fn)
        placed_async = placed_dlq = False
        for edge in edges:
            t = x.type(edge.target)
            streams = x.links.dlq_users.get(f"stream:{fn}", [])
            if streams and t in ("sqs", "sns") and all("DestinationConfig" not in p for p in streams):
                for spec in streams:
                    spec["DestinationConfig"] = {
                        "OnFailure": {"Type": DESTINATION_TYPES[t], "Destination": x.arn(edge.target)}
                    }
            elif not x.depend(fn, edge.target):
                x.to_metadata(edge)
            elif not placed_async and t in DESTINATION_TYPES:
                config = props.setdefault("EventInvokeConfig", {})
                config["DestinationConfig"] = {
                    "OnFailure": {"Type": DESTINATION_TYPES[t], "Destination": x.arn(edge.target)}
                }
                placed_async = True
            elif not placed_dlq and t in ("sqs", "sns"):
                props["DeadLetterQueue"] = {"Type": DESTINATION_TYPES[t], "TargetArn": x.arn(edge.target)}
                placed_dlq = True
            else:
                x.to_metadata(edge)


def _finish_dead_letters(x: Exporter) -> None:
    for owner, dlq in x.links.dlq.items():
        users = x.links.dlq_users.get(owner, [])
        edge = next(e for e in x.d.outgoing(owner, "dead-letter") if e.target == dlq)
        if not users:
            x.to_metadata(edge)
            continue
        for spec in users:
            if "TopicArn" in spec or "Topic" in spec:  # an SNS subscription or SNS event
                spec["RedrivePolicy"] = {"deadLetterTargetArn": x.arn(dlq)}
            else:
                spec["DeadLetterConfig"] = {"Arn": x.arn(dlq)}
        service = {"sns": "sns", "sns-fifo": "sns", "eventbridge": "events"}.get(x.type(owner))
        if service:
            allow(x, dlq, service)


def _finish_access(x: Exporter) -> None:
    for principal, targets in x.links.access.items():
        policies = x.props(principal).setdefault("Policies", [])
        for target, accesses in targets.items():
            policies.extend(export_flows.policy(x, principal, target, accesses))
    for target, statements in x.links.resource_policies.items():
        name = export_flows.resource_policy_name(x, target)
        document = {"Version": "2012-10-17", "Statement": statements}
        if x.type(target) in QUEUES:
            x.add(name, "AWS::SQS::QueuePolicy", {"Queues": [x.ref(target)], "PolicyDocument": document})
        else:
            x.add(name, "AWS::SNS::TopicPolicy", {"Topics": [x.ref(target)], "PolicyDocument": document})
    for fn, variables in x.links.env.items():
        x.props(fn).setdefault("Environment", {})["Variables"] = variables
