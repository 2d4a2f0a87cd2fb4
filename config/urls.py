from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The Swagger page loads its start-up script from its own URL (the split view: no inline script) but Swagger UI
# styles itself inline: style-src is loosened for this page only.
api_docs = csp_override(
    {**(settings.SECURE_CSP or settings.SECURE_CSP_REPORT_ONLY), "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    # Browsers ask for /favicon.ico where a page names no icon (a JSON answer, a download).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True), name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("quiz/", include("quiz.urls")),
    path("api/quiz/", include("quiz.api_urls")),
    path("api/", include("designer.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("workshops/", include("workshops.urls")),
    path("", include("reviews.urls")),
    path("", include("designer.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
