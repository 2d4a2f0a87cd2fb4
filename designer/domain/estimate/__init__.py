"""Monthly cost and end-to-end latency of a diagram under a traffic profile.

    report = estimate(diagram)                    # the diagram's own traffic profile
    report = estimate(diagram, profile, samples=200_000, seed=1)
    report.to_dict()                              # the archlab/estimate@1 document

Modules: ``pricing`` (pricing.yaml and the ledger), ``flow`` and ``schedule`` (rates per node and edge), ``cost``
and ``cost_services`` (cost lines per service type), ``latency`` (distributions, cold starts), ``simulate``,
``hops`` and ``paths`` (the vectorised Monte Carlo), ``limits`` and ``quotas`` (warnings), ``report`` (the
result), ``estimator`` (the whole).
"""

from designer.domain.estimate.estimator import DEFAULT_SAMPLES, MAX_SAMPLES, EstimateOptions, estimate
from designer.domain.estimate.pricing import CostLine, Pricing, load_pricing
from designer.domain.estimate.report import (
    ESTIMATE_FORMAT,
    EstimateReport,
    Histogram,
    LimitWarning,
    PathLatency,
    Percentiles,
    ScalePoint,
)

__all__ = [
    "DEFAULT_SAMPLES",
    "ESTIMATE_FORMAT",
    "MAX_SAMPLES",
    "CostLine",
    "EstimateOptions",
    "EstimateReport",
    "Histogram",
    "LimitWarning",
    "PathLatency",
    "Percentiles",
    "Pricing",
    "ScalePoint",
    "estimate",
    "load_pricing",
]
