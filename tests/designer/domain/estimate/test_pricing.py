"""pricing.yaml: every price sourced and dated, tiers cut right, free tiers off unless asked, lognormal fits."""

import math
import re

import pytest

from designer.domain.catalog import load_catalog
from designer.domain.estimate.pricing import LatencySpec, Ledger, Price, Tier
from tests.designer.domain.estimate.hand import PRICING, price


@pytest.mark.parametrize("key", sorted(PRICING.prices))
def test_every_price_has_a_source_url_a_checked_date_a_unit_and_rising_tiers(key):
    item = PRICING.price(key)
    assert item.source.startswith("https://aws.amazon.com/")
    assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", item.checked), item.checked  # the month it was compared
    assert item.unit
    assert item.basis
    bounds = [t.upto for t in item.tiers[:-1]]
    assert bounds == sorted(bounds)
    assert item.tiers[-1].upto is None
    assert all(t.price >= 0 for t in item.tiers)


@pytest.mark.parametrize("key", sorted(PRICING.latency))
def test_latency_figures_are_sourced_or_marked_as_assumptions(key):
    spec = PRICING.hop(key)
    assert 0 < spec.p50_ms <= spec.p99_ms
    assert spec.assumption or spec.source


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("lambda.requests", 0.0000002),
        ("lambda.duration.x86_64", 0.0000166667),
        ("lambda.duration.arm64", 0.0000133334),
        ("apigw-rest.requests", 0.0000035),
        ("apigw-http.requests", 0.000001),
        ("sqs.requests", 0.0000004),
        ("sfn-standard.state-transitions", 0.000025),
        ("dynamodb.write-request-units", 0.000000625),
        ("dynamodb.read-request-units", 0.000000125),
        ("eventbridge.events", 0.000001),
        ("kinesis.shard-hours", 0.015),
    ],
)
def test_first_tier_prices_are_the_current_ones_not_the_seeds(key, expected):
    assert price(key) == expected


def test_hourly_and_request_figures_match_the_aws_reference_examples():
    assert round(price("lambda.provisioned.x86_64") * 3600 * 730, 2) == 10.95  # 1 GB for a 730-hour month
    assert round(price("apigw-rest.cache.0.5") * 730, 2) == 14.60
    assert round(price("kinesis.stream-hours") * 730, 2) == 29.20
    assert round(1 - price("apigw-http.requests") / price("apigw-rest.requests"), 3) == 0.714  # "70% cheaper"


def test_every_rest_cache_size_of_the_catalog_has_a_price():
    sizes = load_catalog().types["apigw-rest"].params["cache_size_gb"].values
    assert all(f"apigw-rest.cache.{s:g}" in PRICING.prices for s in sizes if s)


@pytest.mark.parametrize(
    ("quantity", "start", "expected"),
    [
        (100, 0, [(100, 3.5)]),
        (500, 0, [(333, 3.5), (167, 2.8)]),
        (500, 300, [(33, 3.5), (467, 2.8)]),
        (25_000, 0, [(333, 3.5), (667, 2.8), (19_000, 2.38), (5_000, 1.51)]),
        (0, 0, []),
    ],
)
def test_a_quantity_is_split_over_the_tiers_it_falls_in(quantity, start, expected):
    rest = Price("x", "request", (Tier(333, 3.5), Tier(1000, 2.8), Tier(20_000, 2.38), Tier(None, 1.51)), "s", "c")
    assert rest.split(quantity, start) == expected


def test_the_ledger_continues_tiers_per_node_and_skips_nothing_billed():
    ledger = Ledger(PRICING)
    ledger.charge("a", "requests", "apigw-http.requests", 200_000_000)
    ledger.charge("a", "requests", "apigw-http.requests", 200_000_000)  # 100M more in tier 1, 100M in tier 2
    ledger.charge("b", "requests", "apigw-http.requests", 0)
    assert [(line.quantity, line.unit_price_usd) for line in ledger.lines] == [
        (200_000_000, 0.000001),
        (100_000_000, 0.000001),
        (100_000_000, 0.0000009),
    ]
    assert ledger.total == pytest.approx(200 + 100 + 90)


@pytest.mark.parametrize("free_tier", [False, True])
def test_free_tiers_are_off_unless_asked_and_shared_by_the_whole_diagram(free_tier):
    ledger = Ledger(PRICING, free_tier=free_tier)
    ledger.charge("f1", "requests", "lambda.requests", 700_000)
    ledger.charge("f2", "requests", "lambda.requests", 700_000)
    if free_tier:  # 1M free requests in all: f1 uses 700k, f2 the other 300k
        assert ledger.total == pytest.approx(400_000 * 0.0000002)
        assert [line.cost_usd for line in ledger.lines if line.unit_price_usd == 0] == [0, 0]
    else:
        assert ledger.total == pytest.approx(1_400_000 * 0.0000002)


def test_account_wide_tiers_continue_across_nodes():
    ledger = Ledger(PRICING)
    ledger.charge("api-1", "data_transfer_out", "data-transfer-out", 8 * 1024, scope="account")
    ledger.charge("api-2", "data_transfer_out", "data-transfer-out", 4 * 1024, scope="account")
    # 10 TB at $0.09 in all, then $0.085
    assert ledger.total == pytest.approx(10 * 1024 * 0.09 + 2 * 1024 * 0.085)


@pytest.mark.parametrize(("p50", "p99"), [(10, 30), (100, 100), (5, 250)])
def test_a_lognormal_fit_returns_its_median_and_99th_percentile(p50, p99):
    spec = LatencySpec(p50, p99)
    assert math.exp(spec.mu) == pytest.approx(p50)
    assert math.exp(spec.mu + 2.3263478740408408 * spec.sigma) == pytest.approx(p99)
    assert spec.mean_ms >= p50
