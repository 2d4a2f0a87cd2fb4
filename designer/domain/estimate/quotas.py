"""Quotas of streams, FIFO queues and topics, EventBridge, payload sizes, stores and downstream systems."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from designer.domain import capacity
from designer.domain.catalog import Catalog
from designer.domain.diagram import Node
from designer.domain.estimate.cost_services import read_units, write_units
from designer.domain.estimate.flow import Flow, is_write
from designer.domain.estimate.pricing import Pricing
from designer.domain.estimate.report import LimitWarning

__all__ = ["QUOTA_CHECKS", "kinesis_shards", "name"]


def name(flow: Flow, node_id: str) -> str:
    return f"'{flow.diagram.label(node_id)}'"


def kinesis_shards(flow: Flow, catalog: Catalog, stream: Node) -> float:
    """Shards of a stream: configured, or what on-demand mode scales to for the peak (at least 4)."""
    return capacity.kinesis_shards(catalog, stream, flow.rate(stream.id, peak=True), flow.node_kb(stream.id))


def _kinesis(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for stream in flow.diagram.of_type("kinesis"):
        records, kb = flow.rate(stream.id, peak=True), flow.node_kb(stream.id)
        if stream.config.get("mode") == "on-demand":
            start_rec, start_kb = capacity.kinesis_on_demand_start(catalog)
            if records > start_rec or records * kb > start_kb:
                yield LimitWarning(
                    "kinesis-on-demand-capacity",
                    f"{name(flow, stream.id)} takes {records:,.0f} records/s ({records * kb / 1024:,.1f} MB/s) at "
                    f"peak; on-demand streams start at {start_rec:,.0f} records/s or {start_kb / 1024:g} MB/s and "
                    f"scale with the 30-day peak, so a new or sudden peak is throttled",
                    (stream.id,),
                )
            continue
        shards = kinesis_shards(flow, catalog, stream)
        need = capacity.kinesis_shards_needed(catalog, records, kb)
        if need > shards:
            yield LimitWarning(
                "kinesis-shard-throughput",
                f"{name(flow, stream.id)} takes {records:,.0f} records/s ({records * kb / 1024:,.2f} MB/s) at peak: "
                f"that needs {math.ceil(need):,} shards (1,000 records/s and 1 MB/s each); it has {shards:,.0f}",
                (stream.id,),
            )


def _fifo(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for node in flow.diagram.of_type("sqs-fifo", "sns-fifo"):
        peak = flow.rate(node.id, peak=True)
        quota = capacity.fifo_capacity(catalog, node)
        cap, soft = quota.cap, quota.unbatched
        rule = f"{node.type}-throughput"
        if peak > cap:
            yield LimitWarning(
                rule,
                f"{name(flow, node.id)} gets {peak:,.0f} messages/s at peak; it takes at most {cap:,.0f}/s",
                (node.id,),
            )
        elif soft is not None and peak > soft:
            yield LimitWarning(
                rule,
                f"{name(flow, node.id)} gets {peak:,.0f} messages/s at peak: above {soft:,.0f}/s producers must send "
                f"batches of 10 (or use high-throughput mode)",
                (node.id,),
            )


def _eventbridge(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    buses = flow.diagram.of_type("eventbridge")
    custom = [b for b in buses if b.config.get("event_source") != "aws-service"]
    events = sum(flow.rate(b.id, peak=True) for b in custom)
    quota = float(catalog.limit("eventbridge", "put_events_per_s"))
    if events > quota:
        batched = (
            "even in batches of 10 events per call"
            if events / 10 > quota
            else "unless producers batch up to 10 events per call"
        )
        yield LimitWarning(
            "eventbridge-putevents-quota",
            f"Buses receive {events:,.0f} events/s at peak; PutEvents allows {quota:,.0f} requests/s in us-east-1, "
            f"so producers are throttled {batched} (adjustable)",
            tuple(b.id for b in custom if flow.rate(b.id, peak=True) > 0),
        )
    deliveries = sum(flow.edge_rate(e, peak=True) for b in buses for e in flow.out(b.id, "subscribe"))
    quota = float(catalog.limit("eventbridge", "invocations_per_s"))
    if deliveries > quota:
        yield LimitWarning(
            "eventbridge-invocation-quota",
            f"Rules deliver {deliveries:,.0f} target invocations/s at peak; the quota is {quota:,.0f}/s in us-east-1 "
            f"(adjustable): deliveries are throttled and retried for up to 24 hours",
            tuple(b.id for b in buses if flow.rate(b.id, peak=True) > 0),
        )


def _payloads(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for edge in flow.diagram.edges:
        if edge.kind in ("dead-letter", "compensate"):
            continue
        target = flow.diagram.node(edge.target)
        limit = capacity.payload_limit(catalog, edge, flow.diagram.node(edge.source), target)
        kb = flow.kb(edge) * (flow.batch(edge) if edge.kind == "poll" else 1.0)
        if limit is not None and kb > limit[0]:
            yield LimitWarning(
                "payload-size",
                f"{kb:,.0f} KB travels from {name(flow, edge.source)} to {name(flow, edge.target)}, above "
                f"{limit[1]} ({limit[0]:,.0f} KB): store the payload in S3 and pass a reference (claim check)",
                (edge.source, edge.target),
            )


def _stores(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for table in flow.diagram.of_type("dynamodb", "s3"):
        edges = flow.into(table.id)
        writes = [e for e in edges if is_write(flow.diagram, e)]
        reads = [e for e in edges if e not in writes]
        if table.type == "s3":
            put, get = (sum(flow.edge_rate(e, peak=True) for e in group) for group in (writes, reads))
            if put > catalog.limit("s3", "put_per_prefix_per_s") or get > catalog.limit("s3", "get_per_prefix_per_s"):
                yield LimitWarning(
                    "s3-prefix-rate",
                    f"{name(flow, table.id)} gets {put:,.0f} writes/s and {get:,.0f} reads/s at peak; one prefix "
                    f"takes 3,500 writes and 5,500 reads a second: spread keys over several prefixes",
                    (table.id,),
                )
            continue
        rru = sum(flow.edge_rate(e, peak=True) * read_units(e, table) for e in reads)
        wru = sum(flow.edge_rate(e, peak=True) * write_units(e, table) for e in writes)
        provisioned = table.config.get("billing_mode") == "provisioned"
        r_cap = (
            float(table.config["rcu"]) if provisioned else float(catalog.limit("dynamodb", "table_read_units_per_s"))
        )
        w_cap = (
            float(table.config["wcu"]) if provisioned else float(catalog.limit("dynamodb", "table_write_units_per_s"))
        )
        if rru > r_cap or wru > w_cap:
            yield LimitWarning(
                "dynamodb-throughput",
                f"{name(flow, table.id)} needs {rru:,.0f} read and {wru:,.0f} write units/s at peak; it allows "
                f"{r_cap:,.0f} and {w_cap:,.0f}{' (provisioned)' if provisioned else ' (table quota, adjustable)'}",
                (table.id,),
            )


def _downstream(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for node in flow.diagram.of_type("external-api", "legacy-app", "rds"):
        cap, peak = node.config.get("max_rps"), flow.rate(node.id, peak=True)
        if cap is not None and peak > float(cap):
            yield LimitWarning(
                "downstream-rate-limit",
                f"{name(flow, node.id)} gets {peak:,.0f} requests/s at peak but takes {float(cap):,.0f}/s: put a "
                f"queue and a consumer with bounded concurrency in front of it",
                (node.id,),
            )


def _workflows(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for sm in flow.diagram.of_type("sfn-standard"):
        starts = flow.rate(sm.id, peak=True)
        if starts > 2000:
            yield LimitWarning(
                "sfn-standard-start-rate",
                f"{name(flow, sm.id)} starts {starts:,.0f} executions/s at peak; Standard workflows start about "
                f"2,000 a second per account by default (Express: over 100,000)",
                (sm.id,),
            )
    for sm in flow.diagram.of_type("sfn-express"):
        if float(sm.config.get("duration_ms") or 0) > catalog.limit("sfn-express", "max_duration_s") * 1000:
            yield LimitWarning(
                "sfn-express-duration",
                f"{name(flow, sm.id)} runs longer than Express workflows may (5 minutes)",
                (sm.id,),
            )


Check = Callable[[Flow, Catalog, Pricing], Iterator[LimitWarning]]
QUOTA_CHECKS: tuple[Check, ...] = (_kinesis, _fifo, _eventbridge, _payloads, _stores, _downstream, _workflows)
