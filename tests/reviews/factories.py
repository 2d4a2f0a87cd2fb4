"""Small factories for review tests: people, teams, shared diagrams with versions, estimates."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Membership, Team
from designer import services
from designer.models import Diagram, Estimate, Share

SYNC: dict[str, Any] = {
    "name": "Orders",
    "nodes": [
        {"id": "web", "type": "client-web", "label": "Web", "position": {"x": 0, "y": 0}},
        {"id": "api", "type": "apigw-rest", "label": "Orders API", "position": {"x": 200, "y": 0}},
        {
            "id": "fn",
            "type": "lambda",
            "label": "create-order",
            "config": {"timeout_s": 600},
            "position": {"x": 400, "y": 0},
        },
    ],
    "edges": [{"id": "e1", "from": "web", "to": "api"}, {"id": "e2", "from": "api", "to": "fn"}],
}


def user(username: str):
    """A user without a usable password (tests sign in with force_login; hashing is slow)."""
    return get_user_model().objects.create_user(username)


def client_for(person=None) -> Client:
    c = Client()
    if person is not None:
        c.force_login(person)
    return c


def team(name: str, *members, owner=None) -> Team:
    t = Team.objects.create(name=name)
    if owner is not None:
        Membership.objects.create(team=t, user=owner, role=Membership.Role.OWNER)
    for m in members:
        Membership.objects.create(team=t, user=m)
    return t


def sync_data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SYNC)
    for key, value in changes.items():
        data[key] = value
    return data


def diagram(owner, data: dict[str, Any] | None = None) -> Diagram:
    return services.diagram_create(data=data or sync_data(), user=owner, session_key="").diagram


def save(d: Diagram, data: dict[str, Any], author=None):
    d.refresh_from_db()
    return services.diagram_save_version(diagram=d, data=data, base_version=d.head, user=author)


def fixed_data() -> dict[str, Any]:
    """SYNC with the timeout fixed and a table added: v2 of most tests."""
    data = sync_data()
    data["nodes"][2]["config"] = {"timeout_s": 10}
    data["nodes"].append({"id": "db", "type": "dynamodb", "label": "Orders table", "position": {"x": 600, "y": 0}})
    data["edges"].append({"id": "e3", "from": "fn", "to": "db", "kind": "write"})
    return data


def share(d: Diagram, role: str, team_: Team | None = None, token: str | None = None) -> Share:
    return Share.objects.create(diagram=d, team=team_, token=token, role=role, created_by=d.owner)


def estimate_done(d: Diagram, number: int, cost: float) -> Estimate:
    version = d.versions.get(number=number)
    return Estimate.objects.create(
        version=version,
        profile_key=f"p{number}",
        profile={"entries": {}},
        status=Estimate.Status.DONE,
        progress=100,
        result={
            "format": "archlab/estimate@1",
            "monthly_cost_usd": cost,
            "lines": [
                {
                    "node": "fn",
                    "dimension": "requests",
                    "quantity": 1,
                    "unit": "req",
                    "unit_price_usd": 0.1,
                    "cost_usd": cost,
                    "source": "test",
                }
            ],
        },
    )
