"""Hostile input and designs where an earlier version of a rule or recogniser answered wrongly."""

import pytest

from designer.domain.diagram import DiagramError, loads, parse
from tests.designer.domain.build import check


def fn(**config):
    return ("lambda", config)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"name": 1' + "0" * 5000 + "}", "not readable JSON"),
        (
            '{"nodes": [{"id": "a", "type": "lambda"}], "edges": [{"id": ["x"], "from": "a", "to": "a"}]}',
            "edges[0].id: a list is not an id",
        ),
        (
            '{"nodes": [{"id": "a", "type": "lambda", "config": {"timeout_s": 1' + "0" * 400 + "}}]}",
            "above the maximum 900",
        ),
        (
            '{"nodes": [{"id": "a", "type": "lambda"}], "traffic": {"days": 1' + "0" * 400 + "}}",
            "traffic.days: a number of over 300 digits",
        ),
        ('{"nodes": [{"id": "a", "type": "lambda", "label": "x\\ud800"}]}', "contains the control character U+D800"),
        (
            '{"nodes": [{"id": "a", "type": "lambda", "label": "\\u001b[31mred"}]}',
            "contains the control character U+001B",
        ),
    ],
)
def test_hostile_input_gets_a_parse_error_not_a_crash(text, expected):
    with pytest.raises(DiagramError) as info:
        parse(loads(text))
    assert any(expected in str(p) for p in info.value.problems), info.value.problems


def test_a_flood_of_unknown_keys_is_one_short_problem():
    raw = {"nodes": [{"id": "a", "type": "lambda", "config": {f"k{i}": 1 for i in range(100_000)}}]}
    with pytest.raises(DiagramError) as info:
        parse(raw)
    assert [str(p) for p in info.value.problems] == ["nodes[0].config: has 100,000 keys; lambda has 16 parameters"]


def test_problems_are_capped_at_one_hundred():
    raw = {"nodes": [{"id": f"n{i}", "type": "nope"} for i in range(300)]}
    with pytest.raises(DiagramError) as info:
        parse(raw)
    assert len(info.value.problems) == 101
    assert str(info.value.problems[-1]) == "... and 200 more problems"


def test_a_wrong_edge_kind_is_reported_once_not_again_for_its_attributes():
    raw = {
        "nodes": [{"id": "q", "type": "sqs"}, {"id": "f", "type": "lambda"}],
        "edges": [{"from": "q", "to": "f", "kind": "subscribe", "batch_size": 5}],
    }
    with pytest.raises(DiagramError) as info:
        parse(raw)
    assert len(info.value.problems) == 1


def test_fan_out_rates_that_multiply_stay_finite():
    nodes = {f"f{i}": fn() for i in range(120)} | {"ks": ("kinesis", {"shards": 1})}
    edges = [(f"f{i}", f"f{i + 1}", "invoke-async", {"calls": 1000}) for i in range(119)] + [("f119", "ks", "publish")]
    report = check(nodes, edges, {"entries": {"f0": {"rps": 1}}})
    assert report.fired("kinesis-shard-capacity")


def test_dynamodb_to_kinesis_needs_no_dynamodb_stream():
    report = check({"t": "dynamodb", "k": "kinesis"}, [("t", "k", "publish")])
    assert report.fired("dynamodb-stream-disabled") == []


def test_a_stream_consumer_lags_rather_than_exceeding_concurrency():
    nodes = {"iot": "client-iot", "ks": ("kinesis", {"shards": 12}), "f": fn(duration_ms=2000, idempotent=True)}
    report = check(nodes, [("iot", "ks"), ("ks", "f")], {"entries": {"iot": {"rps": 3000, "peak_rps": 10_000}}})
    assert [f for f in report.fired("concurrency-limit-exceeded") if f.severity == "error"] == []


def test_functions_sharing_the_account_pool_are_checked_together():
    nodes = {"web": "client-web", "api": "apigw-http"} | {f"f{i}": fn(duration_ms=1000) for i in range(5)}
    edges = [("web", "api")] + [("api", f"f{i}") for i in range(5)]
    [finding] = check(nodes, edges, {"entries": {"web": {"rps": 100, "peak_rps": 400}}}).fired(
        "concurrency-limit-exceeded"
    )
    assert "need about 2,000 concurrent executions" in finding.message
    assert len(finding.nodes) == 5


def test_sns_fifo_throughput_is_limited_per_message_group():
    nodes = {"f": fn(), "t": ("sns-fifo", {"message_groups": 1}), "q": "sqs-fifo"}
    report = check(nodes, [("f", "t"), ("t", "q")], {"entries": {"f": {"rps": 300, "peak_rps": 900}}})
    assert "takes at most 300" in report.fired("fifo-throughput-exceeded")[0].message


def test_alb_to_lambda_payload_uses_the_alb_limit():
    report = check({"alb": "alb", "f": fn()}, [("alb", "f", "route", {"payload_kb": 2048})])
    assert "ALB's Lambda payload limit" in report.fired("payload-over-limit")[0].message


def test_a_bus_dlq_does_not_cover_a_lambda_consumers_own_errors():
    nodes = {"a": fn(), "b": fn(), "bus": "eventbridge", "dlq": "sqs", "c": fn(idempotent=True)}
    pattern = {"filter": {"source": ["a"]}}
    edges = [("a", "bus"), ("b", "bus"), ("bus", "c", "subscribe", pattern), ("bus", "dlq", "dead-letter")]
    [match] = check(nodes, edges).matches("choreography")
    assert match.missing == ("consumer 'c' has no failure path (a dead-letter queue or on-failure destination)",)


def test_a_failure_alarm_topic_is_not_an_acknowledgement_to_the_caller():
    nodes = {
        "web": "client-web",
        "api": "apigw-rest",
        "q": "sqs",
        "dlq": "sqs",
        "w": fn(idempotent=True),
        "alarm": "sns",
    }
    edges = [
        ("web", "api"),
        ("api", "q", "send"),
        ("q", "w"),
        ("q", "dlq", "dead-letter"),
        ("w", "alarm", "dead-letter"),
    ]
    [match] = check(nodes, edges).matches("async")
    assert any("never learns the outcome" in m for m in match.missing)


def test_a_filtered_s3_trigger_breaks_a_write_back_loop():
    nodes = {"b": "s3", "f": fn()}
    looped = check(nodes, [("b", "f", "trigger"), ("f", "b", "write")])
    filtered = check(nodes, [("b", "f", "trigger", {"filter": {"prefix": "uploads/"}}), ("f", "b", "write")])
    assert looped.fired("recursive-trigger-loop")
    assert filtered.fired("recursive-trigger-loop") == []


def test_durable_targets_of_a_bus_need_no_queue_of_their_own():
    nodes = {"bus": "eventbridge", "sm": "sfn-standard", "ks": "kinesis"}
    pattern = {"filter": {"source": ["x"]}}
    report = check(nodes, [("bus", "sm", "subscribe", pattern), ("bus", "ks", "subscribe", pattern)])
    assert report.fired("unbuffered-fan-out-subscriber") == []
