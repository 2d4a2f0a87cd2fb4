"""Diagrams and their immutable versions."""

from django.conf import settings
from django.db import models


class Diagram(models.Model):
    """A diagram belongs to a user, or (for anonymous visitors) to a browser session until they sign up."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(max_length=200)
    head = models.PositiveIntegerField(default=0, help_text="Number of the latest version.")
    patterns = models.JSONField(default=list, blank=True, help_text="Pattern badges of the latest version.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.name


class DiagramVersion(models.Model):
    """One saved state of a diagram; never changed after it is written."""

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    report = models.JSONField(default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["diagram", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.diagram_id} v{self.number}"


class Estimate(models.Model):
    """A cost and latency estimate of one diagram version under one traffic profile, computed by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    version = models.ForeignKey(DiagramVersion, on_delete=models.CASCADE, related_name="estimates")
    profile_key = models.CharField(max_length=64, help_text="SHA-256 of the profile's canonical JSON.")
    profile = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "profile_key"], name="one_estimate_per_version_profile")
        ]

    def __str__(self) -> str:
        return f"estimate of {self.version} ({self.status})"


class Share(models.Model):
    """Access to a diagram for a team or for whoever holds a secret link, with a role; revocable at once."""

    class Role(models.TextChoices):
        VIEWER = "viewer"
        COMMENTER = "commenter"
        EDITOR = "editor"

    diagram = models.ForeignKey(Diagram, on_delete=models.CASCADE, related_name="shares")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, help_text="Secret link token.")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=False, token__isnull=True)
                | models.Q(team__isnull=True, token__isnull=False),
                name="share_is_team_or_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.diagram_id} shared as {self.role}"
