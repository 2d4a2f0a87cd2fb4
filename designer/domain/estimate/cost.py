"""Monthly cost: one function per billed service type turns the flow into quantities for the ledger.

Front doors, compute and data transfer are here; messaging, workflows and data stores in ``cost_services``.
"""

from __future__ import annotations

from collections.abc import Callable

from designer.domain.catalog import Catalog
from designer.domain.diagram import Node
from designer.domain.estimate.billing import KB_PER_GB, Bill, chunks
from designer.domain.estimate.cost_services import SERVICE_COSTERS
from designer.domain.estimate.flow import Flow
from designer.domain.estimate.latency import cold_start, cold_start_spec, mean_invocation_s
from designer.domain.estimate.pricing import CostLine, Ledger, Pricing

__all__ = ["bill", "sort_lines"]

CLIENTS = frozenset({"client-web", "client-mobile", "client-iot", "client-partner"})
DTO_TARGETS = frozenset({"apigw-rest", "apigw-http", "apigw-websocket", "appsync", "alb", "s3"})


def bill(flow: Flow, pricing: Pricing, catalog: Catalog, *, free_tier: bool, hours: float, log_kb: float = 0.0) -> Bill:
    """Cost lines of every node under ``flow``, in diagram order."""
    costers = {**COSTERS, **SERVICE_COSTERS}
    b = Bill(flow, pricing, catalog, Ledger(pricing, free_tier=free_tier), hours, log_kb)
    for node in flow.diagram.nodes:
        coster = costers.get(node.type)
        if coster is not None:
            coster(b, node)
    _data_transfer_out(b)
    return b


def sort_lines(lines: list[CostLine], order: list[str]) -> list[CostLine]:
    rank = {node_id: i for i, node_id in enumerate(order)}
    return sorted(lines, key=lambda line: rank.get(line.node, len(rank)))


# --- compute --------------------------------------------------------------------------------------------------


def _lambda(b: Bill, node: Node) -> None:
    cfg, flow = node.config, b.flow
    arch = "arm64" if cfg.get("arch") == "arm64" else "x86_64"
    memory_gb = float(cfg.get("memory_mb") or 128) / 1024
    invocations = flow.invocations(node.id)
    b.charge(node, "requests", "lambda.requests", b.monthly(invocations))
    busy_s = mean_invocation_s(flow, node) * invocations  # billed seconds per second
    cold = cold_start(flow, node, b.pricing)
    on_provisioned = busy_s * cold.provisioned_share
    b.charge(node, "duration", f"lambda.duration.{arch}", b.monthly(busy_s - on_provisioned) * memory_gb)
    b.charge(node, "duration", f"lambda.provisioned-duration.{arch}", b.monthly(on_provisioned) * memory_gb)
    init_s = cold_start_spec(node, b.catalog, b.pricing).mean_ms / 1000
    b.charge(node, "init_duration", f"lambda.duration.{arch}", b.monthly(cold.cold_per_s * init_s) * memory_gb)
    provisioned = int(cfg.get("provisioned_concurrency") or 0)
    b.charge(node, "provisioned_concurrency", f"lambda.provisioned.{arch}", provisioned * memory_gb * b.hours * 3600)
    extra_gb = max(0.0, float(cfg.get("ephemeral_storage_mb") or 512) - 512) / 1024
    b.charge(node, "ephemeral_storage", "lambda.ephemeral-storage", b.monthly(busy_s) * extra_gb)
    if b.log_kb_per_invocation > 0:
        logs_gb = b.monthly(invocations) * b.log_kb_per_invocation / KB_PER_GB
        b.charge(node, "log_ingestion", "cloudwatch.log-ingestion", logs_gb)


def _fargate(b: Bill, node: Node) -> None:
    cfg = node.config
    arch = "arm64" if cfg.get("arch") == "arm64" else "x86_64"
    task_hours = float(cfg.get("tasks") or 0) * b.hours
    b.charge(node, "vcpu_hours", f"fargate.vcpu-hours.{arch}", task_hours * float(cfg.get("vcpu") or 0.25))
    b.charge(node, "memory_gb_hours", f"fargate.memory-hours.{arch}", task_hours * float(cfg.get("memory_gb") or 0.5))
    extra_gb = max(0.0, float(cfg.get("ephemeral_storage_gb") or 20) - 20)
    b.charge(node, "ephemeral_storage", "fargate.ephemeral-storage", task_hours * extra_gb)


def _sagemaker(b: Bill, node: Node) -> None:
    cfg = node.config
    calls = b.flow.rate(node.id)
    if cfg.get("endpoint_type", "serverless") == "serverless":
        seconds = b.monthly(calls) * float(cfg.get("inference_ms") or 0) / 1000
        b.charge(node, "inference_duration", "sagemaker.serverless-duration", seconds * float(cfg["memory_mb"]) / 1024)
    else:
        b.charge(node, "instance_hours", "sagemaker.instance-hours", float(cfg.get("instance_count") or 0) * b.hours)
        b.note(f"SageMaker '{node.id}' is priced as {cfg.get('instance_type')} at the ml.m5.large rate.")
    data_gb = 2 * b.monthly(calls) * b.flow.node_kb(node.id) / KB_PER_GB  # request in, response out
    b.charge(node, "data_processed", "sagemaker.data-processed", data_gb)


# --- front doors ----------------------------------------------------------------------------------------------


def _apigw_rest(b: Bill, node: Node) -> None:
    b.charge(node, "requests", "apigw-rest.requests", b.monthly(b.flow.rate(node.id)))
    size = float(node.config.get("cache_size_gb") or 0)
    if size > 0:
        b.charge(node, "cache_hours", f"apigw-rest.cache.{size:g}", b.hours)
    elif float(node.config.get("cache_hit_ratio") or 0) > 0:
        b.note(f"REST API '{node.id}' has a cache_hit_ratio but no cache (cache_size_gb 0): every request reaches it.")


def _apigw_http(b: Bill, node: Node) -> None:
    metered = chunks(b.flow.node_kb(node.id), 512)  # HTTP APIs meter requests in 512 KB increments
    b.charge(node, "requests", "apigw-http.requests", b.monthly(b.flow.rate(node.id)) * metered)
    if float(node.config.get("cache_hit_ratio") or 0) > 0:
        b.note(
            f"HTTP API '{node.id}': HTTP APIs have no cache, so cache_hit_ratio is ignored; draw CloudFront in front."
        )


def _apigw_websocket(b: Bill, node: Node) -> None:
    cfg = node.config
    connections = float(cfg.get("connections") or 0)
    per_s = b.flow.rate(node.id) or connections * float(cfg.get("messages_per_connection_per_s") or 0)
    metered = chunks(float(cfg.get("message_kb") or 1), 32)
    b.charge(node, "messages", "apigw-websocket.messages", b.monthly(per_s) * metered)
    b.charge(node, "connection_minutes", "apigw-websocket.connection-minutes", connections * b.hours * 60)


def _appsync(b: Bill, node: Node) -> None:
    cfg = node.config
    key = "appsync.events-requests" if cfg.get("api_type") == "events" else "appsync.requests"
    b.charge(node, "requests", key, b.monthly(b.flow.rate(node.id)))
    connections = float(cfg.get("connections") or 0)
    updates = connections * float(cfg.get("updates_per_connection_per_s") or 0)
    b.charge(node, "realtime_updates", "appsync.realtime-updates", b.monthly(updates))
    b.charge(node, "connection_minutes", "appsync.connection-minutes", connections * b.hours * 60)


def _alb(b: Bill, node: Node) -> None:
    b.charge(node, "alb_hours", "alb.hours", b.hours)
    rate = b.flow.rate(node.id)
    gb_per_hour = rate * 3600 * 2 * b.flow.node_kb(node.id) / KB_PER_GB  # request plus response
    lambda_only = all(b.flow.diagram.node(e.target).type == "lambda" for e in b.flow.out(node.id)) and bool(
        b.flow.out(node.id)
    )
    lcu = max(rate / 25, gb_per_hour / (0.4 if lambda_only else 1.0))  # one new connection per request
    b.charge(node, "lcu_hours", "alb.lcu-hours", lcu * b.hours)


def _cloudfront(b: Bill, node: Node) -> None:
    b.charge(node, "requests", "cloudfront.requests", b.monthly(b.flow.rate(node.id)))


def _cognito(b: Bill, node: Node) -> None:
    plan = str(node.config.get("feature_plan") or "essentials")
    b.charge(node, "monthly_active_users", f"cognito.mau.{plan}", float(node.config.get("monthly_active_users") or 0))


def _data_transfer_out(b: Bill) -> None:
    """Responses to clients on the internet, billed where they leave AWS (account-wide tiers)."""
    flow = b.flow
    for edge in flow.diagram.edges:
        if edge.kind != "request" or flow.diagram.node(edge.source).type not in CLIENTS:
            continue
        target = flow.diagram.node(edge.target)
        if target.type == "s3" and flow.out(target.id, "trigger", "publish"):
            continue  # an upload: data in is free
        gb = b.monthly(flow.edge_rate(edge)) * flow.kb(edge) / KB_PER_GB
        if target.type == "cloudfront":
            b.ledger.charge(target.id, "data_transfer_out", "cloudfront.data-transfer-out", gb, scope="account")
        elif target.type in DTO_TARGETS:
            b.ledger.charge(target.id, "data_transfer_out", "data-transfer-out", gb, scope="account")


COSTERS: dict[str, Callable[[Bill, Node], None]] = {
    "lambda": _lambda,
    "fargate": _fargate,
    "sagemaker": _sagemaker,
    "apigw-rest": _apigw_rest,
    "apigw-http": _apigw_http,
    "apigw-websocket": _apigw_websocket,
    "appsync": _appsync,
    "alb": _alb,
    "cloudfront": _cloudfront,
    "cognito": _cognito,
}
