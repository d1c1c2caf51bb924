"""Consistent error bodies for the API: {"error": {"code", "message", "detail"}}."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    detail = response.data
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else str(exc)
    response.data = {"error": {"code": code, "message": str(message), "detail": detail}}
    return response
