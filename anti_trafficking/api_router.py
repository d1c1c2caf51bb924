"""The one DRF router: apps register their viewsets on it in their `api.py`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
