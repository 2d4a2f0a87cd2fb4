"""Who is answering (:class:`Learner`), and the refusal of responses that cannot be graded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from quiz import answers


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
