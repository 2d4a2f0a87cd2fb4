from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Design reviews"

    def ready(self) -> None:
        from accounts.services import register_claim
        from reviews.services import comments_claim

        register_claim(comments_claim)
