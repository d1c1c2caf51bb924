"""Queue items follow networks that linking merges, splits or dissolves (one item per network)."""

from __future__ import annotations

import pytest

from analytics.models import AdNetwork, Network
from analytics.stages import ads_link
from cases.models import (
    Decision,
    DecisionKind,
    EventKind,
    ItemKind,
    ItemStatus,
    QueueItem,
    QueueItemEvent,
)
from cases.services.triage import queue_item_claim, queue_item_decide, queue_item_note
from cases.stages import ads_queue_for_review, networks_reshaped_sync
from cases.tasks import networks_reshaped_sync as networks_reshaped_sync_task
from tests.cases.factories import make_ad, score

pytestmark = pytest.mark.django_db

P1 = "702-555-0134"
P2 = "775-555-0101"


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.PIPELINE_ENQUEUE = False


def flagged_ads(source, phone: str, n: int, *, flagged: bool = True) -> list:
    ads = [make_ad(source, title=f"Ad {i}", body=f"Offer {i}, call {phone}") for i in range(n)]
    for ad in ads:
        score(ad, flagged=flagged, risk=0.9 if flagged else 0.1)
    return ads


def network_id(ad) -> int | None:
    return AdNetwork.objects.filter(ad=ad).values_list("network_id", flat=True).first()


def network_items() -> list[QueueItem]:
    return list(QueueItem.objects.filter(kind=ItemKind.NETWORK).order_by("pk"))


def bridge(source, *, flagged: bool = False):
    ad = make_ad(source, title="Bridge", body=f"Call {P1} or {P2}")
    score(ad, flagged=flagged, risk=0.9 if flagged else 0.1)
    ads_link([ad])
    return ad


def test_the_absorbed_networks_item_follows_the_survivor_with_status_notes_and_history(actors):
    small = flagged_ads(actors.source_a, P1, 2)
    large = flagged_ads(actors.source_a, P2, 3)
    ads_link(small)
    ads_link(large)
    ads_queue_for_review(small + large)
    small_item, large_item = (
        QueueItem.objects.get(network_id=network_id(a)) for a in (small[0], large[0])
    )
    queue_item_claim(item=small_item, user=actors.investigator_a)
    queue_item_note(item=small_item, user=actors.investigator_a, text="Same photos as last week")
    survivor = network_id(large[0])

    # The bridge is not flagged itself: the merge must still reach the queue.
    ad = bridge(actors.source_a)
    assert Network.objects.get(pk=network_id(small[0]) or 0).pk == survivor
    ads_queue_for_review([ad])

    (item,) = network_items()
    # The item in review is more advanced than the untouched one: it is kept, on the survivor.
    assert item.pk == small_item.pk and item.network_id == survivor
    assert item.status == ItemStatus.IN_REVIEW and item.assignee_id == actors.investigator_a.pk
    assert item.size == 6
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.CREATED) == 2  # its own and the folded item's history
    assert item.events.filter(kind=EventKind.NOTE, text="Same photos as last week").exists()
    merge = item.events.get(detail__merged_item=large_item.pk)
    assert merge.detail["merged_network"] == survivor or merge.detail["into_network"] == survivor
    assert not Network.objects.filter(reshaped=True).exists()


def test_an_item_alone_on_the_absorbed_network_moves_to_the_survivor(actors):
    queued = flagged_ads(actors.source_a, P1, 2)
    calm = flagged_ads(actors.source_a, P2, 3, flagged=False)
    ads_link(queued)
    ads_link(calm)
    ads_queue_for_review(queued + calm)
    (before,) = network_items()
    assert before.network_id == network_id(queued[0])

    bridge(actors.source_a)
    assert network_id(queued[0]) == network_id(calm[0]) != before.network_id
    # The periodic task catches up without any queue batch.
    assert networks_reshaped_sync_task() == 1

    (item,) = network_items()
    assert item.pk == before.pk and item.network_id == network_id(calm[0])
    assert item.events.filter(detail__from_network=before.network_id).exists()


def test_an_escalated_item_wins_over_one_in_review_and_takes_its_decisions(actors):
    a = flagged_ads(actors.source_a, P1, 3)
    b = flagged_ads(actors.source_a, P2, 2)
    ads_link(a)
    ads_link(b)
    ads_queue_for_review(a + b)
    item_a = QueueItem.objects.get(network_id=network_id(a[0]))
    item_b = QueueItem.objects.get(network_id=network_id(b[0]))
    queue_item_claim(item=item_a, user=actors.investigator_a)
    queue_item_claim(item=item_b, user=actors.investigator_a)
    queue_item_decide(
        item=item_b, user=actors.investigator_a, decision=DecisionKind.TRUE_LEAD, case_title="B"
    )
    bridge(actors.source_a, flagged=True)
    ads_queue_for_review(a[:1])

    (item,) = network_items()
    assert item.pk == item_b.pk and item.status == ItemStatus.ESCALATED
    assert item.network_id == network_id(a[0]) and item.case_id is not None
    assert set(Decision.objects.values_list("item_id", flat=True)) == {item.pk}
    assert item.events.filter(kind=EventKind.CLAIMED).count() == 2
    assert item.events.get(detail__merged_item=item_a.pk).detail["merged_status"] == "in_review"


def test_a_split_keeps_the_item_on_the_larger_part_and_queues_the_part_split_off(actors):
    left = flagged_ads(actors.source_a, P1, 3)
    right = flagged_ads(actors.source_a, P2, 2)
    hub = make_ad(actors.source_a, title="Hub", body=f"Call {P1} or {P2}", external_id="hub")
    score(hub)
    ads_link(left + right + [hub])
    ads_queue_for_review(left + right + [hub])
    (before,) = network_items()
    queue_item_claim(item=before, user=actors.investigator_a)
    original = network_id(hub)

    # A new revision of the hub drops the second phone: nothing joins the two sides any more.
    hub = make_ad(actors.source_a, title="Hub", body=f"Call {P1}", external_id="hub")
    score(hub)
    ads_link([hub])
    assert network_id(hub) == network_id(left[0]) == original
    part = Network.objects.get(pk=network_id(right[0]))
    assert part.pk != original and part.split_from_id == original and part.size == 2
    ads_queue_for_review([hub])

    kept, split_off = network_items()
    assert kept.pk == before.pk and kept.network_id == original and kept.size == 4
    assert kept.status == ItemStatus.IN_REVIEW
    assert kept.events.filter(detail__split_off=[part.pk]).exists()
    assert split_off.network_id == part.pk and split_off.status == ItemStatus.NEW
    created = split_off.events.get(kind=EventKind.CREATED)
    assert created.detail["split_from_item"] == before.pk and "Split off" in created.text


def test_a_dissolved_network_keeps_its_item_and_its_flagged_ads_are_queued_alone(actors):
    a = make_ad(actors.source_a, title="A", body=f"Call {P1}")
    b = make_ad(actors.source_a, title="B", body=f"Call {P1}", external_id="b")
    score(a)
    score(b)
    ads_link([a, b])
    ads_queue_for_review([a, b])
    (before,) = network_items()
    network = network_id(a)

    b = make_ad(actors.source_a, title="B", body="Call me", external_id="b")
    score(b)
    ads_link([b])
    assert network_id(a) is None and network_id(b) is None
    assert Network.objects.get(pk=network).size == 0
    ads_queue_for_review([b])

    (item,) = network_items()
    assert item.pk == before.pk and item.size == 0 and item.priority == 0.0
    assert item.events.filter(detail__dissolved_network=network).exists()
    singles = set(QueueItem.objects.filter(kind=ItemKind.AD).values_list("ad_id", flat=True))
    assert singles == {a.pk, b.pk}


def test_a_sync_with_nothing_reshaped_does_nothing(actors):
    ads = flagged_ads(actors.source_a, P1, 2)
    ads_link(ads)
    ads_queue_for_review(ads)
    events = QueueItemEvent.objects.count()
    assert networks_reshaped_sync() == 0
    assert QueueItemEvent.objects.count() == events


def test_size_changes_fold_into_one_history_line_and_are_hidden_from_a_partial_viewer(actors):
    from django.urls import reverse

    first = flagged_ads(actors.source_a, P1, 2)
    ads_link(first)
    ads_queue_for_review(first)
    for _ in range(3):  # the network grows three times, by one ad each
        more = flagged_ads(actors.source_a, P1, 1)
        ads_link(more)
        ads_queue_for_review(more)
    (item,) = network_items()
    assert item.events.filter(detail__has_key="from_size").count() == 3
    page = actors.client_for("investigator_a").get(reverse("cases:item", args=[item.pk])).text
    assert "Network grew from 2 to 5 ads (3 updates)." in page
    assert page.count("Network grew") == 1
    # Unit B sees one ad of the network: the sizes it would read count ads it may not see.
    theirs = flagged_ads(actors.source_b, P1, 1)
    ads_link(theirs)
    ads_queue_for_review(theirs)
    page_b = actors.client_for("investigator_b").get(reverse("cases:item", args=[item.pk])).text
    assert "Network grew" not in page_b
