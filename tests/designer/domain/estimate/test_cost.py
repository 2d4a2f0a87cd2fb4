"""The cost of each billed type, computed by hand from pricing.yaml (30-day month: 2,592,000 s; 730 hours)."""

import pytest

from designer.domain.catalog import load_catalog
from designer.domain.estimate import EstimateOptions, estimate
from designer.domain.estimate.latency import erlang_b
from tests.designer.domain.build import make
from tests.designer.domain.estimate.hand import GB, HOURS, SECONDS

M10 = 10 * SECONDS  # 25,920,000: a month at 10 requests/s
KB10 = M10 / GB  # GB of a month at 10 requests/s of 1 KB

CASES = [
    # id, nodes, edges, entries, profile extras, node, {dimension: USD}
    ("lambda", {"fn": ("lambda", {"memory_mb": 1024, "duration_ms": 200})}, [], {"fn": {"rps": 10}}, {}, "fn",
     {"requests": M10 * 0.0000002, "duration": M10 * 0.2 * 1.0 * 0.0000166667}),
    ("lambda-arm64", {"fn": ("lambda", {"memory_mb": 512, "duration_ms": 100, "arch": "arm64"})}, [],
     {"fn": {"rps": 10}}, {}, "fn", {"duration": M10 * 0.1 * 0.5 * 0.0000133334}),
    ("lambda-provisioned", {"fn": ("lambda", {"memory_mb": 2048, "provisioned_concurrency": 3})}, [], {}, {}, "fn",
     {"provisioned_concurrency": 3 * 2 * HOURS * 3600 * 0.0000041667}),
    ("lambda-storage", {"fn": ("lambda", {"duration_ms": 200, "ephemeral_storage_mb": 2560})}, [],
     {"fn": {"rps": 10}}, {}, "fn", {"ephemeral_storage": M10 * 0.2 * 2 * 0.0000000309}),
    ("apigw-rest", {"web": "client-web", "api": ("apigw-rest", {"cache_size_gb": 1.6})}, [("web", "api")],
     {"web": {"rps": 10}}, {}, "api", {"requests": M10 * 0.0000035, "cache_hours": HOURS * 0.038, "data_transfer_out": KB10 * 0.09}),
    ("apigw-http-512kb", {"api": "apigw-http"}, [], {"api": {"rps": 10}}, {"payload_kb": 600}, "api",
     {"requests": 2 * M10 * 0.000001}),
    ("apigw-websocket", {"ws": ("apigw-websocket", {"connections": 1000, "messages_per_connection_per_s": 0.1, "message_kb": 40})},
     [], {}, {}, "ws", {"messages": 100 * SECONDS * 2 * 0.000001, "connection_minutes": 1000 * HOURS * 60 * 0.00000025}),
    ("appsync", {"gql": ("appsync", {"connections": 100, "updates_per_connection_per_s": 0.5})}, [], {"gql": {"rps": 10}},
     {}, "gql", {"requests": M10 * 0.000004, "realtime_updates": 50 * SECONDS * 0.000002,
                 "connection_minutes": 100 * HOURS * 60 * 0.00000008}),
    ("alb", {"web": "client-web", "lb": "alb", "fn": "lambda"}, [("web", "lb"), ("lb", "fn")], {"web": {"rps": 10}}, {}, "lb",
     {"alb_hours": HOURS * 0.0225, "lcu_hours": max(10 / 25, 10 * 3600 * 2 / GB / 0.4) * HOURS * 0.008}),
    ("cloudfront", {"web": "client-web", "cdn": "cloudfront"}, [("web", "cdn")], {"web": {"rps": 10}}, {}, "cdn",
     {"requests": M10 * 0.000001, "data_transfer_out": KB10 * 0.085}),
    ("cognito", {"users": ("cognito", {"monthly_active_users": 20000})}, [], {}, {}, "users",
     {"monthly_active_users": 20000 * 0.015}),
    ("fargate", {"svc": ("fargate", {"tasks": 2, "vcpu": 1, "memory_gb": 2, "arch": "arm64", "ephemeral_storage_gb": 50})},
     [], {}, {}, "svc", {"vcpu_hours": 2 * HOURS * 0.03238, "memory_gb_hours": 2 * HOURS * 2 * 0.00356,
                         "ephemeral_storage": 2 * HOURS * 30 * 0.000111}),
    ("sagemaker-serverless", {"model": ("sagemaker", {"inference_ms": 500, "memory_mb": 2048})}, [], {"model": {"rps": 1}},
     {}, "model", {"inference_duration": SECONDS * 0.5 * 2 * 0.00002, "data_processed": 2 * SECONDS / GB * 0.016}),
    ("sagemaker-real-time", {"model": ("sagemaker", {"endpoint_type": "real-time", "instance_count": 2})}, [], {}, {},
     "model", {"instance_hours": 2 * HOURS * 0.115}),
    ("sqs", {"q": "sqs", "fn": "lambda"}, [("q", "fn", "poll", {"batch_size": 10, "batching_window_s": 1})],
     {"q": {"rps": 10}}, {}, "q", {"requests": (M10 + 2 * M10 / 10) * 0.0000004}),
    ("sqs-64kb-chunks", {"q": "sqs"}, [], {"q": {"rps": 10}}, {"payload_kb": 100}, "q", {"requests": 2 * M10 * 0.0000004}),
    ("sqs-fifo", {"q": "sqs-fifo"}, [], {"q": {"rps": 10}}, {}, "q", {"requests": M10 * 0.0000005}),
    ("sns", {"t": "sns", "q": "sqs", "partner": "external-api", "fh": "firehose"},
     [("t", "q"), ("t", "partner"), ("t", "fh")], {"t": {"rps": 10}}, {}, "t",
     {"requests": M10 * 0.0000005, "deliveries": M10 * (0.0000006 + 0.00000019)}),
    ("sns-fifo", {"t": "sns-fifo", "a": "sqs-fifo", "b": "sqs-fifo"}, [("t", "a"), ("t", "b")], {"t": {"rps": 10}}, {}, "t",
     {"requests": M10 * 0.0000003, "deliveries": 2 * M10 * 0.00000001,
      "payload_data": KB10 * 0.017 + 2 * KB10 * 0.001}),
    ("eventbridge", {"bus": ("eventbridge", {"archive": True})}, [], {"bus": {"rps": 10}}, {}, "bus",
     {"events": M10 * 0.000001, "archive_processing": KB10 * 0.10, "archive_storage": KB10 * 0.023}),
    ("eventbridge-aws-events", {"bus": ("eventbridge", {"event_source": "aws-service"})}, [], {"bus": {"rps": 10}}, {},
     "bus", {"events": 0.0}),
    ("scheduler", {"s": ("eventbridge-scheduler", {"schedule": "rate(1 minute)"}), "fn": "lambda"}, [("s", "fn")], {}, {},
     "s", {"invocations": 43_200 * 0.000001}),
    ("pipe", {"q": "sqs", "p": "eventbridge-pipe", "fn": "lambda"}, [("q", "p", "poll"), ("p", "fn")],
     {"q": {"rps": 10}}, {"payload_kb": 100}, "p", {"requests": 2 * M10 * 0.0000004}),
    ("kinesis-provisioned", {"k": ("kinesis", {"shards": 2})}, [], {"k": {"rps": 10}}, {"payload_kb": 30}, "k",
     {"shard_hours": 2 * HOURS * 0.015, "put_units": 2 * M10 * 0.000000014}),
    ("kinesis-on-demand", {"k": ("kinesis", {"mode": "on-demand"}), "fn": "lambda"}, [("k", "fn")], {"k": {"rps": 10}},
     {"payload_kb": 1.5}, "k", {"stream_hours": HOURS * 0.04, "data_in": 2 * KB10 * 0.08, "data_out": 1.5 * KB10 * 0.04}),
    ("firehose-5kb", {"fh": "firehose"}, [], {"fh": {"rps": 10}}, {}, "fh", {"data_in": 5 * KB10 * 0.029}),
    ("sfn-standard", {"sm": ("sfn-standard", {"states_per_execution": 5})}, [], {"sm": {"rps": 1}}, {}, "sm",
     {"state_transitions": 5 * SECONDS * 0.000025}),
    ("sfn-express", {"sm": ("sfn-express", {"duration_ms": 250, "memory_mb": 100})}, [], {"sm": {"rps": 1}}, {}, "sm",
     {"requests": SECONDS * 0.000001, "duration": SECONDS * 0.3 * 0.125 * 0.00001667}),
    ("dynamodb-on-demand", {"fn": "lambda", "t": ("dynamodb", {"storage_gb": 100})},
     [("fn", "t", "read", {"item_kb": 6, "consistent": True}), ("fn", "t", "write", {"item_kb": 2.5})],
     {"fn": {"rps": 10}}, {}, "t",
     {"read_request_units": 2 * M10 * 0.000000125, "write_request_units": 3 * M10 * 0.000000625, "storage": 100 * 0.25}),
    ("dynamodb-eventual-reads", {"fn": "lambda", "t": "dynamodb"}, [("fn", "t", "read")], {"fn": {"rps": 10}}, {}, "t",
     {"read_request_units": 0.5 * M10 * 0.000000125}),
    ("dynamodb-provisioned", {"t": ("dynamodb", {"billing_mode": "provisioned", "rcu": 100, "wcu": 50})}, [], {}, {}, "t",
     {"rcu_hours": 100 * HOURS * 0.00013, "wcu_hours": 50 * HOURS * 0.00065}),
    ("s3", {"w": "lambda", "r": "lambda", "b": ("s3", {"storage_gb": 1000})}, [("w", "b", "write"), ("r", "b", "read")],
     {"w": {"rps": 10}, "r": {"rps": 100}}, {}, "b",
     {"put_requests": M10 * 0.000005, "get_requests": 10 * M10 * 0.0000004, "storage": 1000 * 0.023}),
    ("rds", {"db": ("rds", {"vcpu": 4, "multi_az": True, "storage_gb": 100})}, [], {}, {}, "db",
     {"instance_hours": 4 * HOURS * 2 * 0.0795, "storage": 100 * 2 * 0.115}),
    ("aurora", {"db": ("aurora-serverless", {"average_acu": 2, "storage_gb": 50})}, [], {}, {}, "db",
     {"acu_hours": 2 * HOURS * 0.12, "storage": 50 * 0.10}),
    ("rds-proxy", {"p": "rds-proxy", "db": ("rds", {"vcpu": 4})}, [("p", "db")], {}, {}, "p",
     {"capacity_hours": 4 * HOURS * 0.015}),
    ("rds-proxy-aurora-minimum", {"p": "rds-proxy", "db": ("aurora-serverless", {"average_acu": 2})}, [("p", "db")], {}, {},
     "p", {"capacity_hours": 8 * HOURS * 0.015}),
    ("elasticache-serverless", {"c": ("elasticache", {"data_gb": 0.05})}, [], {"c": {"rps": 100}}, {}, "c",
     {"storage": 0.1 * HOURS * 0.084, "ecpus": 10 * M10 * 0.0000000023}),
    ("elasticache-nodes", {"c": ("elasticache", {"mode": "node-based", "nodes": 3})}, [], {}, {}, "c",
     {"node_hours": 3 * HOURS * 0.032}),
    ("opensearch-serverless", {"o": "opensearch"}, [], {}, {}, "o", {"ocu_hours": 2 * HOURS * 0.24, "storage": 10 * 0.024}),
    ("opensearch-managed", {"o": ("opensearch", {"mode": "managed", "instance_count": 3, "storage_gb": 100})}, [], {}, {},
     "o", {"instance_hours": 3 * HOURS * 0.167, "storage": 100 * 0.122}),
    ("ses", {"mail": ("ses", {"attachment_kb": 100})}, [], {"mail": {"rps": 1}}, {}, "mail",
     {"emails": SECONDS * 0.0001, "attachment_data": 100 * SECONDS / GB * 0.12}),
    ("data-transfer-out", {"web": "client-web", "api": "apigw-http"}, [("web", "api")], {"web": {"rps": 10}}, {}, "api",
     {"data_transfer_out": KB10 * 0.09}),
]  # fmt: skip


def report_for(nodes, edges, entries, extra, **kwargs):
    return estimate(make(nodes, edges, {"entries": entries, **extra}), samples=200, **kwargs)


@pytest.mark.parametrize(
    ("case", "nodes", "edges", "entries", "extra", "node", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_each_billed_dimension_costs_what_hand_computation_says(case, nodes, edges, entries, extra, node, expected):
    report = report_for(nodes, edges, entries, extra)
    for dimension, usd in expected.items():
        assert report.cost_of(node, dimension) == pytest.approx(usd, abs=0.005), dimension


def test_every_billing_dimension_of_the_catalog_is_produced_by_some_case():
    produced: dict[str, set[str]] = {}
    for _, nodes, edges, entries, extra, _, _ in CASES:
        report = report_for(nodes, edges, entries, extra)
        diagram = make(nodes, edges)
        for line in report.lines:
            produced.setdefault(diagram.node(line.node).type, set()).add(line.dimension)
    unbilled = {("dynamodb", "stream_read_request_units")}  # Lambda triggers read streams for free
    for type_id, stype in load_catalog().types.items():
        missing = {d for d in stype.billing if (type_id, d) not in unbilled} - produced.get(type_id, set())
        assert not missing, f"{type_id}: {missing}"


def test_provisioned_concurrency_bills_the_allocation_and_a_cheaper_rate_for_what_it_serves():
    report = report_for({"fn": ("lambda", {"memory_mb": 512, "duration_ms": 200, "provisioned_concurrency": 5})}, [],
                        {"fn": {"rps": 10}}, {})  # fmt: skip
    assert report.cost_of("fn", "provisioned_concurrency") == pytest.approx(
        5 * 0.5 * HOURS * 3600 * 0.0000041667, abs=0.005
    )
    spill = erlang_b(5, 10 * 0.2)  # share of invocations that find all 5 environments busy
    assert spill == pytest.approx((2**5 / 120) / sum(2**k / [1, 1, 2, 6, 24, 120][k] for k in range(6)))
    gb_s = M10 * 0.2 * 0.5
    expected = gb_s * (1 - spill) * 0.0000097222 + gb_s * spill * 0.0000166667
    assert report.cost_of("fn", "duration") == pytest.approx(expected, abs=0.005)


def test_log_ingestion_is_counted_when_a_log_volume_is_given():
    nodes, entries = {"fn": "lambda"}, {"fn": {"rps": 10}}
    assert report_for(nodes, [], entries, {}).cost_of("fn", "log_ingestion") == 0
    logged = report_for(nodes, [], entries, {}, options=EstimateOptions(log_kb_per_invocation=2))
    assert logged.cost_of("fn", "log_ingestion") == pytest.approx(2 * KB10 * 0.50, abs=0.005)


def test_free_tiers_apply_only_when_the_profile_asks():
    nodes, entries = {"q": "sqs"}, {"q": {"per_month": 3_000_000}}
    assert report_for(nodes, [], entries, {}).monthly_cost_usd == pytest.approx(1.20)
    assert report_for(nodes, [], entries, {"free_tier": True}).monthly_cost_usd == pytest.approx(0.80)


@pytest.mark.parametrize("month_hours", [730, 720, 744])
def test_hourly_items_use_the_profiles_month_hours(month_hours):
    report = report_for({"k": ("kinesis", {"shards": 1})}, [], {}, {"month_hours": month_hours})
    assert report.cost_of("k", "shard_hours") == pytest.approx(month_hours * 0.015)
    assert report.month_hours == month_hours


def test_without_traffic_only_fixed_charges_remain_and_per_million_is_undefined():
    report = estimate(
        make({"api": ("apigw-rest", {"cache_size_gb": 0.5}), "fn": "lambda"}, [("api", "fn")]), samples=100
    )
    assert {(line.node, line.dimension) for line in report.lines} == {("api", "cache_hours")}
    assert report.cost_per_million_usd is None
    assert any("No traffic profile" in a for a in report.assumptions)


def test_cost_per_million_requests_and_the_curve():
    report = report_for({"q": "sqs"}, [], {"q": {"per_month": 10_000_000}}, {})
    assert report.cost_per_million_usd == pytest.approx(0.40)
    curve = {p.scale: p.monthly_cost_usd for p in report.curve}
    assert curve[1.0] == pytest.approx(report.monthly_cost_usd)
    assert curve[0.01] == pytest.approx(0.04)
    assert curve[10.0] == pytest.approx(40.0)
    assert min(curve) == 0.01
    assert max(curve) == 10.0


def test_lines_follow_the_diagram_order_and_the_total_is_their_sum():
    report = report_for({"web": "client-web", "api": "apigw-http", "fn": "lambda", "t": "dynamodb"},
                        [("web", "api"), ("api", "fn"), ("fn", "t", "write")], {"web": {"rps": 5}}, {})  # fmt: skip
    order = [line.node for line in report.lines]
    assert order == sorted(order, key=["web", "api", "fn", "t"].index)
    assert report.monthly_cost_usd == pytest.approx(sum(line.cost_usd for line in report.lines))
