"""The quiz API: list, read without answers, grade; one error format with paths for every 4xx."""

import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from quiz.models import Attempt
from tests.quiz.conftest import starter

pytestmark = pytest.mark.django_db
GRADE = "/api/quiz/questions/ws-17/grade"


def post(client, url, body, **extra):
    return client.post(
        url, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json", **extra
    )


def test_the_list_is_paginated_with_part_summaries(client, loaded):
    body = client.get("/api/quiz/questions/").json()
    assert body["count"] == 42
    first = body["results"][0]
    assert first == {
        "id": "ws-01",
        "bank": "workshop",
        "section": "AWS Lambda advanced patterns",
        "title": "Image processing that outgrows a Lambda invocation",
        "parts": [
            {"id": "max-timeout", "type": "numeric", "prompt": first["parts"][0]["prompt"], "points": 1.0},
            *first["parts"][1:],
        ],
    }
    assert [p["type"] for p in first["parts"]] == ["numeric", "choice", "multi", "text", "design"]


def test_the_list_filters_by_bank_and_section(client, loaded):
    assert client.get("/api/quiz/questions/?bank=exam-traps").json()["count"] == 17
    section = client.get("/api/quiz/questions/?bank=workshop&section=eventbridge-sqs-and-sns").json()
    assert [q["id"] for q in section["results"]] == ["ws-16", "ws-17", "ws-18", "ws-19", "ws-20"]


def test_a_question_never_reveals_its_answers(client, loaded):
    body = client.get("/api/quiz/questions/ws-17/").json()
    assert body["prompt"].startswith("What’s the difference between Amazon SNS")
    assert body["parts"][0]["options"][0] == {
        "id": "sns-sqs",
        "text": "An SNS topic with one SQS queue per service subscribed to it",
    }
    assert body["parts"][1] == {
        "id": "retention",
        "type": "numeric",
        "prompt": body["parts"][1]["prompt"],
        "points": 1.0,
        "unit": "days",
    }
    text = json.dumps(body)
    for secret in (
        '"correct"',
        '"why"',
        '"rubric"',
        '"answer"',
        '"explanation"',
        '"require"',
        '"misconceptions"',
        "14 days",
        "SNS copies",
    ):
        assert secret not in text


def test_grading_answers_in_the_contract_shape_and_stores_the_attempt(client, loaded):
    response = post(
        client, GRADE, {"responses": {"choose-service": "sns-sqs", "retention": 14, "build-it": starter("fan-out")}}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "score", "parts", "explanation"}
    assert body["question"] == "ws-17"
    assert [set(p) for p in body["parts"]] == [{"id", "type", "score", "max", "feedback"}] * 5
    assert body["parts"][0]["feedback"]["why"].startswith("SNS copies each message")
    assert body["parts"][3]["score"] == 0  # left out
    attempt = Attempt.objects.get()
    assert attempt.score == body["score"]
    assert response["Content-Location"] == f"/quiz/attempts/{attempt.pk}/"


def test_a_token_user_owns_the_attempt(client, loaded):
    user = get_user_model().objects.create_user(username="api", password="x-long-password-1")
    token = Token.objects.create(user=user)
    response = post(
        client, GRADE, {"responses": {"choose-service": "sns-sqs"}}, HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200
    assert Attempt.objects.get().user == user


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({}, "responses", "This field is required."),
        ({"responses": []}, "responses", 'Expected a dictionary of items but got type "list".'),
        ({"responses": {}}, "responses", "answer at least one part"),
        ({"responses": {"explain": 42}}, "responses.explain", "must be text, not 42"),
        ({"responses": {"facts": ["push", 3]}}, "responses.facts[1]", "3 is not one of the options"),
        ({"responses": {"retention": "lots"}}, "responses.retention", "must be a number"),
        ({"responses": {"nope": 1}}, "responses.nope", "this question has no part 'nope'"),
        (
            {"responses": {"build-it": {"diagram": 7}}},
            "responses.build-it.diagram",
            "7 is not a diagram you can open",
        ),
        ({"responses": {"build-it": {"nodes": "x"}}}, "responses.build-it.nodes", "must be a list"),
        ("{not json", "", "JSON parse error"),
        ("[" * 100_000, "", "nested too deeply"),
        ('{"responses": {"retention": NaN}}', "", "JSON parse error"),
    ],
)
def test_bad_requests_are_400_with_paths(client, loaded, body, path, message):
    response = post(client, GRADE, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["path"] == path and message in e["message"] for e in errors), errors
    assert Attempt.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "url", "status", "path"),
    [
        ("get", "/api/quiz/questions/ws-99/", 404, "id"),
        ("post", "/api/quiz/questions/ws-99/grade", 404, "id"),
        ("get", "/api/quiz/questions/?page=99", 404, ""),
        ("get", "/api/quiz/nowhere", 404, ""),
        ("get", GRADE, 405, ""),
    ],
)
def test_other_4xx_answers_use_the_same_format(client, loaded, method, url, status, path):
    response = getattr(client, method)(url, content_type="application/json") if method == "post" else client.get(url)
    assert response.status_code == status
    [error] = response.json()["errors"]
    assert error["path"] == path
    assert error["message"]


def test_form_encoded_bodies_are_refused_with_415(client, loaded):
    response = client.post(GRADE, {"responses": "x"})
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["errors"][0]["message"]


def test_oversized_bodies_are_refused_with_413(client, loaded, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, GRADE, {"responses": {"explain": "x" * 2000}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"].startswith("the request body is larger than")


def test_the_schema_documents_the_three_operations_with_their_serializers(client, loaded):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    grade = paths["/api/quiz/questions/{qid}/grade"]["post"]
    assert grade["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/QuizGradeRequest")
    assert set(grade["responses"]) >= {"200", "400", "404"}
    assert grade["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/QuizErrors")
    assert "/api/quiz/questions/" in paths
    assert "/api/quiz/questions/{qid}/" in paths
    components = schema["components"]["schemas"]
    assert set(components["QuizGrade"]["properties"]) == {"question", "score", "parts", "explanation"}
    assert "options" in components["QuizPart"]["properties"]


def test_a_design_part_can_be_answered_with_a_saved_diagram(client, loaded):
    client.post("/designer/new/", {"starter": "fan-out"})
    from designer.models import Diagram

    diagram = Diagram.objects.latest("pk")
    response = post(client, GRADE, {"responses": {"build-it": {"diagram": diagram.pk}}})
    assert response.status_code == 200, response.content
    part = next(p for p in response.json()["parts"] if p["id"] == "build-it")
    assert part["score"] > 0
    stranger = type(client)()
    refused = post(stranger, GRADE, {"responses": {"build-it": {"diagram": diagram.pk}}})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "responses.build-it.diagram"
