"""The base viewset of the investigators' API (apart from core/api.py, which DRF's settings load
while rest_framework.views is still importing, so it cannot import the viewsets)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets

from core.api import AuditedAPIMixin


class VisibleViewSet(AuditedAPIMixin, viewsets.GenericViewSet):
    """The base of every investigator viewset: audited, and every queryset starts from the
    model's `visible_to(user)`, applied here once (as NetBox's BaseViewSet.initial restricts its
    queryset). The schema generator (drf-spectacular's `swagger_fake_view`, no user) gets an empty
    queryset of the model instead.

    Subclasses name the model with `queryset = Model.objects.none()` and narrow or annotate
    `super().get_queryset()`; `visible(OtherModel)` gives another model's visible rows.
    """

    queryset: QuerySet[Any]

    def visible(self, model: type[Model]) -> QuerySet[Any]:
        manager: Any = model._default_manager
        if getattr(self, "swagger_fake_view", False):
            return manager.none()
        return manager.visible_to(self.request.user)

    def get_queryset(self) -> QuerySet[Any]:
        return self.visible(self.queryset.model)
