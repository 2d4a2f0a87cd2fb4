"""How each service type shapes a request's latency: handlers ``(simulator, node, mode, records) -> Times``.

``mode`` says how the request arrives (sync, async, put, read, write, batch); ``records`` is the size of a polled
batch (None otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from designer.domain.diagram import Edge, Node
from designer.domain.estimate.latency import cold_start, cold_start_spec, duration_spec, service_spec
from designer.domain.estimate.limits import consumer_capacity
from designer.domain.estimate.simulate import Arr, Simulator, Times, mode_for

__all__ = ["HANDLERS"]

CLIENTS = frozenset({"client-web", "client-mobile", "client-iot", "client-partner"})
Mask = npt.NDArray[np.bool_]


def _client(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    rtt = float(node.config.get("network_rtt_ms") or 0)
    spec = sim.spec_of(rtt, rtt * sim.pricing.number("client_rtt_p99_ratio"))
    return sim.calls(node, sim.zeros(), extra=lambda: sim.lognormal(spec))


def _service(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    """A front door, container, database or external system: its own latency, then its calls."""
    spec = service_spec(node, sim.pricing, records or 1.0)
    own = sim.lognormal(spec) if spec is not None else sim.zeros()
    t = sim.calls(node, own)
    hit = _hit_ratio(node)
    if hit <= 0:
        return t
    cached = sim.chance(hit)
    quick = sim.hop("apigw-rest.cache-hit") if node.type == "apigw-rest" else sim.hop(_quick_hop(node))
    if cached is None:
        return Times(quick, quick)
    return Times(np.where(cached, quick, t.s), np.where(cached, quick, t.c), t.nodes, t.asynchronous)


def _hit_ratio(node: Node) -> float:
    cfg = node.config
    if node.type == "apigw-rest":
        on = float(cfg.get("cache_size_gb") or 0) > 0 and int(cfg.get("cache_ttl_s") or 0) > 0
        return float(cfg.get("cache_hit_ratio") or 0) if on else 0.0
    if node.type in ("cloudfront", "appsync"):
        return float(cfg.get("cache_hit_ratio") or 0)
    return 0.0


def _quick_hop(node: Node) -> str:
    return "cloudfront" if node.type == "cloudfront" else "appsync"


def _lambda(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    own = sim.lognormal(duration_spec(node, sim.pricing, records)) + sim.hop("lambda.overhead")
    cold = cold_start(sim.flow, node, sim.pricing)
    own = sim.add_sometimes(own, cold.probability, cold_start_spec(node, sim.catalog, sim.pricing))
    t = sim.calls(node, own)  # a batch makes one (bulk) call per edge, whatever its size
    comp = t.c
    if mode == "async" and sim.flow.failure_rate > 0:
        delays = [float(x) * 1000 for x in sim.pricing.model["async_retry_delays_s"]]
        retries = int(node.config.get("retry_attempts", 2))
        comp = comp + _retry_delay(sim, retries, t.c, delays)
    if mode != "async":
        return Times(t.s, comp, t.nodes, t.asynchronous)
    accepted = sim.hop("lambda.overhead")
    return Times(accepted, accepted + sim.hop("lambda.async-queue") + comp, t.nodes, True)


def _retry_delay(sim: Simulator, retries: int, attempt: Arr, delays: list[float]) -> Arr:
    """Extra time of failed attempts: each failure waits its retry delay and runs again."""
    p = sim.flow.failure_rate
    u = sim.rng.random(sim.n)
    failures = np.minimum(np.floor(np.log(np.maximum(u, 1e-300)) / math.log(p)), retries).astype(np.int64)
    waited = np.cumsum([0.0, *[delays[min(i, len(delays) - 1)] for i in range(retries)]])
    return np.asarray(waited[failures] + failures * attempt, dtype=np.float32)


def _queue(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    put = sim.hop("sqs.put")
    comp = put
    nodes: tuple[str, ...] = ()
    edges = sim.flow.diagram.outgoing(node.id, "poll")
    for edge, mask in zip(edges, sim.branches(edges), strict=True):
        b = sim.flow.batch(edge)
        consumer = sim.visit(edge.target, "batch", b)
        wait = sim.hop("sqs.receive") + sim.batch_wait(edge, b)
        wait = _plus(wait, _consumer_wait(sim, edge.target, edge, b, consumer))
        if sim.flow.failure_rate > 0:
            visibility_ms = float(node.config.get("visibility_timeout_s") or 30) * 1000
            receives = int(node.config.get("max_receive_count") or 1)
            wait = wait + _retry_delay(sim, receives - 1, consumer.c, [visibility_ms])
        comp = _deliver(sim, comp, put + wait + consumer.c, edge.attr("filter_selectivity", 1.0), mask)
        nodes = nodes + consumer.nodes
    return Times(put, comp, nodes, True)


def _consumer_wait(sim: Simulator, consumer_id: str, edge: Edge, b: float, consumer: Times) -> Arr | None:
    capacity = consumer_capacity(sim.flow, sim.catalog, consumer_id, edge)
    arrivals = sim.flow.edge_rate(edge) / b
    return sim.queue_wait(capacity, arrivals, float(consumer.c.mean()))


def _plus(a: Arr, b: Arr | None) -> Arr:
    return a if b is None else a + b


def _deliver(sim: Simulator, comp: Arr, done: Arr, selectivity: Any, mask: Mask | None) -> Arr:
    """Completion after a delivery taken by the requests in ``mask`` that pass the filter."""
    passed = sim.chance(float(selectivity))
    if mask is not None:
        passed = mask if passed is None else passed & mask
    later = np.maximum(comp, done)
    return later if passed is None else np.where(passed, later, comp)


def _topic(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    family = "eventbridge" if node.type == "eventbridge" else "sns"
    put = sim.hop(f"{family}.put")
    comp = put
    nodes: tuple[str, ...] = ()
    edges = sim.flow.diagram.outgoing(node.id, "subscribe")
    for edge, mask in zip(edges, sim.branches(edges), strict=True):
        target = sim.flow.diagram.node(edge.target)
        child = sim.visit(target.id, mode_for(edge, target, sim.flow))
        done = put + sim.hop(f"{family}.deliver") + child.c
        comp = _deliver(sim, comp, done, edge.attr("filter_selectivity", 1.0), mask)
        nodes = nodes + child.nodes
    return Times(put, comp, nodes, True)


def _scheduler(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    comp = sim.zeros()
    nodes: tuple[str, ...] = ()
    for edge in sim.flow.diagram.outgoing(node.id, "trigger"):
        target = sim.flow.diagram.node(edge.target)
        child = sim.visit(target.id, mode_for(edge, target, sim.flow))
        comp = np.maximum(comp, sim.hop("scheduler.deliver") + child.c)
        nodes = nodes + child.nodes
    return Times(sim.zeros(), comp, nodes, True)


def _stream(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    """Kinesis (put) or a DynamoDB table (read or write; writes feed its stream and event targets)."""
    if node.type == "kinesis":
        answer = sim.hop("kinesis.put")
    else:
        spec = service_spec(node, sim.pricing)
        answer = sim.lognormal(spec) if spec else sim.zeros()
    if mode == "read":
        return Times(answer, answer)
    interval = sim.pricing.number(
        "kinesis_poll_interval_s" if node.type == "kinesis" else "dynamodb_stream_poll_interval_s"
    )
    comp = answer
    nodes: tuple[str, ...] = ()
    edges = sim.flow.diagram.outgoing(node.id, "poll", "publish", "trigger")
    for edge, mask in zip(edges, sim.branches(edges), strict=True):
        target = sim.flow.diagram.node(edge.target)
        if edge.kind == "poll":
            b = sim.flow.batch(edge)
            child = sim.visit(target.id, "batch", b)
            wait = sim.uniform(interval * 1000) + sim.batch_wait(edge, b)
            wait = _plus(wait, _consumer_wait(sim, target.id, edge, b, child))
        else:  # S3 event notifications, EventBridge, Kinesis Data Streams for DynamoDB
            child = sim.visit(target.id, mode_for(edge, target, sim.flow))
            wait = sim.hop("s3.event") if node.type == "s3" else sim.zeros()
        comp = _deliver(sim, comp, answer + wait + child.c, edge.attr("filter_selectivity", 1.0), mask)
        nodes = nodes + child.nodes
    return Times(answer, comp, nodes, bool(edges))


def _firehose(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    put = sim.hop("firehose.put")
    kb_per_s = sim.flow.rate(node.id) * sim.flow.node_kb(node.id)
    interval = float(node.config.get("buffer_interval_s") or 0)
    fill_s = float(node.config.get("buffer_mb") or 5) * 1024 / kb_per_s if kb_per_s > 0 else interval
    t = sim.calls(node, put + sim.uniform(min(interval, fill_s) * 1000))
    return Times(put, t.c, t.nodes, True)


def _workflow(sim: Simulator, node: Node, mode: str, records: float | None) -> Times:
    family = node.type
    start, step = sim.hop(f"{family}.start"), sim.pricing.hop(f"{family}.transition")
    cfg = node.config
    tasks = sim.flow.diagram.outgoing(node.id, "task")
    if not tasks:
        run = sim.lognormal(sim.spec_of(float(cfg.get("duration_ms") or 0)))
        body = Times(run, run)
    else:
        body = sim.calls(node, sim.zeros(), extra=lambda: sim.lognormal(step))
        if cfg.get("map_mode", "none") != "none" and int(cfg.get("map_items") or 0) > 0:
            limit = int(cfg.get("map_concurrency") or 0) or (40 if cfg["map_mode"] == "inline" else 10_000)
            s, c = sim.repeat(body, float(math.ceil(int(cfg["map_items"]) / limit)))
            body = Times(s, c, body.nodes, body.asynchronous)
        spare = max(0, int(cfg.get("states_per_execution") or 1) - len(tasks))
        if spare:
            extra, _ = sim.repeat(Times(sim.lognormal(step), sim.lognormal(step)), float(spare))
            body = Times(body.s + extra, body.c + extra, body.nodes, body.asynchronous)
    if mode == "async":
        return Times(start, start + body.c, body.nodes, True)
    return Times(start + body.s, start + body.c, body.nodes, body.asynchronous)


HANDLERS: dict[str, Callable[[Simulator, Node, str, float | None], Times]] = {
    **dict.fromkeys(CLIENTS, _client),
    **dict.fromkeys(
        (
            "cloudfront",
            "cognito",
            "apigw-rest",
            "apigw-http",
            "apigw-websocket",
            "appsync",
            "alb",
            "fargate",
            "legacy-app",
            "external-api",
            "rds",
            "aurora-serverless",
            "rds-proxy",
            "elasticache",
            "opensearch",
            "ses",
            "sagemaker",
            "eventbridge-pipe",
        ),
        _service,
    ),
    "lambda": _lambda,
    "sqs": _queue,
    "sqs-fifo": _queue,
    "sns": _topic,
    "sns-fifo": _topic,
    "eventbridge": _topic,
    "eventbridge-scheduler": _scheduler,
    "kinesis": _stream,
    "dynamodb": _stream,
    "s3": _stream,
    "firehose": _firehose,
    "sfn-standard": _workflow,
    "sfn-express": _workflow,
}
