"""Latency of each entry path: the simulation per entry, its percentiles and histogram (hops in ``hops``)."""

from __future__ import annotations

import numpy as np

from designer.domain.catalog import Catalog
from designer.domain.diagram import Node
from designer.domain.estimate.flow import Flow
from designer.domain.estimate.hops import HANDLERS
from designer.domain.estimate.pricing import Pricing
from designer.domain.estimate.report import Histogram, PathLatency, Percentiles
from designer.domain.estimate.simulate import Arr, Simulator

__all__ = ["simulate_paths"]

HISTOGRAM_BINS = 24


def simulate_paths(
    flow: Flow, pricing: Pricing, catalog: Catalog, entries: list[str], *, samples: int, seed: int
) -> tuple[list[PathLatency], Simulator]:
    """One :class:`PathLatency` per entry node, from ``samples`` simulated requests each, and the simulator (for
    the latency figures it used and the nodes it cut off)."""
    sim = Simulator(flow, pricing, catalog, np.random.default_rng(seed), samples, HANDLERS)
    out = []
    for entry in entries:
        node = flow.diagram.node(entry)
        times = sim.visit(entry, _entry_mode(node))
        caller = times.s
        completion = np.maximum(times.c, caller)
        out.append(
            PathLatency(
                entry=entry,
                nodes=times.nodes,
                sync=not times.asynchronous,
                caller_ms=_percentiles(caller),
                completion_ms=_percentiles(completion),
                histogram=_histogram(caller, completion),
            )
        )
    return out, sim


def _entry_mode(node: Node) -> str:
    if node.type in ("sfn-standard", "sfn-express"):
        return "async"
    if node.type in ("sqs", "sqs-fifo", "sns", "sns-fifo", "eventbridge", "kinesis", "firehose"):
        return "put"
    if node.type in ("dynamodb", "s3"):
        return "write"
    return "sync"


def _percentiles(a: Arr) -> Percentiles:
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return Percentiles(p50=float(p50), p95=max(float(p95), float(p50)), p99=max(float(p99), float(p95), float(p50)))


def _histogram(caller: Arr, completion: Arr) -> Histogram:
    low = max(float(np.min(caller)), 0.1)
    high = max(float(np.percentile(completion, 99.9)), low * 1.01)
    edges = np.geomspace(low, high, HISTOGRAM_BINS + 1)
    edges[0], edges[-1] = 0.0, max(float(np.max(completion)), high)
    return Histogram(
        edges_ms=tuple(float(x) for x in edges),
        caller=tuple(int(x) for x in np.histogram(caller, bins=edges)[0]),
        completion=tuple(int(x) for x in np.histogram(completion, bins=edges)[0]),
    )
