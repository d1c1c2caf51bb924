"""Routes of /api/v1/ ("api" namespace), on one router: schema and docs, ingestion, the partner
API, the investigators' API.

Included from config/urls.py. Every name here has a policy entry: core/access.py for the schema,
docs and ingestion, partners/access.py for "partner-*", api/access.py for "investigator-*",
cases/access.py for "cases-*".
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from ads.api import IngestView
from cases.api import CaseViewSet, QueueItemViewSet
from partners.api import LookupView, PartnerKeyView, StatsView, TipViewSet

from .investigator import AdViewSet, EntityViewSet, NetworkViewSet

router = SimpleRouter()
router.register("partner/tips", TipViewSet, basename="partner-tips")
router.register("investigator/ads", AdViewSet, basename="investigator-ads")
router.register("investigator/entities", EntityViewSet, basename="investigator-entities")
router.register("investigator/networks", NetworkViewSet, basename="investigator-networks")
router.register("investigator/queue", QueueItemViewSet, basename="cases-queue")
router.register("investigator/cases", CaseViewSet, basename="cases-case")

urlpatterns = [
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
    path("partner/lookup/", LookupView.as_view(), name="partner-lookup"),
    path("partner/key/", PartnerKeyView.as_view(), name="partner-key"),
    path("partner/stats/", StatsView.as_view(), name="partner-stats"),
    *router.urls,
]
