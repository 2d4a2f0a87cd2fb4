"""Live workshops: an instructor paces a room through questions of a bank; participants join with a code.

All state lives here, in the database, so any web process can serve any request of a workshop.
``Workshop.state_version`` goes up on every change participants must see (a question opens, closes or is
revealed, the workshop ends); their screens poll it cheaply (see ``views.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

ANSWER_GRACE = timedelta(seconds=2)  # a timed question still takes answers sent just before the deadline


class Workshop(models.Model):
    class Phase(models.TextChoices):
        LOBBY = "lobby"
        RUNNING = "running"
        FINISHED = "finished"

    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    bank = models.ForeignKey("quiz.Bank", on_delete=models.PROTECT, related_name="workshops")
    code = models.CharField(max_length=6, unique=True, help_text="Join code: no 0/O/1/I/L.")
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.LOBBY)
    current = models.ForeignKey("WorkshopQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state_version = models.PositiveIntegerField(default=1)
    deadline = models.DateTimeField(null=True, blank=True, help_text="When the open question's timer runs out.")
    speed_bonus = models.BooleanField(default=False)
    time_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Default timer of a question, in seconds (empty: no timer)."
    )
    teams = models.JSONField(default=list, blank=True, help_text="Team names participants choose from.")
    join_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["instructor", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def expired(self, now: datetime) -> bool:
        """Whether the open question's timer has run out (grace included)."""
        return self.deadline is not None and now > self.deadline + ANSWER_GRACE


class WorkshopQuestion(models.Model):
    """One question of the workshop, in order, with its own timer and the moments it opened, closed, was revealed."""

    class Status(models.TextChoices):
        PENDING = "pending"
        OPEN = "open"
        CLOSED = "closed"
        REVEALED = "revealed"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey("quiz.Question", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    time_limit = models.PositiveSmallIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop_id", "position"]  # the column itself: no join to the workshop's own ordering
        constraints = [
            models.UniqueConstraint(fields=["workshop", "position"], name="workshop_question_position"),
            models.UniqueConstraint(fields=["workshop", "question"], name="workshop_question_once"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id} #{self.number} {self.question_id}"

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def status(self) -> str:
        return status_of(self.opened_at, self.closed_at, self.revealed_at)


def status_of(opened_at: datetime | None, closed_at: datetime | None, revealed_at: datetime | None) -> str:
    """pending, open, closed or revealed, from the moments a question opened, closed and was revealed."""
    if revealed_at:
        return WorkshopQuestion.Status.REVEALED
    if closed_at:
        return WorkshopQuestion.Status.CLOSED
    return WorkshopQuestion.Status.OPEN if opened_at else WorkshopQuestion.Status.PENDING


class Participant(models.Model):
    """Someone in the room: a nickname, a secret token in their browser's cookie, and who they are to the quiz
    (a user, or the browser session), so their answers can join their own review queue."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    nickname = models.CharField(max_length=24)
    nickname_key = models.CharField(max_length=96, help_text="Case-folded nickname: unique in the workshop.")
    team = models.CharField(max_length=40, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the participant's token.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    joined_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    points = models.IntegerField(default=0, help_text="Points over the revealed questions.")
    rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "nickname_key"], name="workshop_nickname_unique"),
        ]
        indexes = [models.Index(fields=["workshop", "rank"])]

    def __str__(self) -> str:
        return self.nickname


class Answer(models.Model):
    """A participant's answer to one question: one row however often they send it (the last one counts)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(WorkshopQuestion, on_delete=models.CASCADE, related_name="answers")
    request_id = models.UUIDField(help_text="The client's id of the submission last applied (retries repeat it).")
    responses = models.JSONField()
    grade = models.JSONField()
    score = models.PositiveSmallIntegerField()
    summary = models.JSONField(help_text="What the live charts count (tally.summarize).")
    bonus = models.PositiveSmallIntegerField(default=0)
    points = models.PositiveSmallIntegerField(default=0, help_text="Score plus bonus, set on reveal.")
    submitted_at = models.DateTimeField()
    revisions = models.PositiveSmallIntegerField(default=1)
    attempt = models.ForeignKey("quiz.Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="Added to the participant's review queue.")

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["participant", "item"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.participant_id} on {self.item_id}: {self.score}"
