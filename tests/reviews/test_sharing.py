"""The sharing page: share with a team or through a secret link, with a role; revoke at once."""

import pytest

from designer.models import Share
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return f.user("olga")


@pytest.fixture
def owner_client(owner):
    return f.client_for(owner)


def test_sharing_with_a_team_gives_its_members_the_role(owner, owner_client):
    member = f.user("mia")
    team = f.team("Platform", member, owner=owner)
    d = f.diagram(owner)
    response = owner_client.post(f"/designer/{d.pk}/sharing/team", {"team": team.pk, "role": "commenter"})
    assert response.status_code == 302
    as_member = f.client_for(member)
    assert as_member.get(f"/designer/{d.pk}/").status_code == 200
    assert as_member.post(f"/designer/{d.pk}/comments/", {"body": "hi"}).status_code == 302
    owner_client.post(f"/designer/{d.pk}/sharing/team", {"team": team.pk, "role": "viewer"})
    assert Share.objects.filter(diagram=d, revoked_at__isnull=True).count() == 1  # the role changed, no second share
    assert as_member.post(f"/designer/{d.pk}/comments/", {"body": "hi"}).status_code == 403


def test_only_your_own_teams_can_be_chosen(owner, owner_client):
    foreign = f.team("Elsewhere", f.user("zed"))
    d = f.diagram(owner)
    response = owner_client.post(f"/designer/{d.pk}/sharing/team", {"team": foreign.pk, "role": "editor"})
    assert response.status_code == 400
    assert "Choose one of your teams." in response.content.decode()
    assert not Share.objects.exists()


def test_a_secret_link_is_long_shown_to_the_owner_and_revoked_at_once(owner, owner_client):
    d = f.diagram(owner)
    owner_client.post(f"/designer/{d.pk}/sharing/link", {"role": "viewer"})
    share = Share.objects.get(diagram=d)
    assert len(share.token) >= 43  # secrets.token_urlsafe(32)
    page = owner_client.get(f"/designer/{d.pk}/sharing/").content.decode()
    assert f"/designer/s/{share.token}/" in page
    visitor = f.client_for()
    visitor.get(f"/designer/s/{share.token}/")
    assert visitor.get(f"/designer/{d.pk}/").status_code == 200
    assert visitor.post(f"/designer/{d.pk}/comments/", {"body": "hi"}).status_code == 403
    owner_client.post(f"/designer/{d.pk}/sharing/{share.pk}/revoke")
    assert visitor.get(f"/designer/{d.pk}/").status_code == 404
    page = owner_client.get(f"/designer/{d.pk}/sharing/").content.decode()
    assert f"/designer/s/{share.token}/" not in page  # a dead link is not offered for copying
    assert "Revoked" in page


def test_an_unknown_role_is_refused(owner, owner_client):
    d = f.diagram(owner)
    assert owner_client.post(f"/designer/{d.pk}/sharing/link", {"role": "owner"}).status_code == 400


def test_an_anonymous_owner_can_make_secret_links(client):
    response = client.post("/designer/new/", {"name": "Scratch"})
    pk = int(response["Location"].strip("/").split("/")[-1])
    page = client.get(f"/designer/{pk}/sharing/")
    assert page.status_code == 200
    assert "Sign up" in page.content.decode()
    assert client.post(f"/designer/{pk}/sharing/link", {"role": "viewer"}).status_code == 302
