"""Use cases of the quiz trainer: load banks, grade and store attempts, schedule reviews, report progress.

Views, API views and management commands call these functions and nothing below them. A learner is either a
signed-in user or a browser session (:class:`Learner`); what a session did moves to the account on sign-up or
sign-in (:func:`session_claim`, registered with ``accounts.services.register_claim``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from quiz import answers, moodle, scheduling
from quiz.banks import BankError, BankFile, check_bank, check_question, read_bank, section_slug
from quiz.grading import grade
from quiz.models import Attempt, Bank, Card, ConceptResult, Question

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ResponsesInvalid(ValueError):
    """The responses cannot be graded; ``problems`` lists each with its path (``responses.explain``)."""

    def __init__(self, problems: Sequence[answers.Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in self.problems))


@dataclass(frozen=True, slots=True)
class Learner:
    """Who is answering: a user id, or (anonymous) the browser session's key."""

    user_id: int | None = None
    session_key: str = ""

    def owns(self) -> Q:
        if self.user_id is not None:
            return Q(user_id=self.user_id)
        if self.session_key:
            return Q(user__isnull=True, session_key=self.session_key)
        return Q(pk__in=[])  # nobody: owns nothing

    def fields(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "session_key": "" if self.user_id is not None else self.session_key}


# ------------------------------------------------------------------------------------------------ content


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    banks: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.banks)} bank(s) ({', '.join(self.banks)}): {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.retired} retired"
        )


def content_load(*, directory: Path | None = None, force: bool = False) -> LoadReport:
    """Load every ``*.yaml`` bank of ``directory`` (default ``quiz/content/``), all or nothing.

    Questions are matched by bank and question id and updated in place, so attempts and cards stay attached.
    A question whose file version has not changed since the last load is left alone, which keeps edits made in
    the admin until the file itself changes (``force`` overwrites them). Questions gone from their file are
    marked retired, never deleted. Raises :class:`BankError` naming every problem in every file.
    """
    directory = directory or CONTENT_DIR
    files, problems = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            files.append(read_bank(path, label=_label(path)))
        except BankError as exc:
            problems.extend(exc.problems)
    if problems:
        raise BankError(problems)
    return banks_store(files, force=force)


def banks_store(files: Sequence[BankFile], *, force: bool = False) -> LoadReport:
    """Store already-checked banks (see :func:`content_load`); raises :class:`BankError` on clashing ids."""
    problems = []
    owner: dict[str, str] = {}
    slugs = [f.slug for f in files]
    for bank in files:
        if slugs.count(bank.slug) > 1:
            problems.append(f"{bank.path}: bank {bank.slug!r} is also defined by another file")
        for q in bank.questions:
            if q["id"] in owner and owner[q["id"]] != bank.slug:
                problems.append(f"{bank.path}: question {q['id']}: the id is also used by bank {owner[q['id']]!r}")
            owner.setdefault(q["id"], bank.slug)
    for qid, slug in Question.objects.filter(qid__in=owner).values_list("qid", "bank__slug"):
        if slug != owner[qid]:  # ids are unique across banks: URLs and the API name questions by id alone
            problems.append(f"{_file_of(files, qid)}: question {qid}: the id is already used by bank {slug!r}")
    if problems:
        raise BankError(sorted(set(problems)))
    report = LoadReport(banks=slugs)
    with transaction.atomic():
        for bank in files:
            _bank_store(bank, force=force, report=report)
    return report


def _bank_store(file: BankFile, *, force: bool, report: LoadReport) -> None:
    bank, _ = Bank.objects.update_or_create(
        slug=file.slug, defaults={"title": file.title, "source": file.path, "position": file.position}
    )
    existing = {q.qid: q for q in Question.objects.filter(bank=bank)}
    for position, data in enumerate(file.questions):
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        fields = {
            "position": position,
            "section": data["section"],
            "section_slug": section_slug(data["section"]),
            "title": data["title"],
            "data": data,
            "source_hash": digest,
            "retired": False,
        }
        question = existing.pop(data["id"], None)
        if question is None:
            Question.objects.create(bank=bank, qid=data["id"], **fields)
            report.created += 1
        elif force or question.source_hash != digest or question.retired:
            Question.objects.filter(pk=question.pk).update(updated_at=timezone.now(), **fields)
            report.updated += 1
        else:
            if question.position != position:
                Question.objects.filter(pk=question.pk).update(position=position)
            report.unchanged += 1
    retired = [q.pk for q in existing.values() if not q.retired]
    report.retired += Question.objects.filter(pk__in=retired).update(retired=True)


def bank_import_moodle(
    *, text: str | bytes, slug: str | None = None, title: str | None = None, source: str = "import"
) -> tuple[BankFile, list[str]]:
    """Read a Moodle XML bank and check it; returns it with the importer's warnings (nothing is stored)."""
    try:
        imported = moodle.import_bank(text, slug=slug, title=title)
    except moodle.MoodleError as exc:
        raise BankError([f"{source}: {exc}"]) from None
    data = imported.to_dict()
    problems = check_bank(data, where=source)
    if problems:
        raise BankError(problems)
    return BankFile(imported.slug, imported.title, tuple(imported.questions), source, 10), imported.warnings


def bank_export_moodle(*, slug: str) -> str:
    """The bank as stored (with any edits made in the admin) as Moodle XML; raises ``Bank.DoesNotExist``."""
    bank = Bank.objects.get(slug=slug)
    questions = [q.data for q in bank.questions.filter(retired=False).order_by("position")]
    return moodle.export_bank(slug=bank.slug, title=bank.title, questions=questions)


def question_data_save(*, question: Question, data: Any) -> Question:
    """Replace a question's data (the admin's edit) after checking its shape; raises :class:`BankError`."""
    problems = check_question(data)
    if not problems and data["id"] != question.qid:
        problems.append(f"id: is {question.qid!r}; a question's id cannot change (attempts refer to it)")
    if problems:
        raise BankError([f"question {question.qid}: {p}" for p in problems])
    question.data = data
    question.section = data["section"]
    question.section_slug = section_slug(data["section"])
    question.title = data["title"]
    question.save()
    return question


# ----------------------------------------------------------------------------------------------- attempts


def _saved_diagrams(question: Question, responses: Any, learner: Learner) -> Any:
    """Design answers given as ``{"diagram": <id>}``: the latest version of a diagram the learner may see."""
    if not isinstance(responses, dict):
        return responses
    from django.contrib.auth import get_user_model
    from django.http import Http404

    from designer import services as designer

    design_parts = {p["id"] for p in question.data["parts"] if p["type"] == "design"}
    user = get_user_model().objects.filter(pk=learner.user_id).first() if learner.user_id else None
    resolved = dict(responses)
    problems = []
    for pid, answer in responses.items():
        if pid not in design_parts or not (isinstance(answer, dict) and set(answer) == {"diagram"}):
            continue
        ref = answer["diagram"]
        try:
            if isinstance(ref, bool) or not isinstance(ref, int):
                raise Http404
            diagram, _ = designer.diagram_get_for(pk=ref, user=user, session_key=learner.session_key)
        except Http404:
            problems.append(answers.Problem(f"responses.{pid}.diagram", f"{ref!r} is not a diagram you can open"))
            continue
        resolved[pid] = designer.diagram_latest(diagram=diagram).data
    if problems:
        raise ResponsesInvalid(problems)
    return resolved


def attempt_create(*, question: Question, responses: Any, learner: Learner, now: datetime | None = None) -> Attempt:
    """Check, grade and store an answer, record concept results and review the learner's cards.

    Raises :class:`ResponsesInvalid` (nothing stored) when the responses cannot be graded.
    """
    responses = _saved_diagrams(question, responses, learner)
    clean, problems = answers.check(question.data, responses)
    if problems:
        raise ResponsesInvalid(problems)
    now = now or timezone.now()
    result = grade(question.data, clean).to_dict()
    with transaction.atomic():
        attempt = Attempt.objects.create(
            question=question, responses=clean, grade=result, score=result["score"], created_at=now, **learner.fields()
        )
        concepts = [
            ConceptResult(attempt=attempt, part_id=part["id"], concept_id=item["concept"], found=found)
            for part in result["parts"]
            if part["type"] == "text" and part["id"] in clean
            for found, key in ((True, "found"), (False, "missed"))
            for item in part["feedback"][key]
        ]
        ConceptResult.objects.bulk_create(concepts)
        _cards_review(attempt, concepts, learner, now)
    return attempt


def _cards_review(attempt: Attempt, concepts: Iterable[ConceptResult], learner: Learner, now: datetime) -> None:
    cards = {
        (c.part_id, c.concept_id): c
        for c in Card.objects.select_for_update().filter(learner.owns(), question=attempt.question)
    }
    wanted = [("", "", scheduling.rating_for_score(attempt.score))]
    for result in concepts:
        if not result.found or (result.part_id, result.concept_id) in cards:
            wanted.append((result.part_id, result.concept_id, scheduling.concept_rating(found=result.found)))
    new = []
    for part_id, concept_id, rating in wanted:
        card = cards.get((part_id, concept_id))
        if card is not None and not scheduling.counts_as_review(card.state, rating, now):
            continue
        state, due = scheduling.review(card.state if card else None, rating, now)
        if card is None:
            card = Card(
                question=attempt.question, part_id=part_id, concept_id=concept_id, created_at=now, **learner.fields()
            )
            new.append(card)
        elif rating == scheduling.Rating.Again:
            card.lapses += 1  # forgotten after at least one review
        card.state, card.due, card.last_rating = state, due, int(rating)
        card.reviews += 1
        if card.pk:
            card.save()
    # Two answers sent at once (a double click) may both find no card: the first one in creates it.
    Card.objects.bulk_create(new, ignore_conflicts=True)


def attempt_get(*, learner: Learner, pk: int) -> Attempt:
    """One of the learner's attempts; raises ``Attempt.DoesNotExist`` for anyone else's."""
    return Attempt.objects.select_related("question__bank").get(learner.owns(), pk=pk)


def attempts_latest(*, learner: Learner) -> dict[int, Attempt]:
    """The learner's latest attempt per question id (pk)."""
    latest: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(learner.owns()).defer("responses", "grade").order_by("-created_at", "-id"):
        latest.setdefault(attempt.question_id, attempt)
    return latest


# ------------------------------------------------------------------------------------------------- claims


def session_claim(*, session_key: str, user: Any) -> None:
    """Give ``user`` the attempts and cards of an anonymous session; the fresher of two cards for one thing wins."""
    Attempt.objects.filter(session_key=session_key, user__isnull=True).update(user=user, session_key="")
    mine = {(c.question_id, c.part_id, c.concept_id): c for c in Card.objects.filter(user=user)}
    for card in Card.objects.filter(session_key=session_key, user__isnull=True):
        other = mine.get((card.question_id, card.part_id, card.concept_id))
        if other is None:
            card.user, card.session_key = user, ""
            card.save(update_fields=["user", "session_key", "updated_at"])
        else:
            if (card.state.get("last_review") or "") > (other.state.get("last_review") or ""):
                other.state, other.due, other.last_rating = card.state, card.due, card.last_rating
            other.reviews += card.reviews
            other.lapses += card.lapses
            other.save()
            card.delete()


# ------------------------------------------------------------------------------------------------ browsing


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


@dataclass
class Progress:
    sections: list[SectionProgress]
    concepts: list[ConceptProgress]
    recent: list[Attempt]
    attempts: int
    due: int

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

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
class BankProgress:
    bank: Bank
    sections: list[SectionProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

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


def question_counts() -> Mapping[str, int]:
    """Number of questions in use per bank slug."""
    rows = questions_active().values("bank__slug").annotate(n=Count("id"))
    return {r["bank__slug"]: r["n"] for r in rows}


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def _file_of(files: Sequence[BankFile], qid: str) -> str:
    return next((f.path for f in files if any(q["id"] == qid for q in f.questions)), "?")
