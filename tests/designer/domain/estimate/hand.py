"""Hand computation helpers: prices from pricing.yaml and the cold-start formula written out once."""

from __future__ import annotations

import math

from designer.domain.estimate import load_pricing

PRICING = load_pricing()
SECONDS = 30 * 86_400  # a 30-day month: 2,592,000 s
HOURS = 730
GB = 1024 * 1024  # KB per GB


def price(key: str, tier: int = 0) -> float:
    """The unit price of ``key``'s tier (USD)."""
    return PRICING.price(key).tiers[tier].price


def init_mean_s(p50_ms: float, p99_ms: float) -> float:
    """Mean of the lognormal through p50 and p99, in seconds: p50 x exp(sigma^2 / 2)."""
    sigma = math.log(p99_ms / p50_ms) / 2.3263478740408408
    return p50_ms * math.exp(sigma**2 / 2) / 1000


def cold_per_s(lam: float, lam_peak: float, d_s: float) -> float:
    """Cold starts per second of a function without provisioned concurrency (latency.py's docstring)."""
    keep_alive, lifetime = 300.0, 7200.0
    x = lam * keep_alive
    idle = lam * math.exp(-x) if x <= 1 else 1 / (math.e * keep_alive)
    recycle = (1 - math.exp(-x)) * max(1.0, lam * d_s) / lifetime
    climb = max(0.0, (lam_peak - lam) * d_s) / 86_400
    return min(idle + recycle + climb, lam)


def init_cost(lam: float, lam_peak: float, d_s: float, memory_gb: float, *, p50=400.0, p99=1200.0, arm=False):
    """Monthly INIT charge of a python3.13 function (arm64: cold starts 25% shorter, arm64 price)."""
    factor = 0.75 if arm else 1.0
    gb_s = cold_per_s(lam, lam_peak, d_s) * SECONDS * init_mean_s(p50 * factor, p99 * factor) * memory_gb
    return gb_s * price(f"lambda.duration.{'arm64' if arm else 'x86_64'}")
