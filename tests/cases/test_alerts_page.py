"""Alerts and watchlists: score and place per alert, "mark all read", area errors in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Alert
from cases.services.watchlists import watchlist_create
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db


def test_mark_all_as_read_reads_every_own_alert_and_says_how_many(actors):
    watch = watchlist_create(user=actors.investigator_a, kind="keyword", value="companion")
    ads = [
        make_ad(actors.source_a, body=f"companion {n}", location_text="Reno, NV") for n in (1, 2)
    ]
    score(ads[0], risk=0.83)
    for ad in ads:
        Alert.objects.create(watchlist=watch, ad=ad)
    other = watchlist_create(user=actors.supervisor_a, kind="keyword", value="companion")
    theirs = Alert.objects.create(watchlist=other, ad=ads[0])
    client = actors.client_for("investigator_a")
    page = client.get(reverse("cases:alerts")).content.decode()
    assert "0.83" in page and "Reno, NV" in page and 'id="mark-all-read"' in page
    response = client.post(reverse("cases:alerts-read"), {"all": "1"}, follow=True)
    assert "2 alerts marked as read." in response.content.decode()
    assert not Alert.objects.filter(watchlist=watch, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    ("box", "message"),
    [
        (
            {"min_lat": "37", "max_lat": "36", "min_lng": "-116", "max_lng": "-115"},
            "North (36) must be above South (37).",
        ),
        (
            {"min_lat": "36", "max_lat": "37", "min_lng": "170", "max_lng": "-170"},
            "East (-170) must be east of West (170)",
        ),
        ({"min_lat": "36", "max_lat": "37", "min_lng": "-116"}, "An area needs its east edge."),
    ],
)
def test_a_watched_area_says_which_edge_is_wrong_and_keeps_the_input(actors, box, message):
    response = actors.client_for("investigator_a").post(
        reverse("cases:watchlists"),
        {"kind": "area", "label": "Strip", "frequency": "immediate", **box},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Strip"' in html and f'value="{box["min_lat"]}"' in html
