from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("quiz/", include("quiz.urls")),
    path("api/quiz/", include("quiz.api_urls")),
    path("api/", include("designer.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("workshops/", include("workshops.urls")),
    path("", include("reviews.urls")),
    path("", include("designer.urls")),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
