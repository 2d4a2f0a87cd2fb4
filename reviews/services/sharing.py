"""Sharing a diagram with a team or through a secret link, with a role; revoking at once."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import Team
from config.errors import NotFound
from designer.models import Diagram, Share
from reviews.services.common import ReviewError
from reviews.services.common import signed_in as _user


def shares_of(*, diagram: Diagram) -> QuerySet[Share]:
    """Every share of the diagram, live ones first, with their team and creator."""
    return (
        Share.objects.filter(diagram=diagram)
        .select_related("team", "created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
    )


def share_team_create(*, diagram: Diagram, team_id: int, role: str, user: Any) -> Share:
    """Share with one of the user's teams; a live share with that team gets the new role instead of a second one."""
    if role not in Share.Role.values:
        raise ReviewError(f"{role!r} is not a sharing role")
    team = Team.objects.filter(pk=team_id, memberships__user=_user(user)).first() if _user(user) else None
    if team is None:
        raise ReviewError("Choose one of your teams.")
    with transaction.atomic():
        live = Share.objects.select_for_update().filter(diagram=diagram, team=team, revoked_at__isnull=True).first()
        if live is not None:
            live.role = role
            live.save(update_fields=["role"])
            return live
        return Share.objects.create(diagram=diagram, team=team, role=role, created_by=_user(user))


def share_link_create(*, diagram: Diagram, role: str, user: Any) -> Share:
    if role not in Share.Role.values:
        raise ReviewError(f"{role!r} is not a sharing role")
    return Share.objects.create(diagram=diagram, token=secrets.token_urlsafe(32), role=role, created_by=_user(user))


def share_revoke(*, diagram: Diagram, share_id: int) -> Share:
    """Revoke at once: the next request of anyone who had access through the share is refused."""
    share = Share.objects.filter(pk=share_id, diagram=diagram).first()
    if share is None:
        raise NotFound("no such share")
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share
