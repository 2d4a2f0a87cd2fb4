"""Every kind of page runs under the Content-Security-Policy in Chromium without one refused script, style or
picture: a violation means a feature silently stopped working (an inline style or script the policy blocks)."""

import os
import threading
from pathlib import Path

import pytest

from quiz.services import content_load
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.reviews.factories import SYNC

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "csp-check-passphrase-7"


@pytest.fixture
def site(live_server):
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Team
    from designer import services
    from designer.models import Share
    from reviews import services as reviews

    content_load()
    people = get_user_model().objects
    owner = people.create_user("olga", password=PASSWORD, is_staff=True, is_superuser=True)
    reviewer = people.create_user("alice", password=PASSWORD)
    team = Team.objects.create(name="Reviewers")
    Membership.objects.create(team=team, user=owner, role="owner")
    Membership.objects.create(team=team, user=reviewer)
    diagram = services.diagram_create(data=SYNC, user=owner, session_key="").diagram
    Share.objects.create(diagram=diagram, team=team, role="commenter", created_by=owner)
    changed = {**SYNC, "name": "Orders v2", "nodes": [*SYNC["nodes"][:2]], "edges": SYNC["edges"][:1]}
    services.diagram_save_version(diagram=diagram, data=changed, base_version=1, user=owner)
    review = reviews.review_request(diagram=diagram, version_number=2, requested_by=owner, reviewer_ids=[reviewer.pk])
    return {"diagram": diagram, "team": team, "review": review}


def _pages(site) -> list[str]:
    d, team, review = site["diagram"].pk, site["team"].pk, site["review"].pk
    return [
        "/",
        "/designer/",
        "/designer/new/",
        f"/designer/{d}/",
        f"/designer/{d}/history",
        f"/designer/{d}/sharing/",
        f"/designer/{d}/comments/",
        f"/designer/{d}/diff/?a=1&b=2",
        f"/designer/{d}/reviews/",
        f"/designer/{d}/reviews/{review}/",
        f"/designer/{d}/reviews/{review}/report/",
        "/patterns/",
        "/patterns/fan-out/",
        "/quiz/",
        "/quiz/q/ws-01/",
        "/quiz/q/ws-17/",
        "/quiz/progress/",
        "/quiz/review/",
        "/reviews/",
        "/accounts/teams/",
        f"/accounts/teams/{team}/",
        "/workshops/",
        "/workshops/new/",
        "/workshops/join/",
        "/api/docs/",
        "/admin/",
        "/admin/designer/diagram/",
    ]


def _browse(base_url: str, urls: list[str], editor: str, found: dict) -> None:
    """In a thread of its own: Playwright's sync API refuses to start where another instance (the browser tests'
    session-wide one) already runs its loop."""
    from playwright.sync_api import sync_playwright

    violations: list[str] = found.setdefault("violations", [])
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            page = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(15_000)
            page.on(
                "console",
                lambda m: violations.append(f"{page.url}: {m.text}") if "Content Security" in m.text else None,
            )
            page.goto("/accounts/login/")
            page.fill("#id_username", "olga")
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            found["header"] = page.goto("/").headers.get("content-security-policy", "")
            for url in urls:
                response = page.goto(url)
                found.setdefault("statuses", {})[url] = response.status if response else 0
                page.wait_for_load_state("networkidle")
                if url == editor:
                    page.wait_for_selector("#editor[data-ready='true']")
                if url == "/api/docs/":
                    page.wait_for_selector(".swagger-ui .info")
            browser.close()
    except Exception as exc:  # noqa: BLE001 - handed to the test, which fails with it
        found["error"] = exc


def test_no_page_breaks_the_content_security_policy(live_server, site, settings):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); browser tests skipped")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # the live server speaks plain http
    found: dict = {}
    editor = f"/designer/{site['diagram'].pk}/"
    worker = threading.Thread(target=_browse, args=(live_server.url, _pages(site), editor, found))
    worker.start()
    worker.join(timeout=300)
    if "error" in found:
        raise found["error"]
    assert "script-src 'self'" in found["header"]
    assert "unsafe" not in found["header"]
    assert {url: s for url, s in found["statuses"].items() if not 200 <= s < 400} == {}
    assert found["violations"] == []
