"""The partner API: "seen it?" lookups, regional trends, tips, and the partner's token key.

Partners authenticate with an API token of their organisation and see a smaller, keyed view:
no raw identifiers, names, ad text, images or captures, places no finer than a city.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import LookupRateThrottle
from accounts.models import Scope
from audit.models import Action
from audit.services import client_ip
from core.access import PolicyPermission
from core.api import (
    AuditedAPIMixin,
    NewestFirstCursorPagination,
    PartnerTokenScope,
    error_responses,
)

from .filters import TipFilter
from .models import Tip
from .selectors import (
    K_ANONYMITY,
    lookup_identifier,
    lookup_sightings,
    region_week_stats_cached,
    tips_of,
)
from .serializers import (
    LookupInput,
    LookupResultSerializer,
    PartnerKeySerializer,
    StatsQuery,
    StatsSerializer,
    TipInput,
    TipSerializer,
)
from .services import (
    IdentifierError,
    TipIdentifier,
    identifier_token,
    normalise_identifier,
    partner_key,
    partner_key_id,
    partner_token_index_refresh,
    tip_submit,
)

logger = logging.getLogger(__name__)

PARTNER_PERMISSIONS = [IsAuthenticated, PolicyPermission, PartnerTokenScope]


class LookupView(AuditedAPIMixin, APIView):
    """Has this phone number or email appeared, how often, when and where (coarsely)?"""

    permission_classes = PARTNER_PERMISSIONS
    throttle_classes = [LookupRateThrottle]  # counts the token's limit too
    required_scopes = {"post": Scope.READ}
    audit_action = Action.LOOKUP
    audit_object_type = "identifier"

    def audit_returned(self, response: Response) -> list[str]:
        data = getattr(response, "data", None)
        return [data["token"]] if isinstance(data, dict) and "token" in data else []

    @extend_schema(
        request=LookupInput,
        responses={200: LookupResultSerializer, **error_responses(400, 401, 403, 429)},
        description=(
            "Send a phone number in any format (read for `region`, default US), an email, or your "
            "own keyed token with its `kind`. The token is HMAC-SHA256 under your key "
            '(GET /api/v1/partner/key/) of the E.164 number ("+17025550123") or the lowercased '
            "email, in hex. Rate-limited and audited."
        ),
    )
    def post(self, request: Request) -> Response:
        data = LookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = request.user.partner
        values = data.validated_data
        if values.get("token"):
            kind, token, value = values["kind"], values["token"], None
            partner_token_index_refresh(partner=partner)
        else:
            kind = "phone" if values.get("phone") else "email"
            try:
                value = normalise_identifier(kind=kind, raw=values[kind], region=values["region"])
            except IdentifierError as exc:
                raise ValidationError({kind: str(exc)}) from exc
            token = identifier_token(partner=partner, value=value)
        identifier = lookup_identifier(kind=kind, value=value, token=token, partner=partner)
        result = lookup_sightings(identifier=identifier, kind=kind, token=token)
        return Response(LookupResultSerializer(result).data)


class PartnerKeyView(AuditedAPIMixin, APIView):
    """The partner's own token key, so it can compute tokens without sending raw identifiers."""

    permission_classes = PARTNER_PERMISSIONS
    required_scopes = {"get": Scope.READ}
    audit_object_type = "partner_key"

    def audit_returned(self, response: Response) -> list[str]:
        data = getattr(response, "data", None)
        return [f"key:{data['key_id']}"] if isinstance(data, dict) and "key_id" in data else []

    @extend_schema(
        responses={200: PartnerKeySerializer, **error_responses(401, 403, 429)},
        description=(
            "Your organisation's token key. Keep it like your API token. To send a lookup without "
            "the raw number, normalise it to E.164 (or lowercase the email) and compute, e.g. in "
            "Python: `hmac.new(bytes.fromhex(key), '+17025550123'.encode(), "
            'hashlib.sha256).hexdigest()`; POST it as {"token": ..., "kind": "phone"}. '
            "`key_id` changes when the key is rotated: recompute stored tokens then."
        ),
    )
    def get(self, request: Request) -> Response:
        partner = request.user.partner
        return Response(
            PartnerKeySerializer(
                {
                    "algorithm": "HMAC-SHA256",
                    "key_id": partner_key_id(partner=partner),
                    "key": partner_key(partner=partner).hex(),
                    "message": "UTF-8 bytes of the E.164 phone number or of the lowercased email",
                }
            ).data
        )


class StatsView(AuditedAPIMixin, APIView):
    """Ads and flagged ads per region and ISO week; counts below k are suppressed."""

    permission_classes = PARTNER_PERMISSIONS
    required_scopes = {"get": Scope.READ}
    audit_object_type = "region_stats"

    def audit_returned(self, response: Response) -> list[str]:
        data = getattr(response, "data", None)
        rows = data.get("results", []) if isinstance(data, dict) else []
        return [f"{row['region']}/{row['week']}" for row in rows]

    @extend_schema(
        parameters=[StatsQuery],
        responses={200: StatsSerializer, **error_responses(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        weeks, region = query.validated_data["weeks"], query.validated_data.get("region")
        rows = region_week_stats_cached(weeks=weeks, region=region)
        return Response(
            StatsSerializer(
                {"k": K_ANONYMITY, "weeks": weeks, "region": region, "results": rows}
            ).data
        )


@extend_schema_view(
    list=extend_schema(
        responses={200: TipSerializer(many=True), **error_responses(400, 401, 403, 429)}
    ),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter("public_id", str, OpenApiParameter.PATH, description="Tip id")
        ],
        responses={200: TipSerializer, **error_responses(401, 403, 404, 429)},
    ),
    create=extend_schema(
        request=TipInput,
        responses={201: TipSerializer, **error_responses(400, 401, 403, 429)},
        description="Send a tip; it enters the pipeline and the case queue. Answered with its id.",
    ),
)
class TipViewSet(
    AuditedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A partner's tips: send one, list yours, see how far one has got."""

    permission_classes = PARTNER_PERMISSIONS
    required_scopes = {"list": Scope.TIPS, "retrieve": Scope.TIPS, "create": Scope.TIPS}
    serializer_class = TipSerializer
    filterset_class = TipFilter
    pagination_class = NewestFirstCursorPagination
    lookup_field = "public_id"
    # Any path segment reaches the view, so a malformed id gets the JSON 404, not Django's page.
    lookup_value_regex = "[^/]+"
    audit_object_type = "tip"
    queryset = Tip.objects.none()  # for the schema; real requests use get_queryset

    def get_queryset(self) -> QuerySet[Tip]:
        if getattr(self, "swagger_fake_view", False):
            return Tip.objects.none()
        return tips_of(partner=self.request.user.partner)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TipInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        identifiers = []
        errors = {}
        for index, item in enumerate(values.get("identifiers", [])):
            try:
                identifiers.append(
                    TipIdentifier(
                        kind=item["kind"],
                        value=normalise_identifier(
                            kind=item["kind"], raw=item["value"], region=values["region"]
                        ),
                    )
                )
            except IdentifierError as exc:
                errors[str(index)] = str(exc)
        if errors:
            raise ValidationError({"identifiers": errors})
        tip = tip_submit(
            partner=request.user.partner,
            user=request.user,
            token=request.auth,
            text=values["text"],
            identifiers=identifiers,
            location=values.get("location", ""),
            reference=values.get("reference", ""),
            ip=client_ip(request),
        )
        return Response(TipSerializer(tip).data, status=status.HTTP_201_CREATED)
