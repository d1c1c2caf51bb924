"""Filters for the partner API's lists."""

from __future__ import annotations

import django_filters

from core.filters import UtcIsoDateTimeFilter

from .models import Tip


class TipFilter(django_filters.FilterSet):
    submitted_after = UtcIsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcIsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Tip
        fields = ["submitted_after", "submitted_before"]
