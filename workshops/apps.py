from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self) -> None:
        from accounts.services import register_claim
        from workshops.services import participants_claim

        # A participant who signs up or in after the workshop keeps their answers for the review queue.
        register_claim(participants_claim)
