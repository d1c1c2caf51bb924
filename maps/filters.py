"""The FilterSet of the map's rows: the map, the ads of a cluster and the charts.

The map reads its own table (`AdLocation`, with the score's fields copied on), so its FilterSet
is its own; its filters are the same pieces as the ads' and the queue's (`core/filters.py`,
`ads/filters.py`), so a parameter reads the same on every page and in the API.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import connections
from django.db.models import Q, QuerySet

from ads.filters import SourceFilter, source_choices
from ads.models import Ad
from analytics.models import AdNetwork, Category
from analytics.scoring.indicators import indicator_labels
from analytics.selectors import score_heading
from core.filters import CodeFilter, DayFilter, FilterSet, FlagFilter, RiskFilter
from maps.models import AdLocation
from maps.selectors.filters import visible_locations

CASE_STATUS_CHOICES = [
    ("in_case", "In an open case"),
    ("new", "Queue: new"),
    ("in_review", "Queue: in review"),
    ("escalated", "Queue: escalated"),
    ("dismissed", "Queue: dismissed"),
]
# The risk levels the map's menu offers: the rollup's band edges, so each is answered by it.
RISK_LEVELS = ("0.3", "0.5", "0.7", "0.9")


class MapFilter(FilterSet):
    """Map rows the user may see (`visible_locations`), by time, risk, kind, source and case."""

    start = DayFilter(field_name="posted_at", lookup_expr="gte", label="From")
    end = DayFilter(field_name="posted_at", lookup_expr="lte", end_of_day=True, label="to")
    min_risk = RiskFilter(field_name="risk", label="Risk at least")
    category = django_filters.ChoiceFilter(
        field_name="category", choices=Category.choices, empty_label="All", label="Category"
    )
    indicator = CodeFilter(method="filter_indicator", label="Indicator")
    source = SourceFilter(field_name="source_id_copy")
    case_status = django_filters.ChoiceFilter(
        choices=CASE_STATUS_CHOICES,
        empty_label="Any",
        method="filter_case_status",
        label="Case status",
    )
    possible_minor = FlagFilter(field_name="possible_minor", label="Possible minor only")

    page_fields = ("min_risk", "category", "indicator", "source", "case_status", "possible_minor")
    # The time fieldset of the map page places these itself, beside its slider.
    placed_fields = ("start", "end")

    class Meta:
        model = AdLocation
        fields: list[str] = []

    def visible_rows(self, user: Any) -> QuerySet[AdLocation]:
        return visible_locations(user)

    def prepare_form(self, form: forms.Form) -> None:
        form.fields["min_risk"].label = f"{score_heading()} at least"
        form.fields["min_risk"].widget = forms.Select(
            choices=[("", "Any"), *((r, r) for r in RISK_LEVELS)], attrs={"id": "f-risk"}
        )
        form.fields["possible_minor"].widget.attrs["id"] = "f-minor"
        form.fields["indicator"].widget = forms.Select(
            choices=[("", "Any"), *indicator_labels().items()]
        )
        if self.user is not None:
            form.fields["source"].widget.choices = source_choices(self.user)

    def filter_indicator(self, queryset: QuerySet[AdLocation], name: str, value: str) -> QuerySet:
        # The score's codes are copied onto the map row: no semi-join of a million scores.
        if connections[queryset.db].vendor == "postgresql":
            # jsonb containment, answered by the GIN index maps_loc_codes_gin.
            return queryset.filter(indicator_codes__contains=[value])
        # SQLite has no JSON containment; the quoted code in the list's text is the same test.
        return queryset.filter(indicator_codes__icontains=f'"{value}"')

    def filter_case_status(self, queryset: QuerySet[AdLocation], name: str, value: str) -> QuerySet:
        return queryset.filter(ad_id__in=_ads_with_case_status(value))


class ChartFilter(MapFilter):
    """The charts' filters: the map's, with a shorter form."""

    page_fields = ("start", "end", "category", "source")
    placed_fields = ()
    id_prefix = "c"

    def prepare_form(self, form: forms.Form) -> None:
        super().prepare_form(form)
        form.fields["end"].label = "To"
        for name in ("min_risk", "possible_minor"):
            form.fields[name].widget.attrs.pop("id", None)


def _ads_with_case_status(status: str) -> QuerySet[Any]:
    from cases.models import Case, CaseStatus, ItemKind, QueueItem

    if status == "in_case":
        return Case.ads.through.objects.filter(case__status=CaseStatus.OPEN).values("ad_id")
    items = QueueItem.objects.filter(status=status)
    networks = items.filter(kind=ItemKind.NETWORK).values("network_id")
    return Ad.objects.filter(
        Q(pk__in=items.filter(kind=ItemKind.AD).values("ad_id"))
        | Q(pk__in=AdNetwork.objects.filter(network_id__in=networks).values("ad_id"))
    ).values("pk")
