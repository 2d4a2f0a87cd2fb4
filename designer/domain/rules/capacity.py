"""Rules about throughput, concurrency, sizes, cost-driven choices and missing features."""

from __future__ import annotations

from collections.abc import Iterator

from designer.domain import capacity
from designer.domain.context import Context
from designer.domain.diagram import Edge, Node
from designer.domain.graph import edge_factor
from designer.domain.patterns import shard_shortfall
from designer.domain.rules.registry import Hit, RuleSpec, rule

SECONDS_PER_DAY = 86_400
REST_ONLY_NEEDS = (
    "caching",
    "request-validation",
    "usage-plans",
    "api-keys",
    "waf",
    "private-endpoint",
    "edge-optimized",
)


@rule("fifo-throughput-exceeded")
def fifo_throughput(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for node in ctx.diagram.of_type("sqs-fifo", "sns-fifo"):
        peak = ctx.peak(node.id)
        quota = capacity.fifo_capacity(ctx.catalog, node)
        cap, unbatched = quota.cap, quota.unbatched
        if peak > cap:
            yield Hit(
                f"{ctx.name(node.id)} gets {peak:,.0f} messages/s at peak; it takes at most {cap:,.0f}", (node.id,)
            )
        elif unbatched is not None and peak > unbatched:
            yield Hit(
                f"{ctx.name(node.id)} gets {peak:,.0f} messages/s at peak: above {unbatched:,.0f}/s it needs batches of "
                f"10 or high-throughput mode",
                (node.id,),
                severity="warning",
            )


def _flow(ctx: Context, edge: Edge, *, peak: bool = True) -> float:
    rate = ctx.rates[edge.source]
    return (rate.peak_rps if peak else rate.avg_rps) * edge_factor(edge)


def concurrency_needed(ctx: Context, fn: Node, *, peak: bool = True) -> tuple[float, float]:
    """Concurrent executions a function needs: (pushed work, work it pulls from queues).

    Each is invocations per second x seconds per invocation; a polled batch of records is one invocation.
    Pushed work beyond the limit is throttled; queued work beyond it waits in the queue.
    """
    duration_s = float(fn.config.get("duration_ms") or 0) / 1000
    pushed = queued = 0.0
    entry = ctx.diagram.traffic.entries.get(fn.id) if ctx.diagram.traffic else None
    if entry:
        pushed += (entry.peak_rps if peak else entry.avg_rps) * duration_s
    for edge in ctx.into(fn.id):
        if edge.kind in ("dead-letter", "compensate"):
            continue
        records = _flow(ctx, edge, peak=peak)
        if edge.kind == "poll":
            from_stream = ctx.diagram.node(edge.source).type in ("kinesis", "dynamodb")
            batch = int(edge.attr("batch_size") or (100 if from_stream else 10))
            per_record = fn.config.get("per_record_ms")
            batch_s = float(per_record) * batch / 1000 if per_record else duration_s
            needed = records / batch * batch_s
            if ctx.is_(edge.source, "queues") or from_stream:
                queued += needed  # a stream consumer runs per shard and falls behind rather than being throttled
            else:
                pushed += needed
        else:
            pushed += records * duration_s
    return pushed, queued


@rule("concurrency-limit-exceeded")
def concurrency_limit(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    if not ctx.has_traffic:
        return
    for fn in ctx.diagram.of_type("lambda"):
        limit, what = capacity.concurrency_limit(ctx.catalog, fn)
        pushed, queued = concurrency_needed(ctx, fn)
        if pushed + queued <= limit:
            continue
        if pushed > limit or queued == 0:
            yield Hit(
                f"{ctx.name(fn.id)} needs about {pushed + queued:,.0f} concurrent executions at peak; its {what} is {limit:,}",
                (fn.id,),
            )
            continue
        # Queued work above the cap waits: fine at peak, a problem only when even the average outruns the cap.
        # (Account-wide sharing is checked after the loop.)
        avg_pushed, avg_queued = concurrency_needed(ctx, fn, peak=False)
        if avg_pushed + avg_queued > limit:
            yield Hit(
                f"{ctx.name(fn.id)} needs about {avg_pushed + avg_queued:,.0f} concurrent executions on average but its "
                f"{what} is {limit:,}: its queue grows without end",
                (fn.id,),
                severity="warning",
            )
    yield from _account_pool(ctx)


def _account_pool(ctx: Context) -> Iterator[Hit]:
    """Functions without reserved concurrency share what the account has left after the reservations."""
    functions = ctx.diagram.of_type("lambda")
    shared = [f for f in functions if f.config.get("reserved_concurrency") is None]
    needs = {f.id: sum(concurrency_needed(ctx, f)) for f in shared}
    pool = capacity.unreserved_pool(ctx.catalog, functions)
    if len(shared) > 1 and sum(needs.values()) > pool and all(n <= pool for n in needs.values()):
        busy = [f for f, n in sorted(needs.items(), key=lambda kv: -kv[1]) if n > 0]
        yield Hit(
            f"Together {', '.join(ctx.name(f) for f in busy[:5])} need about {sum(needs.values()):,.0f} concurrent "
            f"executions at peak; the account's unreserved pool is {pool:,.0f}",
            tuple(busy),
        )


@rule("kinesis-shard-capacity")
def kinesis_capacity(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for stream in ctx.nodes_in("streams"):
        if gap := shard_shortfall(ctx, stream):
            yield Hit(gap[0].upper() + gap[1:], (stream.id,))


@rule("payload-over-limit")
def payload_over_limit(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    default_kb = ctx.diagram.traffic.payload_kb if ctx.diagram.traffic else None
    for edge in ctx.diagram.edges:
        size = edge.attr("payload_kb", default_kb)
        if size is None or edge.kind in ("dead-letter", "read"):
            continue
        target = ctx.diagram.node(edge.target)
        found = capacity.payload_limit(ctx.catalog, edge, ctx.diagram.node(edge.source), target)
        if found and size > found[0]:
            yield Hit(
                f"{ctx.name(edge.source)} sends {size:,.0f} KB to {ctx.name(target.id)}, above {found[1]} ({found[0]:,g} KB)",
                (edge.source, target.id),
                (edge.id,),
            )


@rule("standard-workflow-high-volume")
def standard_high_volume(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    if not ctx.has_traffic:
        return
    traffic = ctx.diagram.traffic
    assert traffic is not None  # a type guard for mypy: has_traffic checked it  # nosec B101
    for machine in ctx.diagram.of_type("sfn-standard"):
        duration_s = float(machine.config.get("duration_ms") or 0) / 1000
        waits = machine.config.get("approval") != "none" or any(
            e.attr("wait_for_callback") for e in ctx.out(machine.id, "task")
        )
        executions = ctx.rates[machine.id].avg_rps * traffic.days * SECONDS_PER_DAY
        if waits or duration_s > ctx.limit("sfn-express", "max_duration_s"):
            continue
        if executions < spec.threshold("min_executions_per_month"):
            continue
        states = int(machine.config.get("states_per_execution") or 1)
        standard = executions * states * spec.threshold("standard_per_transition_usd")
        # Express bills 64 MB chunks in 100 ms steps; 64 MB is the smallest a light workflow uses.
        billed_s = max(0.1, -(-duration_s // 0.1) * 0.1)
        express = executions * (
            spec.threshold("express_per_request_usd") + billed_s * 0.0625 * spec.threshold("express_per_gb_s_usd")
        )
        if standard >= spec.threshold("cost_ratio") * express:
            yield Hit(
                f"{ctx.name(machine.id)} runs about {executions:,.0f} times a month: about ${standard:,.2f} as a Standard "
                f"workflow against about ${express:,.2f} as Express",
                (machine.id,),
            )


@rule("inline-map-concurrency")
def inline_map(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for machine in ctx.nodes_in("state-machines"):
        if machine.config.get("map_mode") != "inline":
            continue
        cap = ctx.limit("sfn-standard", "inline_map_concurrency")
        history = ctx.limit("sfn-standard", "history_events")
        asked = int(machine.config.get("map_concurrency") or 0)
        items = int(machine.config.get("map_items") or 0)
        if asked > cap:
            yield Hit(
                f"{ctx.name(machine.id)} asks an inline Map for {asked:,} parallel iterations; it runs at most {cap}",
                (machine.id,),
            )
        # Each iteration writes several history events; a Standard execution keeps at most 25,000.
        if machine.type == "sfn-standard" and items * 3 > history:
            yield Hit(
                f"{ctx.name(machine.id)} maps over {items:,} items inline; the execution history holds {history:,} events",
                (machine.id,),
                severity="error",
            )


@rule("lambda-rds-without-proxy")
def rds_without_proxy(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for fn in ctx.diagram.of_type("lambda"):
        for edge in ctx.out(fn.id, "read", "write"):
            db = ctx.diagram.node(edge.target)
            if not ctx.is_(db, "relational"):
                continue
            if db.config.get("data_api"):
                continue  # the Data API is HTTPS: no connections to pool
            reserved = fn.config.get("reserved_concurrency")
            # Each execution holds a connection; a cap within half the database's connections leaves room for the rest.
            if reserved is not None and reserved <= int(db.config.get("max_connections") or 100) / 2:
                continue
            yield Hit(
                f"{ctx.name(fn.id)} connects to {ctx.name(db.id)} directly, without RDS Proxy",
                (fn.id, db.id),
                (edge.id,),
            )


@rule("api-cache-candidate")
def api_cache(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    threshold = spec.threshold("min_hit_ratio")
    for api in ctx.diagram.of_type("apigw-rest", "apigw-http"):
        ratio = float(api.config.get("cache_hit_ratio") or 0)
        if ratio < threshold:
            continue
        if api.type == "apigw-rest" and not api.config.get("cache_size_gb"):
            yield Hit(
                f"{ctx.name(api.id)} could answer about {ratio:.0%} of requests from a cache but has none", (api.id,)
            )
        elif api.type == "apigw-http" and not any(s.type == "cloudfront" for s in ctx.sources(api.id, "route")):
            yield Hit(
                f"{ctx.name(api.id)} could answer about {ratio:.0%} of requests from a cache, and HTTP APIs cannot cache",
                (api.id,),
            )


@rule("http-api-missing-feature")
def http_api_feature(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for api in ctx.diagram.of_type("apigw-http"):
        wanted = [n for n in api.config.get("needs") or () if n in REST_ONLY_NEEDS]
        if wanted:
            yield Hit(f"{ctx.name(api.id)} needs {', '.join(wanted)}, which only REST APIs provide", (api.id,))


@rule("websocket-without-connection-store")
def websocket_store(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for api in ctx.diagram.of_type("apigw-websocket"):
        handlers = ctx.targets(api.id, "route", "invoke-async")
        if not handlers:
            continue
        writers = [api, *handlers]  # $connect may write the connection id itself (a service integration)
        if any(s.type in ("dynamodb", "elasticache") for h in writers for s in ctx.targets(h.id, "write")):
            continue
        yield Hit(f"No handler of {ctx.name(api.id)} stores connection ids", (api.id, *(h.id for h in handlers)))
