"""Question ws-17 in Chromium: take the section, keep a draft across a reload, answer every part, read the grade
and the model answer, then find the answer in progress and the review queue."""

import json
import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from quiz.services import content_load

pytestmark = pytest.mark.django_db(transaction=True)
FAN_OUT = Path(__file__).resolve().parents[2] / "designer" / "data" / "starters" / "fan-out.json"
EXPLAIN = (
    "SNS is pub/sub: it pushes every message to all subscribers. SQS is a queue that consumers poll, and each "
    "message is processed by one consumer and then deleted. For fan-out I put one SQS queue per subscriber on "
    "the SNS topic, so each queue buffers messages and every service works at its own pace."
)

WORKSHOP = Path(__file__).resolve().parents[2] / "quiz" / "content" / "workshop.yaml"


def concept_text(concept_id: str) -> str:
    """What the rubric says of one concept of ws-17's explanation (the missed list and progress show it)."""
    bank = yaml.safe_load(WORKSHOP.read_text(encoding="utf-8"))
    question = next(q for q in bank["questions"] if q["id"] == "ws-17")
    part = next(p for p in question["parts"] if p["id"] == "explain")
    return next(c["explain"] for c in part["rubric"] if c["id"] == concept_id).strip()


def test_answer_ws17_then_see_the_grade_progress_and_review(page, artifacts):
    content_load()
    page.goto("/quiz/")
    section = page.locator(".q-section", has_text="EventBridge, SQS and SNS")
    section.get_by_role("link", name="Take section").click()
    expect(page).to_have_url(re.compile(r"/quiz/q/ws-16/\?set=workshop/eventbridge-sqs-and-sns$"))
    page.get_by_role("link", name=re.compile(r"^ws-17 SNS fan-out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SNS fan-out, SQS queues, and both together")
    expect(page.locator(".q-rules")).to_contain_text("never below zero")

    # A draft of the explanation survives a reload.
    page.get_by_label("Your explanation").fill(EXPLAIN)
    expect(page.locator('[data-draft-status="ws-17:explain"]').first).to_have_text("Draft saved in this browser.")
    page.reload()
    expect(page.get_by_label("Your explanation")).to_have_value(EXPLAIN)
    expect(page.locator('[data-draft-status="ws-17:explain"]').first).to_have_text("Draft restored from this browser.")

    page.get_by_label("An SNS topic with one SQS queue per service subscribed to it").check()
    page.get_by_label("Your answer in days").fill("14")
    page.get_by_label("SNS pushes each published message to every subscription whose filter policy matches").check()
    page.get_by_label("Consumers poll SQS; each message is handled by one consumer and deleted after success").check()
    page.get_by_label("SNS stores messages so a subscriber can fetch the ones it missed later").check()
    page.locator('input[name="part-build-it-file"]').set_input_files(
        files=[{"name": "fan-out.json", "mimeType": "application/json", "buffer": FAN_OUT.read_bytes()}]
    )
    expect(page.get_by_label("Diagram JSON")).to_have_value(re.compile(r'"format": "archlab/diagram@1"'))
    assert page.get_by_role("link", name="Open in the designer").get_attribute("href") == "/designer/new/?task=ws-17"

    page.get_by_role("button", name="Grade my answer").click()
    graded = page.locator("#answer[data-graded-question='ws-17']")
    expect(graded).to_be_visible()
    expect(page).to_have_url(re.compile(r"/quiz/q/ws-17/"))  # htmx swapped the result in place
    expect(graded.locator(".q-score-n")).to_contain_text("/100")
    expect(graded.locator("#result-choose-service")).to_contain_text("1 / 1")
    expect(graded.locator("#result-facts")).to_contain_text("You ticked it (-1)")
    expect(graded.locator("#result-explain .r-found")).to_contain_text(
        "“SNS is pub/sub: it pushes every message to all subscribers.”"
    )
    expect(graded.locator("#result-explain .r-missed")).to_contain_text(concept_text("failure"))
    expect(graded.locator("#result-build-it")).to_contain_text("3 / 3")
    expect(graded.locator(".q-model")).to_contain_text("SNS is publish/subscribe.")
    expect(graded.get_by_role("link", name="Fan-out").last).to_have_attribute("href", "/patterns/fan-out/")
    assert page.evaluate("localStorage.getItem('archlab:quiz:draft:ws-17:explain')") is None
    score = int(graded.locator(".q-score-n strong").inner_text())
    page.screenshot(path=str(artifacts / "quiz-ws17-graded.png"), full_page=True)

    page.get_by_role("link", name="Progress").click()
    progress = page.locator("main")
    expect(progress).to_contain_text("SNS fan-out, SQS queues, and both together")
    row = page.locator("tr", has_text="EventBridge, SQS and SNS")
    expect(row).to_contain_text("1 / 5")
    expect(row).to_contain_text(str(score))
    expect(progress).to_contain_text(concept_text("failure"))

    page.goto("/quiz/review/")
    expect(page.locator(".q-card", has_text="SNS fan-out, SQS queues, and both together").first).to_be_visible()
    expect(page.locator(".q-card.is-concept").first).to_contain_text("Concept you missed")
    page.screenshot(path=str(artifacts / "quiz-ws17-review.png"), full_page=True)

    # Retrying starts from the previous answers.
    page.goto("/quiz/progress/")
    page.locator(".q-recent a").first.click()
    page.get_by_role("link", name="Try again with these answers").click()
    expect(page.get_by_label("Your explanation")).to_have_value(EXPLAIN)
    expect(page.get_by_label("Your answer in days")).to_have_value("14")
    assert json.loads(page.get_by_label("Diagram JSON").input_value())["format"] == "archlab/diagram@1"
