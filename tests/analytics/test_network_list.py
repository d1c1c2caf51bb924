"""The networks list pages, sorts, searches and says which networks are in a case."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from analytics import views
from analytics.models import Network
from cases.services.cases import case_add_network, case_create
from tests.cases.factories import make_ad, network_of

pytestmark = pytest.mark.django_db


def _networks(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/analytics/networks/(\d+)/">Network', html)]


@pytest.fixture
def three(actors) -> list[Network]:
    made = []
    for i, (size, risk, city) in enumerate(
        ((2, 0.9, "Reno, NV"), (4, 0.5, "Las Vegas, NV"), (3, 0.7, "Reno, NV"))
    ):
        ads = [make_ad(actors.source_a, body=f"Call 702-555-0{i}{j:02d}") for j in range(size)]
        network = network_of(ads, cities=[city])
        Network.objects.filter(pk=network.pk).update(max_risk=risk)
        made.append(network)
    return made


def test_riskiest_first_then_by_size_and_searched_by_city_or_number(actors, three):
    client = actors.client_for("investigator_a")
    url = reverse("analytics:network-list")
    assert _networks(client.get(url).content.decode()) == [three[0].pk, three[2].pk, three[1].pk]
    by_size = client.get(url, {"order": "size"}).content.decode()
    assert _networks(by_size) == [three[1].pk, three[2].pk, three[0].pk]
    assert _networks(client.get(url, {"q": "reno"}).content.decode()) == [three[0].pk, three[2].pk]
    assert _networks(client.get(url, {"q": f"#{three[1].pk}"}).content.decode()) == [three[1].pk]
    assert "No network matches." in client.get(url, {"q": "nowhere"}).content.decode()


def test_cases_are_shown_and_filter_the_list(actors, three):
    case = case_create(title="Reno", unit=actors.unit_a, by=actors.investigator_a)
    case_add_network(case=case, network_id=three[2].pk, by=actors.investigator_a)
    other = case_create(title="Theirs", unit=actors.unit_b, by=actors.investigator_b)
    case_add_network(case=other, network_id=three[0].pk, by=actors.investigator_b)
    client = actors.client_for("investigator_a")
    url = reverse("analytics:network-list")
    html = client.get(url).content.decode()
    assert f'<a href="/cases/cases/{case.pk}/">{case.number}</a>' in html
    assert other.number not in html  # another unit's case is not shown, nor counted
    assert _networks(client.get(url, {"in_case": "yes"}).content.decode()) == [three[2].pk]
    assert _networks(client.get(url, {"in_case": "no"}).content.decode()) == [
        three[0].pk,
        three[1].pk,
    ]


def test_the_list_pages_instead_of_stopping(actors, three, monkeypatch):
    monkeypatch.setattr(views, "NETWORKS_PER_PAGE", 2)
    client = actors.client_for("investigator_a")
    url = reverse("analytics:network-list")
    first = client.get(url).content.decode()
    assert _networks(first) == [three[0].pk, three[2].pk] and 'id="next-page"' in first
    assert "Networks 1–2, more on the next page." in first
    second = client.get(url, {"page": 2}).content.decode()
    assert _networks(second) == [three[1].pk] and 'id="next-page"' not in second
    assert "Networks 3–3." in second


def test_why_a_network_holds_lists_only_identifiers_that_tie_ads(actors):
    ads = [
        make_ad(actors.source_a, body=f"Call 702-555-0134 see http://directory.example {w}")
        for w in ("one", "two")
    ]
    network = network_of(ads)
    page = actors.client_for("investigator_a").get(reverse("analytics:network", args=[network.pk]))
    html = page.content.decode()
    assert "Phone number: 1 identifier shared by 2 ads" in html
    assert "URL: " not in html  # a site's home page ties nobody
