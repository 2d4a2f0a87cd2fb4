"""What AWS services accept, as functions of the catalog's limits: one model of each quota, read by the validator's
rules, the patterns and the estimator, so that they never disagree on a figure.

Each function takes the :class:`~designer.domain.catalog.Catalog` (whose limits carry their sources) and the
node's configuration, and answers in the unit the callers compare with: messages or records per second, shards,
kilobytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from designer.domain.catalog import Catalog
from designer.domain.diagram import Edge, Node

__all__ = [
    "ASYNC_LAMBDA_KINDS",
    "SYNC_LAMBDA_KINDS",
    "FifoCapacity",
    "concurrency_limit",
    "fifo_capacity",
    "kinesis_on_demand_start",
    "kinesis_shards",
    "kinesis_shards_needed",
    "payload_limit",
    "unreserved_pool",
]

# How an edge invokes a Lambda function: synchronous calls (a polled batch and a workflow's task among them) may carry
# 6 MB, asynchronous ones (events, subscriptions, triggers) 1 MB.
SYNC_LAMBDA_KINDS = frozenset({"route", "invoke-sync", "request", "task", "poll"})
ASYNC_LAMBDA_KINDS = frozenset({"invoke-async", "subscribe", "trigger"})


@dataclass(frozen=True, slots=True)
class FifoCapacity:
    """Messages per second a FIFO queue or topic takes at most (``cap``), and the rate above which producers must
    send batches of 10 to reach it (``unbatched``; None when batching changes nothing)."""

    cap: float
    unbatched: float | None = None


def fifo_capacity(catalog: Catalog, node: Node) -> FifoCapacity:
    """An SQS FIFO queue: 300 sends/s, 3,000 messages/s in batches, or the high-throughput quota. An SNS FIFO
    topic: its topic quota (or the high-throughput one), and in every mode 300 messages/s per message group, since
    ordering holds per group."""
    high = bool(node.config.get("high_throughput"))
    if node.type == "sqs-fifo":
        if high:
            return FifoCapacity(float(catalog.limit("sqs-fifo", "high_throughput_per_s")))
        return FifoCapacity(
            float(catalog.limit("sqs-fifo", "batched_throughput_per_s")),
            float(catalog.limit("sqs-fifo", "throughput_per_s")),
        )
    topic = float(catalog.limit("sns-fifo", "high_throughput_per_s" if high else "throughput_per_s"))
    groups = int(node.config.get("message_groups") or 1)
    return FifoCapacity(min(topic, groups * float(catalog.limit("sns-fifo", "per_group_per_s"))))


def kinesis_shards_needed(catalog: Catalog, records_s: float, record_kb: float) -> float:
    """Shards a stream needs for a write rate: each takes 1,000 records/s and 1 MB/s."""
    return max(
        records_s / float(catalog.limit("kinesis", "shard_write_records_s")),
        records_s * record_kb / float(catalog.limit("kinesis", "shard_write_kb_s")),
    )


def kinesis_shards(catalog: Catalog, stream: Node, records_s: float, record_kb: float) -> float:
    """Shards of a stream: as configured, or what on-demand mode scales to for the rate (at least 4)."""
    if stream.config.get("mode") != "on-demand":
        return float(stream.config.get("shards") or 1)
    return float(max(4, math.ceil(kinesis_shards_needed(catalog, records_s, record_kb))))


def kinesis_on_demand_start(catalog: Catalog) -> tuple[float, float]:
    """What a new on-demand stream takes before it has scaled: (records/s, KB/s)."""
    return (
        float(catalog.limit("kinesis", "on_demand_initial_write_records_s")),
        float(catalog.limit("kinesis", "on_demand_initial_write_kb_s")),
    )


def payload_limit(catalog: Catalog, edge: Edge, source: Node, target: Node) -> tuple[float, str] | None:
    """The largest message ``target`` accepts from ``source`` over ``edge`` (KB), and what sets it; None when
    nothing is known."""
    t, cfg = target.type, target.config
    if t in ("sqs", "sqs-fifo", "sns", "sns-fifo"):
        return float(cfg["max_message_kb"]), "its configured maximum message size"
    if t == "kinesis":
        return float(cfg["max_record_kb"]), "its maximum record size"
    if t == "eventbridge":
        return float(catalog.limit(t, "max_event_kb")), "EventBridge's event size limit"
    if t in ("sfn-standard", "sfn-express"):
        return float(catalog.limit(t, "max_payload_kb")), "Step Functions' payload limit"
    if t == "apigw-websocket":
        return float(catalog.limit(t, "max_message_kb")), "the WebSocket message limit"
    if t in ("apigw-rest", "apigw-http"):
        return float(catalog.limit(t, "max_payload_kb")), "API Gateway's payload limit"
    if t != "lambda":
        return None
    if source.type == "alb":
        return float(catalog.limit("alb", "lambda_payload_kb")), "the ALB's Lambda payload limit"
    if edge.kind in ASYNC_LAMBDA_KINDS:
        return float(catalog.limit("lambda", "async_payload_kb")), "Lambda's asynchronous payload limit"
    if edge.kind in SYNC_LAMBDA_KINDS:
        return float(catalog.limit("lambda", "sync_payload_kb")), "Lambda's synchronous payload limit"
    return None


def concurrency_limit(catalog: Catalog, fn: Node) -> tuple[float, str]:
    """The concurrent executions a function may reach, and what sets it: its reserved concurrency, else the
    account's quota (1,000 per Region by default)."""
    reserved = fn.config.get("reserved_concurrency")
    if reserved is not None:
        return float(reserved), "reserved concurrency"
    return float(catalog.limit("lambda", "account_concurrency")), "account's default quota"


def unreserved_pool(catalog: Catalog, functions: list[Node]) -> float:
    """What the functions without reserved concurrency share: the account's quota less every reservation."""
    reserved = sum(float(f.config.get("reserved_concurrency") or 0) for f in functions)
    return float(catalog.limit("lambda", "account_concurrency")) - reserved
