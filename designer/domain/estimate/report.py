"""What an estimate produces (``archlab/estimate@1``): cost lines, latency per entry path, warnings, assumptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designer.domain.estimate.pricing import CostLine

__all__ = [
    "ESTIMATE_FORMAT",
    "EstimateReport",
    "Histogram",
    "LimitWarning",
    "PathLatency",
    "Percentiles",
    "ScalePoint",
]

ESTIMATE_FORMAT = "archlab/estimate@1"


@dataclass(frozen=True, slots=True)
class Percentiles:
    p50: float
    p95: float
    p99: float

    def to_dict(self) -> dict[str, float]:
        return {"p50": round(self.p50, 1), "p95": round(self.p95, 1), "p99": round(self.p99, 1)}


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of simulated requests per latency bin (``counts``: completion, ``caller_counts``: caller latency in
    the JSON); ``edges_ms`` has one more value than each count list."""

    edges_ms: tuple[float, ...]
    caller: tuple[int, ...]
    completion: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "edges_ms": [round(x, 2) for x in self.edges_ms],
            "counts": list(self.completion),
            "caller_counts": list(self.caller),
        }


@dataclass(frozen=True, slots=True)
class PathLatency:
    """Latency of requests entering at ``entry``: until the caller is answered and until all work is done."""

    entry: str
    nodes: tuple[str, ...]
    sync: bool
    caller_ms: Percentiles
    completion_ms: Percentiles
    histogram: Histogram

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "nodes": list(self.nodes),
            "sync": self.sync,
            "caller_ms": self.caller_ms.to_dict(),
            "completion_ms": self.completion_ms.to_dict(),
            "histogram": self.histogram.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class LimitWarning:
    """A quota or capacity the traffic runs into (``rule`` is a stable id)."""

    rule: str
    message: str
    nodes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "nodes": list(self.nodes)}


@dataclass(frozen=True, slots=True)
class ScalePoint:
    scale: float
    monthly_cost_usd: float

    def to_dict(self) -> dict[str, float]:
        return {"scale": self.scale, "monthly_cost_usd": round(self.monthly_cost_usd, 2)}


@dataclass(frozen=True)
class EstimateReport:
    """Monthly cost and latency of a diagram under a traffic profile.

    ``to_dict()`` is the ``archlab/estimate@1`` document; beyond the fields the format names it carries
    ``requests_per_month``, ``cost_per_million_usd``, ``curve``, ``samples``, ``seed`` and a
    histogram per path (additions that version 1 allows).
    """

    region: str
    currency: str
    days: float
    month_hours: float
    free_tier: bool
    monthly_cost_usd: float
    lines: tuple[CostLine, ...]
    paths: tuple[PathLatency, ...]
    warnings: tuple[LimitWarning, ...]
    assumptions: tuple[str, ...]
    requests_per_month: float = 0.0
    cost_per_million_usd: float | None = None
    curve: tuple[ScalePoint, ...] = ()
    samples: int = 0
    seed: int = 0

    def cost_of(self, node: str | None = None, dimension: str | None = None) -> float:
        """Total of the lines of ``node`` and/or ``dimension`` (both None: the whole bill)."""
        return sum(
            line.cost_usd
            for line in self.lines
            if (node is None or line.node == node) and (dimension is None or line.dimension == dimension)
        )

    def quantity_of(self, node: str, dimension: str) -> float:
        return sum(line.quantity for line in self.lines if line.node == node and line.dimension == dimension)

    def path(self, entry: str) -> PathLatency:
        return next(p for p in self.paths if p.entry == entry)

    def fired(self, rule: str) -> list[LimitWarning]:
        return [w for w in self.warnings if w.rule == rule]

    def to_dict(self) -> dict[str, Any]:
        per_million = self.cost_per_million_usd
        return {
            "format": ESTIMATE_FORMAT,
            "region": self.region,
            "currency": self.currency,
            "days": self.days,
            "month_hours": self.month_hours,
            "free_tier": self.free_tier,
            "monthly_cost_usd": round(self.monthly_cost_usd, 2),
            "lines": [line.to_dict() for line in self.lines],
            "paths": [p.to_dict() for p in self.paths],
            "warnings": [w.to_dict() for w in self.warnings],
            "assumptions": list(self.assumptions),
            "requests_per_month": round(self.requests_per_month),
            "cost_per_million_usd": round(per_million, 4) if per_million is not None else None,
            "curve": [p.to_dict() for p in self.curve],
            "samples": self.samples,
            "seed": self.seed,
        }
