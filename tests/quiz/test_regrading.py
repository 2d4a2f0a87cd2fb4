"""Stored attempts keep their grades until they are regraded on purpose, and a regrade says what changed."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from quiz.models import Attempt, ConceptResult, Question
from quiz.services import attempt_create
from quiz.services.regrading import attempts_regrade

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ANSWER = (
    "SNS is a publish and subscribe service that pushes each message to every subscriber. "
    "SQS holds messages in a queue until one consumer polls and deletes them."
)


def rubric_narrowed(qid: str) -> None:
    """The question as a later edition of its bank might have it: the first concept now wants other words."""
    question = Question.objects.get(qid=qid)
    part = next(p for p in question.data["parts"] if p["id"] == "explain")
    part["rubric"][0]["match"] = ["a phrase no answer holds"]
    question.save(update_fields=["data"])


def test_a_regrade_reports_what_would_change_and_stores_nothing_unless_applied(loaded, learner):
    attempt = attempt_create(question=Question.objects.get(qid="ws-17"), responses={"explain": ANSWER}, learner=learner)
    first = attempt.score
    found_before = set(ConceptResult.objects.filter(found=True).values_list("concept_id", flat=True))
    rubric_narrowed("ws-17")

    report = attempts_regrade()
    change = report.questions["ws-17"]
    assert (report.attempts, report.changed, change.changed) == (1, 1, 1)
    assert change.largest[0][:2] == (attempt.pk, first)
    assert change.largest[0][2] < first
    assert Attempt.objects.get().score == first  # a report only

    applied = attempts_regrade(apply=True, questions=["ws-17"])
    assert applied.changed == 1
    stored = Attempt.objects.get()
    assert stored.score == change.largest[0][2] < first
    found_after = set(ConceptResult.objects.filter(found=True).values_list("concept_id", flat=True))
    assert found_after == found_before - {Question.objects.get(qid="ws-17").data["parts"][3]["rubric"][0]["id"]}
    assert attempts_regrade().changed == 0  # nothing left to change


def test_the_command_prints_the_change_per_question(loaded, learner):
    attempt_create(question=Question.objects.get(qid="ws-17"), responses={"explain": ANSWER}, learner=learner)
    attempt_create(question=Question.objects.get(qid="ws-05"), responses={"explain": ANSWER}, learner=learner)
    rubric_narrowed("ws-17")
    out = StringIO()
    call_command("regrade", stdout=out)
    text = out.getvalue()
    assert "2 attempts regraded; 1 would change" in text
    assert "ws-17: 1 of 1 would change" in text
    assert "ws-05" not in text
    assert "run again with --apply" in text
    out = StringIO()
    call_command("regrade", "ws-17", "--apply", stdout=out)
    assert "1 attempts regraded; 1 changed" in out.getvalue()
