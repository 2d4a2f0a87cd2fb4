"""Reference scenarios from the workshop, each worked out by hand from pricing.yaml to the cent.

A 30-day month has 2,592,000 seconds. Lambda functions are python3.13 on x86_64 unless said otherwise; their INIT
charge (cold starts, billed since August 2025) is a fraction of a cent to a few dollars and is computed with the
formula in latency.py, written out again in hand.py.
"""

import pytest

from designer.domain.estimate import estimate
from tests.designer.domain.build import make
from tests.designer.domain.estimate.hand import SECONDS, init_cost

CENT = 0.005


def cents(report, node, dimension):
    return report.cost_of(node, dimension)


# --- ws-04: 1M SQS messages a month, 100 ms each, batch size 1 vs 10 --------------------------------------------


def ws04(batch_size, window_s):
    return estimate(
        make(
            {"jobs": "sqs", "worker": ("lambda", {"per_record_ms": 100})},  # 128 MB
            [("jobs", "worker", "poll", {"batch_size": batch_size, "batching_window_s": window_s})],
            {"entries": {"jobs": {"per_month": 1_000_000}}},
        ),
        samples=20_000,
    )


def test_ws04_batch_size_1_costs_a_million_invocations_and_three_million_queue_requests():
    report = ws04(1, 0)
    requests = 1_000_000 * 0.0000002  # $0.20
    duration = 1_000_000 * 0.1 * 0.125 * 0.0000166667  # 12,500 GB-s: $0.2083
    queue = (1_000_000 + 1_000_000 + 1_000_000) * 0.0000004  # send, receive, delete: $1.20
    lam = 1_000_000 / SECONDS  # 0.386 invocations/s, peak 3x
    init = init_cost(lam, 3 * lam, 0.1, 0.125)  # about 3,500 cold starts of 0.45 s: $0.0033
    assert cents(report, "worker", "requests") == pytest.approx(0.20, abs=CENT)
    assert cents(report, "worker", "duration") == pytest.approx(duration, abs=CENT)
    assert cents(report, "jobs", "requests") == pytest.approx(1.20, abs=CENT)
    assert report.monthly_cost_usd == pytest.approx(requests + duration + queue + init, abs=CENT)
    assert round(report.monthly_cost_usd, 2) == 1.61


def test_ws04_batch_size_10_cuts_requests_tenfold_but_not_the_compute():
    report = ws04(10, 30)  # 0.386 messages/s x 30 s fills a batch of 10
    requests = 100_000 * 0.0000002  # $0.02
    duration = 100_000 * 1.0 * 0.125 * 0.0000166667  # 10 x 100 ms per invocation: the same 12,500 GB-s
    queue = (1_000_000 + 100_000 + 100_000) * 0.0000004  # $0.48
    lam = 100_000 / SECONDS
    init = init_cost(lam, 3 * lam, 1.0, 0.125)
    assert cents(report, "worker", "requests") == pytest.approx(0.02, abs=CENT)
    assert cents(report, "worker", "duration") == pytest.approx(0.21, abs=CENT)
    assert cents(report, "jobs", "requests") == pytest.approx(0.48, abs=CENT)
    assert report.monthly_cost_usd == pytest.approx(requests + duration + queue + init, abs=CENT)


def test_ws04_batching_trades_latency_for_cost():
    one, ten = ws04(1, 0), ws04(10, 30)
    assert ten.monthly_cost_usd < one.monthly_cost_usd
    # A record waits for 9 more on average 4.5 / 0.386 s = 11.7 s before its batch is invoked.
    assert ten.path("jobs").completion_ms.p50 > 5_000 > one.path("jobs").completion_ms.p99


# --- ws-06 / ws-07: REST API with a cache vs HTTP API at 10,000 requests/s, 90% cacheable -------------------------


def ws06(api):
    return estimate(
        make(
            {"web": "client-web", "api": api, "fn": ("lambda", {"duration_ms": 50})},
            [("web", "api"), ("api", "fn")],
            {"entries": {"web": {"rps": 10_000}}, "payload_kb": 0},  # responses cost the same either way
        ),
        samples=20_000,
    )


N = 10_000 * SECONDS  # 25,920,000,000 requests a month


def test_ws07_a_rest_api_with_a_cache_answers_90_percent_without_lambda():
    report = ws06(("apigw-rest", {"cache_size_gb": 0.5, "cache_hit_ratio": 0.9}))
    rest = 333e6 * 0.0000035 + 667e6 * 0.0000028 + 19e9 * 0.00000238 + (N - 20e9) * 0.00000151
    assert rest == pytest.approx(1_165.50 + 1_867.60 + 45_220.00 + 8_939.20)  # $57,192.30 over four tiers
    cache = 730 * 0.020  # $14.60
    invocations = 0.1 * N  # 1,000 a second reach Lambda
    requests = invocations * 0.0000002  # $518.40
    duration = invocations * 0.05 * 0.125 * 0.0000166667  # 16.2M GB-s: $270.00
    init = init_cost(1_000, 3_000, 0.05, 0.125)
    assert cents(report, "api", "requests") == pytest.approx(57_192.30, abs=CENT)
    assert cents(report, "api", "cache_hours") == pytest.approx(14.60, abs=CENT)
    assert cents(report, "fn", "requests") == pytest.approx(518.40, abs=CENT)
    assert cents(report, "fn", "duration") == pytest.approx(270.00, abs=CENT)
    assert report.monthly_cost_usd == pytest.approx(rest + cache + requests + duration + init, abs=CENT)
    assert [w.rule for w in report.warnings] == ["apigw-account-throttle"]


def test_ws06_an_http_api_costs_less_per_request_but_every_request_runs_the_function():
    report = ws06("apigw-http")
    http = 300e6 * 0.000001 + (N - 300e6) * 0.0000009  # $300 + $23,058
    requests = N * 0.0000002  # $5,184.00
    duration = N * 0.05 * 0.125 * 0.0000166667  # 162M GB-s: $2,700.01
    init = init_cost(10_000, 30_000, 0.05, 0.125)
    assert cents(report, "api", "requests") == pytest.approx(23_358.00, abs=CENT)
    assert cents(report, "fn", "requests") == pytest.approx(5_184.00, abs=CENT)
    assert cents(report, "fn", "duration") == pytest.approx(2_700.01, abs=CENT)
    assert report.monthly_cost_usd == pytest.approx(http + requests + duration + init, abs=CENT)
    # 30,000 requests/s at peak: 1,500 concurrent executions and 30,000 invocations/s
    rules = {w.rule for w in report.warnings}
    assert rules == {"apigw-account-throttle", "lambda-account-concurrency", "lambda-invoke-rate"}


def test_ws06_the_cache_answers_faster_but_the_rest_request_price_dominates():
    rest, http = ws06(("apigw-rest", {"cache_size_gb": 0.5, "cache_hit_ratio": 0.9})), ws06("apigw-http")
    assert http.monthly_cost_usd < rest.monthly_cost_usd
    assert rest.path("web").caller_ms.p50 < http.path("web").caller_ms.p50


# --- ws-15: Step Functions Standard vs Express for a million items -----------------------------------------------


def ws15(machine, *, per_month=1_000_000):
    return estimate(
        make(
            {"wf": machine, "worker": "lambda"},
            [("wf", "worker", "task")],
            {"entries": {"wf": {"per_month": per_month}}},
        ),
        samples=5_000,
    )


def test_ws15_standard_bills_every_state_transition():
    report = ws15(("sfn-standard", {"states_per_execution": 4}))
    transitions = 1_000_000 * (4 - 1) + 1_000_000  # three other states plus the task, per item
    assert cents(report, "wf", "state_transitions") == pytest.approx(transitions * 0.000025, abs=CENT)
    assert cents(report, "wf", "state_transitions") == pytest.approx(100.00, abs=CENT)


def test_ws15_express_bills_requests_and_duration_in_100_ms_and_64_mb_steps():
    report = ws15(("sfn-express", {"duration_ms": 1000, "memory_mb": 64}))
    duration = 1_000_000 * 1.0 * (64 / 1024) * 0.00001667  # 62,500 GB-s: $1.04
    assert cents(report, "wf", "requests") == pytest.approx(1.00, abs=CENT)
    assert cents(report, "wf", "duration") == pytest.approx(duration, abs=CENT)
    assert report.cost_of("wf") == pytest.approx(2.04, abs=CENT)


def test_ws15_one_distributed_map_over_a_million_items_is_a_million_transitions():
    report = ws15(
        ("sfn-standard", {"states_per_execution": 3, "map_mode": "distributed", "map_items": 1_000_000}), per_month=1
    )
    assert cents(report, "wf", "state_transitions") == pytest.approx((3 - 1 + 1_000_000) * 0.000025, abs=CENT)
    assert cents(report, "wf", "state_transitions") == pytest.approx(25.00, abs=CENT)
    assert cents(report, "worker", "requests") == pytest.approx(0.20, abs=CENT)


# --- ws-20: 50,000 events/s through EventBridge to five buffered consumers ----------------------------------------

CONSUMERS = ("analytics", "storage", "alerting", "ml", "archival")


def ws20():
    nodes = {"bus": "eventbridge"}
    edges = []
    for name in CONSUMERS:
        nodes[f"{name}-q"] = "sqs"
        nodes[name] = ("lambda", {"per_record_ms": 2})
        edges += [("bus", f"{name}-q"), (f"{name}-q", name, "poll", {"batch_size": 10, "batching_window_s": 1})]
    traffic = {"entries": {"bus": {"rps": 50_000, "peak_rps": 50_000}}}
    return estimate(make(nodes, edges, traffic), samples=5_000)


def test_ws20_fifty_thousand_events_a_second_cost_what_the_workshop_says():
    report = ws20()
    events = 50_000 * SECONDS  # 129.6 billion
    assert cents(report, "bus", "events") == pytest.approx(events * 0.000001, abs=CENT)
    assert cents(report, "bus", "events") == pytest.approx(129_600.00, abs=CENT)
    batches = events / 10
    queue = 100e9 * 0.0000004 + (events + 2 * batches - 100e9) * 0.0000003  # 155.52 billion requests per queue
    function = batches * 0.0000002 + batches * 0.02 * 0.125 * 0.0000166667 + init_cost(5_000, 5_000, 0.02, 0.125)
    for name in CONSUMERS:
        assert cents(report, f"{name}-q", "requests") == pytest.approx(56_656.00, abs=CENT)
        assert cents(report, name, "requests") == pytest.approx(2_592.00, abs=CENT)
        assert cents(report, name, "duration") == pytest.approx(540.00, abs=CENT)
    assert report.monthly_cost_usd == pytest.approx(129_600 + 5 * (queue + function), abs=5 * CENT)


def test_ws20_the_fan_out_exceeds_the_eventbridge_quotas():
    report = ws20()
    put = report.fired("eventbridge-putevents-quota")
    invocations = report.fired("eventbridge-invocation-quota")
    assert put
    assert "50,000 events/s" in put[0].message
    assert "batch up to 10" in put[0].message
    assert invocations
    assert "250,000 target invocations/s" in invocations[0].message
    assert invocations[0].nodes == ("bus",)
    assert not report.fired("lambda-invoke-rate")  # queue pollers' invocations do not count against it


# --- a plain synchronous CRUD API at 100 requests/s ---------------------------------------------------------------


def crud():
    return estimate(
        make(
            {
                "web": "client-web",
                "api": "apigw-http",
                "fn": ("lambda", {"memory_mb": 256, "duration_ms": 50}),
                "t": "dynamodb",
            },
            [
                ("web", "api"),
                ("api", "fn"),
                ("fn", "t", "read", {"share": 0.8}),
                ("fn", "t", "write", {"share": 0.2, "item_kb": 2}),
            ],
            {"entries": {"web": {"rps": 100}}, "payload_kb": 1},
        ),
        samples=50_000,
    )


def test_a_crud_api_at_100_requests_a_second():
    report = crud()
    n = 100 * SECONDS  # 259.2M requests
    api = n * 0.000001  # $259.20
    requests = n * 0.0000002  # $51.84
    duration = n * 0.05 * 0.25 * 0.0000166667  # 3.24M GB-s: $54.00
    reads = 0.8 * n * 0.5 * 0.000000125  # eventually consistent 1 KB reads: $12.96
    writes = 0.2 * n * 2 * 0.000000625  # 2 KB writes: $64.80
    storage = 1 * 0.25
    egress = n / (1024 * 1024) * 0.09  # 247.19 GB of responses: $22.25
    init = init_cost(100, 300, 0.05, 0.25)
    expected = {
        ("api", "requests"): 259.20,
        ("fn", "requests"): 51.84,
        ("fn", "duration"): 54.00,
        ("t", "read_request_units"): 12.96,
        ("t", "write_request_units"): 64.80,
        ("t", "storage"): 0.25,
        ("api", "data_transfer_out"): 22.25,
    }
    for (node, dimension), usd in expected.items():
        assert cents(report, node, dimension) == pytest.approx(usd, abs=CENT), (node, dimension)
    total = api + requests + duration + reads + writes + storage + egress + init
    assert report.monthly_cost_usd == pytest.approx(total, abs=CENT)
    assert round(report.monthly_cost_usd, 2) == 465.31
    assert report.cost_per_million_usd == pytest.approx(total / 259.2)
    assert not report.warnings


def test_a_crud_api_answers_synchronously_in_about_the_sum_of_its_hops():
    path = crud().path("web")
    assert path.sync
    assert path.nodes == ("web", "api", "fn", "t")
    assert path.caller_ms == path.completion_ms
    # medians: 50 ms round trip + 6 (HTTP API) + 2 (invoke) + 50 (function) + 8 (DynamoDB)
    assert 100 < path.caller_ms.p50 < 130
    assert path.caller_ms.p99 < 400
