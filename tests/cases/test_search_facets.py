"""Search results: a total, facets that filter when clicked, and pivots from the ad page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from ads.models import Ad, Entity
from analytics.models import AdScore
from cases.selectors import search_ads, search_facets
from tests.cases.factories import make_ad, network_of, score

pytestmark = pytest.mark.django_db


def _score(ad, category: str, **kwargs) -> None:
    AdScore.objects.filter(pk=score(ad, **kwargs).pk).update(category=category)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ad_ids(html: str) -> set[int]:
    rows = html.split('id="search-rows"', 1)[1]
    return {int(n) for n in re.findall(r'href="/cases/ads/(\d+)/"', rows)}


def _facet_link(html: str, facet: str, label: str) -> str:
    block = re.search(rf'data-facet="{facet}">(.*?)</ul>', html, re.S).group(1)
    href = re.search(rf'<a href="([^"]+)"[^>]*><bdi>{re.escape(label)}</bdi>', block).group(1)
    return unescape(href)


def test_facets_count_the_matches_by_source_category_and_flag(actors):
    a1 = make_ad(actors.source_a, body="discreet companion tonight")
    a2 = make_ad(actors.source_a, body="discreet companion weekend")
    s1 = make_ad(actors.source_shared, body="discreet companion downtown")
    make_ad(actors.source_b, body="discreet companion elsewhere")
    _score(a1, "escort", risk=0.9)
    _score(a2, "massage", risk=0.3, flagged=False)
    _score(s1, "escort", risk=0.8)
    result = search_ads(user=actors.investigator_a, query="discreet")
    found = search_facets(result.ads)
    assert found.total == 3 and not found.total_capped
    groups = {f.param: f.rows for f in found.facets}
    assert groups["source"] == [
        (str(actors.source_a.pk), "site-a", 2),
        (str(actors.source_shared.pk), "shared", 1),
    ]
    assert groups["category"] == [("escort", "Escort", 2), ("massage", "Massage", 1)]
    assert sorted(groups["flagged"]) == [("false", "not flagged", 1), ("true", "flagged", 2)]


def test_clicking_a_facet_filters_the_results_and_clicking_it_again_removes_it(actors):
    a1 = make_ad(actors.source_a, body="discreet companion tonight")
    a2 = make_ad(actors.source_a, body="discreet companion weekend")
    _score(a1, "escort", risk=0.9)
    _score(a2, "massage", risk=0.3, flagged=False)
    client = _client(actors.investigator_a)
    page = client.get(reverse("cases:search"), {"q": "discreet"}).content.decode()
    assert _ad_ids(page) == {a1.pk, a2.pk}
    assert re.search(r'id="search-total"><strong>2</strong> ads found', page)
    narrowed = client.get(_facet_link(page, "category", "Massage")).content.decode()
    assert _ad_ids(narrowed) == {a2.pk}
    assert 'class="active"' in narrowed
    widened = client.get(_facet_link(narrowed, "category", "Massage")).content.decode()
    assert _ad_ids(widened) == {a1.pk, a2.pk}
    not_flagged = client.get(_facet_link(page, "flagged", "not flagged")).content.decode()
    assert _ad_ids(not_flagged) == {a2.pk}
    assert "not flagged" in not_flagged.split('id="search-pivots"', 1)[1].split("</p>", 1)[0]


def test_each_identifier_place_and_network_on_an_ad_page_pivots_to_the_ads_sharing_it(actors):
    ad = make_ad(actors.source_a, body="Call 702-555-0134 today")
    twin = make_ad(actors.source_a, body="New number? no, 702 555 0134 still")
    make_ad(actors.source_b, body="Call 702-555-0134 today")  # another unit's: never shown
    make_ad(actors.source_a, body="Call 775-555-0100")
    network = network_of([ad, twin])
    client = _client(actors.investigator_a)
    html = client.get(reverse("cases:ad", args=[ad.pk])).content.decode()
    phone = Entity.objects.get(kind="phone", value="+17025550134")
    entity_link = unescape(
        re.search(rf'href="([^"]+)" class="pivot" data-entity="{phone.pk}"', html).group(1)
    )
    network_link = unescape(
        re.search(r'href="([^"]+)" class="pivot" id="pivot-network"', html).group(1)
    )
    by_phone = client.get(entity_link).content.decode()
    assert _ad_ids(by_phone) == {ad.pk, twin.pk}
    assert "Phone number: +17025550134" in by_phone
    assert _ad_ids(client.get(network_link).content.decode()) == {ad.pk, twin.pk}
    assert network_link.endswith(f"network={network.pk}")


def test_a_week_facet_counts_the_matches_by_week_posted_and_filters_by_it(actors):
    ads = [make_ad(actors.source_a, body=f"discreet companion {w}") for w in ("a", "b", "c")]
    # Sunday 1 Nov 2026 is in the week of Monday 26 Oct; the 2nd and the 8th in the next one.
    for ad, day in zip(ads, (1, 2, 8), strict=True):
        Ad.objects.filter(pk=ad.pk).update(posted_at=datetime(2026, 11, day, 23, 0, tzinfo=UTC))
    result = search_ads(user=actors.investigator_a, query="discreet")
    weeks = {f.param: f.rows for f in search_facets(result.ads).facets}["week"]
    assert weeks == [
        ("2026-11-02", "week of 2 Nov 2026", 2),
        ("2026-10-26", "week of 26 Oct 2026", 1),
    ]
    client = _client(actors.investigator_a)
    page = client.get(reverse("cases:search"), {"q": "discreet"}).content.decode()
    href = _facet_link(page, "week", "week of 2 Nov 2026")
    assert _ad_ids(client.get(href).content.decode()) == {ads[1].pk, ads[2].pk}


def test_rows_show_risk_network_and_the_match_marked_in_escaped_text(actors):
    ad = make_ad(
        actors.source_a,
        body="Opening words <script>alert(1)</script> then the Discreet companion is here",
    )
    score(ad, risk=0.87)
    twin = make_ad(actors.source_a, body="another discreet one")
    network = network_of([ad, twin])
    client = _client(actors.investigator_a)
    html = client.get(reverse("cases:search"), {"q": "discreet"}).content.decode()
    rows = html.split('id="search-rows"', 1)[1]
    assert "<mark>Discreet</mark>" in rows and "<mark>discreet</mark>" in rows
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows and "<script>alert" not in rows
    assert "<td>0.87</td>" in rows
    assert f'href="/analytics/networks/{network.pk}/">network {network.pk}</a>' in rows


def test_reposts_of_the_same_text_are_one_row_with_a_link_to_all_of_them(actors):
    first = make_ad(actors.source_a, body="same words discreet reposted")
    again = make_ad(actors.source_a, body="same words discreet reposted")
    other = make_ad(actors.source_a, body="different words discreet")
    client = _client(actors.investigator_a)
    html = client.get(reverse("cases:search"), {"q": "discreet"}).content.decode()
    rows = html.split('id="search-rows"', 1)[1]
    assert "and 1 repost of the same text on this page" in rows
    assert len(_ad_ids(html)) == 2 and other.pk in _ad_ids(html)
    shown = (_ad_ids(html) - {other.pk}).pop()
    link = unescape(re.search(r'href="([^"]+)">and 1 repost', rows).group(1))
    assert link.endswith(f"same_text={shown}")
    assert _ad_ids(client.get(link).content.decode()) == {first.pk, again.pk}
    # Another unit's ad id selects nothing.
    hidden = make_ad(actors.source_b, body="same words discreet reposted")
    response = client.get(reverse("cases:search"), {"same_text": hidden.pk})
    assert _ad_ids(response.content.decode()) == set()


def test_a_searched_phone_links_to_its_profile(actors):
    make_ad(actors.source_a, body="Call 702-555-0134 today")
    phone = Entity.objects.get(value="+17025550134")
    html = (
        _client(actors.investigator_a)
        .get(reverse("cases:search"), {"q": "(702) 555-0134"})
        .content.decode()
    )
    assert f'id="search-identifier"><a href="/analytics/entities/{phone.pk}/">' in html
