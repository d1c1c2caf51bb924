"""Middleware every request passes: response headers, and requests refused before any view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

# No inline script anywhere: pages load ES modules from /static/ and take data via json_script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


# The API docs pages (Swagger UI and Redoc, served from drf-spectacular-sidecar) are the only pages
# that need inline script (Swagger's initialiser) and inline style (both render with injected
# <style>); Redoc also starts a web worker from a blob. They get this policy on their two exact
# paths, everything else stays 'self'-only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DOCS_PATHS = frozenset({"/api/v1/docs/", "/api/v1/redoc/"})


class ContentSecurityPolicyMiddleware:
    """Adds a strict Content-Security-Policy (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DOCS_CSP if request.path in DOCS_PATHS else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        return response


class RejectNulMiddleware:
    """Answer 400 to a NUL character in the path, query string or a form field.

    PostgreSQL text and jsonb cannot hold U+0000, so a NUL that reached a query filter or the audit
    trail's copy of the parameters used to raise deep inside the request (a 500), anonymous callers
    included. No legitimate page or API parameter carries one.
    """

    _FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = "Request parameters must not contain a NUL character."
            if request.path.startswith("/api/"):
                # The API's one error body (anti_trafficking.api.exception_handler).
                body = {"error": {"code": "invalid", "message": message, "detail": message}}
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        if any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            return True
        if request.method == "POST" and request.content_type in self._FORM_TYPES:
            return any(
                "\x00" in key or any("\x00" in str(v) for v in values)
                for key, values in request.POST.lists()
            )
        return False
