"""Synthetic ads, scores and networks for the desk tests (written here, never copied from data)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from django.utils import timezone

from ads.models import Ad, Source
from ads.readers import records_from_payload
from ads.services import ads_ingest
from ads.stages import ads_extract_entities
from analytics.models import AdEmbedding, AdNetwork, AdScore, Network
from cases.models import QueueItem

_counter = iter(range(1, 10_000_000))


def make_ad(
    source: Source,
    *,
    title: str = "Friendly ad",
    body: str = "Call 702-555-0134 today",
    external_id: str | None = None,
    location_text: str = "Las Vegas, NV",
    extract: bool = True,
) -> Ad:
    """A real ad through ingestion (with its evidence), optionally through real extraction."""
    ext = external_id or f"ext-{next(_counter)}"
    summary = ads_ingest(
        source=source,
        rows=records_from_payload(
            [
                {
                    "external_id": ext,
                    "title": title,
                    "body": body,
                    "url": f"https://example.test/{ext}",
                    "posted_at": datetime(2026, 11, 1, 12, 0, tzinfo=UTC).isoformat(),
                    "location_text": location_text,
                }
            ]
        ),
    )
    assert summary.accepted == 1, summary.rejected
    ad = Ad.objects.get(source=source, external_id=ext)
    if extract:
        ads_extract_entities([ad])
    return ad


def score(
    ad: Ad,
    *,
    risk: float = 0.9,
    minor: float = 0.1,
    flagged: bool = True,
    possible_minor: bool = False,
    codes: Sequence[str] = ("travel_cue",),
    indicators: list[dict] | None = None,
    reason: str = "Several risk cues.",
) -> AdScore:
    found = (
        indicators
        if indicators is not None
        else [
            {
                "code": c,
                "label": c.replace("_", " "),
                "span": None,
                "weight": 1.0,
                "provenance": "test",
            }
            for c in codes
        ]
    )
    return AdScore.objects.update_or_create(
        ad=ad,
        defaults={
            "risk": risk,
            "minor": minor,
            "flagged": flagged,
            "possible_minor": possible_minor,
            "indicators": found,
            "indicator_codes": list(codes),
            "reason": reason,
            "model_version": "test-v1",
            "revision": ad.revision_count,
        },
    )[0]


def network_of(ads: Sequence[Ad], *, cities: Sequence[str] = ("Las Vegas, NV",)) -> Network:
    network = Network.objects.create(
        size=len(ads),
        cities=list(cities),
        last_seen_at=timezone.now(),
        first_seen_at=timezone.now(),
    )
    for ad in ads:
        AdNetwork.objects.update_or_create(ad=ad, defaults={"network": network})
    return network


def embed(ad: Ad, vector: Sequence[float], encoder: str = "test-encoder") -> AdEmbedding:
    data = np.asarray(vector, dtype=np.float32).tobytes()
    return AdEmbedding.objects.update_or_create(
        ad=ad, defaults={"encoder": encoder, "vector": data}
    )[0]


def sync_item_sources(item: QueueItem) -> None:
    """Write a hand-made item's source rows (who sees it, and each source's figures) with the
    queue stage's own writer, as the stage does with every item it writes."""
    from cases.stages import _ad_figures, _source_figures, _sync_sources

    if item.network_id:
        members = AdNetwork.objects.filter(network_id=item.network_id).values("ad_id")
        _sync_sources(item, _source_figures(members))
    else:
        _sync_sources(item, _ad_figures(item.ad, getattr(item.ad, "score", None)))
