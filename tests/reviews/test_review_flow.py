"""Review requests end to end: request, checklist from the findings and the pillar questions, decisions, reports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.checklist import review_pillars
from reviews.models import ChecklistItem, Review, Reviewer
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    owner, alice, bob, carol = (f.user(n) for n in ("owner", "alice", "bob", "carol"))
    reviewers = f.team("Reviewers", alice, bob, owner=owner)
    watchers = f.team("Watchers", carol, owner=owner)
    return {"owner": owner, "alice": alice, "bob": bob, "carol": carol, "reviewers": reviewers, "watchers": watchers}


@pytest.fixture
def diagram(people):
    d = f.diagram(people["owner"])
    f.share(d, "commenter", team_=people["reviewers"])
    f.share(d, "viewer", team_=people["watchers"])
    return d


def request_review(diagram, people, *names, number=1):
    diagram.refresh_from_db()
    return services.review_request(
        diagram=diagram,
        version_number=number,
        requested_by=people["owner"],
        reviewer_ids=[people[n].pk for n in names],
        note="Is the timeout right?",
    )


def test_candidates_are_members_of_teams_that_may_comment(diagram, people):
    names = [u.username for u in services.review_candidates(diagram=diagram, requester=people["owner"])]
    assert names == ["alice", "bob"]  # carol's team may only view; the owner is the one asking


def test_someone_who_cannot_comment_cannot_be_asked(diagram, people):
    with pytest.raises(services.ReviewError):
        request_review(diagram, people, "carol")


def test_the_checklist_is_the_versions_findings_then_the_pillar_questions(diagram, people):
    review = request_review(diagram, people, "alice")
    findings = list(review.items.filter(kind="finding"))
    questions = list(review.items.filter(kind="question"))
    assert [i.title for i in findings] == [f["message"] for f in diagram.versions.get(number=1).report["findings"]]
    assert any("timeout" in i.title.lower() or "waits" in i.title for i in findings)
    assert len(questions) == sum(len(p.questions) for p in review_pillars())
    assert {q.pillar for q in questions} == {p.id for p in review_pillars()}
    assert all(i.status == "open" for i in findings + questions)


def test_approval_needs_every_finding_decided_and_a_waiver_needs_a_reason(diagram, people):
    review = request_review(diagram, people, "alice")
    alice = people["alice"]
    with pytest.raises(services.ReviewError, match="still need a decision"):
        services.review_decide(review=review, user=alice, decision="approved", note="")
    finding = review.items.filter(kind="finding").first()
    with pytest.raises(services.ReviewError, match="why"):
        services.review_item_set(
            review=review, item_id=finding.pk, status="waived", reason=" ", user=alice, role="commenter"
        )
    for item in review.items.filter(kind="finding"):
        services.review_item_set(
            review=review,
            item_id=item.pk,
            status="waived",
            reason="Batch job, not user facing",
            user=alice,
            role="commenter",
        )
    review = services.review_decide(review=review, user=alice, decision="approved", note="Good to go")
    assert review.status == Review.Status.APPROVED
    assert review.decided_by == alice


def test_a_finding_status_is_checked_against_its_kind(diagram, people):
    review = request_review(diagram, people, "alice")
    question = review.items.filter(kind="question").first()
    with pytest.raises(services.ReviewError):
        services.review_item_set(
            review=review, item_id=question.pk, status="waived", reason="x", user=people["alice"], role="commenter"
        )


def test_changes_requested_by_any_reviewer_wins_and_needs_a_note(diagram, people):
    review = request_review(diagram, people, "alice", "bob")
    for item in review.items.filter(kind="finding"):
        services.review_item_set(
            review=review, item_id=item.pk, status="accepted", reason="", user=people["owner"], role="owner"
        )
    with pytest.raises(services.ReviewError, match="changes"):
        services.review_decide(review=review, user=people["bob"], decision="changes_requested", note="")
    review = services.review_decide(review=review, user=people["alice"], decision="approved", note="")
    assert review.status == Review.Status.OPEN  # bob has not decided
    review = services.review_decide(review=review, user=people["bob"], decision="changes_requested", note="Add a DLQ")
    assert (review.status, review.decided_by) == (Review.Status.CHANGES_REQUESTED, people["bob"])
    review = services.review_decide(review=review, user=people["bob"], decision="approved", note="Fixed in v2")
    assert (review.status, review.decided_by) == (Review.Status.APPROVED, people["bob"])
    with pytest.raises(services.ReviewError, match="approved"):
        services.review_decide(review=review, user=people["alice"], decision="changes_requested", note="late")


def test_only_reviewers_decide_and_only_participants_fill_the_checklist(diagram, people):
    review = request_review(diagram, people, "alice")
    item = review.items.first()
    with pytest.raises(services.NotAllowed):
        services.review_decide(review=review, user=people["bob"], decision="approved", note="")
    with pytest.raises(services.NotAllowed):
        services.review_item_set(
            review=review, item_id=item.pk, status="accepted", reason="", user=people["bob"], role="commenter"
        )


def test_withdrawing_closes_the_review(diagram, people):
    review = request_review(diagram, people, "alice")
    with pytest.raises(services.NotAllowed):
        services.review_withdraw(review=review, user=people["alice"], role="commenter")
    review = services.review_withdraw(review=review, user=people["owner"], role="owner")
    assert review.status == Review.Status.WITHDRAWN
    with pytest.raises(services.ReviewError):
        services.review_decide(review=review, user=people["alice"], decision="approved", note="")


def test_the_whole_flow_through_the_pages(client, diagram, people):
    owner, alice = people["owner"], people["alice"]
    client.force_login(owner)
    f.save(diagram, f.fixed_data(), author=owner)
    f.estimate_done(diagram, 1, 41.0)
    new = client.get(f"/designer/{diagram.pk}/reviews/new")
    assert "alice" in new.content.decode()
    response = client.post(
        f"/designer/{diagram.pk}/reviews/new", {"version": 1, "reviewers": [alice.pk], "note": "<b>timeouts</b>"}
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert response["Location"] == f"/designer/{diagram.pk}/reviews/{review.pk}/"

    reviewer = f.client_for(alice)
    page = reviewer.get(response["Location"]).content.decode()
    assert "Review of version 1" in page
    assert "&lt;b&gt;timeouts&lt;/b&gt;" in page
    assert "Not found in the latest version (v2)" in page  # the timeout finding is fixed in v2
    assert "Operational excellence" in page
    finding = review.items.filter(kind="finding").first()
    item_url = f"/designer/{diagram.pk}/reviews/{review.pk}/items/{finding.pk}"
    fragment = reviewer.post(item_url, {"status": "waived", "reason": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Say why the finding is waived." in fragment
    assert 'value="waived" checked' in fragment  # the refused choice stays chosen, to add the reason
    assert 'value="open" checked' not in fragment
    fragment = reviewer.post(
        item_url, {"status": "fixed", "reason": "done in v2"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-swap-oob="true"' in fragment
    assert "● Fixed" in fragment
    for item in review.items.filter(kind="finding", status="open"):
        reviewer.post(f"/designer/{diagram.pk}/reviews/{review.pk}/items/{item.pk}", {"status": "accepted"})
    decided = reviewer.post(
        f"/designer/{diagram.pk}/reviews/{review.pk}/decide", {"decision": "approved", "note": "Ship it"}
    )
    assert decided.status_code == 302
    review.refresh_from_db()
    assert review.status == "approved"

    panel = client.get(f"/designer/{diagram.pk}/reviews/panel").content.decode()
    assert "✓ Approved" in panel
    assert "by alice" in panel
    listing = client.get(f"/designer/{diagram.pk}/reviews/").content.decode()
    assert "✓ Approved" in listing
    mine = reviewer.get("/reviews/").content.decode()
    assert "Nothing is waiting for you." in mine

    markdown = client.get(f"/designer/{diagram.pk}/reviews/{review.pk}/report.md")
    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    assert "# Design review: Orders (version 1)" in text
    assert "Status: **Approved** by alice" in text
    assert "Estimated monthly cost: **$41.00**" in text
    assert "&lt;b&gt;timeouts&lt;/b&gt;" in text
    assert "alice: **Approved**" in text
    assert f"/designer/{diagram.pk}/versions/1/image.svg" in text
    printable = client.get(f"/designer/{diagram.pk}/reviews/{review.pk}/report/").content.decode()
    assert "Design review: Orders" in printable
    assert "data:image/svg+xml;base64," in printable or "the version&#x27;s image" in printable
    assert "$41.00" in printable


def test_a_reviewer_who_loses_access_no_longer_sees_the_review(client, diagram, people):
    from django.utils import timezone

    review = request_review(diagram, people, "alice")
    alice = f.client_for(people["alice"])
    assert alice.get(f"/designer/{diagram.pk}/reviews/{review.pk}/").status_code == 200
    diagram.shares.update(revoked_at=timezone.now())
    assert alice.get(f"/designer/{diagram.pk}/reviews/{review.pk}/").status_code == 404
    assert "Nothing is waiting for you." in alice.get("/reviews/").content.decode()


def test_waivers_and_user_text_are_inert_in_the_markdown(diagram, people):
    from reviews.presenters import review_markdown

    review = request_review(diagram, people, "alice")
    item = review.items.filter(kind="finding").first()
    services.review_item_set(
        review=review,
        item_id=item.pk,
        status="waived",
        reason="<script>x</script> [link](javascript:x) | pipe",
        user=people["alice"],
        role="commenter",
    )
    text = review_markdown(services.review_report(review=review), image_url="http://x/i.svg", review_url="http://x/r")
    assert "&lt;script&gt;x&lt;/script&gt;" in text
    assert "\\[link\\]" in text
    assert "\\| pipe" in text
    assert "## Waivers" in text


def test_the_review_list_takes_the_same_number_of_queries_for_many_reviews(client, diagram, people):
    client.force_login(people["owner"])
    request_review(diagram, people, "alice")
    url = f"/designer/{diagram.pk}/reviews/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        request_review(diagram, people, "alice", "bob")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_my_reviews_takes_the_same_number_of_queries_for_many_reviews(diagram, people):
    alice = f.client_for(people["alice"])
    request_review(diagram, people, "alice")
    alice.get("/reviews/")
    with CaptureQueriesContext(connection) as few:
        alice.get("/reviews/")
    for _ in range(5):
        request_review(diagram, people, "alice", "bob")
    with CaptureQueriesContext(connection) as many:
        alice.get("/reviews/")
    assert len(many) == len(few)


def test_reviewer_records_match_the_request(diagram, people):
    review = request_review(diagram, people, "alice", "bob")
    assert sorted(Reviewer.objects.filter(review=review).values_list("user__username", flat=True)) == ["alice", "bob"]
    assert ChecklistItem.objects.filter(review=review).count() == review.items.count()


def test_reviewers_are_emailed_when_asked_and_the_requester_when_they_decide(
    client, diagram, people, mailoutbox, django_capture_on_commit_callbacks
):
    people["alice"].email = "alice@example.com"
    people["alice"].save()
    people["owner"].email = "owner@example.com"
    people["owner"].save()
    client.force_login(people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/designer/{diagram.pk}/reviews/new", {"version": 1, "reviewers": [people["alice"].pk]})
    (asked,) = mailoutbox
    review = Review.objects.get()
    assert asked.to == ["alice@example.com"]
    assert f"http://testserver/designer/{diagram.pk}/reviews/{review.pk}/" in asked.body
    alice = f.client_for(people["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(
            f"/designer/{diagram.pk}/reviews/{review.pk}/decide",
            {"decision": "changes_requested", "note": "Add a DLQ"},
        )
    decided = mailoutbox[1]
    assert decided.to == ["owner@example.com"]
    assert decided.subject.startswith("alice requested changes to Orders")
    assert "Add a DLQ" in decided.body


def test_a_finding_is_fixed_only_once_a_later_version_no_longer_has_it(diagram, people):
    review = request_review(diagram, people, "alice")
    finding = review.items.filter(kind="finding").first()

    def mark_fixed():
        return services.review_item_set(
            review=review, item_id=finding.pk, status="fixed", reason="", user=people["alice"], role="commenter"
        )

    with pytest.raises(services.ReviewError, match="Version 1, the latest, still has this finding"):
        mark_fixed()
    f.save(diagram, f.fixed_data(), author=people["owner"])
    assert mark_fixed().status == "fixed"


def test_a_requester_who_leaves_the_team_no_longer_sees_the_request(diagram, people):
    from accounts.models import Membership

    diagram.refresh_from_db()
    review = services.review_request(
        diagram=diagram,
        version_number=1,
        requested_by=people["bob"],
        reviewer_ids=[people["alice"].pk],
        note="Is the timeout right?",
    )
    bob = f.client_for(people["bob"])
    assert diagram.name in bob.get("/reviews/").content.decode()
    Membership.objects.filter(user=people["bob"], team=people["reviewers"]).delete()
    page = bob.get("/reviews/").content.decode()
    assert diagram.name not in page
    assert f"/reviews/{review.pk}/" not in page


def test_a_diagram_name_with_a_line_break_still_sends_the_review_mail(
    diagram, people, mailoutbox, django_capture_on_commit_callbacks
):
    from designer.models import Diagram
    from reviews.services.notify import notify_requested

    Diagram.objects.filter(pk=diagram.pk).update(name="Orders\nBcc: someone@example.com")
    people["alice"].email = "alice@example.com"
    people["alice"].save()
    review = request_review(diagram, people, "alice")
    review.diagram.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notify_requested(review=review, reviewers=[people["alice"]], site_url="http://testserver")
    assert [m.subject for m in mailoutbox][-1] == "Review requested: Orders Bcc: someone@example.com (version 1)"
