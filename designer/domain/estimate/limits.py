"""Bottlenecks the traffic runs into, as report warnings (rule id, message, nodes): Lambda and API Gateway here,
the quotas of other services in ``quotas``.

Quotas come from the catalog's limits (us-east-1 defaults, most adjustable); rates are the peak rates of the flow
unless a message says average.
"""

from __future__ import annotations

from collections.abc import Iterator

from designer.domain import capacity
from designer.domain.catalog import Catalog
from designer.domain.diagram import Edge, Node
from designer.domain.estimate.flow import Flow
from designer.domain.estimate.latency import billed_ms, duration_spec
from designer.domain.estimate.pricing import Pricing
from designer.domain.estimate.quotas import QUOTA_CHECKS, kinesis_shards, name
from designer.domain.estimate.report import LimitWarning

__all__ = ["check_limits", "concurrency", "consumer_capacity"]

APIS = ("apigw-rest", "apigw-http", "apigw-websocket")


def check_limits(flow: Flow, catalog: Catalog, pricing: Pricing) -> list[LimitWarning]:
    checks = (_lambda_concurrency, _lambda_timeouts, _api_throttle, _backlog, *QUOTA_CHECKS)
    return [w for check in checks for w in check(flow, catalog, pricing)]


def concurrency(flow: Flow, node: Node, *, peak: bool = True) -> float:
    """Concurrent executions a function needs: invocations per second x seconds per invocation."""
    busy = flow.entry_rate(node.id, peak=peak) * billed_ms(node)
    for e in flow.into(node.id):
        rate = flow.edge_rate(e, peak=peak)
        if e.kind == "poll":
            b = flow.batch(e, peak=peak)
            busy += rate / b * billed_ms(node, b)
        else:
            busy += rate * billed_ms(node)
    return busy / 1000


def consumer_capacity(flow: Flow, catalog: Catalog, consumer_id: str, edge: Edge) -> float | None:
    """Batches a consumer can work on at once over ``edge`` (None: no fixed cap that matters)."""
    node, source = flow.diagram.node(consumer_id), flow.diagram.node(edge.source)
    if node.type == "fargate":
        return float(node.config.get("tasks") or 0) or None
    if node.type != "lambda":
        return None
    caps = [float(catalog.limit("lambda", "account_concurrency"))]
    if node.config.get("reserved_concurrency") is not None:
        caps.append(float(node.config["reserved_concurrency"]))
    if source.type in ("sqs", "sqs-fifo"):
        caps.append(float(edge.attr("max_concurrency") or catalog.limit("lambda", "sqs_esm_max_concurrency")))
    if source.type == "kinesis":
        caps.append(kinesis_shards(flow, catalog, source) * catalog.limit("lambda", "stream_batches_per_shard"))
    return min(caps)


def _lambda_concurrency(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    account = float(catalog.limit("lambda", "account_concurrency"))
    functions = flow.diagram.of_type("lambda")
    needs = {fn.id: concurrency(flow, fn) for fn in functions}
    for fn in functions:
        reserved = fn.config.get("reserved_concurrency")
        if reserved is not None and needs[fn.id] > reserved:
            yield LimitWarning(
                "lambda-reserved-concurrency",
                f"{name(flow, fn.id)} needs about {needs[fn.id]:,.0f} concurrent executions at peak but its reserved "
                f"concurrency is {reserved:,}: synchronous calls are throttled and queued work waits",
                (fn.id,),
            )
    pool = capacity.unreserved_pool(catalog, functions)
    shared = {f: n for f, n in needs.items() if flow.diagram.node(f).config.get("reserved_concurrency") is None}
    if sum(shared.values()) > pool:
        busy = tuple(f for f, n in sorted(shared.items(), key=lambda kv: -kv[1]) if n > 0)
        yield LimitWarning(
            "lambda-account-concurrency",
            f"Functions without reserved concurrency need about {sum(shared.values()):,.0f} concurrent executions at "
            f"peak; the account's default quota leaves {pool:,.0f} (1,000 per Region, adjustable)",
            busy,
        )
    direct = {fn.id: _direct_invocations(flow, fn) for fn in functions}
    rate = sum(direct.values())
    cap = account * catalog.limit("lambda", "invoke_rps_per_concurrency")
    if rate > cap:
        yield LimitWarning(
            "lambda-invoke-rate",
            f"Functions are invoked {rate:,.0f} times a second at peak; the invocation rate quota is {cap:,.0f}/s "
            f"(10 x the concurrency quota; event source mappings and AWS service events do not count)",
            tuple(f for f, r in direct.items() if r > 0),
        )


def _direct_invocations(flow: Flow, fn: Node) -> float:
    """Peak invocations the invocation-rate quota counts: calls by clients and code, not by event source mappings
    or AWS services delivering events."""
    calls = sum(flow.edge_rate(e, peak=True) for e in flow.into(fn.id, "route", "invoke-sync", "invoke-async", "task"))
    return flow.entry_rate(fn.id, peak=True) + calls


def _lambda_timeouts(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for fn in flow.diagram.of_type("lambda"):
        timeout_ms = float(fn.config.get("timeout_s") or 3) * 1000
        sizes: list[float | None] = [flow.batch(e) for e in flow.into(fn.id, "poll")] or [None]
        worst = max(duration_spec(fn, pricing, b).p99_ms for b in sizes)
        if worst > timeout_ms:
            yield LimitWarning(
                "lambda-timeout-risk",
                f"{name(flow, fn.id)} runs about {worst:,.0f} ms at p99 per invocation, past its {timeout_ms / 1000:g} s "
                f"timeout: slow invocations fail and are retried",
                (fn.id,),
            )


def _api_throttle(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    apis = flow.diagram.of_type(*APIS)
    peak = sum(flow.rate(a.id, peak=True) for a in apis)
    quota = float(catalog.limit("apigw-rest", "account_rps"))
    if peak > quota:
        yield LimitWarning(
            "apigw-account-throttle",
            f"API Gateway gets {peak:,.0f} requests/s at peak across its APIs; the account throttle is {quota:,.0f} "
            f"requests/s per Region (burst {catalog.limit('apigw-rest', 'account_burst'):,}), adjustable",
            tuple(a.id for a in apis if flow.rate(a.id, peak=True) > 0),
        )


def _backlog(flow: Flow, catalog: Catalog, pricing: Pricing) -> Iterator[LimitWarning]:
    for edge in (e for e in flow.diagram.edges if e.kind == "poll"):
        at_once = consumer_capacity(flow, catalog, edge.target, edge)
        consumer = flow.diagram.node(edge.target)
        if at_once is None or consumer.type != "lambda":
            continue
        b = flow.batch(edge)
        needed = flow.edge_rate(edge) / b * billed_ms(consumer, b) / 1000
        if needed > at_once:
            yield LimitWarning(
                "queue-backlog",
                f"{name(flow, edge.target)} can work on {at_once:,.0f} batches at once but needs {needed:,.0f} on "
                f"average to keep up with {name(flow, edge.source)}: the backlog grows without end",
                (edge.source, edge.target),
            )
