"""The investigators' API on their queue and cases, under /api/v1/investigator/ ("api" namespace).

Read-only except claiming; triage decisions are made on the pages, where the reviewer sees the ad.
Every call is audited with the ids it returned.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from audit.models import Action
from audit.services import audit_request

from . import selectors, services
from .models import Case, QueueItem
from .serializers import CaseSerializer, ClaimResultSerializer, QueueItemSerializer


class QueuePagination(CursorPagination):
    ordering = ("-priority", "-id")
    page_size = 50


class CasePagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class _Audited:
    """Audits list and retrieve with the ids returned."""

    audit_type = ""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        if response.status_code < 400 and request.method == "GET":
            data = response.data if isinstance(response.data, dict) else {}
            rows = data.get("results", [data])
            ids = [row.get("id") for row in rows if isinstance(row, dict) and "id" in row]
            audit_request(
                request,
                action=Action.API_CALL,
                object_type=self.audit_type,
                detail={"path": request.path, "ids": ids},
            )
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class QueueItemViewSet(
    _Audited, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your queue (same filters as the page: status, location, window, source, indicator, mine)."""

    serializer_class = QueueItemSerializer
    pagination_class = QueuePagination
    filter_backends: list[Any] = []
    audit_type = "queue_item"

    def get_queryset(self) -> Any:
        filters = selectors.QueueFilters.from_query(self.request.query_params)
        if self.action != "list":
            return QueueItem.objects.visible_to(self.request.user).select_related(
                "assignee", "case"
            )
        return selectors.queue_items(user=self.request.user, filters=filters).order_by()

    @extend_schema(request=None, responses={200: ClaimResultSerializer, 409: ClaimResultSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        result = services.queue_item_claim(item=item, user=request.user)
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
            "item": QueueItemSerializer(result.item).data,
        }
        return Response(
            body, status=status.HTTP_200_OK if result.claimed else status.HTTP_409_CONFLICT
        )


class CaseViewSet(
    _Audited, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases you can see (your unit's, and those you are a member of)."""

    serializer_class = CaseSerializer
    pagination_class = CasePagination
    filter_backends: list[Any] = []
    audit_type = "case"

    def get_queryset(self) -> Any:
        return (
            Case.objects.visible_to(self.request.user)
            .select_related("unit")
            .prefetch_related("members")
        )


router = SimpleRouter()
router.register("investigator/queue", QueueItemViewSet, basename="cases-queue")
router.register("investigator/cases", CaseViewSet, basename="cases-case")

urlpatterns = [*router.urls]
