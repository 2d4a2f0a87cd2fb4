"""What workshop requests are refused with; each message is for the person who asked."""

from __future__ import annotations

from collections.abc import Sequence

from quiz import answers as quiz_answers


class WorkshopError(Exception):
    """A request that is refused; the message says why, in words for the person who asked."""


class JoinRefused(WorkshopError):
    pass


class StepRefused(WorkshopError):
    pass


class StaleState(StepRefused):
    """The instructor's screen showed an older state than the workshop's (a double click, a second window)."""


class AnswerRefused(WorkshopError):
    """``reason`` is ``closed`` (too late), ``removed`` or ``invalid`` (with ``problems``, nothing stored)."""

    def __init__(self, message: str, *, reason: str, problems: Sequence[quiz_answers.Problem] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.problems = list(problems)
