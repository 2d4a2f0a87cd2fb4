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
