"""The alerts page: score and place per alert, and "mark all as read" with a confirmation."""

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
