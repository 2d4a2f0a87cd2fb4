"""The permission matrix: every designer, review and account endpoint, for every kind of visitor.

The endpoints are read from the URL resolver, so a new URL without an entry here fails
``test_every_endpoint_has_an_entry``. A visitor without a role on the diagram gets 404 (nothing leaks that the
diagram exists), one whose role is too weak gets 403, and nobody gets a server error. Refused answers never carry
the diagram's name or a comment's text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import TeamInvite
from designer.services import ROLE_RANK
from tests.reviews.conftest import COMMENT_TEXT, DIAGRAM_NAME, World, team_membership
from tests.reviews.factories import SYNC

pytestmark = pytest.mark.django_db

CHECKED_NAMESPACES = ("designer", "reviews", "accounts")
ACTORS = ("owner", "editor", "commenter", "viewer", "member", "outsider", "anonymous", "link", "revoked")
# The role each visitor has on the diagram: a team share, a secret link (commenter), or nothing.
DIAGRAM_ROLE = {
    "owner": "owner",
    "editor": "editor",
    "commenter": "commenter",
    "viewer": "viewer",
    "link": "commenter",
}
# The role each visitor has in the team the checks use (the commenter's team, owned by the diagram's owner).
TEAM_ROLE = {"owner": "owner", "commenter": "member"}
SIGNED_IN = {"owner", "editor", "commenter", "viewer", "member", "outsider"}
# What an allowed visitor may get: a page, a redirect, something created, or a plain "cannot draw it now" (503:
# no graphviz or no broker). Calls that refuse bad input from an allowed visitor list 400 too.
ALLOWED = (200, 201, 302, 503)


@dataclass(frozen=True)
class Call:
    method: str
    scope: str  # diagram | team | login | public | token
    need: str = ""  # the weakest diagram role (or team role) allowed
    only: tuple[str, ...] = ()  # for person-bound actions: the visitors allowed among those with the role
    data: Any = None
    json: bool = False
    refuses: bool = False  # an allowed visitor may still get a 400 (the request is refused as asked)


def D(method: str, need: str, only: tuple[str, ...] = (), data: Any = None, json_body: bool = False) -> Call:
    return Call(method, "diagram", need, only, data, json_body)


def T(method: str, need: str, data: Any = None, refuses: bool = False) -> Call:
    return Call(method, "team", need, (), data, refuses=refuses)


def P(method: str, data: Any = None, refuses: bool = False) -> Call:
    return Call(method, "public", data=data, refuses=refuses)


def L(method: str, data: Any = None) -> Call:
    return Call(method, "login", data=data)


MATRIX: dict[str, list[Call]] = {
    # designer
    "designer:home": [P("GET")],
    "designer:healthz": [P("GET")],
    "designer:diagram-list": [P("GET"), P("POST", refuses=True)],  # no file: 400
    "designer:diagram-new": [P("GET"), P("POST", {"name": "Mine"})],
    "designer:shared-link": [Call("GET", "token")],
    "designer:editor": [D("GET", "viewer")],
    "designer:save": [D("POST", "editor", data={"data": SYNC, "base_version": 2}, json_body=True)],
    "designer:copy": [D("POST", "viewer", data=SYNC, json_body=True)],
    "designer:delete": [D("POST", "owner")],
    "designer:history": [D("GET", "viewer")],
    "designer:version": [D("GET", "viewer")],
    "designer:restore": [D("POST", "editor")],
    "designer:version-image": [D("GET", "viewer")],
    "designer:export": [D("GET", "viewer")],
    "designer:estimate-start": [D("POST", "viewer")],
    "designer:estimate": [D("GET", "viewer")],
    "designer:estimate-compute": [D("POST", "viewer")],
    "designer:estimate-csv": [D("GET", "viewer")],
    "designer:pattern-list": [P("GET")],
    "designer:pattern-detail": [P("GET")],
    "designer:starter-image": [P("GET")],
    # reviews
    "reviews:mine": [L("GET")],
    "reviews:sharing": [D("GET", "owner")],
    "reviews:share-team": [D("POST", "owner", data={"team": "{team}", "role": "viewer"})],
    "reviews:share-link": [D("POST", "owner", data={"role": "viewer"})],
    "reviews:share-revoke": [D("POST", "owner")],
    "reviews:comments": [D("GET", "viewer"), D("POST", "commenter", data={"body": "Looks fine", "element": "api"})],
    "reviews:comment-counts": [D("GET", "viewer")],
    "reviews:comment-resolve": [D("POST", "commenter")],
    "reviews:comment-reopen": [D("POST", "commenter")],
    "reviews:comment-delete": [D("POST", "commenter", only=("owner",))],
    "reviews:diff": [D("GET", "viewer")],
    "reviews:diff-json": [D("GET", "viewer")],
    "reviews:list": [D("GET", "viewer")],
    "reviews:panel": [D("GET", "viewer")],
    "reviews:new": [
        D("GET", "editor"),
        D("POST", "editor", data={"version": 2, "reviewers": ["{commenter}"], "note": "please"}),
    ],
    "reviews:review": [D("GET", "viewer")],
    "reviews:item": [D("POST", "commenter", only=("owner", "commenter"), data={"status": "accepted"})],
    "reviews:decide": [
        D("POST", "commenter", only=("commenter",), data={"decision": "changes_requested", "note": "add a DLQ"})
    ],
    "reviews:withdraw": [D("POST", "editor", only=("owner",))],
    "reviews:report-md": [D("GET", "viewer")],
    "reviews:report": [D("GET", "viewer")],
    # accounts
    "accounts:signup": [P("GET")],
    "accounts:login": [P("GET")],
    "accounts:logout": [P("POST")],
    "accounts:password-reset": [P("GET"), P("POST", {"email": "nobody@example.com"})],
    "accounts:password-reset-done": [P("GET")],
    "accounts:password-reset-confirm": [P("GET")],
    "accounts:password-reset-complete": [P("GET")],
    "accounts:teams": [L("GET"), L("POST", {"name": "New team"})],
    "accounts:team-join": [P("GET"), P("POST")],
    "accounts:team": [T("GET", "member")],
    "accounts:team-invite": [T("POST", "owner")],
    "accounts:team-invite-revoke": [T("POST", "owner")],
    "accounts:team-leave": [T("POST", "member", refuses=True)],  # the only owner may not leave: 400
    "accounts:team-delete": [T("POST", "owner")],
    "accounts:team-member-remove": [T("POST", "owner")],
    "accounts:team-member-role": [T("POST", "owner", {"role": "owner"})],
}


def _walk(patterns, prefix: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names += _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.append(prefix + p.name)
    return names


def endpoint_names() -> list[str]:
    return sorted({n for n in _walk(get_resolver().url_patterns) if n.split(":")[0] in CHECKED_NAMESPACES})


def test_every_endpoint_has_an_entry():
    names = endpoint_names()
    assert len(names) > 40
    assert sorted(set(names) - set(MATRIX)) == [], "add these endpoints to the permission matrix"
    assert sorted(set(MATRIX) - set(names)) == [], "these endpoints no longer exist"


def test_the_matrix_uses_the_designer_roles():
    assert set(DIAGRAM_ROLE.values()) <= set(ROLE_RANK)


def _kwargs(name: str, world: World) -> dict[str, Any]:
    values = {
        "pk": world.diagram.pk,
        "number": 1,
        "estimate_id": world.estimate.pk,
        "fmt": "json",
        "token": world.link.token,
        "pattern_id": "sync",
        "share_id": world.link.pk,
        "comment_id": world.comment.pk,
        "review_id": world.review.pk,
        "item_id": world.item.pk,
        "invite_id": world.extra["invite"].pk,
        "member_id": team_membership(world, "commenter").pk,
        "uidb64": "MQ",
    }
    if name.startswith("accounts:team") and name != "accounts:teams":
        values["pk"] = world.team.pk
    if name == "accounts:team-join":
        values["token"] = world.extra["invite"].token
    if name == "accounts:password-reset-confirm":
        values["token"] = "not-a-token"
    return values


def _url(name: str, world: World) -> str:
    """The endpoint's URL with exactly the arguments its pattern takes."""
    app, _, short = name.partition(":")
    sub = get_resolver().namespace_dict[app][1]
    values = _kwargs(name, world)
    (possibility, *_rest) = sub.reverse_dict.getlist(short)[0]
    params = possibility[0][1]
    return reverse(name, kwargs={k: values[k] for k in params})


def _data(call: Call, world: World) -> Any:
    if call.data is None:
        return {}
    people = world.people

    def fill(value: Any) -> Any:
        if value == "{team}":
            return world.team.pk
        if value == "{commenter}":
            return people["commenter"].pk
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    if call.json:
        return call.data
    return {k: fill(v) for k, v in call.data.items()}


def expected(call: Call, actor: str) -> str:
    """'ok', 403, 404 or 'login' for this visitor."""
    if call.scope == "diagram":
        role = DIAGRAM_ROLE.get(actor)
        if role is None:
            return "404"
        if ROLE_RANK[role] < ROLE_RANK[call.need] or (call.only and actor not in call.only):
            return "403"
        return "ok"
    if call.scope == "team":
        if actor not in SIGNED_IN:
            return "login"
        role = TEAM_ROLE.get(actor)
        if role is None:
            return "404"
        return "403" if call.need == "owner" and role != "owner" else "ok"
    if call.scope == "login":
        return "ok" if actor in SIGNED_IN else "login"
    return "ok"  # public, and secret links (checked on their own below)


CASES = [
    pytest.param(name, i, id=f"{name}-{call.method}") for name, calls in MATRIX.items() for i, call in enumerate(calls)
]


def _request(world: World, name: str, call: Call, actor: str):
    client = world.clients[actor]
    url = _url(name, world)
    if call.method == "GET":
        return client.get(url)
    if call.json:
        return client.post(url, json.dumps(_data(call, world)), content_type="application/json")
    return client.post(url, _data(call, world))


def _problem(world: World, name: str, call: Call, actor: str) -> str | None:
    """What is wrong with this visitor's answer, or None."""
    response = _request(world, name, call, actor)
    status, want = response.status_code, expected(call, actor)
    if status >= 500 and status != 503:  # 503: no graphviz or no broker, said plainly
        return f"{actor}: {status}"
    if want == "ok" and status not in ALLOWED and not (call.refuses and status == 400):
        return f"{actor}: {status}, expected it to be allowed"
    if want == "login" and (status != 302 or "/accounts/login/" not in response["Location"]):
        return f"{actor}: {status}, expected a redirect to sign in"
    if want in ("403", "404") and str(status) != want:
        return f"{actor}: {status}, expected {want}"
    if want != "ok":
        body = response.content.decode(errors="replace")
        if DIAGRAM_NAME in body or COMMENT_TEXT in body:
            return f"{actor}: the refused answer shows the diagram's name or a comment"
    return None


@pytest.mark.parametrize(("name", "index"), CASES)
def test_permission_matrix(world, name, index):
    """Each visitor in turn; what one visitor changes is rolled back before the next one asks."""
    call = MATRIX[name][index]
    world.extra["invite"] = TeamInvite.objects.create(
        team=world.team, token="team-invite-token", created_by=world.people["owner"], expires_at=_later()
    )
    problems = []
    for actor in ACTORS:
        with transaction.atomic():
            problems.append(_problem(world, name, call, actor))
            transaction.set_rollback(True)
    assert [p for p in problems if p] == [], f"{name} {call.method}"


def _later():
    return timezone.now() + timedelta(days=1)


@pytest.mark.parametrize("actor", ACTORS)
def test_a_live_secret_link_opens_for_anyone_and_a_revoked_one_for_nobody(world, actor):
    client = world.clients[actor]
    assert client.get(f"/designer/s/{world.link.token}/").status_code == 302
    world.link.revoked_at = timezone.now()
    world.link.save()
    assert client.get(f"/designer/s/{world.link.token}/").status_code == 404
