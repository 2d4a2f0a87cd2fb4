from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "designer"
    verbose_name = "Designer"

    def ready(self) -> None:
        from accounts.services import register_claim
        from designer.services import diagrams_claim
        from designer.services.estimates import register_runner
        from designer.tasks import estimate_run

        register_claim(diagrams_claim)
        register_runner(lambda estimate_id: estimate_run.apply_async(args=[estimate_id], retry=False))
