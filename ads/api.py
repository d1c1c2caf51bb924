"""API views for ads: partners and admins post batches of ads."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, Scope
from audit.models import Action
from audit.services import audit_request

from .models import Source
from .readers import records_from_payload
from .serializers import IngestBatchInput, IngestSummarySerializer
from .services import ads_ingest, source_get_or_create_for_partner


class IngestView(APIView):
    """POST a batch of ads; the answer is the per-row summary (new, revisions, rejected...)."""

    @extend_schema(request=IngestBatchInput, responses={200: IngestSummarySerializer})
    def post(self, request: Request) -> Response:
        data = IngestBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        # Every token needs the 'ads' scope, whoever holds it; partners must use a token.
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if (token is not None and not token.has_scope(Scope.ADS)) or (
            user.is_partner and token is None
        ):
            raise PermissionDenied("This token lacks the 'ads' scope.")
        if user.is_partner:
            source = source_get_or_create_for_partner(partner=user.partner)
        else:
            name = data.validated_data.get("source")
            source = Source.objects.visible_to(user).filter(name=name).first() if name else None
            if source is None:
                raise ValidationError({"source": "name an existing source"})
        summary = ads_ingest(source=source, rows=records_from_payload(data.validated_data["ads"]))
        audit_request(
            request,
            action=Action.INGEST,
            object_type="source",
            object_id=source.pk,
            detail={
                "new": summary.new,
                "revised": summary.revised,
                "unchanged": summary.unchanged,
                "rejected": len(summary.rejected),
            },
        )
        return Response(summary.to_json(), status=status.HTTP_200_OK)
