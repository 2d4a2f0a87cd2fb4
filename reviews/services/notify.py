"""E-mail to the people in a review: reviewers when they are asked, the requester when a reviewer decides.

Messages are plain text, sent after the transaction commits; a mail server that fails is logged and does not
undo the review.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from reviews.models import Review

logger = logging.getLogger(__name__)


def _send(*, subject: str, body: str, to: Iterable[str]) -> None:
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject = " ".join(subject.split())[:200]  # a name may hold a line break; a mail header may not

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # noqa: BLE001 - any mail failure is logged; the review stands
            logger.exception("review e-mail %r not sent", subject)

    transaction.on_commit(send)


def _link(review: Review, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("reviews:review", args=[review.diagram_id, review.pk])


def notify_requested(*, review: Review, reviewers: Iterable[Any], site_url: str) -> None:
    who = review.requested_by.get_username() if review.requested_by else "Someone"
    note = f"\n\nTheir note:\n{review.note}" if review.note else ""
    _send(
        subject=f"Review requested: {review.diagram.name} (version {review.version.number})",
        body=f"{who} asks you to review version {review.version.number} of {review.diagram.name}.{note}\n\n"
        f"Open the review: {_link(review, site_url)}\n",
        to=[u.email for u in reviewers],
    )


def notify_decided(*, review: Review, reviewer: Any, decision: str, note: str, site_url: str) -> None:
    if review.requested_by is None:
        return
    said = "approved" if decision == "approved" else "requested changes to"
    text = f"\n\n{note}" if note else ""
    _send(
        subject=f"{reviewer.get_username()} {said} {review.diagram.name} (version {review.version.number})",
        body=f"{reviewer.get_username()} {said} version {review.version.number} of {review.diagram.name}.{text}\n\n"
        f"The review is now {review.get_status_display().lower()}: {_link(review, site_url)}\n",
        to=[review.requested_by.email],
    )
