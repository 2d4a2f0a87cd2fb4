"""The designer API: CRUD with version checks, stateless validation, estimates, exports, catalog, errors."""

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from designer.domain.catalog import load_catalog
from designer.domain.rules import load_rules
from designer.models import Diagram

pytestmark = pytest.mark.django_db

SYNC = {
    "name": "Orders",
    "nodes": [
        {"id": "web", "type": "client-web"},
        {"id": "api", "type": "apigw-rest"},
        {"id": "fn", "type": "lambda", "config": {"timeout_s": 10}},
    ],
    "edges": [{"from": "web", "to": "api"}, {"from": "api", "to": "fn"}],
}


@pytest.fixture
def api():
    return APIClient()


def create(api, data=SYNC):
    response = api.post("/api/diagrams/", {"data": data}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_read_update_delete_a_diagram(api):
    made = create(api)
    assert made["version"] == 1
    assert made["report"]["format"] == "archlab/report@1"
    assert api.get("/api/diagrams/").json()["count"] == 1
    read = api.get(f"/api/diagrams/{made['id']}/").json()
    assert read["data"]["nodes"][2]["config"] == {"timeout_s": 10}
    changed = api.put(
        f"/api/diagrams/{made['id']}/", {"data": {**SYNC, "name": "Renamed"}, "base_version": 1}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    versions = api.get(f"/api/diagrams/{made['id']}/versions/").json()
    assert [v["number"] for v in versions["results"]] == [2, 1]
    assert api.get(f"/api/diagrams/{made['id']}/versions/1/").json()["data"]["name"] == "Orders"
    assert api.delete(f"/api/diagrams/{made['id']}/").status_code == 204
    assert not Diagram.objects.exists()


def test_a_stale_update_is_a_409_with_the_current_version(api):
    made = create(api)
    api.put(f"/api/diagrams/{made['id']}/", {"data": SYNC, "base_version": 1, "message": "first"}, format="json")
    stale = api.put(f"/api/diagrams/{made['id']}/", {"data": SYNC, "base_version": 1}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2
    assert body["errors"][0]["message"].startswith("base_version 1 is stale")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "data"),
        (
            {"data": {"nodes": [{"id": "a", "type": "lambda", "config": {"timeout_s": 1200}}]}},
            "nodes[0].config.timeout_s",
        ),
        ({"data": "not a diagram"}, ""),
    ],
)
def test_every_4xx_has_errors_with_paths(api, body, path):
    response = api.post("/api/diagrams/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path


def test_malformed_json_is_a_400_not_a_500(api):
    response = api.post("/api/diagrams/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_someone_elses_diagram_is_a_404(api):
    made = create(api)
    stranger = APIClient()
    assert stranger.get(f"/api/diagrams/{made['id']}/").status_code == 404
    assert (
        stranger.put(f"/api/diagrams/{made['id']}/", {"data": SYNC, "base_version": 1}, format="json").status_code
        == 404
    )
    assert stranger.get(f"/api/diagrams/{made['id']}/export/?to=json").status_code == 404
    assert stranger.get(f"/api/diagrams/{made['id']}/versions/").status_code == 404


def test_validate_is_stateless(api):
    slow = json.loads(json.dumps(SYNC))
    slow["nodes"][2]["config"]["timeout_s"] = 600
    report = api.post("/api/validate/", {"data": slow}, format="json").json()
    assert report["findings"][0]["rule"] == "sync-path-exceeds-integration-timeout"
    assert not Diagram.objects.exists()


def test_export_formats_and_an_unknown_one(api):
    made = create(api)
    svg = api.get(f"/api/diagrams/{made['id']}/export/?to=svg")
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    bad = api.get(f"/api/diagrams/{made['id']}/export/?to=exe")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["path"] == "to"


def test_the_catalog_lists_types_patterns_and_rules(api):
    catalog = api.get("/api/catalog/").json()
    assert [t["id"] for t in catalog["types"]] == list(load_catalog().types)
    assert len(catalog["patterns"]) == 12
    assert {r["id"] for r in catalog["rules"]} == set(load_rules())
    assert {"deprecated-runtime", "stream-failure-unbounded", "delivery-not-permitted"} <= set(load_rules())


def test_token_authentication_reaches_the_users_diagrams(api, django_user_model):
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_user("ops", password="a-long-passphrase-42")
    token = Token.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    made = create(api)
    assert Diagram.objects.get(pk=made["id"]).owner == user


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"), "--validate", "--fail-on-warn")
    assert "/api/diagrams/{id}/" in (tmp_path / "schema.yaml").read_text()


TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      Timeout: 30
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 10
"""


def test_import_a_template_and_save_it(api):
    response = api.post("/api/import/", {"template": TEMPLATE}, format="json")
    assert response.status_code == 200
    body = response.json()
    kinds = {(e["from"], e["to"], e["kind"]) for e in body["diagram"]["edges"]}
    assert any(kind == "poll" for _, _, kind in kinds)
    assert any(f["rule"] == "queue-without-dlq" for f in body["report"]["findings"])
    saved = api.post("/api/import/", {"template": TEMPLATE, "save": True}, format="json")
    assert saved.status_code == 201
    assert Diagram.objects.filter(pk=saved.json()["id"]).exists()


def test_a_malformed_template_is_a_400_with_its_location(api):
    response = api.post("/api/import/", {"template": "Resources:\n  A: [unclosed\n"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_export_to_sam(api):
    made = create(api)
    response = api.get(f"/api/diagrams/{made['id']}/export/?to=sam")
    assert response.status_code == 200
    assert b"AWS::Serverless-2016-10-31" in response.content
