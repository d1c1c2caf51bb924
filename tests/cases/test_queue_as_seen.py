"""The queue as each viewer may see it: figures, order and filters of a network seen in part come
from the ads of the sources the viewer may see, composed from the item's source rows (issues #18,
#19 H1). Synthetic text only."""

from __future__ import annotations

import itertools
import re

import pytest
from django.db.models import Value
from django.urls import reverse

from cases.models import QueueItem, QueueItemSource
from cases.stages import (
    SOURCE_FIGURES,
    _upsert_network_item,
    queue_priority,
    queue_priority_expression,
)
from tests.cases.factories import make_ad, network_of, score

pytestmark = pytest.mark.django_db


def _locate(ad, name: str) -> None:
    from maps.models import AdLocation, Precision

    AdLocation.objects.create(
        ad=ad, name=name, precision=Precision.CITY, lat=36.1, lng=-115.1, geocoder_version="t"
    )


def _network(ads_and_risks) -> QueueItem:
    ads = []
    for n, (source, risk, extra) in enumerate(ads_and_risks):
        ad = make_ad(source, extract=False)
        score(ad, risk=risk, codes=(f"cue_{source.pk}", f"cue_{n}"), **extra)
        _locate(ad, f"Town {source.pk}{n}, NV")
        ads.append(ad)
    network = network_of(ads)
    _upsert_network_item(network)
    return QueueItem.objects.get(network=network)


def _order(client, query: str = "") -> list[int]:
    html = client.get(reverse("cases:queue") + query).content.decode()
    return [int(pk) for pk in re.findall(r'id="item-(\d+)"', html)]


def _api_order(client, query: str = "") -> list[int]:
    rows = client.get("/api/v1/investigator/queue/" + query).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    return [r["id"] for r in rows]


@pytest.fixture
def two_items(actors):
    """One network of a low-risk unit-A ad and a very risky unit-B ad; one unit-A network of
    middling risk."""
    spanning = _network([(actors.source_a, 0.3, {}), (actors.source_b, 0.99, {})])
    own = _network([(actors.source_a, 0.6, {}), (actors.source_a, 0.55, {})])
    return spanning, own


def test_the_order_follows_the_figures_the_viewer_may_see(actors, two_items) -> None:
    spanning, own = two_items
    # Stored over both units, the spanning network is the most urgent.
    assert spanning.priority > own.priority
    a = actors.client_for("investigator_a")
    assert _order(a) == [own.pk, spanning.pk]
    assert _api_order(a) == [own.pk, spanning.pk]
    assert _order(a, "?order=uncertain")[0] == own.pk  # 0.6 is nearer the threshold than 0.3
    admin = actors.client_for("admin")
    assert _order(admin) == [spanning.pk, own.pk]


def test_the_api_cursor_carries_the_priority_as_seen(actors, two_items) -> None:
    spanning, own = two_items
    client = actors.client_for("investigator_a")
    first = client.get("/api/v1/investigator/queue/", {"page_size": 1}).json()
    assert [r["id"] for r in first["results"]] == [own.pk]
    rest = client.get(first["next"]).json()
    assert [r["id"] for r in rest["results"]] == [spanning.pk]
    assert rest["results"][0]["priority"] == queue_priority(risk=0.3, possible_minor=False, size=1)


def test_recency_and_the_window_use_the_visible_sightings(actors) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ads.models import Ad

    old, fresh = make_ad(actors.source_a, extract=False), make_ad(actors.source_b, extract=False)
    Ad.objects.filter(pk=old.pk).update(last_seen_at=timezone.now() - timedelta(days=40))
    for ad in (old, fresh):
        score(ad, risk=0.8)
    network = network_of([old, fresh])
    _upsert_network_item(network)
    item = QueueItem.objects.get(network=network)
    a, b = actors.client_for("investigator_a"), actors.client_for("investigator_b")
    assert item.pk not in _order(a, "?window=7d")
    assert item.pk not in _api_order(a, "?window=7d")
    assert item.pk in _order(b, "?window=7d")
    assert item.pk in _order(a, "?window=90d")


def test_a_possible_minor_among_hidden_ads_neither_filters_nor_lifts_the_item(actors) -> None:
    spanning = _network(
        [(actors.source_a, 0.5, {}), (actors.source_b, 0.5, {"possible_minor": True})]
    )
    assert spanning.possible_minor
    a = actors.client_for("investigator_a")
    assert spanning.pk not in _order(a, "?possible_minor=1")
    assert spanning.pk not in _api_order(a, "?possible_minor=1")
    assert spanning.pk in _order(actors.client_for("investigator_b"), "?possible_minor=1")


def test_a_network_that_grows_shows_its_new_figures_at_once(actors, two_items) -> None:
    spanning, own = two_items
    a = actors.client_for("investigator_a")
    assert _order(a) == [own.pk, spanning.pk]
    page = a.get(reverse("cases:queue")).content.decode()
    assert "Network of 1 ads" in page
    newcomer = make_ad(actors.source_a, extract=False)
    score(newcomer, risk=0.95)
    from analytics.models import AdNetwork

    AdNetwork.objects.create(ad=newcomer, network=spanning.network)
    type(spanning.network).objects.filter(pk=spanning.network_id).update(size=3)
    spanning.network.refresh_from_db()
    _upsert_network_item(spanning.network)
    assert _order(a) == [spanning.pk, own.pk]
    page = a.get(reverse("cases:queue")).content.decode()
    assert "Network of 2 ads" in page and "0.95" in page
    row = a.get(f"/api/v1/investigator/queue/{spanning.pk}/").json()
    assert row["lead_ad"] == newcomer.pk and row["size"] == 2


def test_a_source_moved_between_units_moves_the_figures_at_once(actors, two_items) -> None:
    spanning, own = two_items
    a = actors.client_for("investigator_a")
    assert _order(a) == [own.pk, spanning.pk]
    actors.source_b.unit = actors.unit_a
    actors.source_b.save()
    assert _order(a) == [spanning.pk, own.pk]
    row = a.get(f"/api/v1/investigator/queue/{spanning.pk}/").json()
    assert row["size"] == 2 and row["risk"] == pytest.approx(0.99)


def test_a_page_of_items_seen_in_part_reads_no_member_ad(actors, two_items) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = actors.client_for("investigator_a")
    a.get(reverse("cases:queue"))
    with CaptureQueriesContext(connection) as queries:
        assert a.get(reverse("cases:queue")).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "analytics_adnetwork" not in sql and "analytics_adscore" not in sql


def test_the_source_rows_hold_each_sources_own_figures(actors, two_items) -> None:
    spanning, _ = two_items
    rows = {r.source_id: r for r in QueueItemSource.objects.filter(item=spanning)}
    assert rows[actors.source_a.pk].size == 1
    assert rows[actors.source_a.pk].risk == pytest.approx(0.3)
    assert rows[actors.source_b.pk].risk == pytest.approx(0.99)
    assert sum(r.size for r in rows.values()) == spanning.size


def test_the_sql_priority_is_the_python_priority(actors) -> None:
    row = QueueItem.objects.create(kind="ad", ad=make_ad(actors.source_a, extract=False), size=1)
    grid = itertools.product((None, 0.0, 0.123456, 0.5, 1.0), (False, True), (0, 1, 2, 7, 9000))
    for risk, minor, size in grid:
        expression = queue_priority_expression(
            risk=Value(risk), possible_minor=Value(minor), size=Value(size)
        )
        found = QueueItem.objects.filter(pk=row.pk).annotate(p=expression).get().p
        expected = queue_priority(risk=risk, possible_minor=minor, size=size)
        assert found == pytest.approx(expected, abs=1e-9), (risk, minor, size)


def test_the_set_based_fill_writes_what_the_stage_writes(actors, two_items) -> None:
    from django.db import connection

    from cases.stages import source_figures_fill

    def snapshot() -> list[tuple]:
        return list(
            QueueItemSource.objects.order_by("item_id", "source_id").values_list(
                "item_id", "source_id", *SOURCE_FIGURES
            )
        )

    written = snapshot()
    assert written
    QueueItemSource.objects.update(size=0, risk=None, lead_ad=None, indicator_codes="", cities=[])
    source_figures_fill()
    assert snapshot() == written, connection.vendor
