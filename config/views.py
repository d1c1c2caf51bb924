"""Project-level views: the health check for load balancers, the dashboard home and the guide."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.defaults import page_not_found

from ads import pipeline
from ads.models import Ad
from core import markdown

GUIDE = Path(settings.BASE_DIR) / "docs" / "guide.md"


def health(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, in services mode) answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.EMBEDDED:
        checks["broker"] = "embedded (tasks in-process)"
    else:
        try:
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" or v.startswith("embedded") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )


def home(request: HttpRequest) -> HttpResponse:
    """Each role starts at its own page after signing in: investigators and supervisors at their
    review queue, auditors at the audit trail, partners at the API documentation (their key and
    endpoints), administrators at the pipeline overview."""
    user = request.user
    if user.is_auditor and not user.is_platform_admin:
        return redirect("admin:audit_auditevent_changelist")
    if user.is_partner:
        return redirect("api:docs")
    if not user.is_platform_admin:
        return redirect("cases:queue")
    ads = Ad.objects.visible_to(request.user)
    context = {
        "ad_count": ads.count(),
        "pipeline": pipeline.pipeline_status_report() if request.user.is_platform_admin else None,
        "recent": ads.select_related("source").order_by("-created_at")[:20],
    }
    return render(request, "home.html", context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (clients parse it, issue #19), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


@cache
def _guide() -> tuple[str, list[markdown.Heading]]:
    # Our own file, read once per process; rendered by the safe reader all the same.
    return markdown.render(GUIDE.read_text(encoding="utf-8"))


def guide(request: HttpRequest) -> HttpResponse:
    """The investigator guide (docs/guide.md) and its glossary, linked from every page's footer."""
    html, headings = _guide()
    return render(request, "guide.html", {"guide": html, "headings": headings})
