"""Regrading stored attempts after a rubric or the grader changed.

An attempt keeps the grade it was given until someone regrades on purpose: :func:`attempts_regrade` grades every
attempt's stored responses again with the question as it is now and reports what would change; with ``apply`` it
stores the new grades and concept results (review cards keep their history: what was scheduled stays scheduled).
Workshop answers are not regraded: a room's scores and leaderboard stay as they were shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from quiz.grading import grade
from quiz.models import Attempt, ConceptResult
from quiz.services.attempts import concept_results

__all__ = ["RegradeReport", "attempts_regrade"]

BATCH = 500


@dataclass
class QuestionChange:
    question: str
    attempts: int = 0
    changed: int = 0
    old_total: int = 0
    new_total: int = 0
    largest: list[tuple[int, int, int]] = field(default_factory=list)  # (attempt id, old score, new score)

    @property
    def mean_change(self) -> float:
        return (self.new_total - self.old_total) / self.attempts if self.attempts else 0.0


@dataclass
class RegradeReport:
    applied: bool
    questions: dict[str, QuestionChange] = field(default_factory=dict)

    @property
    def attempts(self) -> int:
        return sum(q.attempts for q in self.questions.values())

    @property
    def changed(self) -> int:
        return sum(q.changed for q in self.questions.values())

    def lines(self) -> list[str]:
        verb = "changed" if self.applied else "would change"
        out = [f"{self.attempts} attempts regraded; {self.changed} {verb}"]
        for q in sorted(self.questions.values(), key=lambda c: c.question):
            if not q.changed:
                continue
            biggest = ", ".join(f"#{a}: {old} -> {new}" for a, old, new in q.largest[:3])
            out.append(
                f"  {q.question}: {q.changed} of {q.attempts} {verb}, mean {q.mean_change:+.1f} points ({biggest})"
            )
        return out


def attempts_regrade(*, apply: bool = False, questions: Iterable[str] = ()) -> RegradeReport:
    """Grade every stored attempt (of ``questions``, if given) again; store the new grades only with ``apply``."""
    report = RegradeReport(applied=apply)
    wanted = list(questions)
    attempts = Attempt.objects.select_related("question").order_by("pk")
    if wanted:
        attempts = attempts.filter(question__qid__in=wanted)
    for attempt in attempts.iterator(chunk_size=BATCH):
        result = grade(attempt.question.data, attempt.responses).to_dict()
        change = report.questions.setdefault(attempt.question.qid, QuestionChange(attempt.question.qid))
        change.attempts += 1
        change.old_total += attempt.score
        change.new_total += result["score"]
        if result == attempt.grade:
            continue
        change.changed += 1
        change.largest.append((attempt.pk, attempt.score, result["score"]))
        change.largest.sort(key=lambda t: -abs(t[2] - t[1]))
        del change.largest[5:]
        if apply:
            _store(attempt, result)
    return report


def _store(attempt: Attempt, result: dict[str, Any]) -> None:
    with transaction.atomic():
        attempt.grade, attempt.score = result, result["score"]
        attempt.save(update_fields=["grade", "score"])
        attempt.concepts.all().delete()
        ConceptResult.objects.bulk_create(concept_results(attempt, result))
