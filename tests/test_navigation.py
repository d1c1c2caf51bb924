"""The navigation bar shows a link exactly when the access policy lets the user reach it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.access import is_allowed
from core.templatetags.navigation import MENU
from tests.conftest import ALL_ACTORS

pytestmark = pytest.mark.django_db

EXPECTED = {
    "anonymous": set(),
    "investigator_a": {"Queue", "Search", "Cases", "Watchlists", "Alerts", "Map", "Networks"},
    "supervisor_a": {"Queue", "Search", "Cases", "Watchlists", "Alerts", "Map", "Networks"},
    "partner_x": set(),
    "auditor": {"Admin"},
    "admin": {"Queue", "Search", "Cases", "Watchlists", "Alerts", "Map", "Networks", "Admin"},
}


def _nav_for(user: object) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("nav.html", {"user": user}, request=request)


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_each_actor_sees_the_links_the_policy_allows_and_no_other(actors, actor):
    user = AnonymousUser() if actor == "anonymous" else getattr(actors, actor)
    html = _nav_for(user)
    shown = {label for label, _ in MENU if f">{label}</a>" in html}
    assert shown == {label for label, name in MENU if is_allowed(name, user)}
    if actor in EXPECTED:
        assert shown == EXPECTED[actor]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor, start",
    [
        ("investigator_a", "/cases/"),
        ("supervisor_a", "/cases/"),
        ("auditor", "/admin/audit/auditevent/"),
        ("partner_x", "/api/v1/docs/"),
    ],
)
def test_each_role_lands_on_its_own_start_page_after_signing_in(actors, actor, start) -> None:
    client = actors.client_for(actor)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(start), response
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_refused_page_keeps_the_site_layout_and_menu(actors) -> None:
    response = actors.client_for("partner_x").get("/cases/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<nav" in html and "No access" in html and 'href="/"' in html


@pytest.mark.django_db
def test_the_navigation_shows_the_number_of_unread_alerts(actors) -> None:
    from cases.models import Alert
    from cases.services.watchlists import watchlist_create
    from tests.cases.factories import make_ad

    watch = watchlist_create(user=actors.investigator_a, kind="keyword", value="upscale")
    for _ in range(2):
        Alert.objects.create(watchlist=watch, ad=make_ad(actors.source_a, body="upscale lady"))
    html = actors.client_for("investigator_a").get("/cases/search/").content.decode()
    assert 'title="unread alerts">2</span>' in html
    other = actors.client_for("investigator_b").get("/cases/search/").content.decode()
    assert "unread alerts" not in other
