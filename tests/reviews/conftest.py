"""A shared diagram and the people around it, for the permission matrix and the review tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Team
from designer.models import Diagram, Estimate, Share
from reviews import services
from reviews.models import ChecklistItem, Comment, Review
from tests.reviews import factories as f

DIAGRAM_NAME = "Zebra-Plan"  # markers that must never appear in a refused answer
COMMENT_TEXT = "Walrus-Secret"


@dataclass
class World:
    diagram: Diagram
    people: dict[str, Any]
    clients: dict[str, Client]
    team: Team  # the commenter's team, owned by the diagram's owner
    comment: Comment
    review: Review
    item: ChecklistItem
    estimate: Estimate
    link: Share
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    owner = f.user("owner")
    people = {name: f.user(name) for name in ("editor", "commenter", "viewer", "member", "outsider")}
    people["owner"] = owner
    d = f.diagram(owner, f.sync_data(name=DIAGRAM_NAME))
    f.save(d, {**f.fixed_data(), "name": DIAGRAM_NAME}, author=owner)
    teams = {role: f.team(f"team-{role}", people[role], owner=owner) for role in ("editor", "commenter", "viewer")}
    f.team("team-without-share", people["member"], owner=owner)
    for role, t in teams.items():
        f.share(d, role, team_=t)
    link = f.share(d, "commenter", token="live-link-token-0123456789")
    revoked = f.share(d, "editor", token="revoked-link-token-0123456789")

    clients = {name: f.client_for(p) for name, p in people.items()}
    clients["anonymous"] = Client()
    clients["link"] = Client()
    clients["revoked"] = Client()
    for c in clients.values():  # one handler: loading the middleware (and whitenoise's file scan) once is enough
        c.handler = clients["owner"].handler
    assert clients["link"].get(f"/designer/s/{link.token}/").status_code == 302
    assert clients["revoked"].get(f"/designer/s/{revoked.token}/").status_code == 302
    revoked.revoked_at = timezone.now()
    revoked.save()

    d.refresh_from_db()
    comment = services.comment_create(diagram=d, user=owner, session_key="", body=COMMENT_TEXT, element_id="api")
    review = services.review_request(
        diagram=d, version_number=1, requested_by=owner, reviewer_ids=[people["commenter"].pk]
    )
    item = review.items.filter(kind="finding").first()
    estimate = f.estimate_done(d, 2, 12.5)
    return World(d, people, clients, teams["commenter"], comment, review, item, estimate, link)


@pytest.fixture
def world(db) -> World:
    return build_world()


def team_membership(world: World, name: str) -> Membership:
    return Membership.objects.get(team=world.team, user=world.people[name])
