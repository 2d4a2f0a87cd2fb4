"""A request that fails on the database is a 503 that says nothing was changed, never a 500 or a traceback."""

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client

from designer import services
from designer.models import Diagram, DiagramVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


def _new_diagram(browser) -> int:
    response = browser.post("/designer/new/", {"starter": "fan-out"})
    assert response.status_code == 302
    return int(response["Location"].strip("/").split("/")[-1])


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_a_save_that_fails_on_the_database_is_a_503_the_editor_retries(browser, monkeypatch, error):
    pk = _new_diagram(browser)
    data = browser.get(f"/api/diagrams/{pk}/").json()["data"]

    def down(**kwargs):
        raise error

    monkeypatch.setattr(services, "diagram_save_version", down)
    response = browser.post(
        f"/designer/{pk}/save", json.dumps({"data": data, "base_version": 1}), content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "nothing was changed" in response.json()["errors"][0]["message"]
    assert DiagramVersion.objects.filter(diagram_id=pk).count() == 1


def _listing_fails(monkeypatch, error: Exception) -> None:
    def fail(**kwargs):
        raise error

    monkeypatch.setattr(services, "diagrams_owned", fail)


def test_a_page_that_fails_on_the_database_says_so_in_plain_words(browser, monkeypatch):
    _listing_fails(monkeypatch, OperationalError("connection refused"))
    response = browser.get("/designer/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Back in a moment" in text
    assert "cannot reach its database" in text
    assert "Traceback" not in text
    assert "connection refused" not in text


def test_the_api_answers_json(browser, monkeypatch):
    _listing_fails(monkeypatch, OperationalError("the database system is shutting down"))
    response = browser.get("/api/diagrams/")
    assert response.status_code == 503
    assert response.json() == {"errors": [{"path": "", "message": response.json()["errors"][0]["message"]}]}
    assert "unavailable" in response.json()["errors"][0]["message"]


def test_a_failure_while_storing_the_session_is_a_503_too(browser, monkeypatch):
    def down(self, must_create=False):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(SessionStore, "save", down)
    response = browser.post("/designer/new/", {"starter": "fan-out"})
    assert response.status_code == 503
    assert Diagram.objects.count() <= 1  # a diagram made before the session failed is whole (version 1 with it)
    assert DiagramVersion.objects.count() == Diagram.objects.count()


def test_other_failures_stay_500s_that_name_nothing_internal(browser, monkeypatch):
    _listing_fails(monkeypatch, ValueError("a bug, not an outage"))
    api = browser.get("/api/diagrams/")
    page = browser.get("/designer/")
    assert api.status_code == 500
    assert api.json()["errors"][0]["message"] == "the server failed; nothing was changed"
    assert page.status_code == 500
    assert b"a bug" not in page.content
    assert b"Something went wrong" in page.content
    assert "Retry-After" not in page
