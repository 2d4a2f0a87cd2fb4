"""Importing the public serverless-patterns templates (../shared/templates beside the project): names, descriptions,
notes and runtimes (what is drawn and judged is checked against the expert labels in test_template_labels.py).
"""

import os
from pathlib import Path

import pytest

from designer.domain.diagram import parse
from designer.domain.iac import from_template
from designer.domain.iac.cfn_yaml import load_template
from designer.files import Folder

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


def _templates() -> list[Path]:
    if FOLDER is None:
        return []
    return sorted(p for p in FOLDER.glob("*/template.y*ml"))


def _read(path: Path):
    return from_template(path.read_text(encoding="utf-8"), files=Folder(path.parent), path=path.name)


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.parent.name)
def test_every_resource_is_a_node_or_has_a_note(path):
    resources = set(load_template(path.read_text(encoding="utf-8"))["Resources"])
    result = _read(path)
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


# ------------------------------------------------------------------------------------------------ notes


PIPE = "eventbridge-pipes-sqs-lambda-api-destination"


def test_the_import_notes_are_in_the_diagram_description_the_web_import_stores():
    """services.diagram_import stores ``diagram.to_dict()``: the notes must travel inside it."""
    result = _read(FOLDER / PIPE / "template.yaml")
    stored = parse(result.diagram.to_dict()).to_dict()
    about = stored["description"]
    assert about.startswith("Template to enrich Amazon EventBridge Pipes data\n\nImport notes")
    for dropped in (
        "EventBridgePipesRole (AWS::IAM::Role)",
        "EnrichmentLogGroup, FunctionLogGroup (AWS::Logs::LogGroup)",
        "TargetConnection (AWS::Events::Connection)",
    ):
        assert dropped in about


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.parent.name)
def test_every_template_description_names_what_was_left_out(path):
    result = _read(path)
    assert len(result.diagram.description) <= 2000
    for note in result.notes:
        assert note.resource in result.diagram.description
