from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self) -> None:
        from accounts.services import register_claim
        from workshops.services import participants_claim
        from workshops.services.recording import register_queue
        from workshops.tasks import workshop_record

        # A participant who signs up or in after the workshop keeps their answers for the review queue.
        register_claim(participants_claim)
        register_queue(
            lambda workshop_id, item_ids: workshop_record.apply_async(args=[workshop_id, item_ids], retry=False)
        )
