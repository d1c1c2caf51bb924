"""Linking in the database: the text seed guard, splits on revision, image hashes as identifiers."""

from __future__ import annotations

import random

import pytest

from ads.models import Entity, EntityKind, EntityOccurrence
from analytics import stages as link_stage
from analytics.models import AdNetwork, AdSignature, Link, LinkKind, Network
from analytics.stages import ads_link, ads_link_batch
from tests.analytics.test_linking_stage import ingest, network_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.PIPELINE_ENQUEUE = False


def drifting_texts(n: int = 5) -> list[str]:
    """Each text rewrites a new stretch of the previous one: neighbours are near-duplicates,
    the ends of the chain share almost nothing (estimated Jaccard along the chain: 0.70, 0.73,
    0.67, 0.64; from the first: 0.70, 0.53, 0.30, 0.09)."""
    rng = random.Random(7)

    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7))

    chain = [[word() for _ in range(120)]]
    for step in range(n - 1):
        text = list(chain[-1])
        for i in range(step * 25, step * 25 + 20):
            text[i] = word()
        chain.append(text)
    return [" ".join(words) for words in chain]


def groups(ads) -> list[set[int]]:
    by_network: dict[int | None, set[int]] = {}
    for i, ad in enumerate(ads):
        by_network.setdefault(network_of(ad) or -i - 1, set()).add(i)
    return sorted(by_network.values(), key=min)


@pytest.mark.parametrize("one_batch", [False, True])
def test_a_chain_of_near_duplicates_stops_where_it_drifts_from_its_seed(actors, one_batch):
    ads = ingest(actors.source_a, [{"body": text} for text in drifting_texts()])
    if one_batch:
        ads_link(ads)
    else:
        for ad in ads:
            ads_link([ad])
    # The fourth text is a near-duplicate of the third but far from the first (the seed of the
    # first three): it starts a group of its own, which the fifth joins.
    assert groups(ads) == [{0, 1, 2}, {3, 4}]
    seeds = dict(AdSignature.objects.values_list("ad_id", "seed_ad_id"))
    assert [seeds[ad.pk] for ad in ads] == [None, ads[0].pk, ads[0].pk, None, ads[3].pk]
    assert not Link.objects.filter(ad_a=ads[2], ad_b=ads[3]).exists()


def test_without_the_guard_the_same_chain_is_one_network(actors, monkeypatch):
    # The guard is what separates them: at a seed threshold of 0 single linkage chains through.
    monkeypatch.setattr(link_stage, "SEED_THRESHOLD", 0.0)
    ads = ingest(actors.source_a, [{"body": text} for text in drifting_texts()])
    for ad in ads:
        ads_link([ad])
    assert groups(ads) == [{0, 1, 2, 3, 4}]


def test_a_revision_that_keeps_its_links_keeps_its_network(actors):
    ads = ingest(actors.source_a, [{"body": f"Item {i}, call 702-555-0134"} for i in range(4)])
    ads_link(ads)
    network = network_of(ads[0])
    links = set(Link.objects.values_list("ad_a_id", "ad_b_id", "kind"))
    result = ads_link_batch(ads=[ads[1]])
    assert result.split == {} and not Network.objects.get(pk=network).reshaped
    assert set(Link.objects.values_list("ad_a_id", "ad_b_id", "kind")) == links
    assert {network_of(ad) for ad in ads} == {network}


def test_a_revision_removing_the_bridge_splits_the_network_and_flags_it(actors):
    ads = ingest(
        actors.source_a,
        [
            {"body": "Bike, call 702-555-0134"},
            {"body": "Lamp, call 702-555-0134"},
            {"body": "Rug, call 702-555-0134"},
            {"body": "Chair, call 775-555-0101"},
            {"body": "Table, call 775-555-0101"},
            {"body": "Both, call 702-555-0134 or 775-555-0101", "title": "hub"},
        ],
    )
    ads_link(ads)
    network = network_of(ads[0])
    assert {network_of(ad) for ad in ads} == {network}
    hub = ads[5]
    hub.body = "Both, call 702-555-0134"
    hub.save(update_fields=["body"])
    from ads.stages import ads_extract_entities

    ads_extract_entities([hub])
    result = ads_link_batch(ads=[hub])

    part = network_of(ads[3])
    assert network_of(hub) == network_of(ads[0]) == network and part != network
    assert result.split == {network: [part]}
    kept, split_off = Network.objects.get(pk=network), Network.objects.get(pk=part)
    assert (kept.size, split_off.size) == (4, 2)
    assert split_off.split_from_id == network and kept.reshaped and split_off.reshaped
    assert (
        not Link.objects.filter(kind=LinkKind.PHONE, key__contains="17755550101")
        .filter(ad_b=hub)
        .exists()
    )


def image(ads, value: str) -> Entity:
    entity = Entity.objects.create(kind=EntityKind.IMAGE, value=value)
    EntityOccurrence.objects.bulk_create(
        EntityOccurrence(entity=entity, ad=ad, revision=ad.revision_count, start=0, end=0)
        for ad in ads
    )
    return entity


def test_ads_sharing_an_image_hash_are_linked_like_a_shared_phone(actors):
    ads = ingest(actors.source_a, [{"body": f"Plain words number {w}"} for w in "abc"])
    image(ads[:2], "phash:8f3c2a1b00ff7e10")
    ads_link(ads)
    link = Link.objects.get()
    assert (link.ad_a_id, link.ad_b_id, link.kind) == (ads[0].pk, ads[1].pk, LinkKind.IMAGE)
    assert link.key == "image:phash:8f3c2a1b00ff7e10"
    assert network_of(ads[0]) == network_of(ads[1]) and network_of(ads[2]) is None


def test_an_image_in_too_many_ads_is_a_logo_and_links_nobody(actors, monkeypatch):
    monkeypatch.setattr(link_stage, "COMMON_ENTITY_LIMIT", 3)
    ads = ingest(actors.source_a, [{"body": f"Plain words for sale {w}"} for w in "abcde"])
    logo = image(ads, "phash:0000ffff0000ffff")
    pair = image(ads[3:], "phash:1234abcd1234abcd")
    result = ads_link_batch(ads=ads)
    assert result.common_entities == {logo.pk: 5}
    assert list(Link.objects.values_list("kind", "key")) == [
        (LinkKind.IMAGE, f"image:{pair.value}")
    ]
    assert AdNetwork.objects.count() == 2
