from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = "Quiz trainer"

    def ready(self) -> None:
        from accounts.services import register_claim
        from quiz.services import session_claim

        # Anonymous answers and review cards move to the account when the visitor signs up or signs in.
        register_claim(session_claim)
