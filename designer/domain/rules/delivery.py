"""Rules about how messages reach their consumers: permissions, filters, duplicates, retries and poison records."""

from __future__ import annotations

from collections.abc import Iterator

from designer.domain.context import Context
from designer.domain.diagram import Edge
from designer.domain.rules.registry import Hit, RuleSpec, rule

STREAM_TYPES = ("kinesis", "dynamodb")
SERVICE_OF = {
    "eventbridge": "EventBridge",
    "sns": "SNS",
    "sns-fifo": "SNS",
    "s3": "S3",
    "eventbridge-scheduler": "EventBridge Scheduler",
}
PERMISSION_OF = {
    "sqs": "an SQS queue policy",
    "sqs-fifo": "an SQS queue policy",
    "sns": "an SNS topic policy",
    "sns-fifo": "an SNS topic policy",
    "lambda": "a Lambda permission",
}
REMOVALS = ("s3:*", "s3:objectremoved")


@rule("delivery-not-permitted")
def delivery_not_permitted(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for edge in ctx.diagram.edges:
        if edge.attr("permitted") is not False:
            continue
        source, target = ctx.diagram.node(edge.source), ctx.diagram.node(edge.target)
        service = SERVICE_OF.get(source.type, ctx.catalog.types[source.type].name)
        what = "its failed deliveries to" if edge.kind == "dead-letter" else "deliveries to"
        yield Hit(
            f"{service} {ctx.name(source.id)} has no permission to make {what} {ctx.name(target.id)}: "
            f"{PERMISSION_OF.get(target.type, 'a resource policy')} must allow it",
            (source.id, target.id),
            (edge.id,),
        )


@rule("max-receive-count-low")
def max_receive_count_low(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    advised = spec.threshold("advised_min")
    for queue in ctx.nodes_in("queues"):
        count = int(queue.config.get("max_receive_count") or advised)
        lambdas = [n for n in ctx.targets(queue.id, "poll") if n.type == "lambda"]
        if count >= advised or not lambdas or not ctx.has_dlq(queue.id):
            continue
        times = "after one receive" if count == 1 else f"after {count} receives"
        yield Hit(
            f"Queue {ctx.name(queue.id)} dead-letters a message {times}; a throttled or timed-out invocation of "
            f"{ctx.name(lambdas[0].id)} counts as one (AWS advises at least {advised:g})",
            (queue.id, *(fn.id for fn in lambdas)),
        )


def _filtered(edge: Edge) -> bool:
    return bool(edge.attr("filter"))


@rule("filter-drops-unmatched")
def filter_drops_unmatched(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for queue in ctx.nodes_in("queues"):
        feeders = [e for e in ctx.into(queue.id, "subscribe") if not _filtered(e)]
        if not feeders:
            continue
        for poll in ctx.out(queue.id, "poll"):
            if _filtered(poll):
                hubs = ", ".join(ctx.name(e.source) for e in feeders)
                yield Hit(
                    f"{ctx.name(queue.id)} gets every message of {hubs}, but {ctx.name(poll.target)} takes only those "
                    "its filter matches: the rest are deleted unread",
                    (queue.id, poll.target, *(e.source for e in feeders)),
                    (poll.id, *(e.id for e in feeders)),
                )


def _overlap(a: Edge, b: Edge) -> bool:
    fa, fb = a.attr("filter"), b.attr("filter")
    return not fa or not fb or fa == fb


@rule("duplicate-subscription")
def duplicate_subscription(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    seen: dict[tuple[str, str], list[Edge]] = {}
    for edge in ctx.diagram.edges:
        if edge.kind == "subscribe":
            seen.setdefault((edge.source, edge.target), []).append(edge)
    for (hub, target), edges in seen.items():
        twins = [(a, b) for i, a in enumerate(edges) for b in edges[i + 1 :] if _overlap(a, b)]
        if twins:
            yield Hit(
                f"{ctx.name(target)} is subscribed {len(edges)} times to {ctx.name(hub)} with overlapping filters: "
                "each matching message is delivered to it more than once",
                (hub, target),
                tuple(e.id for e in edges),
            )


@rule("broad-storage-trigger")
def broad_storage_trigger(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for bucket in ctx.diagram.of_type("s3"):
        for edge in ctx.out(bucket.id, "trigger"):
            events = [str(e).lower() for e in edge.attr("events") or ()]
            if any(e.startswith(REMOVALS) for e in events):
                yield Hit(
                    f"Every event of {ctx.name(bucket.id)}, deletes included, starts {ctx.name(edge.target)}",
                    (bucket.id, edge.target),
                    (edge.id,),
                )


@rule("stream-failure-unbounded")
def stream_failure_unbounded(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for stream in ctx.diagram.of_type(*STREAM_TYPES):
        if stream.type == "dynamodb" and not stream.config.get("stream"):
            continue
        for edge in ctx.out(stream.id, "poll"):
            if ctx.diagram.node(edge.target).type not in ("lambda", "eventbridge-pipe"):
                continue  # Firehose and containers read streams their own way
            retries = edge.attr("max_retry_attempts")
            age = edge.attr("max_record_age_s")
            if (retries is not None and retries >= 0) or (age is not None and age >= 0):
                continue
            consumer = ctx.diagram.node(edge.target)
            kept = " and nothing keeps the records that fail" if not ctx.has_dlq(consumer.id) else ""
            yield Hit(
                f"{ctx.name(consumer.id)} retries a failing batch of {ctx.name(stream.id)} until its records expire: one "
                f"bad record stops its shard{kept}",
                (stream.id, consumer.id),
                (edge.id,),
            )
