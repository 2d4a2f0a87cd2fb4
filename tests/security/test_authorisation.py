"""Authorisation over every address of the project.

``test_every_address_is_checked`` walks the whole URL resolver: each pattern must be in the designer/reviews/
accounts matrix (tests/reviews/test_permissions.py), in the matrix below (the API, the quiz, workshops), among the
admin's (staff only, checked below) or in ``PUBLIC`` with the reason it needs no check. A new address without an
entry fails it. The matrix is run for the same visitors: the diagram's owner and people with each role on it, a
team member without a share, an outsider, an anonymous visitor and secret-link holders. Nobody gets a 5xx; a
visitor without a role gets 404 (nothing leaks), one whose role is too weak 403, an anonymous one the sign-in page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from quiz.models import Attempt, Bank, Question
from quiz.services import Learner, attempt_create, content_load
from tests.reviews.conftest import COMMENT_TEXT, DIAGRAM_NAME, World, build_world
from tests.reviews.factories import SYNC
from tests.reviews.test_permissions import ACTORS, SIGNED_IN, Call, expected
from tests.reviews.test_permissions import MATRIX as REVIEWS_MATRIX
from tests.security.urls import endpoints

pytestmark = pytest.mark.django_db

OK = (200, 201, 202, 204, 302, 503)
ENDPOINTS = endpoints()  # 503: no graphviz or no broker, said plainly


@dataclass(frozen=True)
class Check:
    method: str
    want: Callable[[str], str]  # actor -> "ok", "ok-or-400", "403", "404", "login"
    data: Any = None
    query: str = ""


def diagram(need: str) -> Callable[[str], str]:
    return lambda actor: expected(Call("GET", "diagram", need), actor)


def public(actor: str) -> str:
    return "ok"


def refusing(actor: str) -> str:
    return "ok-or-400"


def signed_in(actor: str) -> str:
    return "ok" if actor in SIGNED_IN else "login"


def signed_in_refusing(actor: str) -> str:
    """As ``signed_in``, for a form the signed-in visitor may fill in wrongly (400)."""
    return "ok-or-400" if actor in SIGNED_IN else "login"


def owner_only(actor: str) -> str:
    """The learner's own attempt, or the instructor's own workshop: everybody else is told it does not exist."""
    return "ok" if actor == "owner" else "404"


def instructor(actor: str) -> str:
    return "ok" if actor == "owner" else ("404" if actor in SIGNED_IN else "login")


def instructor_refusing(actor: str) -> str:
    """As ``instructor``, for a step the instructor may be refused (400, 409) as asked."""
    return "ok-or-409" if actor == "owner" else ("404" if actor in SIGNED_IN else "login")


def instructor_maybe_absent(actor: str) -> str:
    """As ``instructor``, for a picture or gallery the instructor may find absent (404) too."""
    return "ok-or-404" if actor == "owner" else ("404" if actor in SIGNED_IN else "login")


def participant(actor: str) -> str:
    return "ok-or-409" if actor == "commenter" else "404"


SAVE = {"data": SYNC, "base_version": 2}

MATRIX: dict[str, list[Check]] = {
    # the designer API: the same roles as the pages
    "api-diagrams": [Check("GET", public), Check("POST", public, {"data": SYNC})],
    "api-diagram": [
        Check("GET", diagram("viewer")),
        Check("PUT", diagram("editor"), SAVE),
        Check("DELETE", diagram("owner")),
    ],
    "api-versions": [Check("GET", diagram("viewer"))],
    "api-version": [Check("GET", diagram("viewer"))],
    "api-estimate-start": [Check("POST", diagram("viewer"), {})],
    "api-estimate": [Check("GET", diagram("viewer"))],
    "api-export": [Check("GET", diagram("viewer"), query="?to=json")],
    "api-validate": [Check("POST", public, {"data": SYNC})],
    "api-import": [Check("POST", refusing, {"template": "Resources: {}"})],
    "api-catalog": [Check("GET", public)],
    # the quiz: every learner has their own progress; an attempt is its learner's only
    "quiz:home": [Check("GET", public)],
    "quiz:question": [Check("GET", public), Check("POST", refusing, {"part-max-timeout": "900"})],
    "quiz:attempt": [Check("GET", owner_only)],
    "quiz:progress": [Check("GET", public)],
    "quiz:review": [Check("GET", public)],
    "quiz-api-questions": [Check("GET", public)],
    "quiz-api-question": [Check("GET", public)],
    "quiz-api-grade": [Check("POST", refusing, {"responses": {"max-timeout": 900}})],
    # workshops: the instructor (the owner here) runs one; the commenter takes part in it
    "workshops:home": [Check("GET", signed_in)],
    "workshops:new": [Check("GET", signed_in), Check("POST", signed_in_refusing, {"title": ""})],
    "workshops:join": [Check("GET", public)],
    "workshops:join-code": [Check("GET", public)],
    "workshops:play": [Check("GET", public)],  # a participant's screen, anybody else a redirect to join
    "workshops:play-state": [Check("GET", participant)],
    "workshops:play-answer": [Check("POST", participant, {"item": "0"})],
    "workshops:control": [Check("GET", instructor)],
    "workshops:control-live": [Check("GET", instructor)],
    "workshops:present": [Check("GET", instructor)],
    "workshops:present-live": [Check("GET", instructor)],
    "workshops:qr": [Check("GET", instructor_maybe_absent)],  # 404 without the optional segno package
    "workshops:step": [Check("POST", instructor_refusing, {"version": "0"})],
    "workshops:remove": [Check("POST", instructor)],
    "workshops:gallery": [Check("GET", instructor_maybe_absent)],
    "workshops:design-svg": [Check("GET", instructor_maybe_absent)],
    "workshops:results": [Check("GET", instructor)],
    "workshops:results-csv": [Check("GET", instructor)],
    "workshops:answers-csv": [Check("GET", instructor)],
}

# Addresses that need no check, and why.
PUBLIC = {
    "favicon": "a redirect to the site's icon among the static files",
    "api-schema": "the OpenAPI description of the API: public documentation, no data",
    "api-docs": "the Swagger page over that description: public documentation, no data",
    "<api/quiz/^.*$>": "the quiz API's catch-all: a JSON 404 for any other address under /api/quiz/",
}


def test_every_address_is_checked():
    checked = set(REVIEWS_MATRIX) | set(MATRIX) | set(PUBLIC)
    names = {e.name for e in ENDPOINTS if not e.route.startswith("admin/")}
    assert sorted(names - checked) == [], "add these addresses to an authorisation matrix (or to PUBLIC, with why)"
    assert sorted((set(MATRIX) | set(PUBLIC)) - names) == [], "these addresses no longer exist"


ADMIN = [e for e in ENDPOINTS if e.route.startswith("admin/") and e.name not in ("admin:login", "admin:logout")]


@pytest.mark.parametrize("endpoint", ADMIN, ids=lambda e: e.name)
def test_the_admin_is_for_staff_only(endpoint):
    from django.contrib.auth import get_user_model

    member = Client()
    member.force_login(get_user_model().objects.create_user("not-staff"))
    for client in (Client(), member):
        response = client.get(endpoint.sample)
        assert response.status_code == 302, endpoint.sample
        assert response["Location"].startswith("/admin/login/"), response["Location"]


# ---- the matrix ---------------------------------------------------------------------------------------------------


@dataclass
class Site:
    world: World
    values: dict[str, Any]


@pytest.fixture
def site(db) -> Site:
    from workshops import services as workshops

    world = build_world()
    content_load()
    owner, commenter = world.people["owner"], world.people["commenter"]
    attempt = attempt_create(
        question=Question.objects.get(qid="ws-01"), responses={"max-timeout": 900}, learner=Learner(user_id=owner.pk)
    )
    bank = Bank.objects.get(slug="workshop")
    workshop = workshops.workshop_create(
        instructor=owner, bank=bank, questions=[Question.objects.get(qid="ws-17"), Question.objects.get(qid="ws-02")]
    )
    someone, token = workshops.participant_join(workshop=workshop, nickname="Commenter", user=commenter)
    world.clients["commenter"].cookies[f"archlab_ws_{workshop.code}"] = token
    item = workshop.items.order_by("position").first()
    values = {
        "pk": world.diagram.pk,
        "number": 1,
        "estimate_id": world.estimate.pk,
        "qid": "ws-01",
        "code": workshop.code,
        "action": "open",
        "participant_id": someone.pk,
        "item_id": item.pk,
        "answer_id": 1,
        "part": "design",
        "workshop": workshop,
    }
    values["attempt"] = attempt.pk
    return Site(world, values)


def _url(name: str, site: Site) -> str:
    """The address with exactly the arguments its pattern takes."""
    endpoint = next(e for e in ENDPOINTS if e.name == name)
    values = dict(site.values)
    if name.startswith("workshops:") and "<int:pk>" in endpoint.route:
        values["pk"] = site.values["workshop"].pk
    if name == "quiz:attempt":
        values["pk"] = site.values["attempt"]
    params = re.findall(r"<(?:\w+:)?(\w+)>", endpoint.route)
    return reverse(name, kwargs={p: values[p] for p in params})


def _problem(site: Site, name: str, check: Check, actor: str) -> str | None:
    client = site.world.clients[actor]
    url = _url(name, site) + check.query
    if check.method == "GET":
        response = client.get(url)
    elif url.startswith("/api/"):
        body = json.dumps(check.data or {})
        response = getattr(client, check.method.lower())(url, body, content_type="application/json")
    else:
        response = client.post(url, check.data or {})
    status, want = response.status_code, check.want(actor)
    if status >= 500 and status != 503:
        return f"{actor}: {status}"
    allowed = {
        "ok": OK,
        "ok-or-400": (*OK, 400),
        "ok-or-404": (*OK, 404),
        "ok-or-409": (*OK, 400, 409),
    }
    if want in allowed and status not in allowed[want]:
        return f"{actor}: {status}, expected it to be allowed"
    if want == "login" and (status != 302 or "/accounts/login/" not in response["Location"]):
        return f"{actor}: {status}, expected a redirect to sign in"
    if want in ("403", "404") and str(status) != want:
        return f"{actor}: {status}, expected {want}"
    if want in ("403", "404", "login"):
        body = response.content.decode(errors="replace")
        if DIAGRAM_NAME in body or COMMENT_TEXT in body:
            return f"{actor}: the refused answer shows the diagram's name or a comment"
    return None


CASES = [
    pytest.param(name, i, id=f"{name}-{c.method}") for name, checks in MATRIX.items() for i, c in enumerate(checks)
]


@pytest.mark.parametrize(("name", "index"), CASES)
def test_authorisation_matrix(site, name, index):
    check = MATRIX[name][index]
    problems = []
    for actor in ACTORS:
        with transaction.atomic():
            problems.append(_problem(site, name, check, actor))
            transaction.set_rollback(True)
    assert [p for p in problems if p] == [], f"{name} {check.method}"


def test_an_attempt_is_not_found_for_anyone_but_its_learner(site):
    assert Attempt.objects.filter(pk=site.values["attempt"]).exists()
    other = site.world.clients["outsider"]
    response = other.get(_url("quiz:attempt", site))
    assert response.status_code == 404
