"""The queue stage, claiming, triage decisions and the labels the risk model learns from."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.filters import QueueItemFilter
from cases.models import (
    Case,
    DecisionKind,
    EventKind,
    ItemKind,
    ItemStatus,
    QueueItem,
    QueueItemEvent,
)
from cases.selectors import decision_labels, queue_items
from cases.services.triage import (
    queue_item_claim,
    queue_item_decide,
    queue_item_release,
    queue_item_reopen,
)
from cases.stages import ads_queue_for_review, queue_priority
from tests.cases.factories import make_ad, network_of, score

pytestmark = pytest.mark.django_db


def test_a_flagged_ad_enters_the_queue_and_an_unflagged_one_does_not(actors):
    flagged = make_ad(actors.source_a, title="flagged")
    calm = make_ad(actors.source_a, title="calm")
    score(flagged, risk=0.8)
    score(calm, risk=0.1, flagged=False)
    assert ads_queue_for_review([flagged, calm]) == "queue-v2"
    assert list(QueueItem.objects.values_list("ad_id", flat=True)) == [flagged.pk]


def test_an_ad_without_a_score_is_not_queued(actors):
    ad = make_ad(actors.source_a)
    ads_queue_for_review([ad])
    assert not QueueItem.objects.exists()


def test_a_possible_minor_is_queued_even_below_the_risk_threshold(actors):
    ad = make_ad(actors.source_a)
    score(ad, risk=0.2, flagged=False, possible_minor=True, minor=0.7)
    ads_queue_for_review([ad])
    item = QueueItem.objects.get()
    assert item.possible_minor and item.priority > queue_priority(
        risk=0.2, possible_minor=False, size=1
    )


def test_running_the_stage_twice_changes_nothing_and_adds_no_events(actors):
    ad = make_ad(actors.source_a)
    score(ad)
    ads_queue_for_review([ad])
    before = list(QueueItem.objects.values())
    ads_queue_for_review([ad])
    assert list(QueueItem.objects.values()) == before
    assert QueueItemEvent.objects.count() == 1


def test_fifty_ads_of_one_network_make_one_queue_item(actors):
    ads = [make_ad(actors.source_a, title=f"same text {i}", extract=False) for i in range(50)]
    for i, ad in enumerate(ads):
        score(ad, risk=0.5 + i / 200, codes=("travel_cue", f"code_{i % 3}"))
    network = network_of(ads)
    ads_queue_for_review(ads)
    ads_queue_for_review(ads[:10])
    item = QueueItem.objects.get()
    assert item.kind == ItemKind.NETWORK and item.network_id == network.pk
    assert item.size == 50 and item.risk == pytest.approx(0.5 + 49 / 200)
    assert item.lead_ad_id == ads[-1].pk
    assert set(item.indicator_codes.split()) == {"travel_cue", "code_0", "code_1", "code_2"}


def test_an_untouched_single_ad_item_folds_into_its_network_once_linked(actors):
    a, b = make_ad(actors.source_a, extract=False), make_ad(actors.source_a, extract=False)
    score(a)
    score(b)
    ads_queue_for_review([a])
    assert QueueItem.objects.get().kind == ItemKind.AD
    network_of([a, b])
    ads_queue_for_review([a, b])
    assert list(QueueItem.objects.values_list("kind", flat=True)) == [ItemKind.NETWORK]


def test_queue_orders_by_priority_and_filters_by_location_indicator_and_status(actors):
    low = make_ad(actors.source_a, location_text="Reno, NV", extract=False)
    high = make_ad(actors.source_a, location_text="Las Vegas, NV", extract=False)
    score(low, risk=0.55, codes=("new_in_town",))
    score(high, risk=0.95, codes=("youth_cue",))
    ads_queue_for_review([low, high])
    user = actors.investigator_a

    def queue(**params: object) -> list:
        return list(queue_items(filters=QueueItemFilter(params, user=user)))

    assert [i.ad_id for i in queue()] == [high.pk, low.pk]
    assert [i.ad_id for i in queue(location="reno")] == [low.pk]
    assert [i.ad_id for i in queue(indicator="youth_cue")] == [high.pk]
    assert not queue(status=ItemStatus.DISMISSED)
    assert not queue(source=actors.source_b.pk)


def test_each_investigator_sees_only_items_of_ads_they_may_see(actors):
    own = make_ad(actors.source_a, extract=False)
    other = make_ad(actors.source_b, extract=False)
    shared = make_ad(actors.source_shared, extract=False)
    for ad in (own, other, shared):
        score(ad)
    ads_queue_for_review([own, other, shared])

    def seen(name: str) -> set[int]:
        user = getattr(actors, name)
        return set(QueueItem.objects.visible_to(user).values_list("ad_id", flat=True))

    assert seen("investigator_a") == {own.pk, shared.pk}
    assert seen("investigator_b") == {other.pk, shared.pk}
    assert seen("admin") == {own.pk, other.pk, shared.pk}
    assert seen("partner_x") == seen("auditor") == set()


def test_a_network_item_is_visible_to_a_unit_that_sees_one_of_its_ads(actors):
    a, b = make_ad(actors.source_a, extract=False), make_ad(actors.source_b, extract=False)
    score(a)
    score(b)
    network_of([a, b])
    ads_queue_for_review([a, b])
    assert QueueItem.objects.visible_to(actors.investigator_a).count() == 1
    assert QueueItem.objects.visible_to(actors.investigator_b).count() == 1


@pytest.fixture
def item(actors) -> QueueItem:
    ad = make_ad(
        actors.source_a, title="Sweet new girl in town", body="Text 702-555-0134 ask for Amy"
    )
    score(ad, risk=0.9)
    ads_queue_for_review([ad])
    return QueueItem.objects.get()


def test_a_second_claimer_is_refused_and_told_who_holds_the_item(actors, item):
    first = queue_item_claim(item=item, user=actors.investigator_a)
    second = queue_item_claim(item=item, user=actors.supervisor_a)
    assert first.claimed and not second.claimed
    assert second.holder == actors.investigator_a
    assert QueueItem.objects.get(pk=item.pk).assignee == actors.investigator_a


def test_claiming_twice_by_the_holder_is_harmless_and_logged_once(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    again = queue_item_claim(
        item=item.__class__.objects.get(pk=item.pk), user=actors.investigator_a
    )
    assert again.claimed
    assert item.events.filter(kind=EventKind.CLAIMED).count() == 1


def test_only_the_holder_or_a_supervisor_can_release(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    with pytest.raises(PermissionDenied):
        queue_item_release(item=item, user=actors.investigator_b)
    released = queue_item_release(item=item, user=actors.supervisor_a)
    assert released.status == ItemStatus.NEW and released.assignee is None


def test_deciding_needs_the_claim(actors, item):
    with pytest.raises(PermissionDenied):
        queue_item_decide(item=item, user=actors.investigator_a, decision=DecisionKind.TRUE_LEAD)


def test_dismissing_needs_a_reason(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    with pytest.raises(ValidationError):
        queue_item_decide(item=item, user=actors.investigator_a, decision=DecisionKind.NOT_A_LEAD)
    done = queue_item_decide(
        item=item,
        user=actors.investigator_a,
        decision=DecisionKind.NOT_A_LEAD,
        reason="licensed spa",
    )
    assert done.status == ItemStatus.DISMISSED and done.case is None


def test_escalating_opens_a_numbered_case_with_the_ad_and_its_phone(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    done = queue_item_decide(item=item, user=actors.investigator_a, decision=DecisionKind.TRUE_LEAD)
    case = Case.objects.get()
    assert done.status == ItemStatus.ESCALATED and done.case == case
    assert case.number.endswith("-000001") and len(case.number) == 11
    assert list(case.ads.all()) == [item.ad]
    assert "+17025550134" in set(case.entities.values_list("value", flat=True))
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.CLAIMED, EventKind.ESCALATED]


def test_a_decided_item_cannot_be_decided_again(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    queue_item_decide(item=item, user=actors.investigator_a, decision=DecisionKind.TRUE_LEAD)
    with pytest.raises(PermissionDenied):
        queue_item_decide(
            item=item,
            user=actors.supervisor_a,
            decision=DecisionKind.NOT_A_LEAD,
            reason="changed my mind",
        )


def test_decisions_become_labels_for_every_ad_of_a_network(actors):
    ads = [make_ad(actors.source_a, body=f"same words {i}", extract=False) for i in range(3)]
    for ad in ads:
        score(ad)
    network_of(ads)
    ads_queue_for_review(ads)
    item = QueueItem.objects.get()
    queue_item_claim(item=item, user=actors.investigator_a)
    queue_item_decide(
        item=item, user=actors.investigator_a, decision=DecisionKind.POSSIBLE_MINOR_CONFIRMED
    )
    labels = decision_labels()
    assert sorted(row["ad_id"] for row in labels) == sorted(a.pk for a in ads)
    assert all(row["risk"] is True and row["minor"] is True for row in labels)
    assert labels[0]["text"] == ads[0].document


def test_not_a_lead_labels_risk_false_and_leaves_minor_unknown(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    queue_item_decide(
        item=item,
        user=actors.investigator_a,
        decision=DecisionKind.NOT_A_LEAD,
        reason="a real massage therapist",
    )
    [label] = decision_labels()
    assert label["risk"] is False and label["minor"] is None


def test_a_reopened_item_no_longer_counts_as_a_label(actors, item):
    queue_item_claim(item=item, user=actors.investigator_a)
    queue_item_decide(item=item, user=actors.investigator_a, decision=DecisionKind.TRUE_LEAD)
    with pytest.raises(PermissionDenied):
        queue_item_reopen(
            item=QueueItem.objects.get(pk=item.pk), user=actors.investigator_a, reason="x"
        )
    queue_item_reopen(
        item=QueueItem.objects.get(pk=item.pk), user=actors.supervisor_a, reason="wrong ad"
    )
    assert decision_labels() == []
    assert QueueItem.objects.get(pk=item.pk).status == ItemStatus.NEW


def test_moving_a_source_to_another_unit_moves_its_items_at_once(actors):
    ad = make_ad(actors.source_a, extract=False)
    score(ad)
    ads_queue_for_review([ad])
    assert QueueItem.objects.visible_to(actors.investigator_a).exists()
    actors.source_a.unit = actors.unit_b
    actors.source_a.save()
    assert not QueueItem.objects.visible_to(actors.investigator_a).exists()
    assert QueueItem.objects.visible_to(actors.investigator_b).exists()


def test_a_network_row_quotes_no_ad_text_because_it_can_span_units(actors):
    a = make_ad(actors.source_a, title="Secret words of unit A", extract=False)
    b = make_ad(actors.source_b, title="Secret words of unit B", extract=False)
    score(a, reason="Quoted: 'Secret words of unit A'")
    score(b, reason="Quoted: 'Secret words of unit B'")
    network_of([a, b], cities=["Reno, NV"])
    ads_queue_for_review([a, b])
    item = QueueItem.objects.get()
    assert "Secret" not in item.title and "Secret" not in item.reason
    assert item.title == "Network of 2 ads in Reno, NV"
