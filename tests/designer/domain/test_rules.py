"""Every rule: a diagram where it fires (naming the nodes it must) and one where it must not."""

import datetime as dt

import pytest

from designer.domain.patterns import PATTERN_IDS
from designer.domain.rules import load_rules
from tests.designer.domain.build import check

DLQ = "dead-letter"
TODAY = dt.date(2026, 12, 7)  # the day runtime deprecations are judged on in these tests
API = {"web": "client-web", "api": "apigw-rest"}
PATTERN = {"filter": {"source": ["shop"]}}


def fn(**config):
    return ("lambda", config)


# (rule, nodes, edges, traffic, nodes the finding must name, text in the message)
FIRES = [
    (
        "lambda-timeout-over-max",
        {"s": "sqs", "f": fn(timeout_s=900, per_record_ms=120_000)},
        [("s", "f", "poll", {"batch_size": 10})],
        None,
        ["f"],
        "beyond Lambda's 900 s maximum",
    ),
    ("lambda-timeout-over-max", {"f": fn(timeout_s=900, duration_ms=1_200_000)}, [], None, ["f"], "about 1,200 s"),
    (
        "lambda-duration-over-timeout",
        {"f": fn(timeout_s=3, duration_ms=5000)},
        [],
        None,
        ["f"],
        "may run 5 s but times out after 3 s",
    ),
    (
        "sync-path-exceeds-integration-timeout",
        {**API, "f": fn(timeout_s=600)},
        [("web", "api"), ("api", "f")],
        None,
        ["api", "f"],
        "waits at most 29 s",
    ),
    (
        "sync-path-exceeds-integration-timeout",
        {"h": ("apigw-http", {}), "f": fn(timeout_s=31)},
        [("h", "f")],
        None,
        ["h", "f"],
        "waits at most 30 s",
    ),
    (
        "sync-path-exceeds-integration-timeout",
        {"r": ("apigw-rest", {"endpoint_type": "edge", "integration_timeout_s": 120}), "f": fn(timeout_s=60)},
        [("r", "f")],
        None,
        ["r", "f"],
        "waits at most 29 s",
    ),
    (
        "sqs-visibility-below-function-timeout",
        {"jobs": ("sqs", {"visibility_timeout_s": 30}), "worker": fn(timeout_s=300)},
        [("jobs", "worker")],
        None,
        ["jobs", "worker"],
        "Queue 'jobs' hides a message for 30 s but consumer 'worker' may run 300 s",
    ),
    (
        "batch-exceeds-timeout",
        {"s": "sqs", "f": fn(timeout_s=30, per_record_ms=5000)},
        [("s", "f", "poll", {"batch_size": 10})],
        None,
        ["f"],
        "A batch of 10 records at 5000 ms each takes 50 s",
    ),
    ("queue-without-dlq", {"q": "sqs", "f": fn()}, [("q", "f")], None, ["q"], "has no dead-letter queue"),
    (
        "async-without-failure-destination",
        {"t": "sns", "f": fn()},
        [("t", "f")],
        None,
        ["f"],
        "invoked asynchronously by 't'",
    ),
    (
        "async-without-failure-destination",
        {"b": "s3", "f": fn()},
        [("b", "f")],
        None,
        ["f"],
        "no on-failure destination",
    ),
    (
        "unbuffered-fan-out-subscriber",
        {"t": "sns", "q": "sqs", "mail": fn()},
        [("t", "q"), ("t", "mail")],
        None,
        ["t", "mail"],
        "delivers straight to 'mail'",
    ),
    (
        "lambda-sync-chain",
        {"a": fn(), "b": fn(), "c": fn()},
        [("a", "b", "invoke-sync"), ("b", "c", "invoke-sync")],
        None,
        ["a", "b", "c"],
        "'a' -> 'b' -> 'c'",
    ),
    (
        "sync-coupling-between-services",
        {"f": fn(), "other": "apigw-rest"},
        [("f", "other", "invoke-sync")],
        None,
        ["f", "other"],
        "calls the API 'other'",
    ),
    (
        "recursive-trigger-loop",
        {"b": "s3", "f": fn()},
        [("b", "f", "trigger"), ("f", "b", "write")],
        None,
        ["f", "b"],
        "writes to 'b', which leads back to 'f'",
    ),
    (
        "recursive-trigger-loop",
        {"q": "sqs", "f": fn(), "t": "sns"},
        [("q", "f"), ("f", "t", "publish"), ("t", "q")],
        None,
        ["f", "t"],
        "leads back",
    ),
    (
        "fifo-throughput-exceeded",
        {"p": "client-iot", "api": "apigw-http", "q": "sqs-fifo"},
        [("p", "api"), ("api", "q")],
        {"entries": {"p": {"rps": 2000, "peak_rps": 5000}}},
        ["q"],
        "5,000 messages/s",
    ),
    (
        "fifo-throughput-exceeded",
        {"f": fn(), "t": "sns-fifo", "q": "sqs-fifo"},
        [("f", "t"), ("t", "q")],
        {"entries": {"f": {"rps": 3500, "peak_rps": 3500}}},
        ["t"],
        "takes at most 3,000",
    ),
    (
        "express-duration-exceeded",
        {"sm": ("sfn-express", {"duration_ms": 600_000})},
        [],
        None,
        ["sm"],
        "Express workflows stop at 300 s",
    ),
    (
        "express-duration-exceeded",
        {"sm": "sfn-express", "f": fn()},
        [("sm", "f", "task", {"wait_for_callback": True})],
        None,
        ["sm"],
        "waits for a callback",
    ),
    (
        "standard-workflow-high-volume",
        {"f": fn(), "sm": ("sfn-standard", {"states_per_execution": 10, "duration_ms": 2000})},
        [("f", "sm")],
        {"entries": {"f": {"per_month": 5_000_000}}},
        ["sm"],
        "as a Standard workflow",
    ),
    (
        "inline-map-concurrency",
        {"sm": ("sfn-standard", {"map_mode": "inline", "map_concurrency": 100})},
        [],
        None,
        ["sm"],
        "at most 40",
    ),
    (
        "inline-map-concurrency",
        {"sm": ("sfn-standard", {"map_mode": "inline", "map_items": 1_000_000})},
        [],
        None,
        ["sm"],
        "execution history holds 25,000 events",
    ),
    (
        "saga-step-without-compensation",
        {"sm": "sfn-standard", "a": fn(), "b": fn(), "c": fn(), "ua": fn()},
        [
            ("sm", "a", "task", {"step": "Pay"}),
            ("sm", "b", "task", {"step": "Reserve"}),
            ("sm", "c", "task", {"step": "Ship"}),
            ("sm", "ua", "compensate", {"undoes": "Pay"}),
        ],
        None,
        ["sm", "b"],
        "step Reserve ('b') has no compensation",
    ),
    ("polling-for-approval", {"sm": ("sfn-standard", {"approval": "poll"})}, [], None, ["sm"], "polls for a decision"),
    (
        "lambda-rds-without-proxy",
        {"f": fn(), "db": "rds"},
        [("f", "db", "write")],
        None,
        ["f", "db"],
        "without RDS Proxy",
    ),
    (
        "websocket-without-connection-store",
        {"ws": "apigw-websocket", "h": fn()},
        [("ws", "h")],
        None,
        ["ws", "h"],
        "stores connection ids",
    ),
    (
        "cold-start-on-latency-path",
        {"api": ("apigw-rest", {"latency_target_ms": 300}), "f": ("lambda", {"runtime": "java21"})},
        [("api", "f")],
        None,
        ["api", "f"],
        "10,000 ms at p99",
    ),
    (
        "concurrency-limit-exceeded",
        {"web": "client-web", "api": "apigw-http", "f": fn(duration_ms=500)},
        [("web", "api"), ("api", "f")],
        {"entries": {"web": {"rps": 1000, "peak_rps": 4000}}},
        ["f"],
        "about 2,000 concurrent executions",
    ),
    (
        "concurrency-limit-exceeded",
        {"q": "sqs", "f": fn(duration_ms=1000, reserved_concurrency=5), "p": fn()},
        [("p", "q"), ("q", "f", "poll", {"batch_size": 1})],
        {"entries": {"p": {"rps": 10, "peak_rps": 50}}},
        ["f"],
        "its queue grows without end",
    ),
    (
        "kinesis-shard-capacity",
        {"iot": "client-iot", "ks": ("kinesis", {"shards": 1})},
        [("iot", "ks")],
        {"entries": {"iot": {"rps": 3000}}},
        ["ks"],
        "needs at least 9 shards",
    ),
    (
        "api-cache-candidate",
        {"api": ("apigw-rest", {"cache_hit_ratio": 0.9})},
        [],
        None,
        ["api"],
        "about 90% of requests",
    ),
    (
        "api-cache-candidate",
        {"api": ("apigw-http", {"cache_hit_ratio": 0.6})},
        [],
        None,
        ["api"],
        "HTTP APIs cannot cache",
    ),
    (
        "http-api-missing-feature",
        {"api": ("apigw-http", {"needs": ["request-validation", "waf"]})},
        [],
        None,
        ["api"],
        "needs request-validation, waf",
    ),
    (
        "payload-over-limit",
        {"f": fn(), "q": "sqs"},
        [("f", "q", "send", {"payload_kb": 600})],
        None,
        ["f", "q"],
        "above its configured maximum message size (256 KB)",
    ),
    (
        "payload-over-limit",
        {"f": fn(), "bus": "eventbridge"},
        [("f", "bus")],
        {"entries": {"f": {"rps": 1}}, "payload_kb": 2048},
        ["f", "bus"],
        "EventBridge's event size limit (1,024 KB)",
    ),
    (
        "non-idempotent-consumer",
        {"q": "sqs", "f": fn(), "t": "sns", "g": fn(idempotent=True)},
        [("q", "f"), ("t", "g")],
        None,
        ["f"],
        "'f' (from 'q') may receive the same event twice",
    ),
    (
        "unfiltered-event-rule",
        {"bus": "eventbridge", "f": fn()},
        [("bus", "f")],
        None,
        ["bus", "f"],
        "has no event pattern",
    ),
    (
        "legacy-reachable-directly",
        {**API, "new": fn(), "old": "legacy-app"},
        [("web", "api"), ("api", "new"), ("api", "old"), ("web", "old")],
        None,
        ["web", "old"],
        "calls legacy app 'old' directly",
    ),
    ("orphan-node", {**API, "lost": "sqs"}, [("web", "api")], None, ["lost"], "'lost' is not connected"),
    ("orphan-node", {"f": fn(), "q": "sqs"}, [("f", "q")], None, [], "Nothing in this diagram starts the flow"),
    (
        "dynamodb-stream-disabled",
        {"t": "dynamodb", "f": fn()},
        [("t", "f", "poll")],
        None,
        ["t", "f"],
        "whose stream is not enabled",
    ),
    ("deprecated-runtime", {"f": fn(runtime="python3.9")}, [], None, ["f"], "Python 3.9 (python3.9), deprecated since"),
    (
        "stream-failure-unbounded",
        {"ks": "kinesis", "f": fn()},
        [("ks", "f", "poll", {"max_retry_attempts": -1})],
        None,
        ["ks", "f"],
        "until its records expire: one bad record stops its shard and nothing keeps the records that fail",
    ),
    (
        "delivery-not-permitted",
        {"bus": "eventbridge", "q": "sqs", "dlq": "sqs"},
        [("bus", "q", "subscribe", {**PATTERN, "permitted": True}), ("bus", "dlq", DLQ, {"permitted": False})],
        None,
        ["bus", "dlq"],
        "no permission to make its failed deliveries to 'dlq': an SQS queue policy must allow it",
    ),
    (
        "max-receive-count-low",
        {"q": ("sqs", {"max_receive_count": 1}), "dlq": "sqs", "f": fn()},
        [("q", "f"), ("q", "dlq", DLQ)],
        None,
        ["q"],
        "dead-letters a message after one receive",
    ),
    (
        "open-state-changing-route",
        {**API, "f": fn(), "q": "sqs"},
        [("web", "api"), ("api", "f", "route", {"auth": "none"}), ("api", "q", "send", {"auth": "none"})],
        None,
        ["api", "q"],
        "lets anyone call routes that change state",
    ),
    (
        "open-state-changing-route",
        {"f": fn(url_auth="none"), "t": "dynamodb"},
        [("f", "t", "write")],
        None,
        ["f"],
        "function URL anyone can call",
    ),
    (
        "sfn-task-timeout-below-function",
        {"sm": "sfn-standard", "f": fn(timeout_s=60)},
        [("sm", "f", "task", {"step": "Charge", "timeout_s": 30})],
        None,
        ["sm", "f"],
        "Step Charge of 'sm' gives up after 30 s, but 'f' may run 60 s",
    ),
    (
        "catch-misses-runtime-errors",
        {"sm": "sfn-standard", "pay": fn(), "ship": fn(), "refund": fn()},
        [
            ("sm", "pay", "task", {"step": "Pay", "catch_errors": ["PaymentDeclined"]}),
            ("sm", "ship", "task", {"step": "Ship"}),
            ("sm", "refund", "compensate", {"undoes": "Pay"}),
        ],
        None,
        ["sm", "pay"],
        "catches only PaymentDeclined",
    ),
    (
        "filter-drops-unmatched",
        {"t": "sns", "q": "sqs", "f": fn()},
        [("t", "q"), ("q", "f", "poll", {"filter": {"body": {"kind": ["order"]}}})],
        None,
        ["q", "f", "t"],
        "the rest are deleted unread",
    ),
    (
        "callback-without-timeout",
        {"sm": "sfn-standard", "q": "sqs"},
        [("sm", "q", "task", {"step": "Ask", "wait_for_callback": True})],
        None,
        ["sm", "q"],
        "waits for a task token with no TimeoutSeconds or HeartbeatSeconds",
    ),
    (
        "duplicate-subscription",
        {"bus": "eventbridge", "q": "sqs"},
        [("bus", "q", "subscribe", PATTERN), ("bus", "q", "subscribe", PATTERN)],
        None,
        ["bus", "q"],
        "subscribed 2 times",
    ),
    (
        "broad-storage-trigger",
        {"b": "s3", "f": fn()},
        [("b", "f", "trigger", {"events": ["s3:*"]})],
        None,
        ["b", "f"],
        "deletes included",
    ),
]

# (rule, nodes, edges, traffic): near misses where the rule must stay quiet.
QUIET = [
    (
        "lambda-timeout-over-max",
        {"s": "sqs", "f": fn(timeout_s=900, per_record_ms=1000)},
        [("s", "f", "poll", {"batch_size": 10})],
        None,
    ),
    ("lambda-duration-over-timeout", {"f": fn(timeout_s=10, duration_ms=5000)}, [], None),
    ("sync-path-exceeds-integration-timeout", {**API, "f": fn(timeout_s=29)}, [("web", "api"), ("api", "f")], None),
    (
        "sync-path-exceeds-integration-timeout",
        {"r": ("apigw-rest", {"integration_timeout_s": 120}), "f": fn(timeout_s=60)},
        [("r", "f")],
        None,
    ),
    (
        "sync-path-exceeds-integration-timeout",
        {"api": "apigw-rest", "q": "sqs", "f": fn(timeout_s=600)},
        [("api", "q"), ("q", "f")],
        None,
    ),
    (
        "sqs-visibility-below-function-timeout",
        {"q": ("sqs", {"visibility_timeout_s": 180}), "f": fn(timeout_s=30)},
        [("q", "f")],
        None,
    ),
    (
        "batch-exceeds-timeout",
        {"s": "sqs", "f": fn(timeout_s=60, per_record_ms=5000)},
        [("s", "f", "poll", {"batch_size": 10})],
        None,
    ),
    ("queue-without-dlq", {"q": "sqs", "f": fn(), "d": "sqs"}, [("q", "f"), ("q", "d", DLQ)], None),
    ("async-without-failure-destination", {"t": "sns", "f": fn(), "d": "sqs"}, [("t", "f"), ("f", "d", DLQ)], None),
    ("unbuffered-fan-out-subscriber", {"t": "sns", "q1": "sqs", "q2": "sqs"}, [("t", "q1"), ("t", "q2")], None),
    ("unbuffered-fan-out-subscriber", {"t": "sns", "f": fn()}, [("t", "f")], None),  # one subscriber: no fan-out
    (
        "lambda-sync-chain",
        {"a": fn(), "b": fn(), "c": fn()},
        [("a", "b", "invoke-sync"), ("b", "c", "invoke-async")],
        None,
    ),
    ("sync-coupling-between-services", {"f": fn(), "ext": "external-api"}, [("f", "ext")], None),
    (
        "recursive-trigger-loop",
        {"b": "s3", "f": fn(), "out": "s3"},
        [("b", "f", "trigger"), ("f", "out", "write")],
        None,
    ),
    (
        "fifo-throughput-exceeded",
        {"p": fn(), "q": "sqs-fifo"},
        [("p", "q")],
        {"entries": {"p": {"rps": 100, "peak_rps": 250}}},
    ),
    (
        "fifo-throughput-exceeded",
        {"p": fn(), "q": ("sqs-fifo", {"high_throughput": True})},
        [("p", "q")],
        {"entries": {"p": {"rps": 5000}}},
    ),
    ("express-duration-exceeded", {"sm": ("sfn-express", {"duration_ms": 60_000})}, [], None),
    (
        "standard-workflow-high-volume",
        {"f": fn(), "sm": ("sfn-standard", {"approval": "callback"})},
        [("f", "sm")],
        {"entries": {"f": {"per_month": 5_000_000}}},
    ),
    (
        "standard-workflow-high-volume",
        {"f": fn(), "sm": "sfn-standard"},
        [("f", "sm")],
        {"entries": {"f": {"per_month": 10_000}}},
    ),
    (
        "inline-map-concurrency",
        {"sm": ("sfn-standard", {"map_mode": "distributed", "map_concurrency": 1000, "map_items": 1_000_000})},
        [],
        None,
    ),
    (
        "saga-step-without-compensation",
        {"sm": "sfn-standard", "a": fn(), "b": fn(), "ua": fn()},
        [
            ("sm", "a", "task", {"step": "Pay"}),
            ("sm", "b", "task", {"step": "Ship"}),
            ("sm", "ua", "compensate", {"undoes": "Pay"}),
        ],
        None,
    ),
    ("polling-for-approval", {"sm": ("sfn-standard", {"approval": "callback"})}, [], None),
    ("lambda-rds-without-proxy", {"f": fn(), "p": "rds-proxy", "db": "rds"}, [("f", "p", "write"), ("p", "db")], None),
    (
        "lambda-rds-without-proxy",
        {"f": fn(reserved_concurrency=5), "db": ("rds", {"max_connections": 200})},
        [("f", "db", "write")],
        None,
    ),
    (
        "websocket-without-connection-store",
        {"ws": "apigw-websocket", "h": fn(), "t": "dynamodb"},
        [("ws", "h"), ("h", "t", "write")],
        None,
    ),
    (
        "cold-start-on-latency-path",
        {
            "api": ("apigw-rest", {"latency_target_ms": 300}),
            "f": ("lambda", {"runtime": "java21", "provisioned_concurrency": 5}),
        },
        [("api", "f")],
        None,
    ),
    (
        "cold-start-on-latency-path",
        {"api": ("apigw-rest", {"latency_target_ms": 2000}), "f": ("lambda", {"runtime": "nodejs22.x"})},
        [("api", "f")],
        None,
    ),
    (
        # the newest runtimes have their family's figures, not the slowest runtime's
        "cold-start-on-latency-path",
        {"api": ("apigw-rest", {"latency_target_ms": 2000}), "f": ("lambda", {"runtime": "python3.14"})},
        [("api", "f")],
        None,
    ),
    (
        "cold-start-on-latency-path",
        {"api": ("apigw-rest", {"latency_target_ms": 2000}), "f": ("lambda", {"runtime": "nodejs24.x"})},
        [("api", "f")],
        None,
    ),
    (
        "concurrency-limit-exceeded",
        {"web": "client-web", "api": "apigw-http", "f": fn(duration_ms=100)},
        [("web", "api"), ("api", "f")],
        {"entries": {"web": {"rps": 1000, "peak_rps": 4000}}},
    ),
    (
        "kinesis-shard-capacity",
        {"iot": "client-iot", "ks": ("kinesis", {"mode": "on-demand"})},
        [("iot", "ks")],
        {"entries": {"iot": {"rps": 3000}}},
    ),
    ("api-cache-candidate", {"api": ("apigw-rest", {"cache_hit_ratio": 0.9, "cache_size_gb": 0.5})}, [], None),
    ("http-api-missing-feature", {"api": ("apigw-rest", {"needs": ["request-validation", "waf"]})}, [], None),
    (
        "payload-over-limit",
        {"f": fn(), "q": ("sqs", {"max_message_kb": 1024})},
        [("f", "q", "send", {"payload_kb": 600})],
        None,
    ),
    ("non-idempotent-consumer", {"q": "sqs", "f": fn(idempotent=True)}, [("q", "f")], None),
    ("unfiltered-event-rule", {"bus": "eventbridge", "f": fn()}, [("bus", "f", "subscribe", PATTERN)], None),
    (
        "legacy-reachable-directly",
        {"web": "client-web", "old": "legacy-app"},
        [("web", "old")],
        None,
    ),  # no migration yet
    ("orphan-node", API, [("web", "api")], None),
    ("orphan-node", {"cron": "eventbridge-scheduler", "f": fn()}, [("cron", "f")], None),
    ("dynamodb-stream-disabled", {"t": ("dynamodb", {"stream": True}), "f": fn()}, [("t", "f", "poll")], None),
    ("deprecated-runtime", {"f": fn(runtime="python3.13")}, [], None),
    (
        "stream-failure-unbounded",
        {"ks": "kinesis", "f": fn(), "dlq": "sqs"},
        [("ks", "f", "poll", {"max_retry_attempts": 3}), ("f", "dlq", DLQ)],
        None,
    ),
    ("delivery-not-permitted", {"bus": "eventbridge", "q": "sqs"}, [("bus", "q", "subscribe", PATTERN)], None),
    (
        "max-receive-count-low",
        {"q": ("sqs", {"max_receive_count": 5}), "dlq": "sqs", "f": fn()},
        [("q", "f"), ("q", "dlq", DLQ)],
        None,
    ),
    (
        "open-state-changing-route",
        {**API, "f": fn(), "q": "sqs"},
        [
            ("web", "api"),
            ("api", "f", "route", {"auth": "none", "label": "GET /orders"}),
            ("api", "q", "send", {"auth": "iam"}),
        ],
        None,
    ),
    (
        "sfn-task-timeout-below-function",
        {"sm": "sfn-standard", "f": fn(timeout_s=60)},
        [("sm", "f", "task", {"step": "Charge", "timeout_s": 70})],
        None,
    ),
    (
        "catch-misses-runtime-errors",
        {"sm": "sfn-standard", "pay": fn(), "ship": fn(), "refund": fn()},
        [
            ("sm", "pay", "task", {"step": "Pay", "catch_errors": ["PaymentDeclined", "States.ALL"]}),
            ("sm", "ship", "task", {"step": "Ship"}),
            ("sm", "refund", "compensate", {"undoes": "Pay"}),
        ],
        None,
    ),
    (
        "filter-drops-unmatched",
        {"t": "sns", "q": "sqs", "f": fn()},
        [
            ("t", "q", "subscribe", {"filter": {"kind": ["order"]}}),
            ("q", "f", "poll", {"filter": {"body": {"kind": ["order"]}}}),
        ],
        None,
    ),
    (
        "callback-without-timeout",
        {"sm": "sfn-standard", "q": "sqs"},
        [("sm", "q", "task", {"step": "Ask", "wait_for_callback": True, "heartbeat_s": 3600})],
        None,
    ),
    (
        "duplicate-subscription",
        {"bus": "eventbridge", "q": "sqs"},
        [("bus", "q", "subscribe", PATTERN), ("bus", "q", "subscribe", {"filter": {"source": ["billing"]}})],
        None,
    ),
    (
        "broad-storage-trigger",
        {"b": "s3", "f": fn()},
        [("b", "f", "trigger", {"events": ["s3:ObjectCreated:*"]})],
        None,
    ),
]


def test_every_rule_has_a_firing_and_a_quiet_case():
    rules = set(load_rules())
    assert rules == {c[0] for c in FIRES}
    assert rules == {c[0] for c in QUIET}
    assert len(rules) >= 28


@pytest.mark.parametrize(
    ("rule", "nodes", "edges", "traffic", "named", "text"), FIRES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FIRES)]
)
def test_rule_fires_and_names_the_nodes(rule, nodes, edges, traffic, named, text):
    findings = check(nodes, edges, traffic, TODAY).fired(rule)
    assert findings, f"{rule} did not fire"
    assert any(text in f.message for f in findings), [f.message for f in findings]
    assert any(set(named) <= set(f.nodes) for f in findings), [f.nodes for f in findings]


@pytest.mark.parametrize(("rule", "nodes", "edges", "traffic"), QUIET, ids=[f"{c[0]}-{i}" for i, c in enumerate(QUIET)])
def test_rule_stays_quiet_on_a_near_miss(rule, nodes, edges, traffic):
    assert check(nodes, edges, traffic, TODAY).fired(rule) == []


def test_visibility_below_six_times_the_timeout_is_a_warning_not_an_error():
    [finding] = check({"q": ("sqs", {"visibility_timeout_s": 100}), "f": fn(timeout_s=30)}, [("q", "f")]).fired(
        "sqs-visibility-below-function-timeout"
    )
    assert finding.severity == "warning"
    assert "at least 6x" in finding.message


def test_a_capped_queue_consumer_may_lag_at_peak_without_a_finding():
    nodes = {"q": "sqs", "f": fn(duration_ms=1000, reserved_concurrency=5), "p": fn()}
    edges = [("p", "q"), ("q", "f", "poll", {"batch_size": 1})]
    report = check(nodes, edges, {"entries": {"p": {"rps": 4, "peak_rps": 50}}})
    assert report.fired("concurrency-limit-exceeded") == []


def test_a_loop_through_a_filtered_subscription_is_not_a_recursive_loop():
    nodes = {"fn": fn(), "bus": "eventbridge", "q": "sqs"}
    edges = [("fn", "bus"), ("bus", "q", "subscribe", {"filter": {"detail-type": ["OrderPlaced"]}}), ("q", "fn")]
    assert check(nodes, edges).fired("recursive-trigger-loop") == []
    unfiltered = [("fn", "bus"), ("bus", "q", "subscribe"), ("q", "fn")]
    assert check(nodes, unfiltered).fired("recursive-trigger-loop")


def test_findings_carry_why_fix_and_refs_from_the_rule_data():
    [finding] = check({**API, "f": fn(timeout_s=600, duration_ms=45_000)}, [("web", "api"), ("api", "f")]).fired(
        "sync-path-exceeds-integration-timeout"
    )
    assert finding.severity == "error"
    assert "504" in finding.why
    assert "asynchronously" in finding.fix
    assert finding.refs[0] == "ws-08"
    assert finding.edges == ("e2",)


def test_each_case_of_a_two_case_rule_explains_itself():
    [orphan] = check({**API, "lost": "sqs"}, [("web", "api")]).fired("orphan-node")
    [no_entry] = check({"f": fn(), "q": "sqs"}, [("f", "q")]).fired("orphan-node")
    assert "no connections does nothing" in orphan.why
    assert "nothing starts work" not in orphan.why
    assert "nothing starts work" in no_entry.why
    assert "Add the client, schedule or event source" in no_entry.fix
    assert "remove it" not in no_entry.fix


@pytest.mark.parametrize("spec", load_rules().values(), ids=lambda s: s.id)
def test_every_rule_explains_itself(spec):
    assert spec.severity in ("error", "warning", "info")
    assert len(spec.why) > 60
    assert len(spec.fix) > 30
    for ref in spec.refs:
        assert ref.startswith("ws-") or ref in PATTERN_IDS


def test_findings_are_ordered_most_severe_first():
    report = check({"q": ("sqs", {"visibility_timeout_s": 5}), "f": fn(timeout_s=30)}, [("q", "f")])
    ranks = [("error", "warning", "info").index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks)
    assert report.has_errors
