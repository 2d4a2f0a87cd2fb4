"""State changes of live workshops: create one, join it, pace it, answer, reveal, record into review queues.

Views call these functions (and ``selectors`` to read) and nothing below them. Every state change goes through
:func:`workshop_step`, which locks the workshop row, checks the version the instructor's screen was showing (a
double click or a second window cannot skip a question) and bumps ``state_version`` when participants' screens
must change.

Answers are graded when they arrive (the quiz's own grader) and stored once per participant and question: a
retry with the same client answer id changes nothing, a new submission replaces the old one until the question
closes, and anything later is refused with :class:`AnswerRefused`. When a question is revealed, the speed bonus
is settled, ranks are recomputed and every answer is queued to become a quiz attempt of its participant (a user
or a browser session), so what they missed comes back in their own review queue.

The package mirrors those steps: ``setup`` (create, join), ``pacing`` (:func:`workshop_step`), ``answering``,
``recording``, and the refusals in ``errors``.
"""

from workshops.services.answering import Submitted, answer_submit
from workshops.services.errors import AnswerRefused, JoinRefused, StaleState, StepRefused, WorkshopError
from workshops.services.pacing import STEPS, TIME_LIMITS, workshop_step
from workshops.services.recording import answer_record, answers_record
from workshops.services.setup import (
    MAX_TEAMS,
    participant_join,
    participant_remove,
    participants_claim,
    questions_choose,
    teams_parse,
    workshop_create,
)

__all__ = [
    "MAX_TEAMS",
    "STEPS",
    "TIME_LIMITS",
    "AnswerRefused",
    "JoinRefused",
    "StaleState",
    "StepRefused",
    "Submitted",
    "WorkshopError",
    "answer_record",
    "answer_submit",
    "answers_record",
    "participant_join",
    "participant_remove",
    "participants_claim",
    "questions_choose",
    "teams_parse",
    "workshop_create",
    "workshop_step",
]
