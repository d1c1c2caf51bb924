"""The investigators' API: the dashboard's permission model, exact records per role, filters,
cursor paging, counts over visible ads only, and an audit event per call."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from audit.models import AuditEvent
from tests.conftest import ALL_ACTORS
from tests.partners.world import PHONE_SHARED, World, build_world, client_for

pytestmark = pytest.mark.django_db

ADS = "/api/v1/investigator/ads/"
ENTITIES = "/api/v1/investigator/entities/"
NETWORKS = "/api/v1/investigator/networks/"

STATUS = {
    "anonymous": 401,
    "investigator_a": 200,
    "investigator_b": 200,
    "supervisor_a": 200,
    "partner_x": 403,
    "partner_y": 403,
    "auditor": 403,
    "admin": 200,
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(actors) -> World:
    return build_world(actors)


def _all_pages(client, url: str, params: dict | None = None) -> list[dict]:
    body = client.get(url, params or {}).json()
    items = list(body["results"])
    while body["next"]:
        body = client.get(body["next"]).json()
        items += body["results"]
    return items


def _expected_ads(world: World, actor: str) -> set[int]:
    # Partner tips come from a source without a unit: every unit's desk sees them.
    shared = {world.ad_shared.pk, world.ad_tip.pk, *(a.pk for a in world.bulk_nv + world.bulk_ny)}
    return {
        "investigator_a": shared | {world.ad_a.pk},
        "supervisor_a": shared | {world.ad_a.pk},
        "investigator_b": shared | {world.ad_b.pk},
        "admin": shared | {world.ad_a.pk, world.ad_b.pk},
    }[actor]


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_who_lists_which_ads(actors, world, actor):
    client = client_for(actors, actor)
    response = client.get(ADS)
    assert response.status_code == STATUS[actor]
    if response.status_code == 200:
        ids = {a["id"] for a in _all_pages(client, ADS, {"page_size": 5})}
        assert ids == _expected_ads(world, actor)


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_who_reads_one_ad_of_unit_a(actors, world, actor):
    response = client_for(actors, actor).get(f"{ADS}{world.ad_a.pk}/")
    expected = {**STATUS, "investigator_b": 404}[actor]
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["id"] == world.ad_a.pk and body["network"] == world.network.pk
        assert body["score"]["risk"] == 0.91 and body["location"]["admin1"] == "NV"
        assert {(e["kind"], e["value"]) for e in body["entities"]} == {
            ("phone", PHONE_SHARED),
            ("email", world.email.value),
            ("name", world.name.value),
        }


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_who_lists_which_entities_with_counts_over_visible_ads(actors, world, actor):
    client = client_for(actors, actor)
    response = client.get(ENTITIES)
    assert response.status_code == STATUS[actor]
    if response.status_code != 200:
        return
    counts = {e["value"]: e["ads"] for e in _all_pages(client, ENTITIES)}
    expected = {
        # The shared phone is in the unit's own ad and in the (shared) tip.
        "investigator_a": {
            PHONE_SHARED: 2,
            world.email.value: 1,
            world.name.value: 1,
            world.phone_shared_source.value: 1,
            world.phone_tip_only.value: 1,
        },
        "supervisor_a": {
            PHONE_SHARED: 2,
            world.email.value: 1,
            world.name.value: 1,
            world.phone_shared_source.value: 1,
            world.phone_tip_only.value: 1,
        },
        "investigator_b": {
            PHONE_SHARED: 2,
            world.name.value: 1,
            world.phone_shared_source.value: 1,
            world.phone_tip_only.value: 1,
        },
        "admin": {
            PHONE_SHARED: 3,
            world.email.value: 1,
            world.name.value: 2,
            world.phone_shared_source.value: 1,
            world.phone_tip_only.value: 1,
        },
    }[actor]
    assert counts == expected


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_who_reads_a_network_and_which_of_its_ads(actors, world, actor):
    client = client_for(actors, actor)
    response = client.get(f"{NETWORKS}{world.network.pk}/")
    assert response.status_code == STATUS[actor]
    if response.status_code != 200:
        return
    visible = {
        "investigator_a": [world.ad_a.pk, world.ad_shared.pk],
        "supervisor_a": [world.ad_a.pk, world.ad_shared.pk],
        "investigator_b": [world.ad_b.pk, world.ad_shared.pk],
        "admin": [world.ad_a.pk, world.ad_b.pk, world.ad_shared.pk],
    }[actor]
    body = response.json()
    assert sorted(body["ad_ids"]) == sorted(visible) and body["size"] == len(visible)
    # Ad B (risk 0.2) is the only other scored member; unit B does not see ad A's 0.91.
    assert body["max_risk"] == (0.2 if actor == "investigator_b" else 0.91)
    listed = [n["id"] for n in client.get(NETWORKS).json()["results"]]
    assert listed == [world.network.pk]


def test_an_entity_of_another_unit_only_is_not_found(actors, world):
    client = actors.client_for("investigator_b")
    assert client.get(f"{ENTITIES}{world.email.pk}/").status_code == 404
    ad_ids = client.get(f"{ENTITIES}{world.phone_shared.pk}/").json()["ad_ids"]
    assert sorted(ad_ids) == sorted([world.ad_b.pk, world.ad_tip.pk])


def test_ads_filter_by_flag_risk_entity_network_and_region(actors, world):
    client = actors.client_for("investigator_a")

    def ids(**params: object) -> set[int]:
        return {a["id"] for a in _all_pages(client, ADS, params)}

    assert ids(flagged="true") == {world.ad_a.pk, *(a.pk for a in world.bulk_nv[:5])}
    assert ids(min_risk=0.9) == {world.ad_a.pk}
    assert ids(entity=world.phone_shared.pk) == {world.ad_a.pk, world.ad_tip.pk}
    assert ids(network=world.network.pk) == {world.ad_a.pk, world.ad_shared.pk}
    assert ids(admin1="NY") == {a.pk for a in world.bulk_ny}
    assert ids(source="site-b") == set()
    response = client.get(ADS, {"min_risk": "high"})
    assert response.status_code == 400 and "error" in response.json()


def test_entities_filter_by_kind_and_value(actors, world):
    client = actors.client_for("admin")
    phones = {e["value"] for e in _all_pages(client, ENTITIES, {"kind": "phone"})}
    assert phones == {PHONE_SHARED, world.phone_shared_source.value, world.phone_tip_only.value}
    assert [e["id"] for e in _all_pages(client, ENTITIES, {"value": PHONE_SHARED})] == [
        world.phone_shared.pk
    ]


def test_ads_are_cursor_paginated_newest_first_without_repeats(actors, world):
    client = actors.client_for("admin")
    first = client.get(ADS, {"page_size": 4}).json()
    assert len(first["results"]) == 4 and first["next"] and "cursor=" in first["next"]
    ids = [a["id"] for a in _all_pages(client, ADS, {"page_size": 4})]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) == 12


def test_every_investigator_call_is_audited_with_the_ids_it_returned(actors, world):
    client = actors.client_for("investigator_b")
    listed = [a["id"] for a in client.get(ADS).json()["results"]]
    client.get(f"{ADS}{world.ad_a.pk}/")
    list_event, denied_event = AuditEvent.objects.filter(action="api.call").order_by("pk")
    assert list_event.actor_username == "inv-b" and list_event.object_type == "ad"
    assert list_event.detail["returned"] == [str(i) for i in listed]
    assert (denied_event.outcome, denied_event.object_id) == ("failure", str(world.ad_a.pk))
    assert denied_event.detail["returned"] == []
