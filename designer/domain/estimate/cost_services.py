"""Monthly cost of messaging, workflows and data stores (front doors and compute are in ``cost``)."""

from __future__ import annotations

import math
from collections.abc import Callable

from designer.domain.diagram import Edge, Node
from designer.domain.estimate.billing import KB_PER_GB, Bill, chunks
from designer.domain.estimate.flow import is_write

__all__ = ["SERVICE_COSTERS"]

SNS_DELIVERY_PRICE = {"external-api": "sns.deliveries.http", "firehose": "sns.deliveries.firehose"}


# --- messaging ------------------------------------------------------------------------------------------------


def _sqs(b: Bill, node: Node) -> None:
    """One send per message, one receive and one delete per batch, each per 64 KB chunk."""
    flow = b.flow
    sends = flow.entry_rate(node.id) * chunks(flow.node_kb(node.id), 64)
    sends += sum(flow.edge_rate(e) * chunks(flow.kb(e), 64) for e in flow.into(node.id))
    polls = 0.0
    for e in flow.out(node.id, "poll"):
        batches = flow.edge_rate(e, filtered=False) / flow.batch(e)
        polls += batches * chunks(flow.batch(e) * flow.node_kb(node.id), 64) + batches
    key = "sqs-fifo.requests" if node.type == "sqs-fifo" else "sqs.requests"
    b.charge(node, "requests", key, b.monthly(sends + polls))


def _sns(b: Bill, node: Node) -> None:
    flow = b.flow
    kb = flow.node_kb(node.id)
    b.charge(node, "requests", "sns.publishes", b.monthly(flow.rate(node.id)) * chunks(kb, 64))
    for e in flow.out(node.id, "subscribe"):
        key = SNS_DELIVERY_PRICE.get(flow.diagram.node(e.target).type)
        if key is not None:
            b.charge(node, "deliveries", key, b.monthly(flow.edge_rate(e)) * chunks(kb, 64))


def _sns_fifo(b: Bill, node: Node) -> None:
    flow = b.flow
    kb = flow.node_kb(node.id)
    published = b.monthly(flow.rate(node.id))
    b.charge(node, "requests", "sns-fifo.publishes", published * chunks(kb, 64))
    b.charge(node, "payload_data", "sns-fifo.publish-payload", published * kb / KB_PER_GB)
    delivered = sum(b.monthly(flow.edge_rate(e)) for e in flow.out(node.id, "subscribe"))
    b.charge(node, "deliveries", "sns-fifo.deliveries", delivered)
    b.charge(node, "payload_data", "sns-fifo.delivery-payload", delivered * kb / KB_PER_GB)


def _eventbridge(b: Bill, node: Node) -> None:
    flow = b.flow
    kb = flow.node_kb(node.id)
    events = b.monthly(flow.rate(node.id))
    if node.config.get("event_source") == "aws-service":
        b.note(f"Bus '{node.id}' carries AWS service events, which are free on the default bus.")
    else:
        b.charge(node, "events", "eventbridge.events", events * chunks(kb, 64))
    if node.config.get("archive"):
        archived_gb = events * kb / KB_PER_GB
        b.charge(node, "archive_processing", "eventbridge.archive-processing", archived_gb)
        b.charge(node, "archive_storage", "eventbridge.archive-storage", archived_gb)
        b.note(f"Archive of '{node.id}' is priced as one month of events stored; it grows while events are kept.")


def _scheduler(b: Bill, node: Node) -> None:
    b.charge(node, "invocations", "scheduler.invocations", b.monthly(b.flow.rate(node.id)))


def _pipe(b: Bill, node: Node) -> None:
    """One request per event that passes the pipe's filter, per 64 KB chunk."""
    flow = b.flow
    b.charge(node, "requests", "pipes.requests", b.monthly(flow.rate(node.id)) * chunks(flow.node_kb(node.id), 64))


def _kinesis(b: Bill, node: Node) -> None:
    flow = b.flow
    records = b.monthly(flow.rate(node.id))
    kb = flow.node_kb(node.id)
    if node.config.get("mode") == "on-demand":
        b.charge(node, "stream_hours", "kinesis.stream-hours", b.hours)
        b.charge(node, "data_in", "kinesis.data-in", records * chunks(kb, 1) / KB_PER_GB)
        read = sum(b.monthly(flow.edge_rate(e, filtered=False)) for e in flow.out(node.id, "poll"))
        b.charge(node, "data_out", "kinesis.data-out", read * kb / KB_PER_GB)
    else:
        b.charge(node, "shard_hours", "kinesis.shard-hours", float(node.config.get("shards") or 1) * b.hours)
        b.charge(node, "put_units", "kinesis.put-units", records * chunks(kb, 25))


def _firehose(b: Bill, node: Node) -> None:
    flow = b.flow
    billed_kb = chunks(flow.node_kb(node.id), 5) * 5  # each record rounded up to 5 KB
    b.charge(node, "data_in", "firehose.data-in", b.monthly(flow.rate(node.id)) * billed_kb / KB_PER_GB)


# --- workflows ------------------------------------------------------------------------------------------------


def _sfn_standard(b: Bill, node: Node) -> None:
    """Transitions: the states of each execution, where each task call (per Map item, per retry) is one."""
    flow = b.flow
    executions = flow.rate(node.id)
    tasks = flow.out(node.id, "task")
    states = float(node.config.get("states_per_execution") or 1)
    per_second = executions * max(0.0, states - len(tasks)) + sum(flow.edge_rate(e) for e in tasks)
    b.charge(node, "state_transitions", "sfn-standard.state-transitions", b.monthly(per_second))


def _sfn_express(b: Bill, node: Node) -> None:
    """Requests, and duration rounded up to 100 ms at memory rounded up to 64 MB."""
    cfg = node.config
    executions = b.monthly(b.flow.rate(node.id))
    b.charge(node, "requests", "sfn-express.requests", executions)
    seconds = math.ceil(round(float(cfg.get("duration_ms") or 0) / 100, 9)) / 10
    memory_gb = math.ceil(round(float(cfg.get("memory_mb") or 64) / 64, 9)) * 64 / 1024
    b.charge(node, "duration", "sfn-express.duration", executions * seconds * memory_gb)


# --- data -----------------------------------------------------------------------------------------------------


def _reads_and_writes(b: Bill, node: Node) -> tuple[list[Edge], list[Edge]]:
    reads: list[Edge] = []
    writes: list[Edge] = []
    for e in b.flow.into(node.id):
        if e.target != node.id:
            continue
        (writes if is_write(b.flow.diagram, e) else reads).append(e)
    return reads, writes


def _dynamodb(b: Bill, node: Node) -> None:
    cfg, flow = node.config, b.flow
    if cfg.get("billing_mode") == "provisioned":
        b.charge(node, "rcu_hours", "dynamodb.rcu-hours", float(cfg.get("rcu") or 0) * b.hours)
        b.charge(node, "wcu_hours", "dynamodb.wcu-hours", float(cfg.get("wcu") or 0) * b.hours)
    else:
        reads, writes = _reads_and_writes(b, node)
        rru = sum(flow.edge_rate(e) * read_units(e, node) for e in reads)
        wru = sum(flow.edge_rate(e) * write_units(e, node) for e in writes)
        b.charge(node, "read_request_units", "dynamodb.read-request-units", b.monthly(rru))
        b.charge(node, "write_request_units", "dynamodb.write-request-units", b.monthly(wru))
    b.charge(node, "storage", "dynamodb.storage", float(cfg.get("storage_gb") or 0))


def read_units(edge: Edge, table: Node) -> float:
    """RRUs of one read: 1 per 4 KB strongly consistent, half that eventually consistent."""
    kb = float(edge.attr("item_kb", table.config.get("item_kb") or 1))
    return chunks(kb, 4) * (1.0 if edge.attr("consistent", False) else 0.5)


def write_units(edge: Edge, table: Node) -> float:
    """WRUs of one write: 1 per KB."""
    return float(chunks(float(edge.attr("item_kb", table.config.get("item_kb") or 1)), 1))


def _s3(b: Bill, node: Node) -> None:
    flow = b.flow
    reads, writes = _reads_and_writes(b, node)
    puts = sum(flow.edge_rate(e) for e in writes if flow.diagram.node(e.source).type != "firehose")
    for e in writes:
        if flow.diagram.node(e.source).type == "firehose":
            puts += _firehose_objects(b, flow.diagram.node(e.source), flow.edge_rate(e))
    b.charge(node, "put_requests", "s3.put-requests", b.monthly(puts))
    b.charge(node, "get_requests", "s3.get-requests", b.monthly(sum(flow.edge_rate(e) for e in reads)))
    b.charge(node, "storage", "s3.storage", float(node.config.get("storage_gb") or 0))


def _firehose_objects(b: Bill, stream: Node, records_per_s: float) -> float:
    """Objects per second Firehose writes: one per full buffer or per buffer interval, whichever comes first."""
    if records_per_s <= 0:
        return 0.0
    kb_per_s = records_per_s * b.flow.node_kb(stream.id)
    interval = max(float(stream.config.get("buffer_interval_s") or 0), 1.0)
    return max(1.0 / interval, kb_per_s / (float(stream.config.get("buffer_mb") or 5) * 1024))


def _rds(b: Bill, node: Node) -> None:
    copies = 2.0 if node.config.get("multi_az") else 1.0
    b.charge(node, "instance_hours", "rds.vcpu-hours", float(node.config.get("vcpu") or 2) * b.hours * copies)
    b.charge(node, "storage", "rds.storage", float(node.config.get("storage_gb") or 0) * copies)


def _aurora(b: Bill, node: Node) -> None:
    acu = max(float(node.config.get("min_acu") or 0), float(node.config.get("average_acu") or 0))
    b.charge(node, "acu_hours", "aurora-serverless.acu-hours", acu * b.hours)
    b.charge(node, "storage", "aurora-serverless.storage", float(node.config.get("storage_gb") or 0))


def _rds_proxy(b: Bill, node: Node) -> None:
    units = 0.0
    for e in b.flow.diagram.outgoing(node.id, "route"):
        target = b.flow.diagram.node(e.target)
        if target.type == "rds":
            units += float(target.config.get("vcpu") or 2)
        else:  # Aurora Serverless v2: per ACU, at least 8
            units += max(8.0, float(target.config.get("average_acu") or 0))
    if not units:
        b.note(f"RDS Proxy '{node.id}' routes to no database, so its capacity is not priced.")
    b.charge(node, "capacity_hours", "rds-proxy.capacity-hours", units * b.hours)


def _elasticache(b: Bill, node: Node) -> None:
    cfg = node.config
    if cfg.get("mode") == "node-based":
        b.charge(node, "node_hours", "elasticache.node-hours", float(cfg.get("nodes") or 1) * b.hours)
        return
    engine = "valkey" if cfg.get("engine") == "valkey" else "redis"
    minimum = b.catalog.limit("elasticache", "serverless_min_data_gb").get(cfg.get("engine") or "valkey", 1)
    stored = max(float(cfg.get("data_gb") or 0), float(minimum))
    b.charge(node, "storage", f"elasticache.serverless-storage.{engine}", stored * b.hours)
    ecpus = b.monthly(b.flow.rate(node.id)) * float(cfg.get("ecpu_per_request") or 0)
    b.charge(node, "ecpus", f"elasticache.serverless-ecpu.{engine}", ecpus)


def _opensearch(b: Bill, node: Node) -> None:
    cfg = node.config
    stored = float(cfg.get("storage_gb") or 0)
    if cfg.get("mode") == "managed":
        b.charge(node, "instance_hours", "opensearch.instance-hours", float(cfg.get("instance_count") or 1) * b.hours)
        b.charge(node, "storage", "opensearch.managed-storage", stored)
        return
    minimum = 2.0 if cfg.get("redundancy", True) else 1.0  # 0.5 indexing + 0.5 search OCU, twice with standbys
    b.charge(node, "ocu_hours", "opensearch.ocu-hours", minimum * b.hours)
    b.charge(node, "storage", "opensearch.serverless-storage", stored)
    b.note(f"OpenSearch Serverless '{node.id}' is priced at its minimum OCUs; busy collections scale out.")


def _ses(b: Bill, node: Node) -> None:
    emails = b.monthly(b.flow.rate(node.id))
    b.charge(node, "emails", "ses.emails", emails)
    b.charge(
        node, "attachment_data", "ses.attachments", emails * float(node.config.get("attachment_kb") or 0) / KB_PER_GB
    )


SERVICE_COSTERS: dict[str, Callable[[Bill, Node], None]] = {
    "sqs": _sqs,
    "sqs-fifo": _sqs,
    "sns": _sns,
    "sns-fifo": _sns_fifo,
    "eventbridge": _eventbridge,
    "eventbridge-scheduler": _scheduler,
    "eventbridge-pipe": _pipe,
    "kinesis": _kinesis,
    "firehose": _firehose,
    "sfn-standard": _sfn_standard,
    "sfn-express": _sfn_express,
    "dynamodb": _dynamodb,
    "s3": _s3,
    "rds": _rds,
    "aurora-serverless": _aurora,
    "rds-proxy": _rds_proxy,
    "elasticache": _elasticache,
    "opensearch": _opensearch,
    "ses": _ses,
}
