"""Accounts: sign-up, teams (invitations, roles, leaving), and handing what an anonymous visitor made to the
account they create or sign in to.

Apps keep anonymous work (diagrams, quiz answers) against the browser session. Each app registers a claim
function in its ``AppConfig.ready()`` with :func:`register_claim`; :func:`session_claim_all` runs them when a
visitor signs up or signs in, inside one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Team, TeamInvite

Claim = Callable[..., None]
_CLAIMS: list[Claim] = []


def register_claim(claim: Claim) -> None:
    """``claim(*, session_key: str, user)`` moves what the session owns to ``user``."""
    if claim not in _CLAIMS:
        _CLAIMS.append(claim)


def session_claim_all(*, session_key: str | None, user: AbstractBaseUser) -> None:
    if not session_key:
        return
    with transaction.atomic():
        for claim in _CLAIMS:
            claim(session_key=session_key, user=user)


# ---- teams ----------------------------------------------------------------------------------------------------

INVITE_DAYS = 7


class TeamError(Exception):
    """A team change that is refused; the message says why, in words for the person who asked."""


class NotTeamOwner(TeamError):
    pass


def teams_of(*, user: Any) -> QuerySet[Team]:
    """The user's teams, each with ``my_role`` and ``member_count``."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    mine = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team"))
        .annotate(my_role=Subquery(mine), member_count=Count("memberships", distinct=True))
        .order_by("name", "pk")
    )


def team_get_for(*, pk: int, user: Any) -> tuple[Team, Membership]:
    """The team and the user's membership; 404 when the user is not a member (nothing leaks)."""
    membership = (
        Membership.objects.select_related("team").filter(team_id=pk, user=user).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if membership is None:
        raise Http404("no such team")
    return membership.team, membership


def _owner_only(membership: Membership) -> None:
    if membership.role != Membership.Role.OWNER:
        raise NotTeamOwner("Only the team's owners can do this.")


def team_create(*, name: str, user: AbstractBaseUser) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name.strip()[:100])
        Membership.objects.create(team=team, user=user, role=Membership.Role.OWNER)
    return team


def team_invite_create(*, membership: Membership, days: int = INVITE_DAYS) -> TeamInvite:
    """A new invitation link for the membership's team (owners only), valid for ``days`` days."""
    _owner_only(membership)
    return TeamInvite.objects.create(
        team=membership.team,
        token=secrets.token_urlsafe(32),
        created_by=membership.user,
        expires_at=timezone.now() + timedelta(days=days),
    )


def team_invite_revoke(*, membership: Membership, invite_id: int) -> None:
    _owner_only(membership)
    TeamInvite.objects.filter(pk=invite_id, team=membership.team, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def team_invite_get(*, token: str) -> TeamInvite | None:
    """The invitation if the link is live (neither expired nor revoked)."""
    return (
        TeamInvite.objects.select_related("team")
        .filter(token=token, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def team_invite_accept(*, invite: TeamInvite, user: AbstractBaseUser) -> Membership:
    """Join the invitation's team as a member; someone already in the team keeps their role."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(team=invite.team, user=user)
        if created:
            TeamInvite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return membership


def _owners_left(team: Team, without: int) -> int:
    return team.memberships.filter(role=Membership.Role.OWNER).exclude(pk=without).count()


def team_leave(*, membership: Membership) -> None:
    """Leave the team. The last owner must hand over first (make someone else owner) or delete the team."""
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=membership.team_id).first()
        if membership.role == Membership.Role.OWNER and not _owners_left(membership.team, membership.pk):
            raise TeamError("You are the team's only owner: make another member owner first, or delete the team.")
        membership.delete()


def team_member_remove(*, membership: Membership, member_id: int) -> None:
    """An owner removes another member (to leave yourself, use :func:`team_leave`)."""
    _owner_only(membership)
    target = membership.team.memberships.filter(pk=member_id).first()
    if target is None:
        raise Http404("no such member")
    if target.pk == membership.pk:
        raise TeamError("To leave the team yourself, use Leave team.")
    target.delete()


def team_member_role_set(*, membership: Membership, member_id: int, role: str) -> Membership:
    """An owner makes a member owner (handing over) or an owner a member again; a team keeps one owner."""
    _owner_only(membership)
    if role not in Membership.Role.values:
        raise TeamError(f"{role!r} is not a team role.")
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=membership.team_id).first()
        target = membership.team.memberships.filter(pk=member_id).first()
        if target is None:
            raise Http404("no such member")
        demoting = role == Membership.Role.MEMBER and target.role == Membership.Role.OWNER
        if demoting and not _owners_left(membership.team, target.pk):
            raise TeamError("A team needs at least one owner: make someone else owner first.")
        target.role = role
        target.save(update_fields=["role"])
    return target


def team_delete(*, membership: Membership) -> None:
    """Delete the team (owners only); diagrams shared with it are no longer shared with anyone through it."""
    _owner_only(membership)
    membership.team.delete()


def team_invites_live(*, team: Team) -> QuerySet[TeamInvite]:
    return team.invites.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by("-created_at")
