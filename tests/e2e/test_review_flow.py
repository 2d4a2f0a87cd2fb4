"""A design review in Chromium: the author comments on a node and asks for a review; the reviewer works through
the checklist and approves; the author sees the approval on the diagram."""

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, Team
from designer import services
from designer.models import Share
from tests.reviews.factories import SYNC

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "review-flow-passphrase-7"


@pytest.fixture
def setup():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    olga = users.create_user("olga", password=PASSWORD)
    alice = users.create_user("alice", password=PASSWORD)
    team = Team.objects.create(name="Platform reviewers")
    Membership.objects.create(team=team, user=olga, role="owner")
    Membership.objects.create(team=team, user=alice)
    diagram = services.diagram_create(data=SYNC, user=olga, session_key="").diagram
    Share.objects.create(diagram=diagram, team=team, role="commenter", created_by=olga)
    return diagram


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def open_editor(page, diagram):
    page.goto(f"/designer/{diagram.pk}/")
    page.wait_for_selector("#editor[data-ready='true']")
    page.wait_for_selector("#comments .cm")


def test_comment_on_a_node_request_a_review_and_approve_it(browser, live_server, setup, artifacts):
    diagram = setup
    dialogs = []
    author_ctx = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    author = author_ctx.new_page()
    author.set_default_timeout(10_000)
    author.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # The author selects a service and comments on it; the canvas gets a marker with the count.
    sign_in(author, "olga")
    open_editor(author, diagram)
    author.locator("#node-list li", has_text="Orders API").click()
    expect(author.locator("#comments .cm-scope")).to_contain_text("On the service Orders API")
    author.fill("#cm-body", "<script>alert('x')</script> Why a REST API and not an HTTP API?")
    author.get_by_role("button", name="Comment", exact=True).click()
    expect(author.locator("#comments .cm-thread")).to_contain_text("Why a REST API and not an HTTP API?")
    expect(author.locator("#comments .cm-thread")).to_contain_text("<script>alert('x')</script>")
    marker = author.locator(".cm-marker[data-id='api']")
    expect(marker).to_have_text("1")
    # Markers follow the canvas when it zooms.
    before = marker.bounding_box()
    author.evaluate("() => { archlab.cy.zoom({level: archlab.cy.zoom() * 1.5, renderedPosition: {x: 50, y: 50}}); }")
    author.wait_for_function(
        f"Math.abs(document.querySelector(\".cm-marker[data-id='api']\").getBoundingClientRect().x - {before['x']}) > 5"
    )

    # The author asks the team's reviewer for a review of the current version.
    author.goto(f"/designer/{diagram.pk}/reviews/new")
    author.get_by_label("alice").check()
    author.fill("#id_note", "Mostly the timeouts.")
    author.get_by_role("button", name="Request review").click()
    author.wait_for_url("**/reviews/*/")
    review_url = author.url

    # The reviewer decides every finding, answers a question and approves.
    reviewer_ctx = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    reviewer = reviewer_ctx.new_page()
    reviewer.set_default_timeout(10_000)
    reviewer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(reviewer, "alice")
    reviewer.goto(review_url)
    expect(reviewer.locator("#review-summary")).to_contain_text("still need")
    findings = reviewer.locator("#findings-h + p + .ck-list > .ck-item")
    count = findings.count()
    assert count >= 1
    for i in range(count):
        item = findings.nth(i)
        item_id = item.get_attribute("id")
        item.get_by_label("Accept").check()
        item.get_by_role("button", name="Save").click()
        expect(reviewer.locator(f"#{item_id} .ck-state")).to_contain_text("Accepted")
    expect(reviewer.locator("#review-summary")).to_contain_text("Every finding has a decision")
    question = reviewer.locator(".ck-item", has_text="deployed from code")
    question.get_by_label("Addressed").check()
    question.locator("input[name=reason]").fill("SAM pipeline per stage")
    question.get_by_role("button", name="Save").click()
    expect(reviewer.locator(".ck-item", has_text="deployed from code").locator(".ck-reason")).to_contain_text(
        "SAM pipeline per stage"
    )
    reviewer.fill("#decision-note", "Looks good; keep the 10 s timeout.")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator(".rv-head-status")).to_contain_text("Approved")
    reviewer.screenshot(path=str(artifacts / "review-approved.png"), full_page=True)

    # The author sees the decision and who made it on the diagram.
    open_editor(author, diagram)
    expect(author.locator("#review-status")).to_contain_text("Approved")
    expect(author.locator("#review-status")).to_contain_text("by alice")
    author.locator("#review-status").scroll_into_view_if_needed()
    author.screenshot(path=str(artifacts / "review-editor-panel.png"))
    assert dialogs == []  # the <script> in the comment never ran
    author_ctx.close()
    reviewer_ctx.close()
