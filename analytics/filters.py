"""The FilterSet of the networks list: search, "in a case", and the order."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from analytics.models import Network
from core.filters import FilterSet, TextFilter

NETWORK_ORDERS = {
    "risk": ("-max_risk", "-size", "-pk"),
    "size": ("-size", "-max_risk", "-pk"),
    "recent": ("-last_seen_at", "-pk"),
    "oldest": ("first_seen_at", "pk"),
}
NETWORK_ORDER_CHOICES = [
    ("risk", "Highest lead score first"),
    ("size", "Largest first"),
    ("recent", "Most recently seen"),
    ("oldest", "First seen longest ago"),
]
IN_CASE_CHOICES = [("yes", "In a case"), ("no", "In no case")]


class NetworkOrderFilter(django_filters.ChoiceFilter):
    def filter(self, qs: QuerySet[Network], value: Any) -> QuerySet[Network]:
        return qs.order_by(*NETWORK_ORDERS.get(value or "risk", NETWORK_ORDERS["risk"]))


class NetworkFilter(FilterSet):
    """Live networks the user may see (`Network.objects.visible_to`), of two ads or more."""

    q = TextFilter(method="filter_q", label="Network number or city")
    in_case = django_filters.ChoiceFilter(
        method="filter_in_case", choices=IN_CASE_CHOICES, empty_label="Any", label="Cases"
    )
    order = NetworkOrderFilter(choices=NETWORK_ORDER_CHOICES, empty_label=None, label="Order")

    page_fields = ("q", "in_case", "order")
    id_prefix = "n"

    class Meta:
        model = Network
        fields: list[str] = []

    def visible_rows(self, user: Any) -> QuerySet[Network]:
        return Network.objects.visible_to(user).filter(merged_into__isnull=True, size__gte=2)

    def filter_q(self, queryset: QuerySet[Network], name: str, value: str) -> QuerySet[Network]:
        value = value.strip().removeprefix("#")
        if value.isdigit() and len(value) < 12:
            return queryset.filter(Q(pk=int(value)) | Q(cities__icontains=value))
        return queryset.filter(cities__icontains=value)

    def filter_in_case(
        self, queryset: QuerySet[Network], name: str, value: str
    ) -> QuerySet[Network]:
        if value not in ("yes", "no"):
            return queryset
        from cases.models import Case  # cases builds on analytics: read it here only

        # Only cases the user may see count: another unit's case must not be told by a filter.
        held = Case.objects.visible_to(self.user).filter(networks=OuterRef("pk"))
        return queryset.filter(Exists(held)) if value == "yes" else queryset.exclude(Exists(held))
