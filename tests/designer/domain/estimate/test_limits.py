"""Warnings: each quota or bottleneck fires when peak traffic crosses it, and stays quiet below."""

import pytest

from designer.domain.estimate import estimate
from tests.designer.domain.build import make


def warnings_for(nodes, edges, entries, **profile):
    report = estimate(make(nodes, edges, {"entries": entries, **profile}), samples=200)
    return {w.rule: w for w in report.warnings}


FN = ("lambda", {"duration_ms": 100})

CASES = [
    # rule, nodes, edges, entries that fire it, entries that do not
    ("lambda-reserved-concurrency", {"fn": ("lambda", {"duration_ms": 100, "reserved_concurrency": 10})}, [],
     {"fn": {"rps": 50, "peak_rps": 150}}, {"fn": {"rps": 50, "peak_rps": 90}}),
    ("lambda-account-concurrency", {"a": FN, "b": FN}, [], {"a": {"rps": 2000, "peak_rps": 6000}, "b": {"rps": 3000, "peak_rps": 6000}},
     {"a": {"rps": 100}, "b": {"rps": 100}}),
    ("lambda-invoke-rate", {"a": ("lambda", {"duration_ms": 1})}, [], {"a": {"rps": 12000, "peak_rps": 12000}}, {"a": {"rps": 9000, "peak_rps": 9000}}),
    ("lambda-timeout-risk", {"fn": ("lambda", {"duration_ms": 2000, "timeout_s": 3})}, [], {"fn": {"rps": 1}}, None),
    ("apigw-account-throttle", {"a": "apigw-http", "b": "apigw-rest"}, [], {"a": {"rps": 3000, "peak_rps": 6000}, "b": {"rps": 3000, "peak_rps": 5000}},
     {"a": {"rps": 3000, "peak_rps": 5000}, "b": {"rps": 1000, "peak_rps": 4000}}),
    ("kinesis-shard-throughput", {"k": ("kinesis", {"shards": 2})}, [], {"k": {"rps": 1000, "peak_rps": 2500}}, {"k": {"rps": 1000, "peak_rps": 1900}}),
    ("kinesis-on-demand-capacity", {"k": ("kinesis", {"mode": "on-demand"})}, [], {"k": {"rps": 2000, "peak_rps": 5000}}, {"k": {"rps": 2000, "peak_rps": 3500}}),
    ("sqs-fifo-throughput", {"q": "sqs-fifo"}, [], {"q": {"rps": 200, "peak_rps": 400}}, {"q": {"rps": 100, "peak_rps": 250}}),
    ("sns-fifo-throughput", {"t": ("sns-fifo", {"message_groups": 2})}, [], {"t": {"rps": 300, "peak_rps": 700}}, {"t": {"rps": 300, "peak_rps": 500}}),
    ("eventbridge-putevents-quota", {"bus": "eventbridge"}, [], {"bus": {"rps": 5000, "peak_rps": 12000}}, {"bus": {"rps": 5000, "peak_rps": 9000}}),
    ("eventbridge-invocation-quota", {"bus": ("eventbridge", {"event_source": "aws-service"}), "a": "sqs", "b": "sqs"},
     [("bus", "a"), ("bus", "b")], {"bus": {"rps": 5000, "peak_rps": 10000}}, {"bus": {"rps": 5000, "peak_rps": 9000}}),
    ("payload-size", {"fn": "lambda", "q": "sqs"}, [("fn", "q", "send", {"payload_kb": 300})], {"fn": {"rps": 1}}, None),
    ("dynamodb-throughput", {"fn": "lambda", "t": "dynamodb"}, [("fn", "t", "write", {"item_kb": 4})],
     {"fn": {"rps": 5000, "peak_rps": 12000}}, {"fn": {"rps": 5000, "peak_rps": 9000}}),
    ("s3-prefix-rate", {"fn": "lambda", "b": "s3"}, [("fn", "b", "write")], {"fn": {"rps": 1000, "peak_rps": 4000}}, {"fn": {"rps": 1000, "peak_rps": 3000}}),
    ("downstream-rate-limit", {"fn": "lambda", "x": ("external-api", {"max_rps": 20})}, [("fn", "x")],
     {"fn": {"rps": 10, "peak_rps": 30}}, {"fn": {"rps": 10, "peak_rps": 20}}),
    ("queue-backlog", {"q": "sqs", "fn": ("lambda", {"duration_ms": 500, "reserved_concurrency": 2})}, [("q", "fn", "poll")],
     {"q": {"rps": 10}}, {"q": {"rps": 3}}),
    ("sfn-standard-start-rate", {"sm": "sfn-standard"}, [], {"sm": {"rps": 1000, "peak_rps": 3000}}, {"sm": {"rps": 1000, "peak_rps": 1500}}),
    ("sfn-express-duration", {"sm": ("sfn-express", {"duration_ms": 400_000})}, [], {"sm": {"rps": 1}}, None),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "nodes", "edges", "over", "under"), CASES, ids=[c[0] for c in CASES])
def test_a_limit_warns_above_it_and_not_below(rule, nodes, edges, over, under):
    fired = warnings_for(nodes, edges, over)
    assert rule in fired
    assert fired[rule].nodes
    assert set(fired[rule].nodes) <= set(nodes)
    assert fired[rule].message
    if under is not None:
        assert rule not in warnings_for(nodes, edges, under)


def test_the_account_pool_is_what_reservations_leave():
    nodes = {"big": ("lambda", {"duration_ms": 100, "reserved_concurrency": 900}), "small": FN}
    fired = warnings_for(nodes, [], {"small": {"rps": 500, "peak_rps": 1500}})  # needs 150 of the 100 left
    assert "lambda-account-concurrency" in fired
    assert fired["lambda-account-concurrency"].nodes == ("small",)


def test_a_batch_payload_counts_against_the_synchronous_invoke_limit():
    fired = warnings_for({"q": "sqs", "fn": "lambda"}, [("q", "fn", "poll", {"batch_size": 100, "batching_window_s": 5})],
                         {"q": {"rps": 100}}, payload_kb=100)  # fmt: skip
    assert "payload-size" in fired  # 100 records of 100 KB: 10,000 KB against Lambda's 6 MB


def test_a_quiet_design_has_no_warnings():
    assert (
        warnings_for(
            {"web": "client-web", "api": "apigw-http", "fn": FN}, [("web", "api"), ("api", "fn")], {"web": {"rps": 10}}
        )
        == {}
    )
