"""The investigators' API on their queue and cases, under /api/v1/investigator/ ("api" namespace).

Read-only except claiming; triage decisions are made on the pages, where the reviewer sees the ad.
Every call is audited with the ids it returned.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Scope
from audit.models import Action
from audit.services import audit_request
from core.access import PolicyPermission
from core.api import (
    BadCursorIs400Pagination,
    TokenScope,
    error_responses,
)
from core.viewsets import VisibleViewSet

from . import selectors
from .filters import QueueItemFilter
from .models import Case, QueueItem
from .serializers import CaseSerializer, ClaimResultSerializer, QueueItemSerializer
from .services import triage


class QueuePagination(BadCursorIs400Pagination):
    # The priority as the caller sees it (QueueItemFilter annotates it): a cursor holding the
    # stored priority of an item seen in part would reveal its hidden ads.
    ordering = ("-seen_priority", "-id")


class CasePagination(BadCursorIs400Pagination):
    ordering = ("-created_at", "-id")


class _InvestigatorViewSet(VisibleViewSet):
    # Sessions (pages) or an investigator's token with the read scope; claiming is a decision
    # taken at the desk, so no token scope grants it.
    permission_classes = [IsAuthenticated, PolicyPermission, TokenScope]
    required_scopes = {"list": Scope.READ, "retrieve": Scope.READ}
    # Any path segment reaches the view, so a malformed id gets the JSON 404, not Django's page.
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(
        responses={200: QueueItemSerializer(many=True), **error_responses(400, 401, 403, 429)}
    ),
    retrieve=extend_schema(
        responses={200: QueueItemSerializer, **error_responses(401, 403, 404, 429)}
    ),
)
class QueueItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InvestigatorViewSet):
    """Your queue (the page's filters: status, location, window, source, indicator, mine)."""

    serializer_class = QueueItemSerializer
    pagination_class = QueuePagination
    filterset_class = QueueItemFilter
    audit_object_type = "queue_item"
    queryset = QueueItem.objects.none()

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        return selectors.queue_items_as_seen(
            user=self.request.user,
            items=list(page),
            filters=QueueItemFilter(self.request.query_params, user=self.request.user),
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        selectors.queue_items_as_seen(user=request.user, items=[item])
        return Response(self.get_serializer(item).data)

    def get_queryset(self) -> Any:
        items = super().get_queryset()
        if not getattr(self, "swagger_fake_view", False):
            items = items.with_visible_lead(self.request.user)
        return items.select_related("assignee", "case")

    def filter_queryset(self, queryset: QuerySet[QueueItem]) -> QuerySet[QueueItem]:
        # The filters (and their default: open items) choose a list; an item is found by its id
        # whatever its status.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        request=None,
        responses={
            200: ClaimResultSerializer,
            409: ClaimResultSerializer,
            **error_responses(401, 403, 404, 429),
        },
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        result = triage.queue_item_claim(item=item, user=request.user)
        audit_request(
            request,
            action=Action.CHANGE,
            object_type="queue_item",
            object_id=item.pk,
            detail={"change": "claim", "claimed": result.claimed, "api": True},
        )
        body = {
            "claimed": result.claimed,
            "holder": result.holder.get_username() if result.holder else None,
            "item": QueueItemSerializer(
                selectors.queue_items_as_seen(user=request.user, items=[result.item])[0]
            ).data,
        }
        return Response(
            body, status=status.HTTP_200_OK if result.claimed else status.HTTP_409_CONFLICT
        )


@extend_schema_view(
    list=extend_schema(
        responses={200: CaseSerializer(many=True), **error_responses(400, 401, 403, 429)}
    ),
    retrieve=extend_schema(responses={200: CaseSerializer, **error_responses(401, 403, 404, 429)}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InvestigatorViewSet):
    """Cases you can see (your unit's, and those you are a member of)."""

    serializer_class = CaseSerializer
    pagination_class = CasePagination
    filter_backends: list[Any] = []
    audit_object_type = "case"
    queryset = Case.objects.none()

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("unit").prefetch_related("members")
