"""Use cases of the quiz trainer: load banks, grade and store attempts, schedule reviews, report progress.

Views, API views and management commands call these functions and nothing below them. A learner is either a
signed-in user or a browser session (:class:`Learner`); what a session did moves to the account on sign-up or
sign-in (:func:`session_claim`, registered with ``accounts.services.register_claim``).

The package: ``learners`` (who answers), ``content`` (banks in and out), ``attempts`` (grade, store, review cards,
claims), ``browsing`` (questions in use) and ``progress`` (progress and the review queue).
"""

from quiz.services.attempts import (
    attempt_create,
    attempt_get,
    attempts_latest,
    form_with_saved_diagrams,
    learner_diagrams,
    session_claim,
)
from quiz.services.browsing import QuestionSet, question_counts, question_get, question_set, questions_active
from quiz.services.content import (
    CONTENT_DIR,
    LoadReport,
    bank_export_moodle,
    bank_import_moodle,
    banks_store,
    content_load,
    question_data_save,
)
from quiz.services.learners import Learner, ResponsesInvalid
from quiz.services.progress import (
    BankProgress,
    ConceptProgress,
    Progress,
    ReviewItem,
    ReviewQueue,
    SectionProgress,
    due_count,
    progress_get,
    review_queue,
)

__all__ = [
    "BankProgress",
    "CONTENT_DIR",
    "ConceptProgress",
    "Learner",
    "LoadReport",
    "Progress",
    "QuestionSet",
    "ResponsesInvalid",
    "ReviewItem",
    "ReviewQueue",
    "SectionProgress",
    "attempt_create",
    "attempt_get",
    "attempts_latest",
    "bank_export_moodle",
    "bank_import_moodle",
    "banks_store",
    "content_load",
    "due_count",
    "form_with_saved_diagrams",
    "learner_diagrams",
    "progress_get",
    "question_counts",
    "question_data_save",
    "question_get",
    "question_set",
    "questions_active",
    "review_queue",
    "session_claim",
]
