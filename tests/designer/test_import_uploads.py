"""Importing templates through the list page and the API: several files at once, a zip of the folder, and the
errors that name what is wrong with an upload (nothing saved when it fails)."""

import base64
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from designer.models import Diagram

pytestmark = pytest.mark.django_db

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        ChargeArn: !GetAtt Charge.Arn
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref Charge
  Charge:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
"""
DEFINITION = json.dumps(
    {
        "StartAt": "Charge",
        "States": {"Charge": {"Type": "Task", "Resource": "${ChargeArn}", "End": True}},
    }
).encode()
NESTED_PARENT = """\
Resources:
  Orders:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: orders/template.yaml
"""


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def saved_edges() -> set[tuple[str, str, str]]:
    """The saved diagram's edges as (from, to, step): a step name comes only from a definition that was read."""
    data = Diagram.objects.latest("pk").versions.get().data
    return {(e["from"], e["to"], e.get("step", "")) for e in data["edges"]}


def test_a_template_and_its_definition_chosen_together_import_as_one_diagram(client):
    files = [upload("template.yaml", TEMPLATE.encode()), upload("flow.asl.json", DEFINITION)]
    response = client.post("/designer/", {"file": files})
    assert response.status_code == 302
    assert ("flow", "charge", "Charge") in saved_edges()


def test_a_template_without_its_definition_still_imports_and_says_what_is_missing(client):
    response = client.post("/designer/", {"file": [upload("template.yaml", TEMPLATE.encode())]})
    assert response.status_code == 302
    data = Diagram.objects.latest("pk").versions.get().data
    assert "statemachine/flow.asl.json is not among the files imported with the template" in data["description"]


def test_a_zip_of_the_folder_imports_with_its_nested_stack_and_definition(client):
    archive = zipped(
        {
            "app/template.yaml": NESTED_PARENT.encode(),
            "app/orders/template.yaml": TEMPLATE.encode(),
            "app/orders/statemachine/flow.asl.json": DEFINITION,
        }
    )
    response = client.post("/designer/", {"file": upload("app.zip", archive)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ("flow", "charge", "Charge") in saved_edges()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("app.zip", b"PK\x03\x04 not really a zip")], "zip"),
        ([("notes.txt", b"hello"), ("readme.md", b"# app")], "no AWS SAM or CloudFormation template among the files"),
        (
            [("a/template.yaml", TEMPLATE.encode()), ("a/template.yaml", NESTED_PARENT.encode())],
            "two different files are named template.yaml",  # the browser sends names without folders
        ),
        ([], "choose a diagram JSON file, a template or a zip archive to import"),
    ],
)
def test_a_bad_upload_names_the_problem_and_saves_nothing(client, files, message):
    response = client.post("/designer/", {"file": [upload(name, content) for name, content in files]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Diagram.objects.exists()


def test_files_over_5_mb_together_are_refused_before_reading(client):
    half = b"#" * (2 * 1024 * 1024 + 700 * 1024)  # each within the body cap's reach, together over 5 MB
    response = client.post("/designer/", {"file": [upload("a.yaml", half), upload("b.yaml", half)]})
    assert response.status_code in (400, 413)
    assert not Diagram.objects.exists()


def test_the_import_form_takes_several_files_and_zips(client):
    page = client.get("/designer/").content.decode()
    assert 'name="file" multiple' in page
    assert ".zip" in page


# ---- API ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_the_api_reads_a_template_with_the_files_beside_it(api):
    body = {"template": TEMPLATE, "files": {"statemachine/flow.asl.json": DEFINITION.decode()}}
    response = api.post("/api/import/", body, format="json")
    assert response.status_code == 200, response.content
    edges = {(e["from"], e["to"], e.get("step")) for e in response.json()["diagram"]["edges"]}
    assert ("flow", "charge", "Charge") in edges
    alone = api.post("/api/import/", {"template": TEMPLATE}, format="json").json()
    assert any("statemachine/flow.asl.json is not among" in note["note"] for note in alone["notes"])


def test_the_api_reads_a_base64_zip_and_saves_it(api):
    archive = zipped({"template.yaml": TEMPLATE.encode(), "statemachine/flow.asl.json": DEFINITION})
    body = {"zip": base64.b64encode(archive).decode(), "save": True}
    response = api.post("/api/import/", body, format="json")
    assert response.status_code == 201, response.content
    assert ("flow", "charge", "Charge") in saved_edges()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "template", "either a template"),
        ({"template": TEMPLATE, "zip": "UEsDBA=="}, "template", "either a template"),
        ({"zip": "not base64!"}, "zip", "not valid base64"),
        ({"zip": "Çö=="}, "zip", "not valid base64"),  # a character outside ASCII
        ({"zip": base64.b64encode(b"not a zip").decode()}, "file", "zip"),
        ({"zip": "UEsDBA==", "files": {"a.json": "{}"}}, "files", "holds its own files"),
    ],
)
def test_the_api_names_what_is_wrong_with_an_import(api, body, field, message):
    response = api.post("/api/import/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["path"] == field and message in e["message"] for e in errors), errors
    assert not Diagram.objects.exists()
