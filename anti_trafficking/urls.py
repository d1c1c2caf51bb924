"""Top-level URLs. Every named URL needs a policy entry (anti_trafficking/access.py)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from ads.api import IngestView

from . import views
from .admin_discovery import discover_local_admins

discover_local_admins()

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The documentation pages render HTML templates only: no OPTIONS metadata (it has none).
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="redoc",
    ),
    path("ingest/", IngestView.as_view(), name="ingest"),
    path("", include("partners.urls")),
    path("", include("cases.api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("maps/", include("maps.urls")),
    path("analytics/", include("analytics.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"))),
]
