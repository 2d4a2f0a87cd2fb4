"""Traffic for estimates: fan-out, filters, batching, caching, retries and dead-letter queues, Map items, streams,
schedules."""

import pytest

from designer.domain.estimate.flow import attempts, build_flow
from designer.domain.estimate.schedule import schedule_rate
from designer.domain.traffic import parse_traffic
from tests.designer.domain.build import make


def flow_of(nodes, edges, entries, *, failure_rate=0.0, **profile):
    diagram = make(nodes, edges, {"entries": entries, **profile})
    return build_flow(diagram, None, failure_rate=failure_rate)


def test_fan_out_multiplies_and_a_filter_reduces():
    f = flow_of(
        {"topic": "sns", "a": "sqs", "b": "sqs", "c": "sqs"},
        [("topic", "a"), ("topic", "b", "subscribe", {"filter_selectivity": 0.25}), ("topic", "c")],
        {"topic": {"rps": 100}},
    )
    assert [f.rate(q) for q in ("a", "b", "c")] == [100, 25, 100]
    assert sum(f.edge_rate(e) for e in f.out("topic")) == 225


@pytest.mark.parametrize(
    ("rps", "batch_size", "window_s", "records_per_invocation"),
    [
        (100, 10, 0, 1),  # no window: Lambda invokes with whatever one receive returns
        (100, 10, 1, 10),  # 100 records arrive within the window: full batches
        (2, 10, 1, 2),  # 2 records a second: a 1-s window gathers 2
        (0.1, 10, 1, 1),  # never less than one record
        (1000, 500, 0.2, 200),
    ],
)
def test_a_poll_batch_holds_min_of_batch_size_and_arrivals_in_the_window(
    rps, batch_size, window_s, records_per_invocation
):
    f = flow_of(
        {"q": "sqs", "fn": "lambda"},
        [("q", "fn", "poll", {"batch_size": batch_size, "batching_window_s": window_s})],
        {"q": {"rps": rps}},
    )
    poll = f.into("fn")[0]
    assert f.batch(poll) == pytest.approx(records_per_invocation)
    assert f.invocations("fn") == pytest.approx(rps / records_per_invocation)
    assert f.rate("fn") == pytest.approx(rps)  # records still flow on per record


@pytest.mark.parametrize(
    ("api", "config", "backend_share"),
    [
        ("apigw-rest", {"cache_size_gb": 0.5, "cache_hit_ratio": 0.9}, 0.1),
        ("apigw-rest", {"cache_size_gb": 0.5, "cache_hit_ratio": 0.9, "cache_ttl_s": 0}, 1.0),
        ("apigw-rest", {"cache_hit_ratio": 0.9}, 1.0),  # no cache provisioned
        ("apigw-http", {"cache_hit_ratio": 0.9}, 1.0),  # HTTP APIs cannot cache
        ("cloudfront", {"cache_hit_ratio": 0.75}, 0.25),
    ],
)
def test_a_cache_removes_backend_calls_but_not_front_door_requests(api, config, backend_share):
    f = flow_of(
        {"web": "client-web", "api": (api, config), "fn": "lambda"},
        [("web", "api"), ("api", "fn")],
        {"web": {"rps": 1000}},
    )
    assert f.rate("api") == 1000
    assert f.invocations("fn") == pytest.approx(1000 * backend_share)


def test_an_authoriser_is_called_for_cached_requests_too():
    f = flow_of(
        {
            "web": "client-web",
            "api": ("apigw-rest", {"cache_size_gb": 0.5, "cache_hit_ratio": 0.9}),
            "auth": "cognito",
            "fn": "lambda",
        },
        [("web", "api"), ("api", "auth"), ("api", "fn")],
        {"web": {"rps": 100}},
    )
    assert (f.rate("auth"), f.rate("fn")) == (pytest.approx(100), pytest.approx(10))


def test_without_failures_retries_and_dead_letter_queues_carry_nothing():
    f = flow_of(
        {"q": ("sqs", {"max_receive_count": 3}), "dlq": "sqs", "fn": "lambda"},
        [("q", "fn", "poll"), ("q", "dlq", "dead-letter")],
        {"q": {"rps": 100}},
    )
    assert (f.invocations("fn"), f.rate("dlq")) == (100, 0)


def test_queue_failures_are_received_again_until_the_dead_letter_queue_takes_them():
    p = 0.1
    f = flow_of(
        {"q": ("sqs", {"max_receive_count": 3}), "dlq": "sqs", "fn": "lambda"},
        [("q", "fn", "poll"), ("q", "dlq", "dead-letter")],
        {"q": {"rps": 100}},
        failure_rate=p,
    )
    assert f.invocations("fn") == pytest.approx(100 * (1 + p + p**2))  # 3 receives at most
    assert f.rate("dlq") == pytest.approx(100 * p**3)


def test_async_invocations_retry_twice_and_then_go_to_the_failure_destination():
    p = 0.2
    f = flow_of(
        {"topic": "sns", "fn": "lambda", "failed": "sqs"},
        [("topic", "fn"), ("fn", "failed", "dead-letter")],
        {"topic": {"rps": 10}},
        failure_rate=p,
    )
    assert f.invocations("fn") == pytest.approx(10 * (1 + p + p**2))
    assert f.rate("failed") == pytest.approx(10 * p**3)
    assert attempts(p, None) == pytest.approx(1 / (1 - p))


def test_a_distributed_map_calls_its_task_once_per_item():
    f = flow_of(
        {"sm": ("sfn-standard", {"map_mode": "distributed", "map_items": 1000}), "fn": "lambda"},
        [("sm", "fn", "task")],
        {"sm": {"per_month": 30}},
    )
    assert f.monthly(f.invocations("fn")) == pytest.approx(30_000)


def test_a_table_stream_carries_writes_only():
    f = flow_of(
        {"api": "lambda", "reader": "lambda", "table": ("dynamodb", {"stream": True}), "projector": "lambda"},
        [("api", "table", "write"), ("reader", "table", "read"), ("table", "projector", "poll")],
        {"api": {"rps": 5}, "reader": {"rps": 500}},
    )
    assert f.rate("table") == 505
    assert f.rate("projector") == 5


def test_uploads_trigger_bucket_notifications_and_downloads_do_not():
    f = flow_of(
        {"web": "client-web", "bucket": "s3", "fn": "lambda", "reader": "lambda"},
        [("web", "bucket", "request"), ("bucket", "fn", "trigger"), ("reader", "bucket", "read")],
        {"web": {"rps": 2}, "reader": {"rps": 50}},
    )
    assert f.invocations("fn") == 2


@pytest.mark.parametrize(
    ("expression", "per_day"),
    [
        ("rate(5 minutes)", 288),
        ("rate(1 hour)", 24),
        ("rate(1 day)", 1),
        ("cron(0 6 * * ? *)", 1),
        ("cron(0/15 * * * ? *)", 96),
        ("cron(0 8-17 ? * MON-FRI *)", 10 * 5 / 7),
        ("cron(0 0 1 * ? *)", 12 / 365.25),
        ("at(2026-12-24T18:00:00)", 0),
        ("not a schedule", 0),
    ],
)
def test_a_schedule_expression_sets_how_often_the_scheduler_fires(expression, per_day):
    assert schedule_rate(expression) * 86_400 == pytest.approx(per_day)


def test_a_scheduler_fires_without_a_traffic_profile_and_a_profile_entry_overrides_it():
    diagram = make({"s": ("eventbridge-scheduler", {"schedule": "rate(1 minute)"}), "fn": "lambda"}, [("s", "fn")])
    assert build_flow(diagram, None).invocations("fn") == pytest.approx(1 / 60)
    profile, _ = parse_traffic({"entries": {"s": {"rps": 2}}}, {"s", "fn"})
    assert build_flow(diagram, profile).invocations("fn") == 2


def test_a_loop_is_counted_once_and_edge_rates_agree_with_node_rates():
    f = flow_of(
        {"fn": "lambda", "q": "sqs", "worker": "lambda"},
        [("fn", "q", "send"), ("q", "worker", "poll"), ("worker", "fn", "invoke-async")],
        {"fn": {"rps": 10}},
    )
    assert f.rate("worker") == 10
    assert sum(f.edge_rate(e) for e in f.into("fn")) + f.entry_rate("fn") == pytest.approx(f.rate("fn"))


def test_per_month_volumes_follow_the_profiles_days_and_scaling_is_linear():
    f = flow_of({"fn": "lambda"}, [], {"fn": {"per_month": 1_000_000}}, days=31)
    assert f.monthly(f.rate("fn")) == pytest.approx(1_000_000)
    assert f.scaled(0.5).monthly(f.scaled(0.5).rate("fn")) == pytest.approx(500_000)
