"""CSRF: every address of the project, posted to without the token by a signed-in visitor (as a form and as an
htmx request), is refused with 403 before its view runs; with the token the same requests get through. The API
takes only JSON, which no cross-site form can send."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from quiz.services import content_load
from tests.security.urls import endpoints

pytestmark = pytest.mark.django_db

ENDPOINTS = endpoints()


@pytest.fixture
def signed_in():
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_user("mallory-victim", is_staff=True, is_superuser=True))
    return client


def test_the_sweep_covers_every_address():
    assert len(ENDPOINTS) > 150  # the admin's too
    assert {"designer:save", "reviews:comments", "quiz-api-grade", "workshops:play-answer", "accounts:login"} <= {
        e.name for e in ENDPOINTS
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_state_changing_request_without_the_token_is_refused(signed_in, endpoint, method):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = _send(signed_in, method, endpoint.sample, headers)
        assert response.status_code == 403, f"{method} {endpoint.sample}: {response.status_code}"
        if b"CSRF" not in response.content:  # a page that does not say why: the token must be what it missed
            control = _send(signed_in, method, endpoint.sample, {**headers, "HTTP_X_CSRFTOKEN": _token(signed_in)})
            assert control.status_code != 403, f"{method} {endpoint.sample} is refused even with the token"


def _send(client: Client, method: str, url: str, headers: dict[str, str]):
    """A form for the pages, JSON for the API (which takes nothing else)."""
    if method == "POST" and not url.startswith("/api/"):
        return client.post(url, {"name": "x", "body": "x"}, **headers)
    if method == "POST":
        return client.post(url, json.dumps({"data": {}}), content_type="application/json", **headers)
    call = client.put if method == "PUT" else client.delete
    return call(url, json.dumps({"data": {}}), content_type="application/json", **headers)


def _token(client: Client) -> str:
    client.get("/designer/new/")
    return client.cookies["csrftoken"].value


def test_with_the_token_forms_htmx_and_fetch_requests_get_through(signed_in):
    token = _token(signed_in)
    response = signed_in.post("/designer/new/", {"name": "Mine", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    save = {"data": {"name": "Mine", "nodes": [], "edges": []}, "base_version": 1}
    response = signed_in.post(
        f"/designer/{pk}/save", json.dumps(save), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    response = signed_in.post(
        f"/designer/{pk}/comments/", {"body": "Fine"}, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    response = signed_in.post(
        "/api/diagrams/", json.dumps(save), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


def test_a_wrong_token_is_refused_like_a_missing_one(signed_in):
    _token(signed_in)
    response = signed_in.post("/designer/new/", {"name": "Mine", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403


def test_the_api_takes_no_form_or_plain_text_body_that_a_cross_site_page_could_send():
    content_load()
    anonymous = Client(enforce_csrf_checks=True)
    body = {"data": {"name": "Forged", "nodes": [], "edges": []}}
    assert anonymous.post("/api/diagrams/", {"data": "x"}).status_code == 415
    response = anonymous.post("/api/diagrams/", json.dumps(body), content_type="text/plain")
    assert response.status_code == 415
    assert anonymous.post("/api/quiz/questions/ws-01/grade", {"responses": "x"}).status_code == 415
