from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from designer.domain.catalog import load_catalog
from designer.domain.patterns import PATTERN_IDS
from designer.domain.rules import load_rules


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    catalog = load_catalog()
    context = {"type_count": len(catalog.types), "pattern_count": len(PATTERN_IDS), "rule_count": len(load_rules())}
    return render(request, "home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and docker-compose: the process answers and the database responds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy", reported without details
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})
