"""A right-to-left override in ad text never reaches a page raw: pages show it as a visible code
point, the API keeps the stored text (issue #19, informational)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.factories import make_ad

pytestmark = pytest.mark.django_db

RLO = "\u202e"


def test_the_ad_page_and_search_show_an_override_as_a_visible_code_point(actors) -> None:
    ad = make_ad(actors.source_a, title=f"upscale {RLO}gpj.exe", body=f"upscale lady {RLO}txt.exe")
    client = actors.client_for("investigator_a")
    for url in (reverse("cases:ad", args=[ad.pk]), reverse("cases:search") + "?q=upscale"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert RLO not in html and "[U+202E]" in html, url


def test_the_api_returns_the_stored_text(actors) -> None:
    ad = make_ad(actors.source_a, body=f"upscale lady {RLO}txt.exe")
    response = actors.client_for("investigator_a").get(f"/api/v1/investigator/ads/{ad.pk}/")
    assert response.status_code == 200
    body = response.json()["body"]
    assert RLO in body, repr(body)
