"""The FilterSets of ads and of queue items, shared by the API and the desk pages.

`AdFilter` filters the API's ad list and the search page; `QueueItemFilter` the queue page, its
CSV and the API's queue. A parameter means the same in each (source, indicator, possible minor,
window), read by the same filter from `core/filters.py`; the form is `templates/_filter_form.html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Abs

from ads.filters import SourceFilter, source_choices
from ads.models import Ad, EntityOccurrence, Source
from analytics.scoring.indicators import indicator_labels
from core.filters import (
    CodeFilter,
    FilterSet,
    FlagFilter,
    IdFilter,
    RiskFilter,
    TextFilter,
    UtcIsoDateTimeFilter,
    WeekFilter,
    WindowFilter,
)

from .models import ItemStatus, QueueItem, QueueItemSource

# Orders of the figures as the user sees them (QueueItemQuerySet.with_seen_figures): the stored
# columns, except for an item with ads the user may not see, whose place in the queue must not
# reveal them (issue #19 H1).
ORDERS = {
    "priority": ("-seen_priority", "-seen_last_seen_at", "-pk"),
    "recent": ("-seen_last_seen_at", "-pk"),
    "size": ("-seen_size", "-seen_priority", "-pk"),
    "due": ("due_at", "-seen_priority", "-pk"),
    # Active learning (issue #15): the scored items nearest the flag threshold first, where a
    # reviewer's decision tells the model the most; unscored items last (`OrderFilter`).
    "uncertain": ("uncertainty", "-last_seen_at", "-pk"),
}
ORDER_CHOICES = [
    ("priority", "Most urgent first"),
    ("recent", "Most recently seen"),
    ("size", "Largest network"),
    ("due", "Due soonest"),
    ("uncertain", "Most uncertain first (decisions here teach the model most)"),
]
DEFAULT_ORDER = "priority"
DEFAULT_STATUS = "open"
STATUS_CHOICES = [("open", "Open (new + in review)"), ("all", "All"), *ItemStatus.choices]


def _indicator_choices(counts: Mapping[str, int] | None = None) -> list[tuple[str, str]]:
    """Every indicator code in plain words; with counts, each label says how many rows carry it
    and the codes that some row carries come first (most first)."""
    labels = indicator_labels()
    if counts is None:
        return [("", "Any"), *labels.items()]
    codes = sorted(labels, key=lambda code: -counts.get(code, 0))
    return [("", "Any"), *((code, f"{labels[code]} ({counts.get(code, 0):,})") for code in codes)]


class AdFilter(FilterSet):
    """Ads: the API's ad list and the search page."""

    source = SourceFilter(field_name="source_id")
    posted_after = UtcIsoDateTimeFilter(field_name="posted_at", lookup_expr="gte")
    posted_before = UtcIsoDateTimeFilter(field_name="posted_at", lookup_expr="lt")
    window = WindowFilter(field_name="posted_at", label="Posted within")
    week = WeekFilter(field_name="posted_at", label="Posted in the week of")
    location = TextFilter(method="filter_location", label="Location")
    flagged = django_filters.BooleanFilter(field_name="score__flagged")
    min_risk = RiskFilter(field_name="score__risk")
    possible_minor = FlagFilter(field_name="score__possible_minor", label="Possible minor only")
    category = django_filters.CharFilter(field_name="score__category")
    indicator = CodeFilter(method="filter_indicator", label="Indicator")
    admin1 = django_filters.CharFilter(field_name="location__admin1")
    place = django_filters.CharFilter(field_name="location__name", label="Place")
    network = IdFilter(field_name="network_membership__network_id")
    entity = IdFilter(method="filter_entity")
    same_text = IdFilter(method="filter_same_text", label="Same text as ad")

    page_fields = ("location", "window", "source", "indicator", "possible_minor")
    id_prefix = "s"

    class Meta:
        model = Ad
        fields: list[str] = []

    def prepare_form(self, form: forms.Form) -> None:
        form.fields["indicator"].widget = forms.Select(choices=_indicator_choices())
        if self.user is not None:
            form.fields["source"].widget.choices = source_choices(self.user)

    def filter_location(self, queryset: QuerySet[Ad], name: str, value: str) -> QuerySet[Ad]:
        return queryset.filter(
            Q(location_text__icontains=value) | Q(location__name__icontains=value)
        )

    def filter_indicator(self, queryset: QuerySet[Ad], name: str, value: str) -> QuerySet[Ad]:
        # The score's codes are a JSON list: the quoted code in its text (SQLite and PostgreSQL).
        return queryset.filter(score__indicator_codes__icontains=f'"{value}"')

    def filter_same_text(self, queryset: QuerySet[Ad], name: str, value: int) -> QuerySet[Ad]:
        # Reposts: the ads whose title and text are the same as one ad the user may see
        # (another unit's ad id selects nothing, like an unknown one).
        if self.user is None:
            return queryset.none()
        same = Ad.objects.visible_to(self.user).filter(pk=value)
        return queryset.filter(
            title=Subquery(same.values("title")[:1]), body=Subquery(same.values("body")[:1])
        )

    def filter_entity(self, queryset: QuerySet[Ad], name: str, value: int) -> QuerySet[Ad]:
        return queryset.filter(
            Exists(EntityOccurrence.objects.filter(ad=OuterRef("pk"), entity_id=value))
        )


class StatusFilter(django_filters.ChoiceFilter):
    """Open items (new and in review) unless another status, or "all", is asked for."""

    def filter(self, qs: QuerySet[QueueItem], value: Any) -> QuerySet[QueueItem]:
        value = value or DEFAULT_STATUS
        if value == "open":
            return qs.open()
        return qs if value == "all" else qs.filter(status=value)


class OrderFilter(django_filters.ChoiceFilter):
    def filter(self, qs: QuerySet[QueueItem], value: Any) -> QuerySet[QueueItem]:
        order = value if value in ORDERS else DEFAULT_ORDER
        if order == "uncertain":
            # Distance to RISK_FLAG_THRESHOLD, the one threshold fact.
            near = Abs(F("seen_risk") - Value(settings.RISK_FLAG_THRESHOLD))
            return qs.annotate(uncertainty=near).order_by(
                F("uncertainty").asc(nulls_last=True), *ORDERS[order][1:]
            )
        return qs.order_by(*ORDERS[order])


class QueueItemFilter(FilterSet):
    """Queue items: the queue page, its CSV and the API's queue."""

    status = StatusFilter(choices=STATUS_CHOICES, empty_label=None, label="Status")
    location = TextFilter(field_name="location", lookup_expr="icontains", label="Location")
    window = WindowFilter(field_name="seen_last_seen_at", label="Seen within")
    source = SourceFilter(method="filter_source")
    indicator = CodeFilter(method="filter_indicator", label="Indicator")
    possible_minor = FlagFilter(field_name="seen_possible_minor", label="Possible minor only")
    mine = FlagFilter(method="filter_mine", label="Mine only")
    order = OrderFilter(choices=ORDER_CHOICES, empty_label=None, label="Order")

    page_fields = (
        "status",
        "location",
        "window",
        "source",
        "indicator",
        "order",
        "possible_minor",
        "mine",
    )

    class Meta:
        model = QueueItem
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[QueueItem]) -> QuerySet[QueueItem]:
        # The window, the possible-minor flag and every order read the figures as seen.
        return super().filter_queryset(queryset.with_seen_figures(self.user))

    def prepare_form(self, form: forms.Form) -> None:
        form.fields["location"].widget.attrs["placeholder"] = "e.g. Las Vegas"
        form.fields["indicator"].widget = forms.Select(choices=_indicator_choices())
        if self.user is not None:
            form.fields["source"].widget.choices = source_choices(self.user)

    def show_indicator_counts(self, counts: Mapping[str, int]) -> None:
        """Label each indicator of the form with how many chosen items carry it."""
        self.form.fields["indicator"].widget.choices = _indicator_choices(counts)

    def filter_source(self, queryset: QuerySet[QueueItem], name: str, value: int) -> QuerySet:
        # Only a source the user may see: another unit's source id must not select the network
        # items that hold its ads (issue #19 H1); it selects nothing, like an unknown id.
        links = QueueItemSource.objects.filter(item_id=OuterRef("pk"), source_id=value)
        if self.user is not None:
            links = links.filter(source__in=Source.objects.visible_to(self.user))
        return queryset.filter(Exists(links))

    def filter_indicator(self, queryset: QuerySet[QueueItem], name: str, value: str) -> QuerySet:
        # An item's codes are one space-separated string with a space at each end.
        return queryset.filter(indicator_codes__contains=f" {value} ")

    def filter_mine(self, queryset: QuerySet[QueueItem], name: str, value: bool) -> QuerySet:
        if not value or self.user is None:
            return queryset
        return queryset.filter(assignee=self.user)
