"""API routes of the partner API and the investigators' API (both in the "api" namespace).

Included from anti_trafficking/urls.py under /api/v1/. Every name here has a policy entry:
partners/access.py for "partner-*", ads/access.py for "investigator-*".
"""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

import partners.admin  # noqa: F401  (admin registrations; the admin does not autodiscover)
from ads.api_investigator import AdViewSet, EntityViewSet, NetworkViewSet

from .api import LookupView, PartnerKeyView, StatsView, TipViewSet

router = SimpleRouter()
router.register("partner/tips", TipViewSet, basename="partner-tips")
router.register("investigator/ads", AdViewSet, basename="investigator-ads")
router.register("investigator/entities", EntityViewSet, basename="investigator-entities")
router.register("investigator/networks", NetworkViewSet, basename="investigator-networks")

urlpatterns = [
    path("partner/lookup/", LookupView.as_view(), name="partner-lookup"),
    path("partner/key/", PartnerKeyView.as_view(), name="partner-key"),
    path("partner/stats/", StatsView.as_view(), name="partner-stats"),
    *router.urls,
]
