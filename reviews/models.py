"""Design reviews: comments anchored to a diagram's elements, review requests with their checklist and decisions."""

from django.conf import settings
from django.db import models


class Comment(models.Model):
    """A comment on a node, an edge or the whole diagram; a reply has a ``parent`` (the thread's first comment).

    The element is named by its id and the version the comment was made on, with the element's label and type
    at that time, so the comment stays attached across versions and can say when the element is gone.
    """

    class Anchor(models.TextChoices):
        DIAGRAM = "diagram"
        NODE = "node"
        EDGE = "edge"

    diagram = models.ForeignKey("designer.Diagram", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    anchor = models.CharField(max_length=10, choices=Anchor.choices, default=Anchor.DIAGRAM)
    element_id = models.CharField(max_length=64, blank=True, default="")
    element_label = models.CharField(max_length=200, blank=True, default="")
    element_type = models.CharField(max_length=64, blank=True, default="", help_text="Service type or edge kind.")
    version_number = models.PositiveIntegerField(help_text="The diagram version the comment was made on.")
    body = models.TextField(max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    author_session = models.CharField(
        max_length=64, blank=True, default="", help_text="Session of a guest who commented through a secret link."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["diagram", "element_id"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.diagram_id}/{self.element_id or 'diagram'}"


class Review(models.Model):
    """A request to review one version of a diagram, its checklist and the reviewers' decisions."""

    class Status(models.TextChoices):
        OPEN = "open"
        APPROVED = "approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        WITHDRAWN = "withdrawn"

    diagram = models.ForeignKey("designer.Diagram", on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey("designer.DiagramVersion", on_delete=models.CASCADE, related_name="reviews")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reviews_requested"
    )
    note = models.TextField(blank=True, default="", max_length=2000, help_text="What the reviewers should look at.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.diagram_id} v{self.version_id} ({self.status})"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.WITHDRAWN)

    @property
    def waiting_for(self) -> list["Reviewer"]:
        """Reviewers who have not decided yet (uses prefetched reviewers)."""
        return [r for r in self.reviewers.all() if r.decision == Reviewer.Decision.PENDING]


class Reviewer(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_assigned")
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    note = models.TextField(blank=True, default="", max_length=5000)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="one_reviewer_entry_per_user")]

    def __str__(self) -> str:
        return f"{self.user} on review {self.review_id}: {self.decision}"


class ChecklistItem(models.Model):
    """One line of a review's checklist: a finding of the reviewed version, or a review question of a pillar."""

    class Kind(models.TextChoices):
        FINDING = "finding"
        QUESTION = "question"

    class Status(models.TextChoices):
        OPEN = "open"
        # findings
        ACCEPTED = "accepted"
        FIXED = "fixed"
        WAIVED = "waived"
        # questions
        ADDRESSED = "addressed"
        CONCERN = "concern"
        NOT_APPLICABLE = "not_applicable", "not applicable"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=300, help_text="Rule and element ids of a finding, or the question's id.")
    pillar = models.CharField(max_length=40, blank=True, default="")
    severity = models.CharField(max_length=10, blank=True, default="")
    title = models.TextField()
    detail = models.TextField(blank=True, default="")
    fix = models.TextField(blank=True, default="")
    nodes = models.JSONField(default=list, blank=True)
    edges = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(blank=True, default="", max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "position"]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.status}"
