"""Top-level URLs. Every named URL needs a policy entry (core/access.py, each app's access.py)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

from . import views
from .admin_discovery import discover_local_admins

discover_local_admins()

handler404 = "config.views.not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("guide/", views.guide, name="guide"),
    path("accounts/", include("accounts.urls")),
    # Outside /accounts/, which is exempt from the second factor: settings need a full sign-in.
    path("profile/", accounts_views.profile, name="profile"),
    path("cases/", include("cases.urls")),
    path("maps/", include("maps.urls")),
    path("analytics/", include("analytics.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("api.urls", "api"))),
]
