"""Every pattern: one diagram where it is complete, one where it is incomplete (with what is missing), one where it
must not be recognised."""

import pytest

from tests.designer.domain.build import check

DLQ = "dead-letter"

SYNC = {"web": "client-web", "api": "apigw-rest", "fn": ("lambda", {"timeout_s": 10}), "db": "dynamodb"}
SYNC_EDGES = [("web", "api"), ("api", "fn"), ("fn", "db", "write")]

ASYNC = {
    "web": "client-web",
    "api": "apigw-rest",
    "q": ("sqs", {"visibility_timeout_s": 360}),
    "dlq": "sqs",
    "worker": ("lambda", {"timeout_s": 60, "idempotent": True}),
    "jobs": "dynamodb",
    "status": "lambda",
}
ASYNC_EDGES = [
    ("web", "api"),
    ("api", "q", "send"),
    ("q", "worker"),
    ("q", "dlq", DLQ),
    ("worker", "jobs", "write"),
    ("api", "status", "route"),
    ("status", "jobs", "read"),
]

LEVEL = {"q": "sqs", "dlq": "sqs", "fn": ("lambda", {"reserved_concurrency": 5}), "db": "rds", "src": "lambda"}
LEVEL_EDGES = [("src", "q"), ("q", "fn"), ("q", "dlq", DLQ), ("fn", "db", "write")]

FAN = {
    "pub": "lambda",
    "topic": "sns",
    "qa": "sqs",
    "qb": "sqs",
    "dqa": "sqs",
    "dqb": "sqs",
    "fa": ("lambda", {"idempotent": True}),
    "fb": ("lambda", {"idempotent": True}),
}
FAN_EDGES = [
    ("pub", "topic"),
    ("topic", "qa"),
    ("topic", "qb"),
    ("qa", "dqa", DLQ),
    ("qb", "dqb", DLQ),
    ("qa", "fa"),
    ("qb", "fb"),
]

ORCH = {"api": "apigw-rest", "sm": "sfn-standard", "a": "lambda", "b": "dynamodb"}
ORCH_EDGES = [("api", "sm", "invoke-async"), ("sm", "a", "task", {"retry": True}), ("sm", "b", "task", {"catch": True})]

CHOREO = {
    "orders": "lambda",
    "payments": "lambda",
    "bus": "eventbridge",
    "q1": "sqs",
    "q2": "sqs",
    "d1": "sqs",
    "d2": "sqs",
    "c1": ("lambda", {"idempotent": True}),
    "c2": ("lambda", {"idempotent": True}),
}
PATTERN = {"filter": {"source": ["orders"]}}
CHOREO_EDGES = [
    ("orders", "bus"),
    ("payments", "bus"),
    ("bus", "q1", "subscribe", PATTERN),
    ("bus", "q2", "subscribe", PATTERN),
    ("q1", "d1", DLQ),
    ("q2", "d2", DLQ),
    ("q1", "c1"),
    ("q2", "c2"),
]

SAGA = {
    "sm": "sfn-standard",
    "pay": "lambda",
    "stock": "lambda",
    "ship": "lambda",
    "refund": "lambda",
    "release": "lambda",
}
SAGA_EDGES = [
    ("sm", "pay", "task", {"step": "Pay", "retry": True}),
    ("sm", "stock", "task", {"step": "ReserveInventory", "retry": True}),
    ("sm", "ship", "task", {"step": "Ship", "retry": True}),
    ("sm", "release", "compensate", {"undoes": "ReserveInventory"}),
    ("sm", "refund", "compensate", {"undoes": "Pay"}),
]

BFF = {
    "web": "client-web",
    "mob": "client-mobile",
    "wapi": "apigw-rest",
    "mapi": "apigw-http",
    "wfn": "lambda",
    "mfn": "lambda",
    "users": "dynamodb",
    "orders": "dynamodb",
}
BFF_EDGES = [
    ("web", "wapi"),
    ("mob", "mapi"),
    ("wapi", "wfn"),
    ("mapi", "mfn"),
    ("wfn", "users", "read"),
    ("wfn", "orders", "read"),
    ("mfn", "users", "read"),
    ("mfn", "orders", "read"),
]

STRANGLER = {"web": "client-web", "api": "apigw-rest", "new": "lambda", "old": "legacy-app"}
STRANGLER_EDGES = [("web", "api"), ("api", "new"), ("api", "old")]

ES = {
    "cmd": "lambda",
    "events": ("dynamodb", {"stream": True}),
    "proj": ("lambda", {"idempotent": True}),
    "view": "dynamodb",
    "query": "lambda",
    "fail": "sqs",
}
ES_EDGES = [
    ("cmd", "events", "write"),
    ("events", "proj", "poll"),
    ("proj", "view", "write"),
    ("query", "view", "read"),
    ("proj", "fail", DLQ),
]

SCHED = {"cron": "eventbridge-scheduler", "job": "lambda", "dlq": "sqs"}
SCHED_EDGES = [("cron", "job"), ("cron", "dlq", DLQ)]

STREAM = {
    "iot": "client-iot",
    "ks": ("kinesis", {"shards": 2}),
    "fn": ("lambda", {"idempotent": True}),
    "lake": "s3",
    "failed": "sqs",
}
STREAM_EDGES = [
    ("iot", "ks"),
    ("ks", "fn", "poll", {"max_retry_attempts": 3}),
    ("fn", "lake", "write"),
    ("fn", "failed", DLQ),
]
STREAM_TRAFFIC = {"entries": {"iot": {"rps": 500, "peak_rps": 1500}}, "payload_kb": 1}


def matches(report, pattern_id):
    return [m for m in report.patterns if m.id == pattern_id]


COMPLETE = [
    ("sync", SYNC, SYNC_EDGES, None, {"front_door": ["api"], "compute": ["fn"], "stores": ["db"]}),
    ("async", ASYNC, ASYNC_EDGES, None, {"queue": ["q"], "consumer": ["worker"], "front_door": ["api"]}),
    ("load-leveling", LEVEL, LEVEL_EDGES, None, {"queue": ["q"], "consumer": ["fn"], "downstream": ["db"]}),
    ("fan-out", FAN, FAN_EDGES, None, {"topic": ["topic"], "subscribers": ["qa", "qb"]}),
    ("orchestration", ORCH, ORCH_EDGES, None, {"orchestrator": ["sm"], "tasks": ["a", "b"]}),
    ("choreography", CHOREO, CHOREO_EDGES, None, {"bus": ["bus"], "producers": ["orders", "payments"]}),
    ("saga", SAGA, SAGA_EDGES, None, {"orchestrator": ["sm"], "compensations": ["release", "refund"]}),
    ("bff", BFF, BFF_EDGES, None, {"front_doors": ["wapi", "mapi"]}),
    ("strangler-fig", STRANGLER, STRANGLER_EDGES, None, {"new": ["new"], "legacy": ["old"]}),
    ("event-sourcing-cqrs", ES, ES_EDGES, None, {"event_store": ["events"], "read_model": ["view"]}),
    ("scheduled", SCHED, SCHED_EDGES, None, {"schedule": ["cron"], "target": ["job"]}),
    ("stream-ingestion", STREAM, STREAM_EDGES, STREAM_TRAFFIC, {"stream": ["ks"], "sink": ["lake"]}),
]


@pytest.mark.parametrize(("pattern", "nodes", "edges", "traffic", "roles"), COMPLETE, ids=[c[0] for c in COMPLETE])
def test_pattern_is_recognised_complete_with_its_roles(pattern, nodes, edges, traffic, roles):
    [match] = matches(check(nodes, edges, traffic), pattern)
    assert match.complete, match.missing
    for role, ids in roles.items():
        assert match.roles[role] == ids


def without(edges, *drop):
    return [e for e in edges if e[:2] not in drop]


def with_config(nodes, node_id, **config):
    spec = nodes[node_id]
    type_id, base = (spec, {}) if isinstance(spec, str) else (spec[0], spec[1])
    return {**nodes, node_id: (type_id, {**base, **config})}


INCOMPLETE = [
    (
        "sync",
        with_config(SYNC, "fn", timeout_s=60),
        SYNC_EDGES,
        None,
        "'fn' may run 60 s, longer than the 29 s 'api' waits",
    ),
    ("async", ASYNC, without(ASYNC_EDGES, ("q", "dlq")), None, "queue 'q' has no dead-letter queue"),
    ("async", ASYNC, without(ASYNC_EDGES, ("status", "jobs")), None, "the caller of 'api' never learns the outcome"),
    (
        "load-leveling",
        with_config(LEVEL, "fn", reserved_concurrency=None),
        LEVEL_EDGES,
        None,
        "'fn' has no concurrency cap",
    ),
    ("fan-out", FAN, without(FAN_EDGES, ("qb", "dqb")), None, "subscriber queue 'qb' has no dead-letter queue"),
    (
        "fan-out",
        {**FAN, "mail": "lambda"},
        [*FAN_EDGES, ("topic", "mail")],
        None,
        "'mail' receives directly, not through its own SQS queue",
    ),
    ("orchestration", ORCH, [*ORCH_EDGES[:2], ("sm", "b", "task")], None, "step b (calls 'b') has no Retry or Catch"),
    ("choreography", CHOREO, without(CHOREO_EDGES, ("q2", "d2")), None, "consumer 'q2' has no failure path"),
    ("saga", SAGA, without(SAGA_EDGES, ("sm", "release")), None, "step ReserveInventory has no compensation"),
    ("saga", SAGA, [*SAGA_EDGES[:3], SAGA_EDGES[4], SAGA_EDGES[3]], None, "compensations do not run in reverse order"),
    (
        "bff",
        {**BFF, "partner": "client-partner"},
        [*BFF_EDGES, ("partner", "wapi")],
        None,
        "client-partner and client-web share front door 'wapi'",
    ),
    (
        "strangler-fig",
        STRANGLER,
        [*STRANGLER_EDGES, ("web", "old")],
        None,
        "'web' reaches 'old' directly, not through 'api'",
    ),
    (
        "event-sourcing-cqrs",
        with_config(ES, "proj", idempotent=False),
        ES_EDGES,
        None,
        "projector 'proj' is not marked idempotent",
    ),
    (
        "event-sourcing-cqrs",
        ES,
        without(ES_EDGES, ("proj", "fail")),
        None,
        "projector 'proj' has no on-failure destination",
    ),
    ("scheduled", SCHED, without(SCHED_EDGES, ("cron", "dlq")), None, "runs of 'job' that keep failing go nowhere"),
    (
        "stream-ingestion",
        STREAM,
        STREAM_EDGES,
        {**STREAM_TRAFFIC, "entries": {"iot": {"rps": 2000, "peak_rps": 6000}}},
        "it needs at least 6 shards",
    ),
    (
        "stream-ingestion",
        STREAM,
        [*without(STREAM_EDGES, ("ks", "fn")), ("ks", "fn")],
        None,
        "'fn' retries a failing batch until its records expire",
    ),
    ("stream-ingestion", STREAM, without(STREAM_EDGES, ("fn", "failed")), None, "records 'fn' gives up on go nowhere"),
    ("async", {"api": "apigw-rest", "q": "sqs"}, [("api", "q", "send")], None, "nothing in this diagram consumes"),
]


@pytest.mark.parametrize(
    ("pattern", "nodes", "edges", "traffic", "missing"),
    INCOMPLETE,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(INCOMPLETE)],
)
def test_pattern_is_incomplete_and_says_what_is_missing(pattern, nodes, edges, traffic, missing):
    found = matches(check(nodes, edges, traffic), pattern)
    assert found, f"{pattern} not recognised"
    assert not found[0].complete
    assert any(missing in m for m in found[0].missing), found[0].missing


NOT_RECOGNISED = [
    ("sync", {"fn": "lambda", "db": "dynamodb"}, [("fn", "db", "write")]),  # no client, no front door
    ("async", {"q": "sqs", "dlq": "sqs"}, [("q", "dlq", DLQ)]),  # a dead-letter queue is not work handed over
    ("load-leveling", {"api": "apigw-rest", "q": "sqs"}, [("api", "q", "send")]),  # nothing reads the queue
    ("fan-out", {"topic": "sns", "q": "sqs"}, [("topic", "q")]),  # one subscriber is not fan-out
    ("orchestration", {"sm": "sfn-standard", "a": "lambda"}, [("sm", "a", "task")]),  # one task
    (
        "choreography",
        {**CHOREO, "sm": "sfn-standard"},
        [*CHOREO_EDGES, ("sm", "orders", "task"), ("sm", "payments", "task")],
    ),
    ("saga", ORCH, ORCH_EDGES),  # no compensation anywhere
    (
        "bff",
        {"web": "client-web", "mob": "client-mobile", "api": "apigw-rest", "a": "lambda", "b": "lambda"},
        [("web", "api"), ("mob", "api"), ("api", "a"), ("api", "b")],
    ),
    (
        "strangler-fig",
        {"web": "client-web", "api": "apigw-rest", "old": "legacy-app"},
        [("web", "api"), ("api", "old")],
    ),
    (
        "event-sourcing-cqrs",
        {"ks": "kinesis", "fn": "lambda", "lake": "s3"},
        [("ks", "fn"), ("fn", "lake", "write")],
    ),  # nothing queries
    ("scheduled", {"bus": "eventbridge", "fn": "lambda"}, [("bus", "fn", "subscribe", PATTERN)]),
    (
        "stream-ingestion",
        {"q": "sqs", "fn": "lambda", "lake": "s3"},
        [("q", "fn"), ("fn", "lake", "write")],
    ),  # a queue, not a stream
]


@pytest.mark.parametrize(("pattern", "nodes", "edges"), NOT_RECOGNISED, ids=[c[0] for c in NOT_RECOGNISED])
def test_pattern_is_not_recognised_where_it_is_absent(pattern, nodes, edges):
    assert matches(check(nodes, edges), pattern) == []


def test_several_patterns_in_one_diagram_are_all_reported():
    nodes = {**ASYNC, **{k: v for k, v in FAN.items() if k != "pub"}}
    edges = [*ASYNC_EDGES, ("worker", "topic", "publish"), *FAN_EDGES[1:]]
    found = {m.id for m in check(nodes, edges).patterns}
    assert {"sync", "async", "fan-out"} <= found


def test_two_fan_outs_are_two_matches():
    nodes = {**FAN, "topic2": "sns", "qc": "sqs", "qd": "sqs"}
    edges = [*FAN_EDGES, ("pub", "topic2"), ("topic2", "qc"), ("topic2", "qd")]
    assert len(matches(check(nodes, edges), "fan-out")) == 2


def test_a_loss_tolerant_subscriber_may_receive_directly():
    nodes = {**FAN, "metrics": ("lambda", {}, ["best-effort"])}
    [match] = matches(check(nodes, [*FAN_EDGES, ("topic", "metrics")]), "fan-out")
    assert match.complete


def test_a_function_url_is_its_own_front_door_for_the_sync_pattern():
    nodes = {"web": "client-web", "fn": ("lambda", {"url_auth": "iam"}), "db": "dynamodb"}
    [match] = matches(check(nodes, [("web", "fn", "request"), ("fn", "db", "read")]), "sync")
    assert match.complete
    assert match.roles["front_door"] == ["fn"]
    assert match.roles["stores"] == ["db"]
    without_url = {**nodes, "fn": "lambda"}  # a client pointed at a function with no URL calls nothing
    assert matches(check(without_url, [("web", "fn", "request"), ("fn", "db", "read")]), "sync") == []


def test_a_compensation_of_an_entity_covers_every_step_on_it():
    nodes = {"sm": "sfn-standard", "reserve": "lambda", "confirm": "lambda", "pay": "lambda", "cancel": "lambda"}
    edges = [
        ("sm", "reserve", "task", {"step": "ReserveFlight", "retry": True}),
        ("sm", "confirm", "task", {"step": "ConfirmFlight", "retry": True}),
        ("sm", "pay", "task", {"step": "ChargeCard", "retry": True}),
        ("sm", "cancel", "compensate", {"undoes": "ReserveFlight", "step": "CancelFlightReservation"}),
    ]
    [match] = matches(check(nodes, edges), "saga")
    assert match.complete, match.missing  # ChargeCard is the last step: nothing follows it to fail
    edges.insert(1, ("sm", "hotel", "task", {"step": "BookHotel", "retry": True}))
    [match] = matches(check({**nodes, "hotel": "lambda"}, edges), "saga")
    assert match.missing == ("step BookHotel has no compensation",)


ROUTED = {"bus": "eventbridge", "a": "lambda", "b": "lambda"}


def test_a_bus_that_routes_each_event_to_one_subscriber_is_not_a_fan_out():
    edges = [
        ("bus", "a", "subscribe", {"filter": {"detail-type": ["OrderPlaced"]}}),
        ("bus", "b", "subscribe", {"filter": {"detail-type": ["OrderCancelled"]}}),
    ]
    report = check(ROUTED, edges)
    assert matches(report, "fan-out") == []
    assert not [f for f in report.findings if f.rule == "unbuffered-fan-out-subscriber"]
    overlapping = [edges[0], ("bus", "b", "subscribe", {"filter": {"detail-type": ["OrderPlaced", "OrderPaid"]}})]
    report = check(ROUTED, overlapping)
    assert len(matches(report, "fan-out")) == 1
    assert len([f for f in report.findings if f.rule == "unbuffered-fan-out-subscriber"]) == 2


def test_a_workflow_that_writes_the_event_store_is_its_writer():
    nodes = {**ES, "sm": "sfn-express"}
    edges = [("sm", "events", "task", {"step": "PutOrder"}), *ES_EDGES[1:]]
    [match] = matches(check(nodes, edges), "event-sourcing-cqrs")
    assert match.roles["writer"] == ["sm"]
    reading = [("sm", "events", "task", {"step": "GetOrder", "read_only": True}), *ES_EDGES[1:]]
    assert matches(check(nodes, reading), "event-sourcing-cqrs") == []


def test_every_catalog_pattern_has_one_recogniser_reported_in_catalog_order():
    from designer.domain.catalog import read_data
    from designer.domain.patterns import PATTERN_IDS
    from designer.domain.patterns.registry import RECOGNISERS

    catalog_order = tuple(p["id"] for p in read_data("patterns.yaml")["patterns"])
    assert catalog_order == PATTERN_IDS
    assert set(RECOGNISERS) == set(PATTERN_IDS)
