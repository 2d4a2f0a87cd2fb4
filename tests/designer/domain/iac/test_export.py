"""Exporting diagrams to SAM: lint-clean templates, what each edge becomes, and the round trip back."""

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from designer.domain.diagram import Diagram, parse
from designer.domain.iac import from_template, to_sam
from designer.domain.iac.cfn_yaml import load_template
from designer.domain.iac.sam_import import import_data
from designer.domain.validate import validate
from tests.designer.domain.build import make
from tests.designer.domain.strategies import diagrams

cfnlint_api = pytest.importorskip("cfnlint.api", reason="cfn-lint checks the exported templates")

ROOT = Path(__file__).resolve().parents[4]
STARTERS = sorted((ROOT / "designer" / "data" / "starters").glob("*.json"))
OFF_CLOUD = {"client-web", "client-mobile", "client-iot", "client-partner", "external-api", "legacy-app"}


DEPRECATED_RUNTIME = ("E2531 ", "W2531 ", "E2533 ")  # cfn-lint's deprecated-runtime checks


def lint_errors(text: str) -> list[str]:
    config = cfnlint_api.ManualArgs(regions=["us-east-1"])
    return [
        f"{m.rule.id} line {m.linenumber}: {m.message}"
        for m in cfnlint_api.lint(text, config=config)
        if m.rule.id.startswith("E")
    ]


def starter(path: Path) -> Diagram:
    return parse(json.loads(path.read_text()))


def resources(text: str) -> dict[str, Any]:
    return load_template(text)["Resources"]


def references(value: Any) -> set[str]:
    """Names an intrinsic function in ``value`` refers to (Ref, GetAtt, Sub placeholders), as CloudFormation reads them."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        if "Fn::Sub" in value:
            arg = value["Fn::Sub"]
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            names = {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)} - set(variables)
            return names | references(variables)
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def dependency_cycle(text: str) -> list[str] | None:
    """A circular dependency between resources once SAM has expanded them, or None.

    A function's or state machine's events become resources of their own, except that an S3 event makes the
    bucket depend on the function, a Cognito event the user pool, and an Api event the API."""
    raw = load_template(text)["Resources"]
    deps: dict[str, set[str]] = {name: set() for name in raw}
    for name, res in raw.items():
        props = dict(res.get("Properties", {}))
        events = props.pop("Events", {}) if res["Type"].startswith("AWS::Serverless::") else {}
        depends = res.get("DependsOn", [])
        deps[name] |= (references(props) | set([depends] if isinstance(depends, str) else depends)) & raw.keys()
        for event in events.values():
            p = event.get("Properties", {})
            owner = {
                "S3": p.get("Bucket"),
                "Cognito": p.get("UserPool"),
                "Api": p.get("RestApiId"),
                "HttpApi": p.get("ApiId"),
            }
            for source in references(owner.get(event["Type"])) & raw.keys():
                deps[source].add(name)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(deps[node] & deps.keys()):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, node])):
                return cycle
        state[node] = 2
        return None

    return next((c for n in sorted(deps) if n not in state and (c := visit(n, []))), None)


def edge_set(d: Diagram) -> Counter[tuple[str, str, str]]:
    return Counter((e.source, e.target, e.kind) for e in d.edges)


# ------------------------------------------------------------------------------------------------ starters


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_exports_a_template_cfn_lint_accepts(path):
    text = to_sam(starter(path))
    assert lint_errors(text) == []
    assert dependency_cycle(text) is None
    assert text == to_sam(starter(path))  # deterministic


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_each_starter_comes_back_with_the_same_nodes_edges_and_kinds(path):
    diagram = starter(path)
    back = from_template(to_sam(diagram)).diagram
    assert sorted((n.id, n.type, n.label) for n in back.nodes) == sorted((n.id, n.type, n.label) for n in diagram.nodes)
    assert edge_set(back) == edge_set(diagram)
    assert back.name == diagram.name


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.stem)
def test_the_template_itself_shows_every_connection_between_deployed_services(path):
    """Metadata keeps only edges that touch clients, external or legacy systems (and one a policy cannot tell
    apart); without Metadata the template alone gives back every other edge."""
    diagram = starter(path)
    data = load_template(to_sam(diagram))
    meta = data.pop("Metadata")["Archlab"]
    by_key = {key: entry["id"] for key, entry in meta["nodes"].items()}
    if "default_bus" in meta:
        by_key["DefaultEventBus"] = by_key[meta["default_bus"]]
    kept = {(by_key[e["from"]], by_key[e["to"]], e["kind"]) for e in meta.get("edges", [])}
    off_cloud = {n.id for n in diagram.nodes if n.type in OFF_CLOUD}
    ambiguous = {("index-readings", "search", "write")}  # OpenSearch access grants reading and writing alike
    assert all(s in off_cloud or t in off_cloud or (s, t, k) in ambiguous for s, t, k in kept)
    structural = import_data(data).diagram
    found = {
        (by_key.get(structural.label(e.source)), by_key.get(structural.label(e.target)), e.kind)
        for e in structural.edges
    }
    assert set(edge_set(diagram)) - kept <= found


def test_off_cloud_nodes_and_their_edges_stay_in_metadata():
    text = to_sam(starter(ROOT / "designer" / "data" / "starters" / "strangler-fig.json"))
    meta = load_template(text)["Metadata"]["Archlab"]
    assert meta["nodes"]["Monolith"]["type"] == "legacy-app"
    assert json.loads(meta["nodes"]["Monolith"]["config"]) == {"max_rps": 200, "latency_ms": 250}
    route = {"from": "Api", "to": "Monolith", "kind": "route", "label": "ANY /{proxy+} (not yet migrated)"}
    assert {**route, "attrs": '{"share": 0.8}'} in meta["edges"]
    assert "Monolith" not in resources(text)


def test_queues_poll_with_their_batch_settings_and_redrive_to_their_dlq():
    text = to_sam(starter(ROOT / "designer" / "data" / "starters" / "load-leveling.json"))
    res = resources(text)
    event = res["BookShipment"]["Properties"]["Events"]["Requests"]
    assert event == {
        "Type": "SQS",
        "Properties": {
            "Queue": {"Fn::GetAtt": ["Requests", "Arn"]},
            "BatchSize": 5,
            "ScalingConfig": {"MaximumConcurrency": 5},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    }
    assert res["Requests"]["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["RequestsDlq", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert res["BookShipment"]["Properties"]["ReservedConcurrentExecutions"] == 5
    body = res["Api"]["Properties"]["DefinitionBody"]["paths"]["/shipments"]["post"]["x-amazon-apigateway-integration"]
    assert body["type"] == "aws"
    assert "sqs:path" in body["uri"]["Fn::Sub"]
    role = res[body["credentials"]["Fn::GetAtt"][0]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert role == [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["Requests", "Arn"]}}]


def test_policies_are_least_privilege_sam_templates():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "async.json")))
    assert res["SubmitReport"]["Properties"]["Policies"] == [
        {"DynamoDBWritePolicy": {"TableName": {"Ref": "Jobs"}}},
        {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["ReportJobs", "QueueName"]}}},
    ]
    assert res["GetReportStatus"]["Properties"]["Policies"] == [{"DynamoDBReadPolicy": {"TableName": {"Ref": "Jobs"}}}]
    assert {"S3WritePolicy": {"BucketName": {"Ref": "Reports"}}} in res["GenerateReport"]["Properties"]["Policies"]
    assert res["SubmitReport"]["Properties"]["Environment"]["Variables"]["REPORT_JOBS_QUEUE_URL"] == {
        "Ref": "ReportJobs"
    }


def test_topics_fan_out_through_subscriptions_with_filter_policies():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "fan-out.json")))
    sub = res["OrderEventsToStockQ"]["Properties"]
    assert sub["Protocol"] == "sqs"
    assert sub["FilterPolicy"] == {"order_type": ["physical"]}
    assert "FilterPolicy" not in res["OrderEventsToBillingQ"]["Properties"]
    policy = res["StockQPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Principal"] == {"Service": "sns.amazonaws.com"}
    assert policy["Action"] == "sqs:SendMessage"
    assert res["PlaceOrder"]["Properties"]["Policies"] == [
        {"SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["OrderEvents", "TopicName"]}}}
    ]


def test_bus_rules_carry_the_event_pattern_and_the_bus_dlq():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "choreography.json")))
    rule = res["BusToPaymentsQRule"]["Properties"]
    assert rule["EventBusName"] == {"Ref": "Bus"}
    assert rule["EventPattern"] == {"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}
    assert res["BusArchive"]["Type"] == "AWS::Events::Archive"
    assert {"EventBridgePutEventsPolicy": {"EventBusName": {"Ref": "Bus"}}} in res["PlaceOrder"]["Properties"][
        "Policies"
    ]


def test_a_workflow_on_the_default_bus_retries_and_catches_each_task():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "orchestration.json")))
    assert "Bus" not in res  # the default bus is the account's
    assert res["Uploads"]["Properties"]["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    event = res["Workflow"]["Properties"]["Events"]["Bus"]["Properties"]
    assert "EventBusName" not in event
    assert event["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["BusDlq", "Arn"]}}
    states = res["Workflow"]["Properties"]["Definition"]["States"]
    assert [states[s]["Next"] for s in ("ExtractMetadata", "MakeThumbnails")] == ["MakeThumbnails", "SavePhoto"]
    assert all(
        states[s]["Retry"] and states[s]["Catch"][0]["Next"] == "Failed"
        for s in ("ExtractMetadata", "MakeThumbnails", "SavePhoto")
    )
    assert states["SavePhoto"]["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert {"LambdaInvokePolicy": {"FunctionName": {"Ref": "ExtractMetadata"}}} in res["Workflow"]["Properties"][
        "Policies"
    ]


def test_a_saga_undoes_earlier_steps_in_reverse_order_from_a_catch():
    states = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "saga.json")))["Saga"]["Properties"][
        "Definition"
    ]["States"]
    assert states["ReserveStock"]["Catch"][0]["Next"] == "Failed"
    assert states["ChargePayment"]["Catch"][0]["Next"] == "ReleaseStock"
    assert states["CreateShipment"]["Catch"][0]["Next"] == "RefundPayment"
    assert (states["RefundPayment"]["Comment"], states["RefundPayment"]["Next"]) == (
        "undoes ChargePayment",
        "ReleaseStock",
    )
    assert (states["ReleaseStock"]["Comment"], states["ReleaseStock"]["Next"]) == ("undoes ReserveStock", "Failed")


def test_a_schedule_becomes_a_schedule_v2_event_with_retries_and_a_dlq():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "scheduled.json")))
    props = res["BuildReport"]["Properties"]
    assert props["Events"]["Schedule"]["Properties"] == {
        "ScheduleExpression": "cron(0 6 * * ? *)",
        "ScheduleExpressionTimezone": "Europe/Berlin",
        "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["ScheduleDlq", "Arn"]}},
    }
    assert props["EventInvokeConfig"] == {
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 3600,
        "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["ReportFailures", "Arn"]}}},
    }


def test_stream_consumers_get_on_failure_destinations_and_firehose_its_source_and_bucket():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "stream-ingestion.json")))
    event = res["IndexReadings"]["Properties"]["Events"]["Telemetry"]["Properties"]
    assert (event["BatchSize"], event["MaximumBatchingWindowInSeconds"]) == (500, 1)
    assert event["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["IndexFailures", "Arn"]}
    hose = res["Archive"]["Properties"]
    assert hose["KinesisStreamSourceConfiguration"]["KinesisStreamARN"] == {"Fn::GetAtt": ["Telemetry", "Arn"]}
    assert hose["ExtendedS3DestinationConfiguration"]["BufferingHints"] == {"IntervalInSeconds": 60, "SizeInMBs": 64}
    assert res["Telemetry"]["Properties"]["ShardCount"] == 4


def test_jwt_and_user_pool_authorizers_for_cognito_edges():
    res = resources(to_sam(starter(ROOT / "designer" / "data" / "starters" / "bff.json")))
    auth = res["WebApi"]["Properties"]["Auth"]
    assert auth["Authorizers"]["SigninAuthorizer"]["JwtConfiguration"]["audience"] == [{"Ref": "SigninClient"}]
    assert res["MobileApi"]["Properties"]["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert res["MobileApiCatalogServiceSource"]["Properties"]["Type"] == "AWS_LAMBDA"


# ------------------------------------------------------------------------------------------------ corner cases


def test_an_empty_diagram_still_makes_a_valid_template():
    text = to_sam(parse({"format": "archlab/diagram@1", "name": "empty", "nodes": [], "edges": []}))
    assert lint_errors(text) == []
    assert from_template(text).diagram.nodes == ()


def test_a_self_loop_and_a_two_queue_cycle_stay_out_of_the_dependency_graph():
    d = make(
        {"a": "sqs", "b": "sqs", "fn": "lambda", "other": "lambda"},
        [
            ("a", "b", "dead-letter"),
            ("b", "a", "dead-letter"),
            ("fn", "fn", "invoke-sync"),
            ("fn", "other", "invoke-sync"),
            ("other", "fn", "invoke-async"),
        ],
    )
    text = to_sam(d)
    assert lint_errors(text) == []
    assert dependency_cycle(text) is None
    assert edge_set(from_template(text).diagram) == edge_set(d)


def test_a_queue_that_hides_messages_too_briefly_is_raised_to_deploy_and_says_so():
    d = make({"q": "sqs", "fn": ("lambda", {"timeout_s": 120})}, [("q", "fn", "poll")])
    data = load_template(to_sam(d))
    assert data["Resources"]["Q"]["Properties"]["VisibilityTimeout"] == 120
    assert data["Metadata"]["Archlab"]["adjustments"] == [
        "Q: VisibilityTimeout raised from 30 s to 120 s, the timeout of Fn, which Lambda requires of a queue it polls "
        "(6 times that is advised)"
    ]
    assert "adjustments" not in load_template(to_sam(starter(STARTERS[0])))["Metadata"]["Archlab"]


def test_user_text_cannot_inject_placeholders_or_break_the_yaml():
    d = make(
        {"m": ("sfn-standard", {}), "fn": "lambda", "fn2": "lambda"},
        [
            ("m", "fn", "task", {"step": "${AWS::AccountId}: 'x'\n"}),
            ("m", "fn2", "compensate", {"undoes": "${AWS::AccountId}: 'x'\n"}),
        ],
    )
    text = to_sam(d)
    assert "${AWS::AccountId}:" not in text
    assert lint_errors(text) == []
    assert edge_set(from_template(text).diagram) == edge_set(d)


def test_calls_to_user_pools_and_empty_compensation_names_come_back():
    d = make(
        {"fn": "lambda", "pool": "cognito", "m": "sfn-standard", "topic": "sns"},
        [("fn", "pool", "invoke-sync"), ("pool", "fn", "invoke-sync"), ("m", "topic", "compensate", {"undoes": ""})],
    )
    text = to_sam(d)
    assert lint_errors(text) == []
    assert edge_set(from_template(text).diagram) == edge_set(d)


@pytest.mark.parametrize(
    ("nodes", "edges"),
    [
        ({"q": "sqs", "fn": "lambda"}, [("fn", "q", "send"), ("fn", "q", "dead-letter"), ("q", "fn", "poll")]),
        ({"t": "sns", "fn": "lambda"}, [("t", "fn", "subscribe"), ("fn", "t", "dead-letter"), ("fn", "t", "publish")]),
        ({"a": "lambda", "b": "lambda"}, [("a", "b", "invoke-async"), ("a", "b", "invoke-sync")]),
        (
            {"a": "lambda", "b": "lambda"},
            [("a", "b", "invoke-sync"), ("a", "b", "invoke-async"), ("b", "a", "invoke-sync")],
        ),
        (
            {"b": "s3", "fn": "lambda", "hose": "firehose"},
            [("b", "fn", "trigger"), ("hose", "b", "write"), ("fn", "b", "read")],
        ),
        ({"fn": "lambda", "m": "sfn-standard"}, [("fn", "m", "invoke-async", {"callback": True})]),
        ({"api": "apigw-http", "pool": "cognito"}, [("api", "pool", "invoke-sync")]),
        ({"api": "apigw-rest", "pool": "cognito"}, [("api", "pool", "invoke-sync"), ("api", "pool", "authorize")]),
    ],
    ids=[
        "send-and-dlq",
        "publish-and-dlq",
        "async-and-sync",
        "both-ways",
        "named-bucket",
        "callback",
        "pool-called",
        "pool-called-and-authorizing",
    ],
)
def test_connections_that_are_easy_to_lose_come_back(nodes, edges):
    d = make(nodes, edges)
    text = to_sam(d)
    assert lint_errors(text) == []
    back = from_template(text).diagram
    assert edge_set(back) == edge_set(d)
    assert {(e.source, e.target, e.kind, e.attr("callback")) for e in back.edges} == {
        (e.source, e.target, e.kind, e.attr("callback")) for e in d.edges
    }


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(diagrams(max_nodes=10))
def test_any_valid_diagram_exports_lint_clean_and_comes_back(doc):
    diagram = parse(doc)
    text = to_sam(diagram)
    errors = lint_errors(text)
    deprecated = [e for e in errors if e.startswith(DEPRECATED_RUNTIME)]
    if deprecated:  # a deprecated runtime is exported as drawn, and the validator reports it
        assert any(f.rule == "deprecated-runtime" for f in validate(diagram).findings), deprecated
    assert [e for e in errors if e not in deprecated] == []
    assert dependency_cycle(text) is None
    back = from_template(text).diagram
    assert sorted((n.id, n.type) for n in back.nodes) == sorted((n.id, n.type) for n in diagram.nodes)
    assert set(edge_set(back)) == set(edge_set(diagram))
