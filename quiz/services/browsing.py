"""The questions in use, by bank and section, and the sets a learner walks through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from quiz.models import Question


@dataclass
class QuestionSet:
    """The questions a learner walks through: a whole bank or one of its sections."""

    key: str
    title: str
    questions: list[Question]

    def neighbours(self, question: Question) -> tuple[Question | None, Question | None, int]:
        ids = [q.pk for q in self.questions]
        if question.pk not in ids:
            return None, None, 0
        i = ids.index(question.pk)
        before = self.questions[i - 1] if i > 0 else None
        after = self.questions[i + 1] if i + 1 < len(self.questions) else None
        return before, after, i + 1


def question_get(*, qid: str) -> Question:
    """A question that is in use; raises ``Question.DoesNotExist``."""
    return Question.objects.select_related("bank").get(qid=qid, retired=False)


def questions_active() -> QuerySet[Question]:
    return (
        Question.objects.filter(retired=False)
        .select_related("bank")
        .order_by("bank__position", "bank__slug", "position")
    )


def question_set(*, key: str | None, question: Question | None = None) -> QuestionSet | None:
    """``"workshop"`` (a bank) or ``"workshop/step-functions-for-workflows"`` (a section); default: the section
    of ``question``. None when the key names nothing."""
    if not key and question is not None:
        key = f"{question.bank.slug}/{question.section_slug}"
    bank_slug, _, section = (key or "").partition("/")
    questions = questions_active().filter(bank__slug=bank_slug)
    if section:
        questions = questions.filter(section_slug=section)
    found = list(questions)
    if not found:
        return None
    title = found[0].section if section else found[0].bank.title
    return QuestionSet(key=key or "", title=title, questions=found)


def question_counts() -> Mapping[str, int]:
    """Number of questions in use per bank slug."""
    rows = questions_active().values("bank__slug").annotate(n=Count("id"))
    return {r["bank__slug"]: r["n"] for r in rows}
