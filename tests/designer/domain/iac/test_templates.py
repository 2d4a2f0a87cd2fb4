"""Importing the public serverless-patterns templates (../shared/templates beside the project).

For each template, the connections and patterns below were written by reading the template itself: its event
sources, integrations, rules, state machine definitions and the permissions it grants. Edges are
(source logical id, kind, target logical id); ``Callers`` is the client the importer adds for public APIs.
"""

import os
from pathlib import Path

import pytest

from designer.domain.diagram import parse
from designer.domain.iac import from_template
from designer.domain.iac.cfn_yaml import load_template
from designer.domain.validate import validate

ROOT = Path(__file__).resolve().parents[4]


def _patterns_folder() -> Path | None:
    candidates = [
        os.environ.get("ARCHLAB_SERVERLESS_PATTERNS", ""),
        ROOT.parent / "shared" / "templates" / "serverless-patterns",
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), None)


FOLDER = _patterns_folder()
pytestmark = pytest.mark.skipif(
    FOLDER is None,
    reason="the public templates are not here: they live in ../shared/templates/serverless-patterns beside the "
    "project (or set ARCHLAB_SERVERLESS_PATTERNS); a clone of the project alone does not have them",
)

# folder -> (edges read in the template, patterns expected, notes expected as (resource, words in the note))
EXPECTED: dict[str, tuple[set[tuple[str, str, str]], set[str], set[tuple[str, str]]]] = {
    "apigw-direct-s3-lambda-dotnet": (
        {
            ("RestApi", "read", "Bucket"),  # GET /s3 -> s3:path/{key}
            ("RestApi", "write", "Bucket"),  # PUT /s3
            ("RestApi", "route", "S3LambdaAuthorizer"),  # the default Lambda authorizer
            ("Bucket", "trigger", "S3FileProcessor"),  # S3 event
            ("S3FileProcessor", "dead-letter", "OnFailureSqsQueue"),  # EventInvokeConfig OnFailure
        },
        {"sync"},
        {("S3FileProcessorLogGroup", "not a service")},
    ),
    "apigw-dynamodb-kinesis-lambda": (
        {
            ("Api", "write", "DynamoDBTable"),  # POST /comment -> dynamodb:action/PutItem
            ("DynamoDBTable", "publish", "KinesisStream"),  # KinesisStreamSpecification
            ("KinesisStream", "poll", "LambdaConsumer"),  # Kinesis event
        },
        {"sync"},
        set(),
    ),
    "apigw-eventbridge": ({("HttpApi", "publish", "ApplicationEventBus")}, set(), set()),  # EventBridge-PutEvents
    "apigw-http-api-eventbridge": (
        {
            ("MyHttpApi", "publish", "DefaultEventBus"),  # its role may PutEvents on event-bus/default
            ("DefaultEventBus", "subscribe", "MyTriggeredLambda"),  # CloudWatchEvent pattern source WebApp
        },
        set(),
        {("MyHttpApi", "external file")},
    ),
    "apigw-kinesis-lambda": (
        {("Api", "publish", "KinesisStream"), ("KinesisStream", "poll", "LambdaConsumer")},
        set(),
        set(),
    ),
    "apigw-lambda-dynamodb-kinesis-lambda": (
        {
            ("ServerlessRestApi", "route", "LambdaProducerFunction"),  # Api event without RestApiId
            ("LambdaProducerFunction", "read", "DynamoDBTable"),  # DynamoDBCrudPolicy
            ("LambdaProducerFunction", "write", "DynamoDBTable"),
            ("DynamoDBTable", "publish", "KinesisStream"),
            ("KinesisStream", "poll", "LambdaConsumerFunction"),
        },
        {"sync"},
        set(),
    ),
    "apigw-lambda-dynamodb-sam-java": (
        {
            ("ticketAPIGateway", "route", "ticketLambdaPublisher"),
            ("ticketLambdaPublisher", "write", "ticketDDBTable"),
        },
        {"sync"},
        set(),
    ),
    "apigw-lambda-request-validator": ({("RestApi", "route", "LambdaFunction")}, {"sync"}, set()),
    "apigw-lambda-s3-sam-java": (
        {
            ("MyAPIGateway", "route", "MyS3PreSignedURLGeneratorFunction"),
            ("MyS3PreSignedURLGeneratorFunction", "read", "MyS3Bucket"),  # S3ReadPolicy
            ("MyS3PreSignedURLGeneratorFunction", "write", "MyS3Bucket"),  # S3WritePolicy
        },
        {"sync"},  # incomplete: the function may run 120 s behind a 29 s REST API
        set(),
    ),
    "apigw-lambda-snapstart": (
        {
            ("UnicornStoreSpringApi", "route", "UnicornStoreSpringFunction"),
            ("UnicornStoreSpringFunction", "write", "UnicornTable"),
        },
        {"sync"},
        set(),
    ),
    "apigw-sfn": (
        {("HttpApiforSyncWF", "invoke-sync", "StateMachineExpressSync")},  # role: states:StartSyncExecution
        {"sync"},
        {("StateMachineExpressSync", "external file")},
    ),
    "apigw-sfn-crud": (
        {
            ("Api", "invoke-sync", "StateMachine"),  # role: states:StartSyncExecution
            ("StateMachine", "task", "DataBase"),  # its definition is external; DynamoDBCrudPolicy says so
        },
        {"sync"},
        set(),
    ),
    "apigw-sqs-lambda-iot": (
        {("AppApi", "send", "MySqsQueue"), ("MySqsQueue", "poll", "iotpublish")},
        {"async"},  # incomplete: the queue has no dead-letter queue
        set(),
    ),
    "apigw-sqs-lambda-java": (
        {("MyHttpApi", "send", "MySqsQueue"), ("MySqsQueue", "poll", "SQSLambdaFunction")},
        {"async"},
        set(),
    ),
    "apigw-websocket-api-connection-dynamodb": (
        {("WebSocketApi", "route", "DefaultRouteFunction")},
        {"sync"},
        # $connect/$disconnect write the table directly: a WebSocket API -> DynamoDB edge the catalog lacks
        {("ConnectRouteIntegration", "catalog allows no connection")},
    ),
    "apigw-websocket-api-lambda": (
        {
            ("WebSocketApi", "route", "OnConnectLambdaFunction"),
            ("WebSocketApi", "route", "OnDisconnectLambdaFunction"),
            ("WebSocketApi", "route", "PostLambdaFunction"),
            ("OnConnectLambdaFunction", "write", "WebSocketConnectionsTableName"),
            ("PostLambdaFunction", "invoke-sync", "WebSocketApi"),  # execute-api:ManageConnections
        },
        {"sync"},
        set(),
    ),
    "apigw-websocket-api-sfn-async": (
        {("WebSocketApi", "invoke-async", "AsyncSFn")},  # states:action/StartExecution
        set(),
        {("AsyncSFn", "catalog allows no connection")},  # the workflow answers through the WebSocket API
    ),
    "apigw-websocket-api-sfn-sync": ({("WebSocketApi", "invoke-sync", "SyncSFn")}, {"sync"}, set()),
    "apigw-websocket-api-sns": ({("WebSocketApi", "publish", "SNSTopic")}, set(), set()),
    "apigw-websocket-api-sqs-lambda": (
        {
            ("APIGWWebsocketSQSLambda", "send", "APIGWWebsocketQueue"),
            ("APIGWWebsocketQueue", "poll", "SQSWebsocketResponse"),  # explicit event source mapping
            ("SQSWebsocketResponse", "invoke-sync", "APIGWWebsocketSQSLambda"),  # ManageConnections in its role
        },
        {"async"},
        set(),
    ),
    "appsync-dynamodb": (
        {("AppSyncApi", "read", "DynamoDBNotesTable"), ("AppSyncApi", "write", "DynamoDBNotesTable")},
        {"sync"},
        set(),
    ),
    "appsync-stepfunctions-express-sam": ({("AppSyncApi", "invoke-sync", "StateMachine")}, {"sync"}, set()),
    "cloudtrail-eventbridge-lambda-dynamodb-sam": (
        {
            ("DefaultEventBus", "subscribe", "SubmitFunction"),
            ("SubmitFunction", "read", "DynamoDBTable"),
            ("SubmitFunction", "publish", "SNSTopic"),
        },
        set(),
        {("SNSTopic", "email")},
    ),
    "dynamodb-eventbridge": (
        {
            ("MyDynamoStream", "poll", "EventProcessingFunction"),
            ("EventProcessingFunction", "publish", "MyEventBus"),  # events:PutEvents on "*": the only bus
            ("MyEventBus", "subscribe", "SubscribeInsertFunction"),
            ("MyEventBus", "subscribe", "SubscribeRemoveFunction"),
        },
        {"choreography", "fan-out"},
        {("EventProcessingFunction", "only one")},
    ),
    "dynamodb-eventbridge-scheduler": (
        # The stream processor creates schedules at run time: no schedule resource to read.
        {
            ("ScheduleConfigTable", "poll", "StreamProcessorFunction"),
            ("TestScheduleCreator", "write", "ScheduleConfigTable"),
        },
        set(),
        {("TriggerTestSchedule", "no service type")},
    ),
    "dynamodb-kinesis": ({("DynamoDBTable", "publish", "KinesisStream")}, set(), set()),
    "dynamodb-streams-lambda-event-filters": (
        {("DynamoDBTable", "poll", "putItemTriggerFunction"), ("DynamoDBTable", "poll", "deleteItemTriggerFunction")},
        set(),
        set(),
    ),
    "eventbridge-kinesis": ({("EventBus", "subscribe", "KinesisStream")}, set(), set()),
    "eventbridge-lambda": ({("DefaultEventBus", "subscribe", "ConsumerFunction")}, set(), set()),
    "eventbridge-pipes-ddb-stream-lambda-sfn-enrich": (
        {("DynamoDBSampleTable", "poll", "Target")},  # the pipe (no node type for it), drawn as source -> target
        set(),
        # The enrichment state machine is called by the pipe: no edge the catalog has says that.
        {("Pipe", "drawn as DynamoDBSampleTable -> Target"), ("Pipe", "calls EnrichmentStateMachine")},
    ),
    "eventbridge-pipes-sqs-lambda-api-destination": (
        {
            ("SourceQueue", "dead-letter", "SourceQueueDLQ"),
            ("TargetApiGateway", "route", "Function"),
            ("Function", "write", "DynamoDBTable"),
        },
        set(),
        # The pipe SourceQueue -> enrichment -> API destination (this API): the catalog lets an SQS queue feed
        # only a poller, so none of it can be drawn without claiming an event source mapping.
        {
            ("SqsToLambdaToApiDestination", "allows no connection from SourceQueue (sqs) to TargetApiGateway"),
            ("SqsToLambdaToApiDestination", "calls EnrichmentLambdaFunction"),
        },
    ),
    "eventbridge-sfn-redrive": ({("DefaultEventBus", "subscribe", "ConsumerFunction")}, set(), set()),
}


def _templates() -> list[Path]:
    if FOLDER is None:
        return []
    return sorted(p for p in FOLDER.glob("*/template.y*ml"))


def test_every_template_has_expectations():
    assert {p.parent.name for p in _templates()} == set(EXPECTED)


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.parent.name)
def test_each_template_imports_with_the_connections_and_patterns_read_in_it(path):
    result = from_template(path.read_text(encoding="utf-8"))
    d = result.diagram
    found = {(d.label(e.source), e.kind, d.label(e.target)) for e in d.edges}
    wanted_edges, wanted_patterns, wanted_notes = EXPECTED[path.parent.name]
    assert wanted_edges <= found, f"missing {sorted(wanted_edges - found)}"
    report = validate(d)
    assert wanted_patterns <= {m.id for m in report.patterns}
    for resource, words in wanted_notes:
        assert any(n.resource == resource and words in n.note for n in result.notes), (resource, words)


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.parent.name)
def test_every_resource_is_a_node_or_has_a_note(path):
    resources = set(load_template(path.read_text(encoding="utf-8"))["Resources"])
    result = from_template(path.read_text(encoding="utf-8"))
    explained = {n.label for n in result.diagram.nodes} | {n.resource for n in result.notes}
    assert resources <= explained


# ------------------------------------------------------------------------------------------------ names


def _description(path: Path) -> str:
    value = load_template(path.read_text(encoding="utf-8")).get("Description")
    return value if isinstance(value, str) else ""


TRACKED = [p for p in _templates() if "(uksb-" in _description(p) or "(tag:" in _description(p)]


def test_most_templates_carry_aws_sample_tracking_markers():
    assert len(TRACKED) >= 20 or FOLDER is None


@pytest.mark.parametrize("path", TRACKED, ids=lambda p: p.parent.name)
def test_names_leave_out_the_tracking_markers_and_stay_short(path):
    d = from_template(path.read_text(encoding="utf-8")).diagram
    assert "uksb-" not in d.name
    assert "tag:" not in d.name
    assert d.name == " ".join(d.name.split())
    assert d.name != "Imported template"
    assert len(d.name) <= 81  # about 80, on a word boundary (an ellipsis marks a cut mid-sentence)
    assert "uksb-" not in d.description
    assert "(tag:" not in d.description


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("eventbridge-pipes-sqs-lambda-api-destination", "Template to enrich Amazon EventBridge Pipes data"),
        ("dynamodb-eventbridge", "Streams DynamoDB table changes to EventBridge"),
        # one sentence of 104 characters: cut at its last clause break before 80
        ("apigw-kinesis-lambda", "An Amazon API Gateway REST API integration with a Kinesis Data Stream"),
        # the markers open a folded description
        ("apigw-sfn", "A Step Functions Express Workflow triggered synchronously by an API Gateway…"),
        ("appsync-stepfunctions-express-sam", "AppSync to Step Functions Express (Sync)"),
        ("apigw-websocket-api-lambda", "An Amazon API Gateway WebSocket API and an AWS Lambda function"),  # no markers
    ],
)
def test_names_read_as_titles(folder, name):
    path = next(FOLDER.glob(f"{folder}/template.y*ml"))
    assert from_template(path.read_text(encoding="utf-8")).diagram.name == name


def test_the_whole_description_goes_into_the_diagram_description():
    path = FOLDER / "apigw-websocket-api-connection-dynamodb" / "template.yaml"
    d = from_template(path.read_text(encoding="utf-8")).diagram
    assert d.name == "Serverless patterns - Amazon API Gateway WebSocket API connection tracking…"
    assert d.description.startswith(
        "Serverless patterns - Amazon API Gateway WebSocket API connection tracking using AWS Service integration "
        "type and Amazon DynamoDB\n"
    )


# ------------------------------------------------------------------------------------------------ runtimes


def _runtimes_written(data: dict) -> set[str]:
    globals_ = data.get("Globals", {}).get("Function", {}) if isinstance(data.get("Globals"), dict) else {}
    found = set()
    for res in data["Resources"].values():
        if res.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            runtime = (res.get("Properties") or {}).get("Runtime", globals_.get("Runtime"))
            if isinstance(runtime, str):
                found.add(runtime)
    return found


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.parent.name)
def test_lambda_runtimes_are_kept_as_the_template_writes_them(path):
    text = path.read_text(encoding="utf-8")
    result = from_template(text)
    drawn = {n.given["runtime"] for n in result.diagram.nodes if n.type == "lambda" and "runtime" in n.given}
    assert drawn == _runtimes_written(load_template(text))
    assert not [n for n in result.notes if "runtime" in n.note]


def test_the_templates_use_the_newest_runtimes():
    written = set().union(*(_runtimes_written(load_template(p.read_text(encoding="utf-8"))) for p in _templates()))
    assert {"python3.14", "nodejs24.x", "java25"} <= written or FOLDER is None


# ------------------------------------------------------------------------------------------------ the pipe


PIPE = "eventbridge-pipes-sqs-lambda-api-destination"


def test_the_pipes_enrichment_is_not_drawn_as_a_queue_consumer_or_an_api_caller():
    result = from_template((FOLDER / PIPE / "template.yaml").read_text(encoding="utf-8"))
    d = result.diagram
    enrichment = next(n.id for n in d.nodes if n.label == "EnrichmentLambdaFunction")
    assert not d.incoming(enrichment)
    assert not d.outgoing(enrichment)
    assert "Callers" not in {n.label for n in d.nodes}  # the pipe calls the API, not a client
    rules = {(f.rule, tuple(f.nodes)) for f in validate(d).findings}
    assert not [r for r in rules if r[0] == "sqs-visibility-below-function-timeout"]
    assert not [r for r in rules if r[0] == "sync-coupling-between-services" and enrichment in r[1]]


def test_the_import_notes_are_in_the_diagram_description_the_web_import_stores():
    """services.diagram_import stores ``diagram.to_dict()``: the notes must travel inside it."""
    result = from_template((FOLDER / PIPE / "template.yaml").read_text(encoding="utf-8"))
    stored = parse(result.diagram.to_dict()).to_dict()
    about = stored["description"]
    assert about.startswith("Template to enrich Amazon EventBridge Pipes data\n\nImport notes")
    for dropped in (
        "SqsToLambdaToApiDestination (AWS::Pipes::Pipe)",
        "TargetApiDestination (AWS::Events::ApiDestination)",
        "EventBridgePipesRole (AWS::IAM::Role)",
        "EnrichmentLogGroup, FunctionLogGroup (AWS::Logs::LogGroup)",
        "TargetConnection (AWS::Events::Connection)",
    ):
        assert dropped in about
    assert "no EventBridge Pipes type" in about


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.parent.name)
def test_every_template_description_names_what_was_left_out(path):
    result = from_template(path.read_text(encoding="utf-8"))
    assert len(result.diagram.description) <= 2000
    for note in result.notes:
        assert note.resource in result.diagram.description
