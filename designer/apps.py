from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "designer"
    verbose_name = "Designer"

    def ready(self) -> None:
        from accounts.services import register_claim
        from designer.services import diagrams_claim

        register_claim(diagrams_claim)
