"""One capacity model: the quota functions, and the validator and the estimator agreeing on every quota case
(FIFO, Kinesis, payloads, Lambda concurrency)."""

import pytest

from designer.domain import capacity
from designer.domain.catalog import load_catalog
from designer.domain.diagram import Edge, Node
from designer.domain.estimate import estimate
from tests.designer.domain.build import check, make

CATALOG = load_catalog()


def node(type_id, **config):
    return Node(id="n", type=type_id, label="n", config=config, given=config)


@pytest.mark.parametrize(
    ("type_id", "config", "cap", "unbatched"),
    [
        ("sqs-fifo", {}, 3000, 300),
        ("sqs-fifo", {"high_throughput": True}, 70000, None),
        ("sns-fifo", {}, 300, None),  # one message group
        ("sns-fifo", {"message_groups": 5}, 1500, None),
        ("sns-fifo", {"message_groups": 50}, 3000, None),  # the topic's quota
        ("sns-fifo", {"high_throughput": True}, 300, None),  # ordering still holds per group
        ("sns-fifo", {"high_throughput": True, "message_groups": 50}, 15000, None),
    ],
)
def test_fifo_capacity(type_id, config, cap, unbatched):
    quota = capacity.fifo_capacity(CATALOG, node(type_id, **config))
    assert (quota.cap, quota.unbatched) == (cap, unbatched)


def test_kinesis_shards_follow_records_or_bytes_whichever_needs_more():
    assert capacity.kinesis_shards_needed(CATALOG, 2500, 1) == 2.5
    assert capacity.kinesis_shards_needed(CATALOG, 500, 10) == pytest.approx(500 * 10 / 1024)
    assert capacity.kinesis_shards(CATALOG, node("kinesis", shards=3), 9000, 1) == 3
    assert capacity.kinesis_shards(CATALOG, node("kinesis", mode="on-demand"), 9000, 1) == 9
    assert capacity.kinesis_shards(CATALOG, node("kinesis", mode="on-demand"), 10, 1) == 4


@pytest.mark.parametrize(
    ("source", "kind", "limit"),
    [
        ("apigw-rest", "route", "Lambda's synchronous payload limit"),
        ("sfn-standard", "task", "Lambda's synchronous payload limit"),
        ("sqs", "poll", "Lambda's synchronous payload limit"),
        ("sns", "subscribe", "Lambda's asynchronous payload limit"),
        ("lambda", "invoke-async", "Lambda's asynchronous payload limit"),
        ("alb", "route", "the ALB's Lambda payload limit"),
    ],
)
def test_a_lambda_payload_limit_depends_on_how_it_is_invoked(source, kind, limit):
    edge = Edge(id="e", source="s", target="n", kind=kind)
    found = capacity.payload_limit(CATALOG, edge, node(source), node("lambda"))
    assert found is not None
    assert found[1] == limit


# quota, nodes, edges, entries; the validator's rule and the estimator's warning must both fire or both stay quiet.
AGREEMENT = [
    ("fifo", {"q": "sqs-fifo"}, [], {"q": {"rps": 100, "peak_rps": 250}}),
    ("fifo", {"q": "sqs-fifo"}, [], {"q": {"rps": 200, "peak_rps": 400}}),
    ("fifo", {"q": "sqs-fifo"}, [], {"q": {"rps": 2000, "peak_rps": 4000}}),
    ("fifo", {"q": ("sqs-fifo", {"high_throughput": True})}, [], {"q": {"rps": 2000, "peak_rps": 4000}}),
    ("fifo", {"t": ("sns-fifo", {"message_groups": 1})}, [], {"t": {"rps": 300, "peak_rps": 900}}),
    ("fifo", {"t": ("sns-fifo", {"message_groups": 2})}, [], {"t": {"rps": 300, "peak_rps": 500}}),
    ("fifo", {"t": ("sns-fifo", {"high_throughput": True})}, [], {"t": {"rps": 500, "peak_rps": 1000}}),
    ("fifo", {"t": ("sns-fifo", {"high_throughput": True, "message_groups": 10})}, [], {"t": {"rps": 500, "peak_rps": 1000}}),
    ("fifo", {"t": ("sns-fifo", {"message_groups": 20})}, [], {"t": {"rps": 2000, "peak_rps": 3500}}),
    ("kinesis", {"k": ("kinesis", {"shards": 2})}, [], {"k": {"rps": 1000, "peak_rps": 2500}}),
    ("kinesis", {"k": ("kinesis", {"shards": 2})}, [], {"k": {"rps": 1000, "peak_rps": 1900}}),
    ("kinesis", {"k": ("kinesis", {"shards": 4})}, [], {"k": {"rps": 1000, "peak_rps": 1000}, "payload_kb": 5}),
    ("payload", {"fn": "lambda", "q": ("sqs", {"max_message_kb": 256})}, [("fn", "q", "send", {"payload_kb": 300})], {"fn": {"rps": 1}}),
    ("payload", {"fn": "lambda", "q": ("sqs", {"max_message_kb": 1024})}, [("fn", "q", "send", {"payload_kb": 300})], {"fn": {"rps": 1}}),
    ("payload", {"api": "apigw-http", "fn": "lambda"}, [("api", "fn", "route", {"payload_kb": 7000})], {"api": {"rps": 1}}),
    ("payload", {"sm": "sfn-standard", "fn": "lambda"}, [("sm", "fn", "task", {"payload_kb": 200})], {"sm": {"rps": 1}}),
    ("payload", {"t": "sns", "fn": "lambda"}, [("t", "fn", "subscribe", {"payload_kb": 200})], {"t": {"rps": 1}}),
    ("payload", {"fn": "lambda", "bus": "eventbridge"}, [("fn", "bus", "publish", {"payload_kb": 2000})], {"fn": {"rps": 1}}),
    ("concurrency", {"fn": ("lambda", {"duration_ms": 100, "reserved_concurrency": 10})}, [], {"fn": {"rps": 50, "peak_rps": 200}}),
    ("concurrency", {"fn": ("lambda", {"duration_ms": 100, "reserved_concurrency": 10})}, [], {"fn": {"rps": 20, "peak_rps": 50}}),
    ("concurrency", {"fn": ("lambda", {"duration_ms": 1000})}, [], {"fn": {"rps": 500, "peak_rps": 1500}}),
    ("concurrency", {"fn": ("lambda", {"duration_ms": 1000})}, [], {"fn": {"rps": 300, "peak_rps": 600}}),
    ("concurrency", {"a": ("lambda", {"duration_ms": 1000}), "b": ("lambda", {"duration_ms": 1000})}, [],
     {"a": {"rps": 300, "peak_rps": 600}, "b": {"rps": 300, "peak_rps": 600}}),
    ("concurrency", {"big": ("lambda", {"duration_ms": 100, "reserved_concurrency": 900}), "a": ("lambda", {"duration_ms": 1000}),
     "b": ("lambda", {"duration_ms": 1000})}, [], {"a": {"rps": 30, "peak_rps": 80}, "b": {"rps": 30, "peak_rps": 80}}),
    ("concurrency", {"big": ("lambda", {"duration_ms": 100, "reserved_concurrency": 900}), "a": ("lambda", {"duration_ms": 1000}),
     "b": ("lambda", {"duration_ms": 1000})}, [], {"a": {"rps": 10, "peak_rps": 30}, "b": {"rps": 10, "peak_rps": 30}}),
]  # fmt: skip
RULES = {
    "fifo": "fifo-throughput-exceeded",
    "kinesis": "kinesis-shard-capacity",
    "payload": "payload-over-limit",
    "concurrency": "concurrency-limit-exceeded",
}
WARNINGS = {
    "fifo": {"sqs-fifo-throughput", "sns-fifo-throughput"},
    "kinesis": {"kinesis-shard-throughput"},
    "payload": {"payload-size"},
    "concurrency": {"lambda-reserved-concurrency", "lambda-account-concurrency"},
}


def traffic_of(entries):
    return {
        "entries": {k: v for k, v in entries.items() if k != "payload_kb"},
        "payload_kb": entries.get("payload_kb", 1),
    }


@pytest.mark.parametrize(("quota", "nodes", "edges", "entries"), AGREEMENT)
def test_the_validator_and_the_estimator_agree_on_every_quota(quota, nodes, edges, entries):
    traffic = traffic_of(entries)
    validator = bool(check(nodes, edges, traffic).fired(RULES[quota]))
    warnings = {w.rule for w in estimate(make(nodes, edges, traffic), samples=50).warnings}
    assert validator == bool(warnings & WARNINGS[quota])


def test_the_agreement_cases_cover_both_answers_for_each_quota():
    outcomes: dict[str, set[bool]] = {}
    for quota, nodes, edges, entries in AGREEMENT:
        traffic = traffic_of(entries)
        outcomes.setdefault(quota, set()).add(bool(check(nodes, edges, traffic).fired(RULES[quota])))
    assert outcomes == dict.fromkeys(RULES, {True, False})


def test_a_function_is_capped_by_its_reservation_else_by_the_account():
    assert capacity.concurrency_limit(CATALOG, node("lambda", reserved_concurrency=5)) == (5, "reserved concurrency")
    assert capacity.concurrency_limit(CATALOG, node("lambda")) == (1000, "account's default quota")
    functions = [node("lambda", reserved_concurrency=300), node("lambda"), node("lambda", reserved_concurrency=0)]
    assert capacity.unreserved_pool(CATALOG, functions) == 700
