"""Detach an ad or split a network, with a reason: audited, kept through re-linking, by viewers."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from ads.models import Ad
from analytics.linking import cluster_scores
from analytics.models import (
    AdNetwork,
    CorrectionKind,
    KeptApart,
    Link,
    NetworkCorrection,
)
from analytics.selectors import linking_labelled_pairs
from analytics.stages import ads_link
from audit.models import Action, AuditEvent
from tests.analytics import test_network_views as views
from tests.conftest import ALL_ACTORS

world = views.world  # the same two networks: one across units A and B, one in unit A
ingest = views.ingest


def network_of(ad: Ad) -> int | None:
    return AdNetwork.objects.filter(ad=ad).values_list("network_id", flat=True).first()


def split(client, network_id: int, ads: list[Ad], reason: str = "another seller, other city"):
    return client.post(
        reverse("analytics:network-split", args=[network_id]),
        {"ads": [ad.pk for ad in ads], "reason": reason},
    )


def test_detaching_an_ad_removes_its_links_records_the_reason_and_is_audited(actors, world):
    a1, b1 = world["a1"], world["b1"]
    spanning = world["spanning"]
    response = split(actors.client_for("admin"), spanning.pk, [b1])
    assert response.status_code == 302
    correction = NetworkCorrection.objects.get()
    assert correction.kind == CorrectionKind.DETACH and correction.links_removed == 2
    assert correction.apart == [b1.pk] and a1.pk in correction.kept
    assert network_of(b1) is None and network_of(a1) == spanning.pk
    assert not Link.objects.filter(ad_b=b1).exists() and not Link.objects.filter(ad_a=b1).exists()
    event = AuditEvent.objects.get(action=Action.CHANGE, object_type="network")
    assert event.object_id == str(spanning.pk)
    assert event.justification == "another seller, other city"
    assert event.detail["apart"] == [b1.pk] and event.detail["links_removed"] == 2
    spanning.refresh_from_db()
    assert spanning.size == 2
    # Its confidence is recomputed without the detached ad: 2 ads share the phone now.
    assert spanning.features["confidence"]["ties"] == ["2 ads share one phone number"]


def test_a_correction_needs_a_reason(actors, world):
    response = split(actors.client_for("admin"), world["spanning"].pk, [world["b1"]], reason=" ")
    assert response.status_code == 302
    assert not NetworkCorrection.objects.exists()
    assert network_of(world["b1"]) == world["spanning"].pk


def test_splitting_off_several_ads_keeps_them_together_as_their_own_network(actors, world):
    spanning = world["spanning"]
    a2 = Ad.objects.get(title="Unit A words")
    split(actors.client_for("admin"), spanning.pk, [world["a1"], a2])
    correction = NetworkCorrection.objects.get()
    assert correction.kind == CorrectionKind.SPLIT
    assert network_of(world["a1"]) == network_of(a2) is not None
    assert network_of(world["b1"]) is None
    assert sorted(correction.networks_after) == [network_of(a2)]


def test_a_detached_ad_stays_apart_when_it_is_linked_again_and_when_a_new_ad_bridges(actors, world):
    a3 = Ad.objects.get(title="Bike")
    a4 = Ad.objects.get(title="Lamp")
    split(actors.client_for("investigator_a"), world["local"].pk, [a3])
    assert KeptApart.objects.filter(ad_a=a3, ad_b=a4).exists()
    ads_link([a3, a4])  # a revision or a rerun of the link stage
    assert not Link.objects.filter(ad_a=a3, ad_b=a4).exists()
    assert network_of(a3) is None or network_of(a3) != network_of(a4)
    bridge = ingest(actors.source_a, "Desk for sale, call 775-555-0101", title="Desk")
    ads_link([bridge])
    assert Link.objects.filter(ad_b=bridge).count() == 2  # the new ad links to both
    assert network_of(a3) is None or network_of(a3) != network_of(a4)
    assert network_of(bridge) is not None


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_only_users_who_see_the_network_and_the_ads_can_put_ads_apart(actors, world, actor):
    local = world["local"]
    a3 = Ad.objects.get(title="Bike")
    response = split(actors.client_for(actor), local.pk, [a3])
    expected = {
        "anonymous": 302,
        "partner_x": 403,
        "partner_y": 403,
        "auditor": 403,
        "investigator_b": 404,
    }.get(actor, 302)
    assert response.status_code == expected
    changed = NetworkCorrection.objects.exists()
    assert changed == (expected == 302 and actor != "anonymous")


def test_an_ad_outside_ones_visibility_cannot_be_put_apart(actors, world):
    response = split(actors.client_for("investigator_b"), world["spanning"].pk, [world["a1"]])
    assert response.status_code == 302
    assert not NetworkCorrection.objects.exists()
    assert network_of(world["a1"]) == world["spanning"].pk


def test_the_network_page_lists_corrections_and_hides_a_reason_about_unseen_ads(actors, world):
    split(actors.client_for("admin"), world["spanning"].pk, [world["a1"]], reason="wrong phone")
    own = actors.client_for("investigator_a").get(
        reverse("analytics:network", args=[world["spanning"].pk])
    )
    assert "wrong phone" in own.text and "Ad detached from the network" in own.text
    other = actors.client_for("investigator_b").get(
        reverse("analytics:network", args=[world["spanning"].pk])
    )
    assert "Ad detached from the network" in other.text and "wrong phone" not in other.text


def test_corrections_are_labelled_pairs_for_measuring_linking(actors, world):
    a3 = Ad.objects.get(title="Bike")
    a4 = Ad.objects.get(title="Lamp")
    split(actors.client_for("admin"), world["local"].pk, [a3])
    pairs = linking_labelled_pairs()
    assert pairs == [(a3.pk, a4.pk, False)]
    # A linking that still joined them would score precision 0 on these labels.
    labels = {a3.pk: "x", a4.pk: "y"}
    joined = cluster_scores([1, 1], [labels[a3.pk], labels[a4.pk]])
    assert joined["precision"] == 0.0


def test_the_label_report_counts_what_the_linker_would_have_joined(actors, world):
    from django.core.management import call_command

    split(actors.client_for("admin"), world["spanning"].pk, [world["b1"]])
    from analytics.selectors import linking_label_report

    report = linking_label_report()
    assert report == {"corrections": 1, "pairs": 2, "joined_now": 0, "linker_would_join": 2}
    out = io.StringIO()
    call_command("linking_labels", "--pairs", stdout=out)
    assert out.getvalue().splitlines() == sorted(
        f"{min(a, world['b1'].pk)},{max(a, world['b1'].pk)},0"
        for a in Ad.objects.filter(network_membership__network=world["spanning"]).values_list(
            "pk", flat=True
        )
    )
