"""Question banks as loaded from ``quiz/content/``, the learners' attempts and their review cards."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Bank(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=300, blank=True, default="", help_text="File the bank was loaded from.")
    position = models.IntegerField(default=0, help_text="Banks are listed lowest first.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of a bank; ``data`` is the question exactly as in the bank file (quiz-format.md)."""

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="questions")
    qid = models.CharField("question id", max_length=64, unique=True)
    position = models.PositiveIntegerField(default=0)
    section = models.CharField(max_length=200)
    section_slug = models.SlugField(max_length=200)
    title = models.CharField(max_length=300)
    data = models.JSONField()
    source_hash = models.CharField(
        max_length=64, blank=True, default="", help_text="Hash of the file's version of this question, last loaded."
    )
    retired = models.BooleanField(default=False, help_text="No longer in its bank file; kept for the attempts.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bank", "position"]
        indexes = [models.Index(fields=["bank", "section_slug", "position"])]

    def __str__(self) -> str:
        return f"{self.qid}: {self.title}"


class Attempt(models.Model):
    """One graded answer: what the learner sent, the grade, and who sent it (a user or a browser session)."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    responses = models.JSONField()
    grade = models.JSONField()
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["session_key", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.question.qid} {self.score}% ({self.created_at:%Y-%m-%d %H:%M})"


class ConceptResult(models.Model):
    """Whether one rubric concept of a text part was found in an attempt: the raw material of concept mastery."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="concepts")
    part_id = models.CharField(max_length=64)
    concept_id = models.CharField(max_length=64)
    found = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.part_id}/{self.concept_id}: {'found' if self.found else 'missed'}"


class Card(models.Model):
    """A spaced-repetition card: a whole question (empty concept) or one rubric concept the learner missed."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="cards")
    part_id = models.CharField(max_length=64, blank=True, default="")
    concept_id = models.CharField(max_length=64, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="quiz_cards"
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    state = models.JSONField(help_text="The FSRS card (fsrs.Card.to_dict()).")
    due = models.DateTimeField(db_index=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    last_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question", "part_id", "concept_id"],
                condition=models.Q(user__isnull=False),
                name="quiz_card_unique_per_user",
            ),
            models.UniqueConstraint(
                fields=["session_key", "question", "part_id", "concept_id"],
                condition=models.Q(user__isnull=True),
                name="quiz_card_unique_per_session",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.question.qid}/{self.part_id}/{self.concept_id}" if self.concept_id else self.question.qid
        return f"{what} due {self.due:%Y-%m-%d %H:%M}"
