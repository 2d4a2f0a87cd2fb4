"""Services raise NotFound, never Http404: the web and the API answer it with their 404s."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from config.errors import NotFound, NotFoundMiddleware, as_http


def test_a_service_knows_no_http():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    services = [
        p for app in ("designer", "reviews", "quiz", "workshops") for p in (root / app / "services").rglob("*.py")
    ]
    assert services
    assert [str(p) for p in services if "Http404" in p.read_text(encoding="utf-8")] == []


def test_as_http_turns_not_found_into_http404_and_leaves_the_rest():
    converted = as_http(NotFound("no such diagram"))
    assert isinstance(converted, Http404)
    assert str(converted) == "no such diagram"
    other = ValueError("x")
    assert as_http(other) is other


@pytest.mark.django_db
def test_the_middleware_answers_not_found_with_the_404_page():
    middleware = NotFoundMiddleware(lambda request: None)
    request = RequestFactory().get("/designer/1/")
    response = middleware.process_exception(request, NotFound("no such diagram"))
    assert response is not None
    assert response.status_code == 404
    assert middleware.process_exception(request, ValueError("x")) is None


@pytest.mark.django_db
def test_a_missing_diagram_is_a_404_page_and_a_404_in_the_api(client):
    assert client.get("/designer/999999/").status_code == 404
    response = client.get("/api/diagrams/999999/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "no such diagram"
