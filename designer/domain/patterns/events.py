"""Patterns of events: fan-out, choreography, event sourcing / CQRS, scheduled work and stream ingestion."""

from __future__ import annotations

from designer.domain import capacity
from designer.domain.context import Context
from designer.domain.diagram import Edge, Node
from designer.domain.patterns.registry import ids, recogniser
from designer.domain.report import PatternMatch

__all__ = ["LOSS_TOLERANT_TAGS", "UNBUFFERED_TYPES", "shard_shortfall"]

LOSS_TOLERANT_TAGS = frozenset({"best-effort", "loss-tolerant"})
# Subscribers that process messages themselves and so need a queue of their own in a fan-out; durable targets
# (queues, workflows, streams, other topics and buses) buffer by themselves.
UNBUFFERED_TYPES = frozenset({"lambda", "fargate", "external-api", "apigw-rest"})


@recogniser("fan-out")
def _fan_out(ctx: Context) -> list[PatternMatch]:
    out = []
    for hub in ctx.nodes_in("topics") + ctx.nodes_in("buses"):
        subscriptions = ctx.fan_out(hub.id)  # subscribers whose filters never overlap are routed to, not fanned out
        if len(subscriptions) < 2:
            continue
        subscribers = [ctx.diagram.node(e.target) for e in subscriptions]
        queues, missing = [], []
        for sub in subscribers:
            if ctx.is_(sub, "queues"):
                queues.append(sub)
                if not ctx.has_dlq(sub.id):
                    missing.append(f"subscriber queue {ctx.name(sub.id)} has no dead-letter queue")
                if len(ctx.out(sub.id, "poll")) > 1:
                    missing.append(f"queue {ctx.name(sub.id)} is shared by several consumers; give each its own")
            elif sub.type in UNBUFFERED_TYPES and not LOSS_TOLERANT_TAGS & set(sub.tags):
                missing.append(f"{ctx.name(sub.id)} receives directly, not through its own SQS queue")
        consumers = [c for q in queues for c in ctx.targets(q.id, "poll")]
        roles = {
            "topic": [hub.id],
            "subscribers": ids(subscribers),
            "queues": ids(queues),
            "consumers": ids(consumers),
        }
        out.append(PatternMatch("fan-out", roles, tuple(missing)))
    return out


@recogniser("choreography")
def _choreography(ctx: Context) -> list[PatternMatch]:
    out = []
    for bus in ctx.nodes_in("buses"):
        producers = [p for p in ctx.sources(bus.id, "publish") if not ctx.is_(p, "clients")]
        consumers = ctx.targets(bus.id, "subscribe")
        if not producers or not consumers or (len(producers) < 2 and len(consumers) < 2):
            continue
        participants = {n.id for n in producers + consumers}
        if any(
            len(participants & {e.target for e in ctx.out(m.id, "task")}) >= 2 for m in ctx.nodes_in("state-machines")
        ):
            continue  # a state machine directs these services: that is orchestration
        missing = tuple(
            f"consumer {ctx.name(c.id)} has no failure path (a dead-letter queue or on-failure destination)"
            for c in consumers
            if not ctx.has_failure_path(c, via=bus)
        )
        out.append(
            PatternMatch(
                "choreography", {"bus": [bus.id], "producers": ids(producers), "consumers": ids(consumers)}, missing
            )
        )
    return out


def _event_stores(ctx: Context) -> list[Node]:
    return [n for n in ctx.diagram.of_type("dynamodb") if n.config.get("stream")] + ctx.nodes_in("streams")


@recogniser("event-sourcing-cqrs")
def _event_sourcing(ctx: Context) -> list[PatternMatch]:
    out = []
    for store in _event_stores(ctx):
        writes = [e for e in ctx.into(store.id, "write", "publish", "task") if not e.attr("read_only")]
        writers = [ctx.diagram.node(e.source) for e in writes]
        for projector in ctx.targets(store.id, "poll"):
            models = [m for m in ctx.targets(projector.id, "write") if ctx.is_(m, "read-models") and m.id != store.id]
            readers = [r for m in models for r in ctx.sources(m.id, "read")]
            if not writers or not readers:
                continue
            missing = []
            if not projector.config.get("idempotent", projector.type != "lambda"):
                missing.append(
                    f"projector {ctx.name(projector.id)} is not marked idempotent (records arrive at least once)"
                )
            if projector.type == "lambda" and not ctx.has_dlq(projector.id):
                missing.append(
                    f"projector {ctx.name(projector.id)} has no on-failure destination for records that keep failing"
                )
            roles = {
                "writer": ids(writers),
                "event_store": [store.id],
                "projector": [projector.id],
                "read_model": ids(models),
                "reader": ids(readers),
            }
            out.append(PatternMatch("event-sourcing-cqrs", roles, tuple(missing)))
    return out


@recogniser("scheduled")
def _scheduled(ctx: Context) -> list[PatternMatch]:
    out = []
    for schedule in ctx.diagram.of_type("eventbridge-scheduler"):
        for target in ctx.targets(schedule.id, "trigger"):
            missing = []
            if schedule.config.get("retry_attempts", 185) == 0:
                missing.append(f"schedule {ctx.name(schedule.id)} has retries turned off")
            if not (ctx.has_dlq(schedule.id) or ctx.has_failure_path(target)):
                missing.append(f"runs of {ctx.name(target.id)} that keep failing go nowhere: add a dead-letter queue")
            out.append(PatternMatch("scheduled", {"schedule": [schedule.id], "target": [target.id]}, tuple(missing)))
    return out


def shard_shortfall(ctx: Context, stream: Node) -> str | None:
    """Why a provisioned stream's shards cannot take the profile's peak, or None when they can."""
    if stream.type != "kinesis" or stream.config.get("mode") == "on-demand" or not ctx.has_traffic:
        return None
    shards = int(stream.config.get("shards") or 1)
    peak = ctx.peak(stream.id)
    payload_kb = ctx.diagram.traffic.payload_kb if ctx.diagram.traffic else 1.0
    records_cap = shards * ctx.limit("kinesis", "shard_write_records_s")
    kb_cap = shards * ctx.limit("kinesis", "shard_write_kb_s")
    needed = capacity.kinesis_shards_needed(ctx.catalog, peak, payload_kb)
    if needed <= shards:
        return None
    return (
        f"{ctx.name(stream.id)} takes {peak:,.0f} records/s at peak ({peak * payload_kb:,.0f} KB/s) but {shards} "
        f"shard{'s' if shards != 1 else ''} accept {records_cap:,.0f} records/s and {kb_cap:,.0f} KB/s; "
        f"it needs at least {int(-(-needed // 1))} shards"
    )


STREAM_CONSUMERS = ("lambda", "eventbridge-pipe", "firehose", "fargate")
LANDING = ("s3", "opensearch", "dynamodb", "kinesis", "firehose")


@recogniser("stream-ingestion")
def _stream_ingestion(ctx: Context) -> list[PatternMatch]:
    """A stream (Kinesis, DynamoDB Streams) read by consumers, or Firehose landing records in a store."""
    out = []
    for stream in _event_stores(ctx):
        for poll in ctx.out(stream.id, "poll"):
            consumer = ctx.diagram.node(poll.target)
            if consumer.type not in STREAM_CONSUMERS:
                continue
            sinks = [
                n
                for n in ctx.targets(consumer.id, "write", "publish", "invoke-sync", "invoke-async")
                if n.type in LANDING
            ]
            missing: list[str] = []
            if consumer.type in ("lambda", "eventbridge-pipe") and not _bounded(poll):
                missing.append(
                    f"{ctx.name(consumer.id)} retries a failing batch until its records expire: bound the retries or "
                    "the record age and keep what fails (an on-failure destination)"
                )
            elif consumer.type in ("lambda", "eventbridge-pipe") and not ctx.has_dlq(consumer.id):
                missing.append(f"records {ctx.name(consumer.id)} gives up on go nowhere: add an on-failure destination")
            if gap := shard_shortfall(ctx, stream):
                missing.append(gap)
            roles = {"stream": [stream.id], "consumer": [consumer.id], "sink": ids(sinks)}
            out.append(PatternMatch("stream-ingestion", roles, tuple(missing)))
    for hose in ctx.diagram.of_type("firehose"):
        if ctx.into(hose.id, "poll"):
            continue  # read from a stream: counted above
        sinks = [n for n in ctx.targets(hose.id, "write") if n.type in LANDING]
        if sinks:
            roles = {"stream": [hose.id], "consumer": [hose.id], "sink": ids(sinks)}
            out.append(PatternMatch("stream-ingestion", roles, ()))
    return out


def _bounded(poll: Edge) -> bool:
    retries, age = poll.attr("max_retry_attempts"), poll.attr("max_record_age_s")
    return (retries is not None and retries >= 0) or (age is not None and age >= 0)
