"""The investigators' API: read-only ads (with entities, score, location), entities and networks.

Same permission model as the dashboard: every queryset starts from `visible_to(request.user)`,
and figures about an entity or a network are computed over the caller's visible ads only, so a
count never reveals ads of another unit. Cursor-paginated, filterable, every call audited.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.permissions import IsAuthenticated

from accounts.models import Scope
from ads.models import Ad, Entity, EntityKind, EntityOccurrence
from analytics.models import AdScore, Network
from analytics.selectors import score_basis
from cases.filters import AdFilter
from core.access import PolicyPermission
from core.api import (
    NewestFirstCursorPagination,
    TokenScope,
    error_responses,
)
from core.filters import IdFilter
from core.viewsets import VisibleViewSet
from maps.models import AdLocation

MAX_DETAIL_ADS = 500


# --- Serializers --------------------------------------------------------------------------------
class ScoreSerializer(serializers.ModelSerializer):
    risk_basis = serializers.SerializerMethodField(
        help_text='What backs `risk`: "lead score, not yet calibrated against decisions", or the '
        "number of investigators' decisions it is calibrated against."
    )

    class Meta:
        model = AdScore
        fields = [
            "risk",
            "risk_basis",
            "minor",
            "flagged",
            "possible_minor",
            "category",
            "indicator_codes",
            "indicators",
            "counter_indicators",
            "reason",
            "model_version",
            "scored_at",
        ]

    def get_risk_basis(self, score: AdScore) -> str:
        memo = self.context.setdefault("risk_basis", {})
        if score.model_version not in memo:
            memo[score.model_version] = score_basis(score.model_version)
        return memo[score.model_version]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdLocation
        fields = [
            "lat",
            "lng",
            "precision",
            "name",
            "country",
            "admin1",
            "confidence",
            "source",
            "rule",
            "travel_cues",
        ]


class EntityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "kind", "value"]


class AdSerializer(serializers.ModelSerializer):
    # Declared nested fields (not per-object serializers): a page of 50 ads serialises in one pass.
    # A missing score, location or network membership reads as null.
    source = serializers.CharField(source="source.name", read_only=True)
    score = ScoreSerializer(read_only=True, allow_null=True)
    location = LocationSerializer(read_only=True, allow_null=True)
    network = serializers.IntegerField(
        source="network_membership.network_id", read_only=True, allow_null=True
    )
    entities = serializers.SerializerMethodField()

    class Meta:
        model = Ad
        fields = [
            "id",
            "source",
            "external_id",
            "url",
            "title",
            "body",
            "posted_at",
            "captured_at",
            "last_seen_at",
            "location_text",
            "revision_count",
            "pipeline_stage",
            "score",
            "location",
            "network",
            "entities",
        ]

    @extend_schema_field(EntityRefSerializer(many=True))
    def get_entities(self, ad: Ad) -> list[dict[str, Any]]:
        seen: dict[int, Entity] = {}
        for occurrence in ad.occurrences.all():
            seen.setdefault(occurrence.entity_id, occurrence.entity)
        return [
            {"id": e.pk, "kind": e.kind, "value": e.value}
            for e in sorted(seen.values(), key=lambda e: e.pk)
        ]


class EntitySerializer(serializers.ModelSerializer):
    ads = serializers.IntegerField(
        source="visible_ads", read_only=True, help_text="Ads you can see that carry it."
    )
    first_seen_at = serializers.DateTimeField(
        source="visible_first", read_only=True, allow_null=True
    )
    last_seen_at = serializers.DateTimeField(source="visible_last", read_only=True, allow_null=True)

    class Meta:
        model = Entity
        fields = ["id", "kind", "value", "ads", "first_seen_at", "last_seen_at"]


class EntityDetailSerializer(EntitySerializer):
    ad_ids = serializers.SerializerMethodField()

    class Meta(EntitySerializer.Meta):
        fields = [*EntitySerializer.Meta.fields, "ad_ids"]

    def get_ad_ids(self, entity: Entity) -> list[int]:
        visible = self.context["visible_ads"]
        return list(
            visible.filter(occurrences__entity=entity)
            .distinct()
            .order_by("-pk")
            .values_list("pk", flat=True)[:MAX_DETAIL_ADS]
        )


class NetworkSerializer(serializers.ModelSerializer):
    size = serializers.IntegerField(
        source="visible_size", read_only=True, help_text="Ads you can see in this network."
    )
    first_seen_at = serializers.DateTimeField(
        source="visible_first", read_only=True, allow_null=True
    )
    last_seen_at = serializers.DateTimeField(source="visible_last", read_only=True, allow_null=True)
    max_risk = serializers.FloatField(source="visible_max_risk", read_only=True, allow_null=True)

    class Meta:
        model = Network
        fields = ["id", "size", "first_seen_at", "last_seen_at", "max_risk", "updated_at"]


class NetworkDetailSerializer(NetworkSerializer):
    ad_ids = serializers.SerializerMethodField()

    class Meta(NetworkSerializer.Meta):
        fields = [*NetworkSerializer.Meta.fields, "ad_ids"]

    def get_ad_ids(self, network: Network) -> list[int]:
        visible = self.context["visible_ads"]
        return list(
            visible.filter(network_membership__network=network)
            .order_by("-pk")
            .values_list("pk", flat=True)[:MAX_DETAIL_ADS]
        )


# --- Filters (the ads' FilterSet is the search page's: cases/filters.py) -------------------------


class EntityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntityKind.choices)
    value = django_filters.CharFilter(field_name="value")

    class Meta:
        model = Entity
        fields = ["kind", "value"]


class NetworkFilter(django_filters.FilterSet):
    min_size = IdFilter(field_name="visible_size", lookup_expr="gte", min_value=0)
    min_risk = django_filters.NumberFilter(
        field_name="visible_max_risk", lookup_expr="gte", min_value=0, max_value=1
    )

    class Meta:
        model = Network
        fields = ["min_size", "min_risk"]


# --- Viewsets -----------------------------------------------------------------------------------
class _InvestigatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleViewSet):
    # Called with a session (pages) or an investigator's token, which then needs the read scope.
    permission_classes = [IsAuthenticated, PolicyPermission, TokenScope]
    required_scopes = {"list": Scope.READ, "retrieve": Scope.READ}
    pagination_class = NewestFirstCursorPagination
    # Any path segment reaches the view, so a malformed id gets the JSON 404, not Django's page.
    lookup_value_regex = "[^/]+"

    def visible_ads(self) -> QuerySet[Ad]:
        return self.visible(Ad)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "visible_ads": self.visible_ads()}


_READ_ERRORS = error_responses(400, 401, 403, 429)
_DETAIL_ERRORS = error_responses(401, 403, 404, 429)


@extend_schema_view(
    list=extend_schema(responses={200: AdSerializer(many=True), **_READ_ERRORS}),
    retrieve=extend_schema(responses={200: AdSerializer, **_DETAIL_ERRORS}),
)
class AdViewSet(_InvestigatorViewSet):
    """Ads you may see, with their entities, score and location."""

    serializer_class = AdSerializer
    filterset_class = AdFilter
    audit_object_type = "ad"
    queryset = Ad.objects.none()

    def get_queryset(self) -> QuerySet[Ad]:
        # Only the columns the serializer shows: the ad's extracted JSON, the score's notes and
        # probabilities and the pipeline bookkeeping were decoded for every row and thrown away
        # (about a third of a page's CPU).
        return (
            super()
            .get_queryset()
            .select_related("source", "score", "location", "network_membership")
            .only(
                # The ad's own columns: the serializer's fields that are not declared on it.
                *(f for f in AdSerializer.Meta.fields if f not in AdSerializer._declared_fields),
                "source__name",
                *(
                    f"score__{f}"
                    for f in ScoreSerializer.Meta.fields
                    if f not in ScoreSerializer._declared_fields
                ),
                *(f"location__{f}" for f in LocationSerializer.Meta.fields),
                "network_membership__network_id",
            )
            .prefetch_related(
                Prefetch(
                    "occurrences",
                    queryset=EntityOccurrence.objects.select_related("entity").only(
                        "ad_id", "entity_id", "entity__kind", "entity__value"
                    ),
                )
            )
        )


@extend_schema_view(
    list=extend_schema(responses={200: EntitySerializer(many=True), **_READ_ERRORS}),
    retrieve=extend_schema(responses={200: EntityDetailSerializer, **_DETAIL_ERRORS}),
)
class EntityViewSet(_InvestigatorViewSet):
    """Phones, emails, handles, URLs and names found in ads you may see."""

    filterset_class = EntityFilter
    audit_object_type = "entity"
    queryset = Entity.objects.none()

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return EntityDetailSerializer if self.action == "retrieve" else EntitySerializer

    def get_queryset(self) -> QuerySet[Entity]:
        visible = Q(occurrences__ad__in=self.visible_ads().values("pk"))
        return (
            super()
            .get_queryset()
            .annotate(
                visible_ads=Count("occurrences__ad", filter=visible, distinct=True),
                visible_first=Min("occurrences__ad__captured_at", filter=visible),
                visible_last=Max("occurrences__ad__captured_at", filter=visible),
            )
        )


@extend_schema_view(
    list=extend_schema(responses={200: NetworkSerializer(many=True), **_READ_ERRORS}),
    retrieve=extend_schema(responses={200: NetworkDetailSerializer, **_DETAIL_ERRORS}),
)
class NetworkViewSet(_InvestigatorViewSet):
    """Networks of linked ads, described by the ads of theirs that you may see."""

    filterset_class = NetworkFilter
    audit_object_type = "network"
    queryset = Network.objects.none()

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return NetworkDetailSerializer if self.action == "retrieve" else NetworkSerializer

    def get_queryset(self) -> QuerySet[Network]:
        visible = Q(memberships__ad__in=self.visible_ads().values("pk"))
        return (
            super()
            .get_queryset()
            .annotate(
                visible_size=Count("memberships", filter=visible, distinct=True),
                visible_first=Min("memberships__ad__captured_at", filter=visible),
                visible_last=Max("memberships__ad__captured_at", filter=visible),
                visible_max_risk=Max("memberships__ad__score__risk", filter=visible),
            )
        )
