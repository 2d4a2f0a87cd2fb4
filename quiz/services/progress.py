"""A learner's progress by bank, section and concept, and their review queue (what is due, what comes next)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from quiz import scheduling
from quiz.models import Attempt, Bank, Card, ConceptResult, Question
from quiz.services.attempts import attempts_latest
from quiz.services.browsing import questions_active
from quiz.services.learners import Learner


@dataclass
class SectionProgress:
    bank: Bank
    section: str
    slug: str
    total: int = 0
    answered: int = 0
    score_sum: int = 0
    found: int = 0
    seen: int = 0
    questions: list[tuple[Question, Attempt | None]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.bank.slug}/{self.slug}"

    @property
    def average(self) -> int | None:
        return round(self.score_sum / self.answered) if self.answered else None

    @property
    def mastery(self) -> int | None:
        return round(100 * self.found / self.seen) if self.seen else None


@dataclass
class ConceptProgress:
    question: Question
    part_id: str
    concept_id: str
    explain: str
    found: int = 0
    seen: int = 0
    last_found: bool = False

    @property
    def mastery(self) -> int:
        return round(100 * self.found / self.seen) if self.seen else 0


class _Totals:
    """Questions in use and answered over ``sections``."""

    sections: list[SectionProgress]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)


@dataclass
class Progress(_Totals):
    sections: list[SectionProgress]
    concepts: list[ConceptProgress]
    recent: list[Attempt]
    attempts: int
    due: int

    @property
    def average(self) -> int | None:
        answered = self.answered
        return round(sum(s.score_sum for s in self.sections) / answered) if answered else None

    @property
    def mastery(self) -> int | None:
        seen = sum(s.seen for s in self.sections)
        return round(100 * sum(s.found for s in self.sections) / seen) if seen else None

    def banks(self) -> list[BankProgress]:
        grouped: dict[int, BankProgress] = {}
        for s in self.sections:
            grouped.setdefault(s.bank.pk, BankProgress(s.bank)).sections.append(s)
        return list(grouped.values())


@dataclass
class BankProgress(_Totals):
    bank: Bank
    sections: list[SectionProgress] = field(default_factory=list)

    @property
    def first(self) -> Question:
        return self.sections[0].questions[0][0]


def progress_get(*, learner: Learner, now: datetime | None = None) -> Progress:
    """Per section: questions answered, average of the latest scores, concept mastery; per concept: found / seen."""
    now = now or timezone.now()
    latest = attempts_latest(learner=learner)
    sections: dict[tuple[int, str], SectionProgress] = {}
    questions: dict[int, Question] = {}
    for q in questions_active():
        questions[q.pk] = q
        s = sections.setdefault((q.bank_id, q.section_slug), SectionProgress(q.bank, q.section, q.section_slug))
        s.total += 1
        attempt = latest.get(q.pk)
        s.questions.append((q, attempt))
        if attempt is not None:
            s.answered += 1
            s.score_sum += attempt.score
    concepts: dict[tuple[int, str, str], ConceptProgress] = {}
    rows = (
        ConceptResult.objects.filter(attempt__in=Attempt.objects.filter(learner.owns()))
        .order_by("-attempt__created_at", "-attempt_id")
        .values_list("attempt__question_id", "part_id", "concept_id", "found")
    )
    for question_id, part_id, concept_id, found in rows:
        question = questions.get(question_id)
        if question is None:
            continue  # a retired question
        key = (question_id, part_id, concept_id)
        concept = concepts.get(key)
        if concept is None:
            concept = concepts[key] = ConceptProgress(
                question, part_id, concept_id, _concept_text(question, part_id, concept_id), last_found=found
            )
        concept.seen += 1
        concept.found += found
        s = sections[(question.bank_id, question.section_slug)]
        s.seen += 1
        s.found += found
    ordered = sorted(concepts.values(), key=lambda c: (c.mastery, c.last_found, -c.seen, c.question.qid))
    recent = list(Attempt.objects.filter(learner.owns()).select_related("question").defer("responses", "grade")[:10])
    return Progress(
        sections=list(sections.values()),
        concepts=ordered,
        recent=recent,
        attempts=Attempt.objects.filter(learner.owns()).count(),
        due=Card.objects.filter(learner.owns(), due__lte=now, question__retired=False).count(),
    )


def _concept_text(question: Question, part_id: str, concept_id: str) -> str:
    for part in question.data["parts"]:
        if part["id"] == part_id:
            for concept in part.get("rubric") or ():
                if concept["id"] == concept_id:
                    return concept["explain"]
    return concept_id


@dataclass
class ReviewItem:
    card: Card
    explain: str
    due_now: bool
    state: str
    recall: int  # percent: FSRS's estimate that the learner still remembers it


@dataclass
class ReviewQueue:
    due: list[ReviewItem]
    upcoming: list[ReviewItem]
    total: int


def review_queue(*, learner: Learner, now: datetime | None = None, upcoming: int = 20) -> ReviewQueue:
    """The learner's cards due now (oldest first) and the next ``upcoming`` ones."""
    now = now or timezone.now()
    cards = Card.objects.filter(learner.owns(), question__retired=False).select_related("question__bank")
    due = [_review_item(c, now) for c in cards.filter(due__lte=now).order_by("due")]
    later = [_review_item(c, now) for c in cards.filter(due__gt=now).order_by("due")[:upcoming]]
    return ReviewQueue(due=due, upcoming=later, total=cards.count())


def _review_item(card: Card, now: datetime) -> ReviewItem:
    explain = _concept_text(card.question, card.part_id, card.concept_id) if card.concept_id else ""
    recall = round(100 * scheduling.retrievability(card.state, now))
    return ReviewItem(card, explain, card.due <= now, scheduling.state_name(card.state), recall)


def due_count(*, learner: Learner, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Card.objects.filter(learner.owns(), due__lte=now, question__retired=False).count()
