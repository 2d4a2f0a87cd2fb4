"""Refusals in plain words on the site's own pages: not found, not allowed, a revoked link."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from designer import services
from designer.models import Share
from designer.starters import starter_data

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_page_of_the_site():
    response = Client().get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing at this address." in page
    assert 'href="/designer/"' in page  # the site's own layout and a way back
    assert "Resolver404" not in page


def test_a_revoked_secret_link_says_so():
    owner = get_user_model().objects.create_user("owner")
    saved = services.diagram_create(data=starter_data("sync"), user=owner, session_key="")
    share = Share.objects.create(diagram=saved.diagram, token="t" * 32, role="viewer", created_by=owner)
    visitor = Client()
    assert visitor.get(f"/designer/s/{share.token}/").status_code == 302
    share.revoked_at = share.created_at
    share.save(update_fields=["revoked_at"])
    response = visitor.get(f"/designer/s/{share.token}/")
    assert response.status_code == 404
    assert "This link is not valid (it may have been revoked)." in response.content.decode()
    assert "Version" not in response.content.decode()  # nothing of the diagram shows


def test_a_role_too_weak_is_told_why():
    owner, viewer = (get_user_model().objects.create_user(n) for n in ("owner", "viewer"))
    saved = services.diagram_create(data=starter_data("sync"), user=owner, session_key="")
    share = Share.objects.create(diagram=saved.diagram, token="v" * 32, role="viewer", created_by=owner)
    client = Client()
    client.force_login(viewer)
    client.get(f"/designer/s/{share.token}/")
    response = client.post(f"/designer/{saved.diagram.pk}/delete")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page
    assert "viewer" in page  # the role the visitor has, in the reason


def test_the_site_has_an_icon():
    page = Client().get("/").content.decode()
    assert 'rel="icon" href="/static/favicon' in page
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon")
