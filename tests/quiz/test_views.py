"""The self-study pages, with and without htmx."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from designer.models import Diagram
from quiz.models import Attempt, Card, Question
from tests.quiz.conftest import starter

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
EXPLAIN = (
    "SNS is pub/sub and pushes every message to all subscribers. SQS is a queue that consumers poll. "
    "SNS loses messages when a subscriber is down, so I add a queue per subscriber."
)


def post_ws17(client, headers=None, **extra):
    data = {
        "part-choose-service": "sns-lambda",
        "part-retention": "4",
        "part-facts": ["push", "sns-stores"],
        "part-explain": EXPLAIN,
        "part-build-it": json.dumps(starter("fan-out")),
        "set": "workshop",
    }
    data.update(extra)
    return client.post("/quiz/q/ws-17/", data, **(headers or {}))


def test_home_lists_every_bank_and_section_with_the_grading_and_review_rules(client, loaded):
    page = client.get("/quiz/").content.decode()
    for text in (
        "Serverless &amp; Event-Driven Architecture workshop",
        "Take all 20",
        "EventBridge, SQS and SNS",
        "Exam traps",
        "Take section",
    ):
        assert text in page
    assert "-1 for each wrong one" in page
    assert "never below zero" in page
    assert "<td>0-39</td><td>Again</td>" in page
    assert "<td>90-100</td><td>Easy</td>" in page
    assert page.index("workshop") < page.index("Exam traps and common mistakes")


def test_the_question_page_shows_the_parts_without_any_answers(client, loaded):
    page = client.get("/quiz/q/ws-17/?set=workshop").content.decode()
    assert "What’s the difference between Amazon SNS" in page
    assert "Question 17 of 20" in page
    assert 'name="part-choose-service" value="sns-sqs"' in page
    assert 'data-draft="ws-17:explain"' in page
    assert 'href="/designer/new/?task=ws-17"' in page
    assert 'type="file" name="part-build-it-file"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "How this question is graded" in page
    assert "All or nothing" in page
    for secret in ("SNS copies each message to every queue", "correct", "Queues buffer and keep messages"):
        assert secret not in page.replace("the one correct option", "").replace("correct option you tick", "").replace(
            "correct options", ""
        )
    assert "/static/css/quiz.css" in page
    assert "/static/js/quiz.js" in page


def test_answering_without_javascript_redirects_to_the_graded_attempt(client, loaded):
    response = post_ws17(client)
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quiz/attempts/{attempt.pk}/?set=workshop&graded=1"
    page = client.get(response["Location"]).content.decode()
    assert f"<strong>{attempt.score}</strong>" in page
    ws17 = Question.objects.get(qid="ws-17").data
    whys = {o["id"]: o["why"] for o in ws17["parts"][0]["options"]}
    assert escape(" ".join(whys["sns-lambda"].split())) in " ".join(page.split())  # why of the chosen option
    assert escape(whys["sqs-only"].split(":")[0]) in page  # why of an option not chosen
    assert "Your answer: <strong>4 days</strong>" in page
    assert "Correct: <strong>14 days</strong>" in page
    assert "You ticked it (-1)" in page
    assert "“SNS is pub/sub and pushes every message to all subscribers.”" in page  # the learner's sentence
    rubric = {c["id"]: c for c in ws17["parts"][3]["rubric"]}
    wrong = {m["id"]: m for m in ws17["parts"][3]["misconceptions"]}
    assert escape(rubric["buffer"]["explain"]) in page  # a missed concept
    assert escape(wrong["sns-loses"]["explain"]) in page  # the misconception, with its source
    assert f'href="{wrong["sns-loses"]["source"]["url"]}"' in page
    assert "Model answer" in page
    assert "SNS is publish/subscribe." in page
    assert 'href="https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html"' in page
    assert 'href="/patterns/fan-out/"' in page
    assert 'data-clear-drafts="ws-17"' in page  # just graded: the drafts of ws-17 go
    assert "Next: ws-18" in page
    assert "data-clear-drafts" not in client.get(f"/quiz/attempts/{attempt.pk}/").content.decode()


def test_an_outdated_figure_is_pointed_out(client, loaded):
    client.post("/quiz/q/ws-01/", {"part-max-timeout": "300"})
    page = client.get(f"/quiz/attempts/{Attempt.objects.get().pk}/").content.decode()
    assert "Outdated figure." in page
    assert "until October 2018" in page


def test_with_htmx_the_grade_replaces_the_form_in_place(client, loaded):
    response = post_ws17(client, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="answer" class="q-graded" data-graded-question="ws-17"')
    assert "<html" not in page
    assert "Model answer" in page


def test_a_failed_submit_keeps_everything_typed_and_says_what_is_wrong(client, loaded):
    response = post_ws17(
        client, **{"part-retention": "two weeks", "part-build-it": '{"nodes": [{"id": "a", "type": "lamda"}]}'}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was graded yet." in page
    assert "Must be a number (in days, without the unit), not &#x27;two weeks&#x27;" in page
    assert "Nodes[0].type:" in page
    assert "lamda" in page
    assert 'value="two weeks"' in page
    assert EXPLAIN.replace("'", "&#x27;") in page
    assert 'value="sns-lambda" checked' in page
    assert 'value="push" checked' in page
    assert 'value="sns-stores" checked' in page
    assert Attempt.objects.count() == 0


def test_with_htmx_a_failed_submit_returns_the_form_with_its_errors(client, loaded):
    response = post_ws17(client, headers=HTMX, **{"part-retention": "two weeks"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="answer" class="q-answer"')
    assert "field-error" in page


def test_an_empty_submit_asks_for_an_answer(client, loaded):
    response = client.post("/quiz/q/ws-17/", {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was sent: answer at least one of the 5 parts, then send again." in page
    assert "(choose-service, retention" not in page  # the parts' ids are for the API, not for people


def test_an_uploaded_diagram_file_is_graded(client, loaded):
    upload = SimpleUploadedFile("fan-out.json", json.dumps(starter("fan-out")).encode(), "application/json")
    response = client.post("/quiz/q/ws-17/", {"part-build-it-file": upload})
    assert response.status_code == 302
    design = next(p for p in Attempt.objects.get().grade["parts"] if p["id"] == "build-it")
    assert design["score"] == design["max"]


@pytest.mark.parametrize(
    "data",
    [
        {"part-retention": "1e999"},
        {"part-retention": "nan"},
        {"part-facts": ["push", "push", "nope"]},
        {"part-build-it": "[" * 5000},
        {"part-build-it": "null"},
        {"part-explain": "x" * 10_001},
        {"part-unknown": "x"},
        {"part-choose-service": ["sns-sqs", "sqs-only"]},
    ],
)
def test_hostile_input_never_gives_a_500(client, loaded, data):
    response = client.post("/quiz/q/ws-17/", data)
    assert response.status_code in (302, 400)


def test_learner_text_is_escaped(client, loaded):
    client.post("/quiz/q/ws-17/", {"part-explain": "SNS pushes to every subscriber. <script>alert(1)</script>"})
    page = client.get(f"/quiz/attempts/{Attempt.objects.get().pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_retry_fills_the_form_with_the_previous_answers(client, loaded):
    post_ws17(client)
    attempt = Attempt.objects.get()
    page = client.get(f"/quiz/q/ws-17/?retry={attempt.pk}").content.decode()
    assert 'value="sns-lambda" checked' in page
    assert 'value="4"' in page
    assert "SNS is pub/sub and pushes" in page
    assert "&quot;format&quot;: &quot;archlab/diagram@1&quot;" in page


def test_someone_elses_attempt_is_a_404_and_cannot_prefill(client, loaded):
    post_ws17(client)
    attempt = Attempt.objects.get()
    client.cookies.clear()
    assert client.get(f"/quiz/attempts/{attempt.pk}/").status_code == 404
    assert "SNS is pub/sub" not in client.get(f"/quiz/q/ws-17/?retry={attempt.pk}").content.decode()


def test_unknown_and_retired_questions_are_404(client, loaded):
    assert client.get("/quiz/q/ws-99/").status_code == 404
    Question.objects.filter(qid="ws-01").update(retired=True)
    assert client.get("/quiz/q/ws-01/").status_code == 404
    assert client.post("/quiz/q/ws-01/", {"part-max-timeout": "900"}).status_code == 404


def test_progress_and_review_pages_show_the_attempt(client, loaded):
    post_ws17(client)
    progress = client.get("/quiz/progress/").content.decode()
    assert "SNS fan-out, SQS queues, and both together" in progress
    assert "1 / 5" in progress
    buffer = next(c for c in Question.objects.get(qid="ws-17").data["parts"][3]["rubric"] if c["id"] == "buffer")
    assert escape(buffer["explain"]) in progress
    review = client.get("/quiz/review/").content.decode()
    assert "SNS fan-out, SQS queues, and both together" in review
    assert "Concept you missed" in review
    assert Card.objects.count() == review.count('<li class="q-card')


def test_signing_up_keeps_the_quiz_progress(client, loaded):
    post_ws17(client)
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="grace")
    assert Attempt.objects.get().user == user
    assert "1<small> of 42</small>" in client.get("/quiz/progress/").content.decode()


@pytest.mark.parametrize("url", ["/quiz/", "/quiz/progress/", "/quiz/review/", "/quiz/q/ws-17/"])
def test_pages_run_a_fixed_number_of_queries_however_much_was_answered(
    client, loaded, url, django_assert_max_num_queries
):
    for qid in ("ws-17", "ws-18", "ws-01", "pg-01"):
        text_part = next(p["id"] for p in Question.objects.get(qid=qid).data["parts"] if p["type"] == "text")
        client.post(f"/quiz/q/{qid}/", {f"part-{text_part}": "Some words. More words."})
    assert Attempt.objects.count() == 4
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_a_correct_option_left_unticked_reads_as_a_miss_not_a_success(client, loaded):
    page = post_ws17(client, headers=HTMX).content.decode()  # ticked push (right) and sns-stores (wrong)
    options = re.findall(
        r'<li class="r-option([^"]*)">\s*<p class="r-option-text">\s*<span class="r-tag">([^<]+)', page
    )
    facts = options[4:10]  # choose-service has 4 options; then the six facts in file order
    assert [(cls.strip(), tag) for cls, tag in facts] == [
        ("is-correct is-chosen", "✓ Correct"),  # push
        ("is-missed", "✗ Missed"),  # pull
        ("is-missed", "✗ Missed"),  # retries
        ("is-missed", "✗ Missed"),  # raw
        ("is-wrong is-chosen", "✗ Incorrect"),  # sns-stores
        ("is-wrong", "✗ Incorrect"),  # sqs-broadcast
    ]
    assert page.count("A correct option you did not tick") == 3


def test_a_denied_concept_is_shown_once_with_the_sentence_that_denies_it(client, loaded):
    answer = "I would NOT return 202 Accepted with a job id. There is no async worker."
    sent = client.post("/quiz/q/ws-08/", {"part-explain": answer})
    assert sent.status_code == 302
    attempt = client.get(sent["Location"]).content.decode()
    assert "You wrote the opposite:</span> “I would NOT return 202 Accepted with a job id.”" in attempt
    assert attempt.count("I would NOT return 202 Accepted with a job id.") == 2  # the denial, and "Your answer"


def test_a_design_part_can_be_answered_with_one_of_the_learners_diagrams(client, loaded):
    client.post("/designer/new/", {"starter": "fan-out"})
    mine = Diagram.objects.get()
    stranger = Client()
    stranger.post("/designer/new/", {"starter": "sync"})
    theirs = Diagram.objects.exclude(pk=mine.pk).get()
    page = client.get("/quiz/q/ws-17/").content.decode()
    assert f'<option value="{mine.pk}">' in page
    assert f'<option value="{theirs.pk}">' not in page
    sent = client.post("/quiz/q/ws-17/", {"part-build-it-saved": str(mine.pk)})
    assert sent.status_code == 302
    attempt = Attempt.objects.get()
    assert attempt.responses["build-it"]["nodes"] == mine.versions.get(number=mine.head).data["nodes"]
    refused = client.post("/quiz/q/ws-17/", {"part-build-it-saved": str(theirs.pk)})
    assert refused.status_code == 400
    assert f"{theirs.pk} is not a diagram you can open" in refused.content.decode()
    assert Attempt.objects.count() == 1
