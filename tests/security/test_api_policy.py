"""The policy table applies to every API view, including those that set their own permission
classes, and the documentation answers only signed-in callers (issue #19 L1)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.access import PolicyPermission


def _api_views(patterns=None, namespace: str = "") -> list[tuple[str, type]]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            found += _api_views(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and namespace == "api":
            view = getattr(entry.callback, "cls", None) or getattr(
                entry.callback, "view_class", None
            )
            if view is not None:
                found.append((entry.name or str(entry.pattern), view))
    return found


def test_every_api_view_checks_the_policy_table() -> None:
    views = _api_views()
    assert len(views) >= 8
    missing = [
        name
        for name, view in views
        if not any(issubclass(p, PolicyPermission) for p in getattr(view, "permission_classes", []))
    ]
    assert missing == []


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"])
@pytest.mark.parametrize("method", ["get", "options", "head"])
def test_the_schema_and_docs_refuse_anonymous_callers_and_never_fail(actors, url, method) -> None:
    assert getattr(actors.client_for("anonymous"), method)(url).status_code == 401
    status = getattr(actors.client_for("investigator_a"), method)(url).status_code
    assert status in ({200} if method != "options" or url.endswith("schema/") else {405})
