"""Latency distributions of single hops and the Lambda cold-start model; no sampling happens here.

Every duration is a lognormal fitted to a median and a 99th percentile (:class:`LatencySpec`). Where only a median is
known, the p99 is ``default_p99_ratio`` times it.

Cold starts (per function, at an average invocation rate ``λ``, mean duration ``d``, keep-alive ``T``, environment
lifetime ``L``)::

    spill   = ErlangB(provisioned, λ·d)                 share of invocations provisioned concurrency cannot take
    λo      = λ · spill                                  on-demand invocations per second
    idle    = λo·e^(−λo·T) while λo·T ≤ 1, else 1/(e·T)  a lone environment expires between requests (held at its
                                                         peak beyond that, so cost never falls as traffic grows)
    recycle = (1 − e^(−λo·T)) · max(1, λo·d) / L         busy environments are replaced
    climb   = peaks_per_day · max(0, λo_peak·d − λo·d) / 86,400   environments added when traffic climbs to its peak
    cold starts per second = idle + recycle + climb;  P(cold) = that / λ
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from designer.domain.catalog import Catalog
from designer.domain.diagram import Node
from designer.domain.estimate.flow import Flow
from designer.domain.estimate.pricing import LatencySpec, Pricing
from designer.domain.runtimes import cold_start_key

__all__ = [
    "ColdStart",
    "billed_ms",
    "cold_start",
    "cold_start_spec",
    "duration_spec",
    "erlang_b",
    "erlang_c",
    "fit",
    "service_spec",
]

SNAPSTART_FAMILIES = ("java", "python", "dotnet")
SERVICE_LATENCY = {  # types whose own latency is a configuration parameter: (median key, p99 key)
    "rds": ("latency_ms", None),
    "aurora-serverless": ("latency_ms", None),
    "rds-proxy": ("latency_ms", None),
    "elasticache": ("latency_ms", None),
    "opensearch": ("latency_ms", None),
    "fargate": ("latency_ms", None),
    "legacy-app": ("latency_ms", "latency_p99_ms"),
    "external-api": ("latency_ms", "latency_p99_ms"),
    "sagemaker": ("inference_ms", None),
    "eventbridge-pipe": ("latency_ms", None),
}
HOP_OF_TYPE = {  # types whose latency comes from pricing.yaml
    "apigw-http": "apigw-http",
    "apigw-rest": "apigw-rest",
    "apigw-websocket": "apigw-websocket",
    "appsync": "appsync",
    "alb": "alb",
    "cloudfront": "cloudfront",
    "cognito": "cognito",
    "dynamodb": "dynamodb",
    "s3": "s3",
    "ses": "ses",
}


def fit(p50_ms: float, p99_ms: float | None, pricing: Pricing, note: str = "") -> LatencySpec:
    """A lognormal through a median and a p99 (default: ``default_p99_ratio`` x the median)."""
    p50 = max(float(p50_ms), 0.0)
    p99 = float(p99_ms) if p99_ms is not None else p50 * pricing.number("default_p99_ratio")
    return LatencySpec(p50_ms=p50, p99_ms=max(p99, p50), note=note, assumption=p99_ms is None)


def duration_spec(node: Node, pricing: Pricing, records: float | None = None) -> LatencySpec:
    """Own work of one invocation of a function; ``records`` is the size of a polled batch (None: not polled)."""
    cfg = node.config
    median = billed_ms(node, records)
    p99 = cfg.get("duration_p99_ms")
    if p99 is None:
        return fit(median, None, pricing)
    ratio = float(p99) / float(cfg.get("duration_ms") or p99)
    return fit(median, median * max(ratio, 1.0), pricing)


def billed_ms(node: Node, records: float | None = None) -> float:
    """Billed milliseconds of one invocation: per_record_ms x records for a polled batch when set, else duration_ms."""
    per_record = node.config.get("per_record_ms")
    if per_record is not None and records is not None:
        return float(per_record) * records
    return float(node.config.get("duration_ms") or 0.0)


def service_spec(node: Node, pricing: Pricing, records: float = 1.0) -> LatencySpec | None:
    """Latency of one call to ``node`` from its configuration or from pricing.yaml (None: no fixed latency)."""
    keys = SERVICE_LATENCY.get(node.type)
    if keys is not None:
        median = float(node.config.get(keys[0]) or 0.0) * records
        p99 = node.config.get(keys[1]) if keys[1] else None
        return fit(median, float(p99) * records if p99 is not None else None, pricing)
    hop = HOP_OF_TYPE.get(node.type)
    return pricing.hop(hop) if hop else None


def cold_start_spec(node: Node, catalog: Catalog, pricing: Pricing) -> LatencySpec:
    """INIT duration of a new environment of a Lambda function, by runtime, SnapStart and architecture."""
    runtime = str(node.config.get("runtime") or "python3.13")
    limits = catalog.types["lambda"].limits
    medians, p99s = limits["cold_start_p50_ms"].value, limits["cold_start_p99_ms"].value
    snapstart = node.config.get("snapstart") and runtime.startswith(SNAPSTART_FAMILIES)
    key = "snapstart" if snapstart else cold_start_key(runtime, medians)
    factor = pricing.number("arm64_cold_start_factor") if node.config.get("arch") == "arm64" else 1.0
    p50 = float(medians.get(key, medians["python3.13"])) * factor
    p99 = float(p99s.get(key, p99s["python3.13"])) * factor
    return LatencySpec(p50_ms=p50, p99_ms=p99, source=catalog.limit_source("lambda", "cold_start_p50_ms") or "")


@dataclass(frozen=True, slots=True)
class ColdStart:
    invocations: float  # per second, all
    on_demand: float  # per second, those provisioned concurrency could not take
    cold_per_s: float

    @property
    def probability(self) -> float:
        return min(1.0, self.cold_per_s / self.invocations) if self.invocations > 0 else 1.0

    @property
    def provisioned_share(self) -> float:
        return 1.0 - self.on_demand / self.invocations if self.invocations > 0 else 0.0


def cold_start(flow: Flow, node: Node, pricing: Pricing) -> ColdStart:
    """Cold starts per second of function ``node`` under ``flow`` (see the module docstring)."""
    lam = flow.invocations(node.id)
    lam_peak = max(flow.invocations(node.id, peak=True), lam)
    d = mean_invocation_s(flow, node)
    provisioned = int(node.config.get("provisioned_concurrency") or 0)
    lam_od = lam * erlang_b(provisioned, lam * d)
    lam_od_peak = lam_peak * erlang_b(provisioned, lam_peak * d)
    keep_alive = pricing.number("keep_alive_s")
    x = lam_od * keep_alive
    idle = lam_od * math.exp(-x) if x <= 1 else 1.0 / (math.e * keep_alive)
    recycle = (1.0 - math.exp(-x)) * max(1.0, lam_od * d) / pricing.number("environment_lifetime_s")
    climb = pricing.number("peak_episodes_per_day") * max(0.0, (lam_od_peak - lam_od) * d) / 86_400
    return ColdStart(invocations=lam, on_demand=lam_od, cold_per_s=min(idle + recycle + climb, lam_od))


def mean_invocation_s(flow: Flow, node: Node) -> float:
    """Average billed seconds per invocation, over every source of invocations."""
    total = flow.invocations(node.id)
    if total <= 0:
        return billed_ms(node) / 1000
    busy = flow.entry_rate(node.id) * billed_ms(node)
    for e in flow.into(node.id):
        rate = flow.edge_rate(e)
        if e.kind == "poll":
            b = flow.batch(e)
            busy += rate / b * billed_ms(node, b)
        else:
            busy += rate * billed_ms(node)
    return busy / total / 1000


def erlang_b(servers: int, load: float) -> float:
    """Share of arrivals that find all ``servers`` busy (Erlang B) with ``load`` = arrival rate x service time."""
    if servers <= 0:
        return 1.0
    if load <= 0 or servers > load + 12 * math.sqrt(load) + 30:
        return 0.0  # so many servers that hardly anyone finds them all busy (below 1e-20)
    b = 1.0
    for k in range(1, min(servers, 200_000) + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits for one of ``servers`` (Erlang C); 1 when the load reaches capacity."""
    if servers <= 0 or load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    rho = load / servers
    return b / (1.0 - rho * (1.0 - b))
