"""Plumbing shared by every API (partner and investigator): call auditing, cursor paging, token
scopes, and one error body, {"error": {"code", "message", "detail"}}, in the answers and in the
OpenAPI schema.

Views in partners/api.py, api/investigator.py and cases/api.py build on these pieces, so a
change here (what an audit row records, how a bad cursor is answered) reaches every endpoint.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.models import ApiToken
from audit.models import Action, Outcome
from audit.services import audit_request, audit_tally, client_ip

from .filters import MAX_ID
from .json_limits import TooDeeplyNested, check_depth

MAX_AUDITED_IDS = 500


def parse_record_id(raw: str) -> int | None:
    """A record id from a URL: ASCII digits only, within bigint (no '¹', '①' or '٤٠١')."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


# --- Errors -------------------------------------------------------------------------------------
def _first_message(detail: Any) -> str:
    """The first human message in DRF's error detail (a string, list or mapping of them)."""
    if isinstance(detail, dict):
        if "detail" in detail:
            return _first_message(detail["detail"])
        for key, value in detail.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
        return "invalid request"
    if isinstance(detail, list | tuple):
        return _first_message(detail[0]) if detail else "invalid request"
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with the body reshaped to the one error schema (plain strings, no reprs)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    detail = response.data
    response.data = {"error": {"code": code, "message": _first_message(detail), "detail": detail}}
    return response


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing documents nested deeper than any real request (a 400, not a
    RecursionError and a 500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(str(TooDeeplyNested())) from None
        try:
            check_depth(data)
        except TooDeeplyNested as exc:
            raise ParseError(str(exc)) from None
        return data


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.JSONField()


class ErrorSerializer(serializers.Serializer):
    """Every error: {"error": {"code", "message", "detail"}}."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "Invalid input",
    401: "No or invalid credentials",
    403: "Role or scope not allowed",
    404: "Not found (or not visible to you)",
    409: "Conflict with the record's current state",
    429: "Rate limit reached",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


# --- Auditing -----------------------------------------------------------------------------------
class AuditedAPIMixin:
    """Audits every call of a view, whatever its outcome: who, which endpoint, which records.

    Runs in `finalize_response`, so it sees the response that is about to leave, error or not;
    a failed audit write raises and the caller gets a 500 rather than unaudited data.
    """

    audit_action: str = Action.API_CALL
    audit_object_type: str = ""

    def get_object(self) -> Any:
        # Numeric ids are read in one way only: a malformed, non-ASCII or out-of-range id is simply
        # not found (the database would overflow, and Unicode digits would alias real records).
        if getattr(self, "lookup_field", "pk") in {"pk", "id"}:
            kwargs = getattr(self, "kwargs", {})
            raw = str(kwargs.get(getattr(self, "lookup_url_kwarg", None) or "pk", ""))
            if parse_record_id(raw) is None:
                raise NotFound()
        return super().get_object()  # type: ignore[misc]

    def audit_returned(self, response: Response) -> list[str]:
        """The ids of the records in a response (override for tokens or other keys)."""
        data = getattr(response, "data", None)
        items: list[Any] = []
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            items = data["results"]
        elif isinstance(data, dict) and "id" in data:
            items = [data]
        return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]

    def audit_params(self, request: Request) -> dict[str, str]:
        """Query parameters (filters); bodies are not logged, they may carry raw identifiers."""
        return {key: request.query_params.get(key, "")[:200] for key in request.query_params}

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        status = response.status_code
        if status < 400:
            outcome = Outcome.SUCCESS
        elif status in {401, 403, 429}:
            outcome = Outcome.DENIED
        else:
            outcome = Outcome.FAILURE
        returned = self.audit_returned(response) if status < 400 else []
        match = getattr(request, "resolver_match", None)
        endpoint = match.view_name if match else request.path
        if not getattr(request.user, "is_authenticated", False):
            # Anonymous callers (no or a bad token) are counted, not chained one by one.
            audit_tally(
                action=self.audit_action, outcome=outcome, ip=client_ip(request), endpoint=endpoint
            )
            return response
        token = request.auth if isinstance(getattr(request, "auth", None), ApiToken) else None
        audit_request(
            request,
            action=self.audit_action,
            object_type=self.audit_object_type,
            object_id=kwargs.get("pk") or kwargs.get("public_id") or "",
            outcome=outcome,
            detail={
                "endpoint": endpoint,
                "method": request.method,
                "status": status,
                "token": token.prefix if token else "",
                "params": self.audit_params(request),
                "returned": returned[:MAX_AUDITED_IDS],
                "returned_count": len(returned),
            },
            # Every id the response showed, for "who has seen" (the detail keeps the first ones).
            seen={self.audit_object_type: returned} if self.audit_object_type else None,
        )
        return response


# --- Paging -------------------------------------------------------------------------------------
class BadCursorIs400Pagination(CursorPagination):
    """Cursor paging (stable under inserts, no page counting) where a malformed cursor is bad
    input, answered 400 like any other, rather than DRF's 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({"cursor": self.invalid_cursor_message}) from exc


class NewestFirstCursorPagination(BadCursorIs400Pagination):
    """Cursor paging by descending primary key."""

    ordering = "-pk"


# --- Token scopes -------------------------------------------------------------------------------
class TokenScope(BasePermission):
    """A call made with an API token needs the view's scope for it.

    `view.required_scopes` maps a DRF action (or HTTP method, lowercased) to the scope it needs;
    an action missing from the map is refused. Session calls (the investigators' pages calling the
    API) carry no token and pass, unless the view sets `token_required`.
    """

    token_required = False

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiToken):
            if self.token_required:
                raise PermissionDenied("This endpoint takes an API token, not a session.")
            return True
        action = getattr(view, "action", None) or (request.method or "").lower()
        scope = view.required_scopes.get(action)
        if scope is None or not request.auth.has_scope(scope):
            raise PermissionDenied(f"This token lacks the '{scope}' scope.")
        return True


class PartnerTokenScope(TokenScope):
    """A partner call needs an active partner organisation, an API token, and the view's scope."""

    token_required = True

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        partner = getattr(user, "partner", None)
        if not getattr(user, "is_partner", False) or partner is None or not partner.active:
            raise PermissionDenied("Only active partner organisations use this endpoint.")
        return super().has_permission(request, view)
