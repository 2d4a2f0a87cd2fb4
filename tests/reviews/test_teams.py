"""Accounts: teams (create, invite by link, join, leave, remove, hand over), password reset, sign-up."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Membership, Team, TeamInvite
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return f.user("olga")


def make_team(client, owner, name="Platform"):
    client.force_login(owner)
    response = client.post("/accounts/teams/", {"name": name})
    assert response.status_code == 302
    return Team.objects.get(name=name)


def test_creating_a_team_makes_you_its_owner(client, owner):
    team = make_team(client, owner)
    assert Membership.objects.get(team=team, user=owner).role == "owner"
    page = client.get("/accounts/teams/").content.decode()
    assert "Platform" in page
    assert client.post("/accounts/teams/", {"name": "   "}).status_code == 400


def test_an_invitation_link_lets_a_signed_in_visitor_join(client, owner):
    team = make_team(client, owner)
    client.post(f"/accounts/teams/{team.pk}/invites")
    invite = TeamInvite.objects.get(team=team)
    assert len(invite.token) >= 40
    assert invite.expires_at > timezone.now() + timedelta(days=6)
    page = client.get(f"/accounts/teams/{team.pk}/").content.decode()
    assert f"/accounts/teams/join/{invite.token}/" in page

    guest = f.client_for()
    landing = guest.get(f"/accounts/teams/join/{invite.token}/").content.decode()
    assert "Sign in to join" in landing
    assert guest.post(f"/accounts/teams/join/{invite.token}/")["Location"].startswith("/accounts/login/")

    newcomer = f.user("nils")
    joined = f.client_for(newcomer).post(f"/accounts/teams/join/{invite.token}/")
    assert joined.status_code == 302
    assert Membership.objects.get(team=team, user=newcomer).role == "member"
    invite.refresh_from_db()
    assert invite.uses == 1


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_an_expired_or_revoked_invitation_does_not_work(client, owner, how):
    team = make_team(client, owner)
    invite = services.team_invite_create(membership=Membership.objects.get(team=team, user=owner))
    if how == "expired":
        invite.expires_at = timezone.now() - timedelta(seconds=1)
        invite.save()
    else:
        client.post(f"/accounts/teams/{team.pk}/invites/{invite.pk}/revoke")
    stranger = f.client_for(f.user("sam"))
    assert stranger.get(f"/accounts/teams/join/{invite.token}/").status_code == 404
    assert stranger.post(f"/accounts/teams/join/{invite.token}/").status_code == 404
    assert team.memberships.count() == 1


def test_only_owners_invite_remove_and_hand_over(client, owner):
    team = make_team(client, owner)
    member = f.user("mia")
    Membership.objects.create(team=team, user=member)
    as_member = f.client_for(member)
    assert as_member.get(f"/accounts/teams/{team.pk}/").status_code == 200
    assert as_member.post(f"/accounts/teams/{team.pk}/invites").status_code == 403
    mine = Membership.objects.get(team=team, user=owner)
    assert as_member.post(f"/accounts/teams/{team.pk}/members/{mine.pk}/remove").status_code == 403
    assert as_member.post(f"/accounts/teams/{team.pk}/delete").status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_the_last_owner_cannot_leave_without_handing_over(client, owner):
    team = make_team(client, owner)
    member = f.user("mia")
    theirs = Membership.objects.create(team=team, user=member)
    refused = client.post(f"/accounts/teams/{team.pk}/leave")
    assert refused.status_code == 400
    assert "only owner" in refused.content.decode()
    assert client.post(f"/accounts/teams/{team.pk}/members/{theirs.pk}/role", {"role": "owner"}).status_code == 302
    assert client.post(f"/accounts/teams/{team.pk}/leave").status_code == 302
    assert list(team.memberships.values_list("user__username", "role")) == [("mia", "owner")]


def test_an_owner_cannot_demote_the_last_owner(client, owner):
    team = make_team(client, owner)
    mine = Membership.objects.get(team=team, user=owner)
    with pytest.raises(services.TeamError):
        services.team_member_role_set(membership=mine, member_id=mine.pk, role="member")


def test_an_owner_removes_a_member_and_their_access_through_the_team_ends(client, owner):
    team = make_team(client, owner)
    member = f.user("mia")
    theirs = Membership.objects.create(team=team, user=member)
    d = f.diagram(owner)
    f.share(d, "viewer", team_=team)
    as_member = f.client_for(member)
    assert as_member.get(f"/designer/{d.pk}/").status_code == 200
    assert client.post(f"/accounts/teams/{team.pk}/members/{theirs.pk}/remove").status_code == 302
    assert as_member.get(f"/designer/{d.pk}/").status_code == 404
    assert as_member.get(f"/accounts/teams/{team.pk}/").status_code == 404


def test_a_team_page_is_a_404_for_outsiders_and_lists_shared_diagrams_for_members(client, owner):
    team = make_team(client, owner)
    d = f.diagram(owner)
    f.share(d, "commenter", team_=team)
    page = client.get(f"/accounts/teams/{team.pk}/").content.decode()
    assert "Orders" in page
    assert "commenter" in page
    assert f.client_for(f.user("x")).get(f"/accounts/teams/{team.pk}/").status_code == 404


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    person = f.user("rita")
    person.email = "rita@example.com"
    person.set_password("old-password-for-rita")  # accounts without a usable password get no reset e-mail
    person.save()
    assert client.get("/accounts/login/").content.decode().count("/accounts/password-reset/") == 1
    response = client.post("/accounts/password-reset/", {"email": "rita@example.com"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert "Set a new password" in form.content.decode()
    weak = client.post(form.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # Django's password validators refuse it
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "cobalt-lantern-42", "new_password2": "cobalt-lantern-42"}
    )
    assert done["Location"] == "/accounts/reset/done/"
    person.refresh_from_db()
    assert person.check_password("cobalt-lantern-42")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_signup_takes_an_optional_email_and_refuses_weak_passwords(client):
    weak = client.post("/accounts/signup/", {"username": "tom", "password1": "password", "password2": "password"})
    assert weak.status_code == 200
    assert "too common" in weak.content.decode()
    ok = client.post(
        "/accounts/signup/",
        {
            "username": "tom",
            "email": "tom@example.com",
            "password1": "granite-otter-77",
            "password2": "granite-otter-77",
        },
    )
    assert ok.status_code == 302


def test_the_team_list_counts_every_member(client, owner):
    team = make_team(client, owner)
    for name in ("a1", "a2"):
        Membership.objects.create(team=team, user=f.user(name))
    (listed,) = services.teams_of(user=owner)
    assert (listed.member_count, listed.my_role) == (3, "owner")
