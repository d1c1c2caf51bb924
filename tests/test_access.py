"""Deny by default: every URL has a policy entry, and each role reaches exactly what it should."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ads.models import Ad, Source
from ads.readers import records_from_payload
from ads.services import ads_ingest
from core.access import NAMESPACE_POLICY, allowed_roles, policy
from tests.conftest import ALL_ACTORS


def _walk(resolver: URLResolver, namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            found += _walk(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern):
            found.append((f"{namespace}{pattern.name or '<unnamed>'}", str(pattern.pattern)))
    return found


def test_every_url_has_an_explicit_permission_entry():
    missing = [
        (name, route)
        for name, route in _walk(get_resolver())
        if not allowed_roles(name) and not (":" in name and name.split(":")[0] in NAMESPACE_POLICY)
    ]
    assert missing == [], f"URLs without a policy entry (they answer 403 to everyone): {missing}"


def test_the_policy_names_only_urls_that_exist():
    names = {name for name, _ in _walk(get_resolver())}
    assert set(policy()) - names == set()


PAGES = {
    # Every role is sent on to its own start page (tests/test_navigation.py says where).
    "/": {
        "anonymous": 302,
        "investigator_a": 302,
        "investigator_b": 302,
        "supervisor_a": 302,
        "partner_x": 302,
        "partner_y": 302,
        "auditor": 302,
        "admin": 200,
    },
    "/health/": dict.fromkeys(ALL_ACTORS, 200),
    "/admin/": {
        "anonymous": 302,
        "investigator_a": 403,
        "investigator_b": 403,
        "supervisor_a": 403,
        "partner_x": 403,
        "partner_y": 403,
        "auditor": 200,
        "admin": 200,
    },
    "/admin/audit/auditevent/": {
        "anonymous": 302,
        "investigator_a": 403,
        "investigator_b": 403,
        "supervisor_a": 403,
        "partner_x": 403,
        "partner_y": 403,
        "auditor": 200,
        "admin": 200,
    },
    "/admin/accounts/user/": {
        "anonymous": 302,
        "investigator_a": 403,
        "investigator_b": 403,
        "supervisor_a": 403,
        "partner_x": 403,
        "partner_y": 403,
        "auditor": 403,
        "admin": 200,
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_permission_matrix_for_pages(actors, url, actor):
    response = actors.client_for(actor).get(url)
    assert response.status_code == PAGES[url][actor], (url, actor)


@pytest.mark.django_db
def test_visible_to_scopes_ads_by_unit(actors):
    for source in (actors.source_a, actors.source_b, actors.source_shared):
        ads_ingest(
            source=source, rows=records_from_payload([{"external_id": source.name, "body": "x"}])
        )
    seen = {
        name: set(
            Ad.objects.visible_to(getattr(actors, name)).values_list("external_id", flat=True)
        )
        for name in ALL_ACTORS
        if name != "anonymous"
    }
    assert seen["investigator_a"] == {"site-a", "shared"}
    assert seen["investigator_b"] == {"site-b", "shared"}
    assert seen["supervisor_a"] == {"site-a", "shared"}
    assert seen["admin"] == {"site-a", "site-b", "shared"}
    for name in ("partner_x", "partner_y", "auditor"):
        assert seen[name] == set()
    assert not Source.objects.visible_to(actors.partner_x).exists()


@pytest.mark.django_db
def test_an_admin_role_without_superuser_flag_is_denied(actors):
    actors.admin.is_superuser = False
    actors.admin.save()
    response = actors.client_for("admin").get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Ad.objects.visible_to(actors.admin).exists()
