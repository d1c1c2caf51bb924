"""A small synthetic world for the API tests: ads in three sources, entities, places, scores.

Every phone number is a fictional 555 number, every name and text invented for these tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from accounts.models import PartnerOrganisation
from ads.models import Ad, Entity, EntityOccurrence, Source, SourceKind
from ads.readers import records_from_payload
from ads.services import ads_ingest
from analytics.models import AdNetwork, AdScore, Network
from maps.models import AdLocation

PHONE_SHARED = "+17025550123"  # in ads of unit A and unit B
PHONE_SHARED_WRITTEN = ["(702) 555-0123", "702.555.0123", "+1 702 555 0123", "7025550123"]
PHONE_SHARED_SOURCE = "+12125550142"  # only in the shared source
PHONE_TIP_ONLY = "+17755550107"  # only in another partner's tip
EMAIL = "rosie.demo@example.org"
NAME = "Rosalind Quill"
SECRET_TEXT = "velvet lantern specials"
FINE_PLACE = "417 Imaginary Lane"
NEIGHBOURHOOD = "Quillwood"


@dataclass
class World:
    """Ids of what was made, by role in the tests."""

    ad_a: Ad
    ad_b: Ad
    ad_shared: Ad
    ad_tip: Ad
    bulk_nv: list[Ad]
    bulk_ny: list[Ad]
    network: Network
    phone_shared: Entity
    phone_shared_source: Entity
    phone_tip_only: Entity
    email: Entity
    name: Entity
    week: datetime
    extra: dict = field(default_factory=dict)


def _ad(source: Source, external_id: str, *, posted_at: datetime, body: str = "") -> Ad:
    row = {
        "external_id": external_id,
        "title": f"Listing {external_id}",
        "body": body or f"{SECRET_TEXT} call {NAME}",
        "posted_at": posted_at.isoformat(),
    }
    summary = ads_ingest(source=source, rows=records_from_payload([row]))
    return Ad.objects.get(pk=summary.ad_ids[0])


def _occurs(entity: Entity, ad: Ad) -> None:
    EntityOccurrence.objects.create(entity=entity, ad=ad, revision=1, start=0, end=1)


def _place(ad: Ad, precision: str, name: str, *, admin1: str, lat: float, lng: float) -> None:
    AdLocation.objects.create(
        ad=ad,
        lat=lat,
        lng=lng,
        precision=precision,
        name=name,
        country="US",
        admin1=admin1,
        geocoder_version="test",
    )


def build_world(actors) -> World:
    """Three ads carrying one phone across units, a tip, and enough ads for regional stats."""
    week = timezone.now() - timedelta(days=14)
    ad_a = _ad(actors.source_a, "a-1", posted_at=week)
    ad_b = _ad(actors.source_b, "b-1", posted_at=week)
    ad_shared = _ad(actors.source_shared, "s-1", posted_at=week - timedelta(days=7))
    partner_y_org = PartnerOrganisation.objects.get(slug="ngo-y")
    tip_source = Source.objects.create(name="tip:ngo-y", kind=SourceKind.TIP, partner=partner_y_org)
    ad_tip = _ad(tip_source, "tip-1", posted_at=week - timedelta(days=60))

    phone_shared = Entity.objects.create(kind="phone", value=PHONE_SHARED)
    phone_shared_source = Entity.objects.create(kind="phone", value=PHONE_SHARED_SOURCE)
    phone_tip_only = Entity.objects.create(kind="phone", value=PHONE_TIP_ONLY)
    email = Entity.objects.create(kind="email", value=EMAIL)
    name = Entity.objects.create(kind="name", value=NAME)
    for ad in (ad_a, ad_b, ad_tip):
        _occurs(phone_shared, ad)
    _occurs(phone_shared_source, ad_shared)
    _occurs(phone_tip_only, ad_tip)
    _occurs(email, ad_a)
    _occurs(name, ad_a)
    _occurs(name, ad_b)

    _place(ad_a, "city", "Las Vegas, NV, US", admin1="NV", lat=36.17497, lng=-115.13722)
    _place(
        ad_b,
        "neighbourhood",
        f"{NEIGHBOURHOOD}, Reno, NV, US",
        admin1="NV",
        lat=39.52963,
        lng=-119.8138,
    )
    _place(
        ad_shared,
        "point",
        f"{FINE_PLACE}, Henderson, NV, US",
        admin1="NV",
        lat=36.03970,
        lng=-114.98172,
    )
    _place(ad_tip, "city", "Elko, NV, US", admin1="NV", lat=40.83242, lng=-115.76312)
    AdScore.objects.create(
        ad=ad_a,
        risk=0.91,
        flagged=True,
        category="escort",
        model_version="t",
        revision=1,
        reason="test",
    )
    AdScore.objects.create(
        ad=ad_b,
        risk=0.2,
        flagged=False,
        category="escort",
        model_version="t",
        revision=1,
        reason="test",
    )
    network = Network.objects.create(size=3, max_risk=0.91)
    for ad in (ad_a, ad_b, ad_shared):
        AdNetwork.objects.create(ad=ad, network=network)

    # Regional statistics: six NV ads in one week (shown), two NY ads (suppressed).
    bulk_nv = [_ad(actors.source_shared, f"nv-{i}", posted_at=week) for i in range(6)]
    for i, ad in enumerate(bulk_nv):
        _place(ad, "city", "Las Vegas, NV, US", admin1="NV", lat=36.17497, lng=-115.13722)
        AdScore.objects.create(
            ad=ad,
            risk=0.8,
            flagged=i < 5,
            category="escort",
            model_version="t",
            revision=1,
            reason="test",
        )
    bulk_ny = [_ad(actors.source_shared, f"ny-{i}", posted_at=week) for i in range(2)]
    for ad in bulk_ny:
        _place(ad, "city", "New York City, NY, US", admin1="NY", lat=40.71427, lng=-74.00597)
    return World(
        ad_a=ad_a,
        ad_b=ad_b,
        ad_shared=ad_shared,
        ad_tip=ad_tip,
        bulk_nv=bulk_nv,
        bulk_ny=bulk_ny,
        network=network,
        phone_shared=phone_shared,
        phone_shared_source=phone_shared_source,
        phone_tip_only=phone_tip_only,
        email=email,
        name=name,
        week=week,
    )


def token_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def client_for(actors, actor: str) -> Client:
    """Partners call with their API token; everyone else with a session (or nothing)."""
    if actor == "partner_x":
        return token_client(actors.token_x)
    if actor == "partner_y":
        return token_client(actors.token_y)
    return actors.client_for(actor)
