"""Retention takes an ad's images with it; bytes another ad still shows are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from ads.demo_images import drawn_picture, encoded
from ads.media import ad_image_store
from ads.models import Ad, AdImage, Evidence
from ads.readers import records_from_payload
from ads.retention import ads_purge_expired
from ads.services import ads_ingest

pytestmark = pytest.mark.django_db


def _ads(source, n: int) -> list[Ad]:
    ads_ingest(
        source=source,
        rows=records_from_payload([{"external_id": str(i), "body": f"ad {i}"} for i in range(n)]),
    )
    return list(Ad.objects.order_by("pk"))


def _age(ads: list[Ad], days: int) -> None:
    Ad.objects.filter(pk__in=[a.pk for a in ads]).update(
        last_seen_at=timezone.now() - timedelta(days=days)
    )


def test_purging_an_ad_removes_its_images_and_their_bytes(actors, settings):
    settings.RETENTION_DAYS = 30
    old, kept = _ads(actors.source_a, 2)
    own = encoded(drawn_picture(21))
    shared = encoded(drawn_picture(22))
    ad_image_store(ad=old, source_url="https://img.example/own.png", data=own)
    ad_image_store(ad=old, source_url="https://img.example/shared.png", data=shared, position=1)
    ad_image_store(ad=kept, source_url="https://img.example/shared.png", data=shared)
    _age([old], 60)

    dry = ads_purge_expired(dry_run=True)
    assert (dry.ads, dry.images, dry.evidence) == (1, 2, 2)  # its capture and its own image

    report = ads_purge_expired()
    assert (report.ads, report.images) == (1, 2)
    assert not AdImage.objects.filter(ad_id=old.pk).exists()
    remaining = {e.read() for e in Evidence.objects.filter(content_type="image/png")}
    assert remaining == {shared}
    # The purged bytes are gone from disk, not only from the database.
    storage = storages["evidence"]
    on_disk = b"".join(
        storage.open(path, "rb").read()
        for path in set(Evidence.objects.values_list("path", flat=True))
    )
    assert own not in on_disk and shared in on_disk
    assert AdImage.objects.get(ad=kept).evidence.read() == shared


def test_an_image_held_by_a_case_is_kept_with_its_ad(actors, settings):
    from cases.services.cases import case_create

    settings.RETENTION_DAYS = 30
    (ad,) = _ads(actors.source_a, 1)
    data = encoded(drawn_picture(23))
    ad_image_store(ad=ad, source_url="https://img.example/a.png", data=data)
    case = case_create(title="held", unit=actors.unit_a, by=actors.investigator_a)
    case.ads.add(ad)
    _age([ad], 60)
    assert ads_purge_expired().ads == 0
    assert AdImage.objects.get(ad=ad).evidence.read() == data
