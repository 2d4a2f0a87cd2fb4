"""Bodies and numbers no client of ours sends: NaN and Infinity in JSON, a form where JSON belongs, an unknown
checklist line with a wrong status, a version number no database holds. Each is a 4xx that names the problem,
through the pages with CSRF enforced, never a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from reviews import services as reviews
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return get_user_model().objects.create_user("hostile-owner")


@pytest.fixture
def signed_in(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


def token(client):
    client.get("/designer/new/")
    return client.cookies["csrftoken"].value


def new_diagram(client, csrf):
    response = client.post("/designer/new/", {"starter": "sync", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    return int(response["Location"].strip("/").split("/")[-1])


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_in_a_saved_diagram_is_a_400_with_its_path(signed_in, constant):
    csrf = token(signed_in)
    pk = new_diagram(signed_in, csrf)
    body = '{"base_version": 1, "data": {"format": "archlab/diagram@1", "name": "x", "nodes": [{"id": "a", '
    body += f'"type": "lambda", "config": {{"memory_mb": {constant}}}}}], "edges": []}}}}'
    response = signed_in.post(f"/designer/{pk}/save", body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["path"] == "data.nodes[0].config.memory_mb"
    assert constant in error["message"]


def test_a_non_finite_rate_in_a_traffic_profile_is_refused_not_a_500(signed_in):
    csrf = token(signed_in)
    pk = new_diagram(signed_in, csrf)
    response = signed_in.post(
        f"/designer/{pk}/estimate",
        {"profile": '{"entries": {"api": {"rps": NaN}}}', "csrfmiddlewaretoken": csrf},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code < 500
    assert b"NaN is not a number JSON allows" in response.content


@pytest.mark.parametrize("url", ["/designer/{pk}/save", "/designer/{pk}/copy"])
def test_a_form_sent_where_json_belongs_is_a_400_that_says_so(signed_in, url):
    csrf = token(signed_in)
    pk = new_diagram(signed_in, csrf)
    response = signed_in.post(url.format(pk=pk), {"data": "x", "file": ("a.txt", b"x")}, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 400
    assert "send the diagram as JSON" in response.json()["errors"][0]["message"]


def test_an_unknown_checklist_line_with_a_wrong_status_is_a_404(owner):
    alice = f.user("alice-hostile")
    reviewers = f.team("Reviewers", alice, owner=owner)
    diagram = f.diagram(owner)
    f.share(diagram, "commenter", team_=reviewers)
    diagram.refresh_from_db()
    review = reviews.review_request(
        diagram=diagram, version_number=1, requested_by=owner, reviewer_ids=[alice.pk], note=""
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    csrf = token(client)
    response = client.post(
        f"/designer/{diagram.pk}/reviews/{review.pk}/items/999999",
        {"status": "nonsense"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["?to=" + "9" * 25, "?from=" + "9" * 25 + "&to=1", "?to=0", "?to=-3"])
def test_a_version_number_no_database_holds_is_a_404(signed_in, query):
    pk = new_diagram(signed_in, token(signed_in))
    assert signed_in.get(f"/designer/{pk}/diff/{query}").status_code == 404
    assert signed_in.get(f"/designer/{pk}/diff.json{query}").status_code == 404
