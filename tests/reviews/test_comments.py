"""Comments: on a node, an edge or the whole diagram; threads; resolve and reopen; anchoring across versions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.models import Comment
from tests.reviews import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return f.user("ada")


@pytest.fixture
def diagram(owner):
    return f.diagram(owner)


def comment(diagram, owner, body="Why a REST API here?", **kwargs):
    diagram.refresh_from_db()
    return services.comment_create(diagram=diagram, user=owner, session_key="", body=body, **kwargs)


def test_a_comment_on_a_node_remembers_the_element_and_the_version(diagram, owner):
    c = comment(diagram, owner, element_id="api")
    assert (c.anchor, c.element_id, c.element_label, c.element_type, c.version_number) == (
        "node",
        "api",
        "Orders API",
        "apigw-rest",
        1,
    )


def test_a_comment_on_an_edge_names_its_ends(diagram, owner):
    c = comment(diagram, owner, element_id="e2")
    assert (c.anchor, c.element_label, c.element_type) == ("edge", "Orders API → create-order", "route")


def test_a_comment_on_an_element_that_is_not_in_the_version_is_refused(diagram, owner):
    with pytest.raises(services.ReviewError, match="not in version 1"):
        comment(diagram, owner, element_id="ghost")


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_and_overlong_comments_are_refused(diagram, owner, body):
    with pytest.raises(services.ReviewError):
        comment(diagram, owner, body=body)


def test_a_reply_joins_the_thread_of_its_first_comment(diagram, owner):
    root = comment(diagram, owner, element_id="fn")
    first = comment(diagram, owner, body="Agreed", parent_id=root.pk)
    second = comment(diagram, owner, body="Me too", parent_id=first.pk)
    assert first.parent_id == second.parent_id == root.pk
    assert second.element_id == "fn"
    (thread,) = services.comment_threads(diagram=diagram)
    assert [c.body for c in thread.replies] == ["Agreed", "Me too"]


def test_a_comment_stays_on_its_element_across_versions_and_says_when_it_changed_or_went(diagram, owner):
    on_fn = comment(diagram, owner, element_id="fn")
    on_api = comment(diagram, owner, element_id="api")
    on_web = comment(diagram, owner, element_id="web")
    data = f.sync_data()
    data["nodes"][2]["config"] = {"timeout_s": 10}  # fn changes
    f.save(diagram, data)
    data = f.sync_data()
    data["nodes"][2]["config"] = {"timeout_s": 10}
    data["nodes"] = [n for n in data["nodes"] if n["id"] != "web"]  # web goes
    data["edges"] = [e for e in data["edges"] if e["from"] != "web"]
    f.save(diagram, data)
    diagram.refresh_from_db()
    states = {t.root.pk: (t.state, t.label) for t in services.comment_threads(diagram=diagram)}
    assert states[on_fn.pk] == ("changed", "create-order")
    assert states[on_api.pk] == ("current", "Orders API")
    assert states[on_web.pk] == ("removed", "Web")


def test_an_id_reused_by_another_kind_of_service_counts_as_removed(diagram, owner):
    c = comment(diagram, owner, element_id="fn")
    data = f.sync_data()
    data["nodes"][2] = {"id": "fn", "type": "fargate", "label": "create-order"}
    f.save(diagram, data)
    diagram.refresh_from_db()
    (thread,) = services.comment_threads(diagram=diagram)
    assert (thread.root.pk, thread.state) == (c.pk, "removed")


def test_resolving_and_reopening_a_thread(diagram, owner):
    root = comment(diagram, owner, element_id="api")
    reply = comment(diagram, owner, body="done", parent_id=root.pk)
    services.comment_resolve(comment=reply, user=owner, resolved=True)
    root.refresh_from_db()
    assert root.resolved_at is not None
    assert root.resolved_by == owner
    assert services.comment_counts(diagram=diagram) == {"api": {"open": 0, "resolved": 1}}
    services.comment_resolve(comment=root, user=owner, resolved=False)
    assert services.comment_counts(diagram=diagram) == {"api": {"open": 1, "resolved": 0}}


def test_only_the_author_or_the_owner_deletes_and_a_first_comment_with_replies_stays_as_deleted(diagram, owner):
    other = f.user("bob")
    root = comment(diagram, other, element_id="api")
    reply = comment(diagram, owner, body="answer", parent_id=root.pk)
    with pytest.raises(services.NotAllowed):
        services.comment_delete(comment=reply, user=other, session_key="", role="commenter")
    services.comment_delete(comment=root, user=other, session_key="", role="commenter")
    root.refresh_from_db()
    assert root.deleted_at is not None
    assert root.body == ""
    services.comment_delete(comment=reply, user=owner, session_key="", role="owner")
    assert not Comment.objects.filter(diagram=diagram).exists()


def test_a_guest_with_a_secret_link_comments_and_deletes_their_own_comment(client, diagram, owner):
    link = f.share(diagram, "commenter", token="guest-link-abcdefghijklmnop")
    client.get(f"/designer/s/{link.token}/")
    response = client.post(f"/designer/{diagram.pk}/comments/", {"body": "From a guest", "element": "api"})
    assert response.status_code == 302
    c = Comment.objects.get(body="From a guest")
    assert c.author is None
    assert c.author_session
    page = client.get(f"/designer/{diagram.pk}/comments/?element=api").content.decode()
    assert "Guest (secret link)" in page
    assert client.post(f"/designer/{diagram.pk}/comments/{c.pk}/delete").status_code == 302
    assert not Comment.objects.filter(pk=c.pk).exists()


def test_the_panel_shows_threads_for_the_selected_element_only(client, diagram, owner):
    comment(diagram, owner, body="On the API", element_id="api")
    comment(diagram, owner, body="On the function", element_id="fn")
    client.force_login(owner)
    page = client.get(f"/designer/{diagram.pk}/comments/?element=api", HTTP_HX_REQUEST="true").content.decode()
    assert "On the API" in page
    assert "On the function" not in page
    assert "On the service <strong>Orders API</strong>" in page
    assert "<html" not in page  # an htmx fragment
    everything = client.get(f"/designer/{diagram.pk}/comments/").content.decode()
    assert "On the API" in everything
    assert "On the function" in everything


def test_posting_through_htmx_answers_the_panel_and_errors_are_shown_in_it(client, diagram, owner):
    client.force_login(owner)
    url = f"/designer/{diagram.pk}/comments/"
    ok = client.post(url, {"body": "Use HTTP API?", "element": "api", "panel": "api"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert "Use HTTP API?" in ok.content.decode()
    bad = client.post(url, {"body": "x", "element": "nope", "panel": ""}, HTTP_HX_REQUEST="true")
    assert "is not in version 1" in bad.content.decode()
    assert client.post(url, {"body": "x", "element": "nope"}).status_code == 400


def test_comment_text_is_escaped_everywhere(client, diagram, owner):
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    comment(diagram, owner, body=evil, element_id="api")
    client.force_login(owner)
    for url in [f"/designer/{diagram.pk}/comments/", f"/designer/{diagram.pk}/comments/?element=api"]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert" in page


def test_the_counts_endpoint_gives_open_and_resolved_threads_per_element(client, diagram, owner):
    comment(diagram, owner, element_id="api")
    resolved = comment(diagram, owner, element_id="api")
    services.comment_resolve(comment=resolved, user=owner, resolved=True)
    comment(diagram, owner)
    client.force_login(owner)
    counts = client.get(f"/designer/{diagram.pk}/comments/counts.json").json()["counts"]
    assert counts == {"api": {"open": 1, "resolved": 1}, "": {"open": 1, "resolved": 0}}


def test_the_comment_list_takes_the_same_number_of_queries_for_many_threads(client, diagram, owner):
    client.force_login(owner)
    url = f"/designer/{diagram.pk}/comments/"
    root = comment(diagram, owner, element_id="api")
    comment(diagram, owner, body="r", parent_id=root.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        other = f.user(f"p{i}")
        root = comment(diagram, other, element_id=["api", "fn", "e1"][i % 3])
        comment(diagram, other, body="r", parent_id=root.pk)
        services.comment_resolve(comment=root, user=other, resolved=i % 2 == 0)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_guests_comments_become_theirs_when_they_sign_up(client, diagram):
    link = f.share(diagram, "commenter", token="guest-link-for-signup-0123456789")
    client.get(f"/designer/s/{link.token}/")
    client.post(f"/designer/{diagram.pk}/comments/", {"body": "Before signing up", "element": "fn"})
    client.post(
        "/accounts/signup/", {"username": "gwen", "password1": "violet-harbour-31", "password2": "violet-harbour-31"}
    )
    c = Comment.objects.get(body="Before signing up")
    assert c.author.username == "gwen"
    assert c.author_session == ""


def test_an_element_that_is_not_saved_yet_offers_no_comment_form(client, diagram, owner):
    client.force_login(owner)
    page = client.get(f"/designer/{diagram.pk}/comments/?element=lambda-9", HTTP_HX_REQUEST="true").content.decode()
    assert "Not saved yet." in page
    assert 'class="cm-new"' not in page
