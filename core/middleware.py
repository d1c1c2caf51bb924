"""Middleware every request passes: response headers, and requests refused before any view."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from audit.services import client_ip
from core.csv_safety import has_bidi_reordering, neutralise_bidi, utf8_has_bidi_reordering

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


def tiles_origin(url: str) -> str:
    """The CSP source of a tile URL template (MAP_TILES_URL): its scheme and host, "{s}."
    subdomains as "*.", or "" when it is not an absolute http(s) URL (a path on this site needs
    nothing more than 'self')."""
    parts = urlsplit(url.replace("{s}", "s"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    if url.split("//", 1)[-1].startswith("{s}."):
        host = "*" + host[1:]
    return f"{parts.scheme}://{host}"


@functools.cache
def site_csp(tiles_url: str) -> str:
    """The site's policy; a configured tile server is the one image host allowed besides 'self'."""
    origin = tiles_origin(tiles_url)
    if not origin:
        return CSP
    return CSP.replace("img-src 'self' data: blob:;", f"img-src 'self' data: blob: {origin};")


class ContentSecurityPolicyMiddleware:
    """Adds a strict Content-Security-Policy (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DOCS_CSP if request.path in DOCS_PATHS else site_csp(settings.MAP_TILES_URL)
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
                # The API's one error body (core.api.exception_handler).
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


class DeniedCallThrottleMiddleware:
    """A client address whose API calls were refused (401, 403) more than
    DENIED_CALLS_PER_MINUTE times in the current minute gets 429 without reaching any view.

    DRF checks permissions before its throttles, so without this an anonymous flood reaches the
    view layer and its auditing on every call; legitimate callers are never refused, so they never
    count against it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        limit = settings.DENIED_CALLS_PER_MINUTE
        minute = int(time.time() // 60)
        key = f"denied-calls:{client_ip(request) or '-'}:{minute}"
        try:
            refused = cache.get(key, 0)
        except Exception:  # noqa: BLE001 - a cache outage must not take the API down
            refused = 0
        if refused >= limit:
            retry = 60 - int(time.time() % 60)
            body = {
                "error": {
                    "code": "throttled",
                    "message": "Too many refused calls from this address; try again later.",
                    "detail": {"retry_after": retry},
                }
            }
            response: HttpResponse = JsonResponse(body, status=429)
            response["Retry-After"] = str(retry)
            return response
        response = self.get_response(request)
        if response.status_code in {401, 403}:
            try:
                cache.add(key, 0, timeout=120)
                cache.incr(key)
            except Exception:  # noqa: BLE001, S110 - counting is best effort
                pass
        return response


class NeutraliseBidiMiddleware:
    """Ad text is hostile: a right-to-left override in it can make a page read otherwise than
    stored ("gpj.exe" for "exe.jpg"). Every HTML page is sent with the reordering controls
    written as visible code points, wherever ad text appears (issue #19). JSON keeps the stored
    text: API clients get the evidence as it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            return response
        charset = response.charset or "utf-8"
        content = response.content
        # A UTF-8 page (every page here) is searched as bytes; only one that holds a control is
        # decoded and rewritten.
        if charset.lower().replace("_", "-") == "utf-8":
            if not utf8_has_bidi_reordering(content):
                return response
            text = content.decode(charset, errors="replace")
        else:
            text = content.decode(charset, errors="replace")
            if not has_bidi_reordering(text):
                return response
        response.content = neutralise_bidi(text, marks=False).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
