"""Latency: the cold-start model, queueing formulas and the vectorised Monte Carlo against direct sampling."""

import math

import numpy as np
import pytest

from designer.domain.catalog import load_catalog
from designer.domain.estimate import EstimateOptions, estimate
from designer.domain.estimate.flow import build_flow
from designer.domain.estimate.latency import cold_start, cold_start_spec, erlang_b, erlang_c
from designer.domain.estimate.pricing import LatencySpec
from tests.designer.domain.build import make
from tests.designer.domain.estimate.hand import PRICING, SECONDS, cold_per_s, init_mean_s, price


def function_flow(rps, **config):
    diagram = make({"fn": ("lambda", config)}, [], {"entries": {"fn": {"rps": rps}}})
    return build_flow(diagram, None), diagram.node("fn")


@pytest.mark.parametrize("rps", [0.0005, 1 / 300, 0.1, 1, 50, 5_000])
def test_cold_starts_follow_the_documented_formula(rps):
    flow, fn = function_flow(rps, duration_ms=100)
    assert cold_start(flow, fn, PRICING).cold_per_s == pytest.approx(cold_per_s(rps, 3 * rps, 0.1))


def test_cold_starts_never_fall_as_traffic_grows_but_their_share_does():
    rates = [0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000]
    colds = [cold_start(*function_flow(r, duration_ms=100), PRICING) for r in rates]
    per_s = [c.cold_per_s for c in colds]
    assert per_s == sorted(per_s)
    assert colds[0].probability > 0.95
    assert colds[-1].probability < 0.0001


def test_provisioned_concurrency_takes_the_invocations_it_can_and_removes_their_cold_starts():
    flow, fn = function_flow(10, duration_ms=100, provisioned_concurrency=10)  # 1 busy on average
    cold = cold_start(flow, fn, PRICING)
    assert cold.provisioned_share == pytest.approx(1 - erlang_b(10, 1.0))
    assert cold.probability < 1e-6
    flow, fn = function_flow(10, duration_ms=100)
    assert cold_start(flow, fn, PRICING).provisioned_share == 0


@pytest.mark.parametrize(
    ("config", "p50", "p99"),
    [
        ({}, 400, 1200),
        ({"arch": "arm64"}, 300, 900),
        ({"runtime": "java21"}, 5000, 10000),
        ({"runtime": "java21", "snapstart": True}, 140, 400),
        ({"runtime": "nodejs22.x", "snapstart": True}, 350, 1000),  # SnapStart does not cover Node
        ({"runtime": "provided.al2023"}, 100, 250),
    ],
)
def test_cold_start_duration_depends_on_runtime_snapstart_and_architecture(config, p50, p99):
    spec = cold_start_spec(make({"fn": ("lambda", config)}, []).node("fn"), load_catalog(), PRICING)
    assert (spec.p50_ms, spec.p99_ms) == (pytest.approx(p50), pytest.approx(p99))


def test_the_init_charge_is_cold_starts_times_their_mean_duration():
    report = estimate(make({"fn": ("lambda", {"memory_mb": 1024})}, [], {"entries": {"fn": {"rps": 1}}}), samples=100)
    colds = cold_per_s(1, 3, 0.1) * SECONDS
    assert report.quantity_of("fn", "init_duration") == pytest.approx(colds * init_mean_s(400, 1200) * 1.0)
    assert report.cost_of("fn", "init_duration") == pytest.approx(
        colds * init_mean_s(400, 1200) * price("lambda.duration.x86_64")
    )


@pytest.mark.parametrize(
    ("servers", "load", "blocked", "waits"),
    [(1, 1.0, 0.5, 1.0), (2, 1.0, 0.2, 1 / 3), (10, 5.0, 0.018385, 0.036105), (1000, 10.0, 0.0, 0.0)],
)
def test_erlang_formulas_match_their_tables(servers, load, blocked, waits):
    assert erlang_b(servers, load) == pytest.approx(blocked, abs=1e-5)
    assert erlang_c(servers, load) == pytest.approx(waits, abs=1e-5)


# --- the simulation ---------------------------------------------------------------------------------------------


def path_of(nodes, edges, entry, *, rps=100, samples=200_000, seed=0, **kwargs):
    diagram = make(nodes, edges, {"entries": {entry: {"rps": rps}}})
    return estimate(diagram, samples=samples, seed=seed, **kwargs).path(entry)


def direct(*specs, n=400_000, seed=99):
    """Percentiles of a sum of independent lognormals, drawn one by one with numpy."""
    rng = np.random.default_rng(seed)
    total = sum(rng.lognormal(s.mu, s.sigma, n) for s in specs)
    return np.percentile(total, [50, 99])


def test_a_function_answers_in_its_duration_plus_invocation_overhead():
    path = path_of({"fn": ("lambda", {"duration_ms": 100, "duration_p99_ms": 300})}, [], "fn")
    p50, p99 = direct(LatencySpec(100, 300), PRICING.hop("lambda.overhead"))
    assert path.caller_ms.p50 == pytest.approx(p50, rel=0.02)
    assert path.caller_ms.p99 == pytest.approx(p99, rel=0.03)
    assert path.sync
    assert path.completion_ms == path.caller_ms


def test_pooled_draws_stay_independent_within_a_request():
    nodes = {
        "fn": ("lambda", {"duration_ms": 20, "duration_p99_ms": 60}),
        "t": "dynamodb",
        "x": ("external-api", {"latency_ms": 20, "latency_p99_ms": 60}),
    }
    path = path_of(nodes, [("fn", "t", "read"), ("fn", "x")], "fn", samples=500_000)
    p50, p99 = direct(LatencySpec(20, 60), PRICING.hop("lambda.overhead"), PRICING.hop("dynamodb"), LatencySpec(20, 60))
    assert path.caller_ms.p50 == pytest.approx(p50, rel=0.02)
    assert path.caller_ms.p99 == pytest.approx(p99, rel=0.03)


def test_calls_repeat_and_shares_pick_one_route_or_the_other():
    three = path_of({"fn": ("lambda", {"duration_ms": 1}), "x": ("external-api", {"latency_ms": 100, "latency_p99_ms": 100})},
                    [("fn", "x", None, {"calls": 3})], "fn")  # fmt: skip
    assert three.caller_ms.p50 == pytest.approx(303, rel=0.02)
    split = path_of(
        {"api": "apigw-http", "a": ("external-api", {"latency_ms": 10, "latency_p99_ms": 10}),
         "b": ("external-api", {"latency_ms": 1000, "latency_p99_ms": 1000})},
        [("api", "a", None, {"share": 0.7}), ("api", "b", None, {"share": 0.3})], "api",
    )  # fmt: skip
    assert split.caller_ms.p50 < 30
    assert 1000 < split.caller_ms.p99 < 1020


def test_an_async_hand_off_answers_fast_and_completes_later():
    path = path_of(
        {"fn": ("lambda", {"duration_ms": 10}), "q": "sqs", "worker": ("lambda", {"duration_ms": 500})},
        [("fn", "q", "send"), ("q", "worker", "poll")],
        "fn",
    )
    assert not path.sync
    assert path.caller_ms.p50 < 40
    assert path.completion_ms.p50 > path.caller_ms.p50 + 450


def test_a_rest_cache_answers_most_requests_without_the_backend():
    nodes = {
        "api": ("apigw-rest", {"cache_size_gb": 0.5, "cache_hit_ratio": 0.9}),
        "fn": ("lambda", {"duration_ms": 200}),
    }
    cached = path_of(nodes, [("api", "fn")], "api")
    uncached = path_of({**nodes, "api": "apigw-rest"}, [("api", "fn")], "api")
    assert cached.caller_ms.p50 < 20 < 200 < uncached.caller_ms.p50
    assert cached.caller_ms.p99 > 200  # the misses


@pytest.mark.parametrize(("window_s", "low", "high"), [(0, 0, 200), (2, 800, 1300)])
def test_a_batching_window_holds_records_until_it_closes(window_s, low, high):
    path = path_of(
        {"q": "sqs", "fn": ("lambda", {"per_record_ms": 1})},
        [("q", "fn", "poll", {"batch_size": 100, "batching_window_s": window_s})],
        "q",
        rps=5,  # 10 records a window of 2 s: the batch closes on time, a record waits 1 s on average
    )
    assert low < path.completion_ms.p50 < high


def test_rare_requests_start_cold_and_provisioned_concurrency_keeps_them_warm():
    cold = path_of({"fn": ("lambda", {"duration_ms": 20})}, [], "fn", rps=0.0005, samples=50_000)
    warm = path_of(
        {"fn": ("lambda", {"duration_ms": 20, "provisioned_concurrency": 1})}, [], "fn", rps=0.0005, samples=50_000
    )
    assert cold.caller_ms.p50 > 300  # a python3.13 INIT of about 400 ms
    assert warm.caller_ms.p99 < 100


def test_a_capped_consumer_makes_messages_wait_for_a_free_execution():
    nodes = {"q": "sqs", "fn": ("lambda", {"duration_ms": 100})}
    free = path_of(nodes, [("q", "fn", "poll")], "q", rps=8)
    capped = path_of(
        {**nodes, "fn": ("lambda", {"duration_ms": 100, "reserved_concurrency": 1})}, [("q", "fn", "poll")], "q", rps=8
    )
    assert capped.completion_ms.p99 > 2 * free.completion_ms.p99


def test_failures_add_retry_delays_to_completion():
    nodes = {"t": "sns", "fn": ("lambda", {"duration_ms": 50})}
    calm = path_of(nodes, [("t", "fn")], "t", samples=20_000)
    failing = path_of(nodes, [("t", "fn")], "t", samples=20_000, options=EstimateOptions(failure_rate=0.05))
    assert calm.completion_ms.p99 < 1_000 < 60_000 < failing.completion_ms.p99


def test_a_stream_record_waits_for_the_next_poll_of_its_shard():
    path = path_of({"k": "kinesis", "fn": ("lambda", {"per_record_ms": 1})}, [("k", "fn", "poll")], "k", rps=50)
    assert 400 < path.completion_ms.p50 < 700  # uniform over the 1-s polling interval, plus the hops


def test_the_same_seed_gives_the_same_paths_and_another_seed_other_draws():
    nodes, edges = {"fn": "lambda", "t": "dynamodb"}, [("fn", "t", "read")]
    a, b = path_of(nodes, edges, "fn", seed=3, samples=60_000), path_of(nodes, edges, "fn", seed=3, samples=60_000)
    c = path_of(nodes, edges, "fn", seed=4, samples=60_000)
    assert a == b
    assert a.caller_ms != c.caller_ms


def test_the_histogram_counts_every_simulated_request():
    path = path_of(
        {"fn": "lambda", "q": "sqs", "w": "lambda"}, [("fn", "q", "send"), ("q", "w", "poll")], "fn", samples=10_000
    )
    h = path.histogram
    assert sum(h.caller) == sum(h.completion) == 10_000
    assert list(h.edges_ms) == sorted(h.edges_ms)
    assert len(h.edges_ms) == len(h.caller) + 1
    assert math.isclose(h.edges_ms[0], 0.0)
