"""Comments on a node, an edge or the whole diagram, in threads, anchored to an element of a version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from config.errors import NotFound
from designer.models import Diagram
from designer.services import diagram_latest, diagram_version_get
from reviews.models import Comment
from reviews.services.common import NotAllowed, ReviewError
from reviews.services.common import signed_in as _user

MAX_COMMENT = 5000


@dataclass(frozen=True)
class Element:
    """A node or edge of a version, as a comment names it."""

    anchor: str
    id: str
    label: str
    type: str
    data: dict[str, Any]


def version_element(data: dict[str, Any], element_id: str) -> Element | None:
    """The node or edge ``element_id`` of a version's diagram JSON, or None."""
    nodes = {n["id"]: n for n in data.get("nodes", [])}
    if element_id in nodes:
        n = nodes[element_id]
        return Element("node", element_id, n.get("label") or element_id, n.get("type", ""), n)
    for e in data.get("edges", []):
        if e.get("id") == element_id:
            ends = [nodes.get(e.get(k), {}).get("label") or e.get(k, "?") for k in ("from", "to")]
            return Element("edge", element_id, e.get("label") or f"{ends[0]} → {ends[1]}", e.get("kind", ""), e)
    return None


def _same_element(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = ("position",)
    return {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}


@dataclass
class Thread:
    root: Comment
    replies: list[Comment]
    state: str  # "diagram": on the whole diagram; "current", "changed" (since the comment's version) or "removed"
    label: str  # the element's label now, or as it was when it is gone

    @property
    def open(self) -> bool:
        return self.root.resolved_at is None

    @property
    def count(self) -> int:
        return 1 + len(self.replies)


def comment_threads(*, diagram: Diagram, element_id: str | None = None) -> list[Thread]:
    """The diagram's threads (all of them, or those on one element), oldest first, each with where its element
    stands in the latest version. A fixed number of queries, whatever the number of threads."""
    roots = (
        Comment.objects.filter(diagram=diagram, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(
            Prefetch("replies", queryset=Comment.objects.select_related("author").order_by("created_at", "pk"))
        )
    )
    if element_id is not None:
        roots = roots.filter(element_id=element_id)
    roots_list = list(roots)
    latest = diagram_latest(diagram=diagram)
    older = {c.version_number for c in roots_list if c.element_id and c.version_number != latest.number}
    then = {v.number: v.data for v in diagram.versions.filter(number__in=older).only("number", "data")}
    then[latest.number] = latest.data
    threads = []
    for root in roots_list:
        state, label = "diagram", ""
        if root.element_id:
            now = version_element(latest.data, root.element_id)
            before = version_element(then.get(root.version_number, {}), root.element_id)
            if now is None or now.anchor != root.anchor or now.type != root.element_type:
                state, label = "removed", root.element_label
            elif before is not None and not _same_element(before.data, now.data):
                state, label = "changed", now.label
            else:
                state, label = "current", now.label
        threads.append(Thread(root, list(root.replies.all()), state, label))
    return threads


def comment_counts(*, diagram: Diagram) -> dict[str, dict[str, int]]:
    """Threads per element id: ``{"api": {"open": 2, "resolved": 1}}`` (whole-diagram threads under ``""``)."""
    rows = (
        Comment.objects.filter(diagram=diagram, parent__isnull=True)
        .values("element_id")
        .annotate(
            open=Count("pk", filter=Q(resolved_at__isnull=True)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        )
    )
    return {r["element_id"]: {"open": r["open"], "resolved": r["resolved"]} for r in rows}


def comment_get(*, diagram: Diagram, comment_id: int) -> Comment:
    comment = Comment.objects.filter(pk=comment_id, diagram=diagram).select_related("parent").first()
    if comment is None:
        raise NotFound("no such comment")
    return comment


def comment_create(
    *,
    diagram: Diagram,
    user: Any,
    session_key: str,
    body: str,
    element_id: str = "",
    version_number: int | None = None,
    parent_id: int | None = None,
) -> Comment:
    """Comment on an element of a version (or on the whole diagram), or reply to a thread.

    A reply joins its thread's first comment and shares its anchor. Raises ReviewError for an empty or too long
    comment, or an element that is not in the version.
    """
    text = body.strip()
    if not text:
        raise ReviewError("Write something first.")
    if len(text) > MAX_COMMENT:
        raise ReviewError(f"A comment holds at most {MAX_COMMENT:,} characters; this one has {len(text):,}.")
    author = _user(user)
    common = {"diagram": diagram, "body": text, "author": author, "author_session": "" if author else session_key}
    if parent_id is not None:
        parent = comment_get(diagram=diagram, comment_id=parent_id)
        root = parent.parent or parent
        return Comment.objects.create(
            parent=root,
            anchor=root.anchor,
            element_id=root.element_id,
            element_label=root.element_label,
            element_type=root.element_type,
            version_number=diagram.head,
            **common,
        )
    number = version_number if version_number and 0 < version_number <= diagram.head else diagram.head
    if not element_id:
        return Comment.objects.create(anchor=Comment.Anchor.DIAGRAM, version_number=number, **common)
    version = diagram_version_get(diagram=diagram, number=number)
    element = version_element(version.data, element_id)
    if element is None:
        raise ReviewError(f"{element_id!r} is not in version {number}: wait for the diagram to save, then comment.")
    return Comment.objects.create(
        anchor=element.anchor,
        element_id=element.id,
        element_label=element.label[:200],
        element_type=element.type,
        version_number=number,
        **common,
    )


def comments_claim(*, session_key: str, user: Any) -> None:
    """Comments a guest wrote through a secret link become the account's when the guest signs up or in."""
    Comment.objects.filter(author__isnull=True, author_session=session_key).update(author=user, author_session="")


def comment_is_authors(comment: Comment, *, user: Any, session_key: str) -> bool:
    if _user(user):
        return comment.author_id == user.pk
    return bool(session_key) and comment.author_id is None and comment.author_session == session_key


def comment_resolve(*, comment: Comment, user: Any, resolved: bool) -> Comment:
    """Resolve or reopen the comment's thread."""
    root = comment.parent or comment
    root.resolved_at = timezone.now() if resolved else None
    root.resolved_by = _user(user) if resolved else None
    root.save(update_fields=["resolved_at", "resolved_by"])
    return root


def comment_delete(*, comment: Comment, user: Any, session_key: str, role: str) -> None:
    """Its author or the diagram's owner deletes a comment. A thread's first comment that has replies is kept as
    "deleted" so the replies still make sense; it goes when its last reply does."""
    if role != "owner" and not comment_is_authors(comment, user=user, session_key=session_key):
        raise NotAllowed("Only its author or the diagram's owner can delete a comment.")
    with transaction.atomic():
        root = Comment.objects.filter(pk=comment.parent_id).first() if comment.parent_id else None
        if root is None and comment.replies.exists():
            comment.body, comment.deleted_at = "", timezone.now()
            comment.save(update_fields=["body", "deleted_at"])
            return
        comment.delete()
        if root is not None and root.deleted_at is not None and not root.replies.exists():
            root.delete()
