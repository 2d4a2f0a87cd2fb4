"""What every review service shares: the two refusals, and the signed-in user or None."""

from __future__ import annotations

from typing import Any


class NotAllowed(Exception):
    """The visitor's role would allow this, but it is not theirs to do (someone else's comment or review)."""


class ReviewError(ValueError):
    """The request cannot be carried out as asked; the message says why."""


def signed_in(user: Any) -> Any:
    """The user when signed in, else None."""
    return user if user is not None and user.is_authenticated else None
