"""Designer pages and endpoints: ownership, saving with version checks, history, exports, imports, patterns."""

import json
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from accounts.services import session_claim_all
from designer import services
from designer.models import Diagram, DiagramVersion
from designer.starters import starter_data

pytestmark = pytest.mark.django_db

SYNC = {
    "name": "Orders",
    "nodes": [
        {"id": "web", "type": "client-web", "label": "Web"},
        {"id": "api", "type": "apigw-rest", "label": "Orders API"},
        {"id": "fn", "type": "lambda", "label": "create-order", "config": {"timeout_s": 10}},
    ],
    "edges": [{"from": "web", "to": "api"}, {"from": "api", "to": "fn"}],
}


def new_diagram(client: Client, starter: str = "") -> Diagram:
    response = client.post("/designer/new/", {"starter": starter} if starter else {"name": "Blank"})
    assert response.status_code == 302
    return Diagram.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def save(client: Client, diagram: Diagram, data, base: int):
    return client.post(
        f"/designer/{diagram.pk}/save",
        json.dumps({"data": data, "base_version": base}),
        content_type="application/json",
    )


def test_an_anonymous_visitor_can_create_and_open_a_diagram(client):
    diagram = new_diagram(client, "fan-out")
    assert diagram.owner is None
    assert diagram.session_key
    page = client.get(f"/designer/{diagram.pk}/")
    assert page.status_code == 200
    assert b'id="catalog-data"' in page.content
    assert b"Fan-out" in page.content
    assert client.get("/designer/").content.count(b"card-title") == 1


def test_saving_stores_a_new_version_and_returns_the_findings(client):
    diagram = new_diagram(client)
    slow = json.loads(json.dumps(SYNC))
    slow["nodes"][2]["config"]["timeout_s"] = 600
    response = save(client, diagram, slow, base=1)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert any(f["rule"] == "sync-path-exceeds-integration-timeout" for f in body["report"]["findings"])
    assert "waits at most 29 s" in body["findings_html"]
    diagram.refresh_from_db()
    assert diagram.head == 2
    assert diagram.versions.count() == 2


def test_a_save_based_on_a_stale_version_answers_409_and_stores_nothing(client):
    diagram = new_diagram(client)
    assert save(client, diagram, SYNC, base=1).status_code == 200
    stale = save(client, diagram, {**SYNC, "name": "Mine"}, base=1)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert DiagramVersion.objects.filter(diagram=diagram).count() == 2


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b"{not json", ""),
        (json.dumps({"data": SYNC}).encode(), "base_version"),
        (
            json.dumps({"data": {**SYNC, "nodes": [{"id": "x", "type": "mainframe"}]}, "base_version": 1}).encode(),
            "nodes[0].type",
        ),
    ],
)
def test_bad_saves_answer_400_with_field_paths_and_keep_the_diagram(client, body, path):
    diagram = new_diagram(client)
    response = client.post(f"/designer/{diagram.pk}/save", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path
    assert Diagram.objects.get(pk=diagram.pk).head == 1


def test_someone_elses_diagram_is_a_404_everywhere(client):
    diagram = new_diagram(client, "sync")
    other = Client()
    for url in [
        f"/designer/{diagram.pk}/",
        f"/designer/{diagram.pk}/history",
        f"/designer/{diagram.pk}/export.json",
        f"/designer/{diagram.pk}/versions/1/",
    ]:
        assert other.get(url).status_code == 404, url
    assert save(other, diagram, SYNC, base=1).status_code == 404
    assert other.post(f"/designer/{diagram.pk}/delete").status_code == 404
    assert Diagram.objects.filter(pk=diagram.pk).exists()


def test_history_lists_versions_and_restore_makes_a_new_one(client):
    diagram = new_diagram(client)
    save(client, diagram, SYNC, base=1)
    assert b"Restore" in client.get(f"/designer/{diagram.pk}/history").content
    response = client.post(f"/designer/{diagram.pk}/versions/1/restore")
    assert response.status_code == 302
    diagram.refresh_from_db()
    assert diagram.head == 3
    assert diagram.versions.get(number=3).message == "restored version 1"
    assert diagram.versions.get(number=3).data["nodes"] == []


def test_history_marks_autosaves_and_can_show_named_versions_only(client):
    diagram = new_diagram(client)  # version 1: "created"
    save(client, diagram, SYNC, base=1)  # version 2: an autosave
    everything = client.get(f"/designer/{diagram.pk}/history").content.decode()
    assert everything.count('<span class="meta">autosave</span>') == 1
    assert "<strong>created</strong>" in everything
    named = client.get(f"/designer/{diagram.pk}/history?named=1").content.decode()
    assert "autosave</span>" not in named
    assert re.findall(r"<td>(\d+)(?: \(latest\))?</td>", named) == ["1"]


def test_keep_a_copy_creates_a_new_diagram(client):
    diagram = new_diagram(client)
    response = client.post(f"/designer/{diagram.pk}/copy", json.dumps(SYNC), content_type="application/json")
    assert response.status_code == 201
    assert Diagram.objects.filter(name="Orders (copy)").count() == 1


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("json", b"{"), ("svg", b"<?xml"), ("png", b"\x89PNG"), ("mmd", b"flowchart LR"), ("dot", b"digraph")],
)
def test_exports_in_every_format(client, fmt, start):
    diagram = new_diagram(client, "saga")
    response = client.get(f"/designer/{diagram.pk}/export.{fmt}")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(start)
    assert "attachment" in response["Content-Disposition"]


def test_the_sam_export_is_a_yaml_file_the_import_picker_offers_and_imports_back(client):
    diagram = new_diagram(client, "fan-out")
    response = client.get(f"/designer/{diagram.pk}/export.sam")
    filename = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    assert filename == f"diagram-{diagram.pk}-v1-template.yaml"
    picker = re.search(r'accept="([^"]+)"', client.get("/designer/").content.decode()).group(1)
    assert "." + filename.rsplit(".", 1)[1] in picker.split(",")
    upload = SimpleUploadedFile(filename, response.content, content_type="application/yaml")
    imported = client.post("/designer/", {"file": upload})
    assert imported.status_code == 302
    again = Diagram.objects.latest("pk")
    assert len(again.versions.get().data["nodes"]) == len(diagram.versions.get().data["nodes"])


def test_an_unknown_export_format_is_a_404(client):
    diagram = new_diagram(client)
    assert client.get(f"/designer/{diagram.pk}/export.exe").status_code == 404


def test_importing_a_file_opens_it_and_a_broken_file_shows_its_errors(client, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SYNC))
    with good.open("rb") as fh:
        response = client.post("/designer/", {"file": fh})
    assert response.status_code == 302
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nodes": [{"id": "a", "type": "lambda", "config": {"timeout_s": 1200}}]}))
    with bad.open("rb") as fh:
        response = client.post("/designer/", {"file": fh})
    assert response.status_code == 400
    assert b"nodes[0].config.timeout_s" in response.content
    assert b"above the maximum 900" in response.content


def test_labels_are_escaped_in_pages(client):
    diagram = new_diagram(client)
    save(client, diagram, {**SYNC, "name": "<script>alert(1)</script>"}, base=1)
    page = client.get(f"/designer/{diagram.pk}/").content
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;" in page or b"\\u003Cscript\\u003E" in page


def test_signing_up_keeps_the_anonymous_diagrams(client):
    diagram = new_diagram(client, "sync")
    user = get_user_model().objects.create_user("ada", password="a-long-passphrase-42")
    session_claim_all(session_key=client.session.session_key, user=user)
    diagram.refresh_from_db()
    assert diagram.owner == user
    assert diagram.session_key == ""


def test_signup_page_creates_an_account_and_claims_the_work(client):
    diagram = new_diagram(client, "async")
    response = client.post(
        "/accounts/signup/", {"username": "grace", "password1": "correct-horse-9x", "password2": "correct-horse-9x"}
    )
    assert response.status_code == 302
    diagram.refresh_from_db()
    assert diagram.owner.username == "grace"
    assert client.get("/designer/").content.count(b"card-title") == 1


@pytest.mark.parametrize("pattern_id", ["sync", "saga", "stream-ingestion"])
def test_pattern_pages_show_the_starter_and_its_rules(client, pattern_id):
    page = client.get(f"/patterns/{pattern_id}/")
    assert page.status_code == 200
    assert starter_data(pattern_id)["name"].encode() in page.content.replace(b"&#x27;", b"'")
    image = client.get(f"/patterns/{pattern_id}/starter.svg")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"


def test_unknown_pattern_and_starter_are_404(client):
    assert client.get("/patterns/monolith/").status_code == 404
    assert client.post("/designer/new/", {"starter": "monolith"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_one_wins_the_other_gets_a_conflict():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the row lock is exercised on PostgreSQL in CI")
    client = Client()
    diagram = new_diagram(client)
    results = []

    def attempt(name):
        try:
            saved = services.diagram_save_version(
                diagram=diagram, data={**SYNC, "name": name}, base_version=1, user=None
            )
            results.append(("ok", saved.version.number))
        except services.StaleVersion as exc:
            results.append(("stale", exc.current))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(f"editor {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == ["ok", "stale"]
    assert Diagram.objects.get(pk=diagram.pk).head == 2


def test_version_pictures_render_for_the_owner_only(client):
    diagram = new_diagram(client, "fan-out")
    image = client.get(f"/designer/{diagram.pk}/versions/1/image.svg")
    assert image.status_code == 200
    assert image.content.lstrip().startswith(b"<?xml")
    assert Client().get(f"/designer/{diagram.pk}/versions/1/image.svg").status_code == 404
    assert b"image.svg" in client.get("/designer/").content


def test_home_offers_three_doors_and_the_code_box_joins_a_workshop(client):
    page = client.get("/").content.decode()
    assert "New diagram" in page
    assert "Start practising" in page
    assert 'action="/workshops/join/"' in page
    assert 'name="code"' in page


def _share(diagram, **kwargs):
    from designer.models import Share

    return Share.objects.create(diagram=diagram, **kwargs)


def test_team_shares_grant_their_role_and_revoking_takes_it_away_at_once(client):
    from django.utils import timezone

    from accounts.models import Membership, Team

    diagram = new_diagram(client, "sync")
    reviewer = get_user_model().objects.create_user("rev", password="a-long-passphrase-42")
    team = Team.objects.create(name="Platform")
    Membership.objects.create(team=team, user=reviewer)
    other = Client()
    other.force_login(reviewer)
    assert other.get(f"/designer/{diagram.pk}/").status_code == 404
    share = _share(diagram, team=team, role="viewer")
    page = other.get(f"/designer/{diagram.pk}/")
    assert page.status_code == 200
    assert b'data-readonly="true"' in page.content
    assert save(other, diagram, SYNC, base=1).status_code == 403
    share.role = "editor"
    share.save()
    assert save(other, diagram, SYNC, base=1).status_code == 200
    assert other.post(f"/designer/{diagram.pk}/delete").status_code == 403
    share.revoked_at = timezone.now()
    share.save()
    assert other.get(f"/designer/{diagram.pk}/").status_code == 404


def test_a_secret_link_opens_the_diagram_until_it_is_revoked(client):
    from django.utils import timezone

    diagram = new_diagram(client, "fan-out")
    share = _share(diagram, token="s3cr3t-token-value", role="commenter")
    visitor = Client()
    response = visitor.get("/designer/s/s3cr3t-token-value/")
    assert response.status_code == 302
    assert visitor.get(f"/designer/{diagram.pk}/").status_code == 200
    assert visitor.get(f"/designer/{diagram.pk}/export.json").status_code == 200
    share.revoked_at = timezone.now()
    share.save()
    assert visitor.get(f"/designer/{diagram.pk}/").status_code == 404
    assert visitor.get("/designer/s/s3cr3t-token-value/").status_code == 404


@pytest.mark.usefixtures("celery_eager")
def test_an_estimate_runs_and_shows_cost_latency_and_a_csv(client):
    diagram = new_diagram(client, "stream-ingestion")
    response = client.post(f"/designer/{diagram.pk}/estimate", HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # finished at once in-process: htmx stops polling
    page = response.content.decode()
    assert "a month" in page
    assert "Cost by service and billed dimension" in page
    assert "Latency by entry path" in page
    from designer.models import Estimate

    estimate = Estimate.objects.get()
    assert estimate.status == "done"
    again = client.post(f"/designer/{diagram.pk}/estimate", HTTP_HX_REQUEST="true")
    assert again.status_code == 286
    assert Estimate.objects.count() == 1  # same version and profile: reused
    csv = client.get(f"/designer/{diagram.pk}/estimates/{estimate.pk}.csv")
    assert csv.status_code == 200
    lines = csv.content.decode().splitlines()
    assert lines[0] == "node,dimension,quantity,unit,unit_price_usd,cost_usd,source"
    assert lines[-1].startswith("total,")
    assert Client().get(f"/designer/{diagram.pk}/estimates/{estimate.pk}.csv").status_code == 404


@pytest.mark.usefixtures("celery_eager")
def test_an_estimate_with_a_broken_profile_says_what_is_wrong(client):
    diagram = new_diagram(client, "sync")
    response = client.post(f"/designer/{diagram.pk}/estimate", {"profile": "{not json"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert b"not valid JSON" in response.content
    response = client.post(
        f"/designer/{diagram.pk}/estimate", {"profile": '{"entries": {"ghost": {"rps": 1}}}'}, HTTP_HX_REQUEST="true"
    )
    assert b"no node in the diagram has this id" in response.content


def test_csv_cells_cannot_run_as_formulas():
    from designer.presenters import estimate_csv_text

    text = estimate_csv_text(
        {"lines": [{"node": "=HYPERLINK(1)", "dimension": "@x", "quantity": 1, "cost_usd": 1}], "monthly_cost_usd": 1}
    )
    assert "'=HYPERLINK(1)" in text
    assert "'@x" in text


@pytest.mark.usefixtures("celery_eager")
def test_an_estimator_failure_is_stored_and_shown_not_left_running(client, settings):
    settings.ESTIMATE_SAMPLES = 0  # the estimator refuses this
    diagram = new_diagram(client, "sync")
    response = client.post(f"/designer/{diagram.pk}/estimate", HTTP_HX_REQUEST="true")
    assert b"The estimate failed: the estimator failed: ValueError" in response.content
    from designer.models import Estimate

    assert Estimate.objects.get().status == "failed"


def test_importing_a_sam_template_on_the_list_page(client, tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n  Topic:\n    Type: AWS::SNS::Topic\n")
    with path.open("rb") as fh:
        response = client.post("/designer/", {"file": fh})
    assert response.status_code == 302
    diagram = Diagram.objects.latest("pk")
    assert {n["type"] for n in diagram.versions.get().data["nodes"]} == {"dynamodb", "sns"}
    assert diagram.versions.get().message == "imported template"


def test_the_list_offers_to_delete_each_own_diagram_after_saying_what_goes(client):
    kept, dropped = new_diagram(client, "saga"), new_diagram(client, "sync")
    page = client.get("/designer/").content.decode()
    forms = re.findall(r'<form method="post" action="/designer/(\d+)/delete">', page)
    assert sorted(int(pk) for pk in forms) == sorted([kept.pk, dropped.pk])
    assert f"Delete “{dropped.name}” with its 1 version, comments, reviews and shares?" in page
    response = client.post(f"/designer/{dropped.pk}/delete")
    assert response.status_code == 302
    assert list(Diagram.objects.values_list("pk", flat=True)) == [kept.pk]
    assert f"/designer/{dropped.pk}/delete" not in client.get("/designer/").content.decode()


def test_a_design_task_follows_the_new_diagram_into_the_editor_with_a_way_back(client):
    assert 'name="task" value="ws-08"' in client.get("/designer/new/?task=ws-08").content.decode()
    response = client.post("/designer/new/", {"starter": "async", "task": "ws-08"})
    assert response.status_code == 302
    assert response["Location"].endswith("/?task=ws-08")
    page = client.get(response["Location"]).content.decode()
    assert "Design task <strong>ws-08</strong>" in page
    assert 'href="/quiz/q/ws-08/"' in page
    bogus = client.post("/designer/new/", {"starter": "async", "task": '"><script>'})
    assert "?task" not in bogus["Location"]
    assert "Design task" not in client.get(f"{bogus['Location']}?task=%3Cb%3E").content.decode()
