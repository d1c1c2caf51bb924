"""Writes for maps: the geocoding stage and keeping the map's denormalised copies in step."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils import timezone

from ads.models import Ad
from analytics.models import AdScore
from maps.geocoding import CachedGeocoder, GeocoderUnavailableError, build_geocoder, geocode_ad
from maps.models import AdLocation

logger = logging.getLogger(__name__)

# After a remote geocoder fails, the pipeline retries each ad of the batch alone; without this
# pause each of them would wait out the full timeout again. During the pause the stage fails fast
# (the same GeocoderUnavailableError), so the ads stay pending and are retried later.
OUTAGE_PAUSE_SECONDS = 30.0

_lock = threading.Lock()
_geocoders: dict[tuple[str, str, float], CachedGeocoder] = {}
_outage_until: dict[tuple[str, str, float], float] = {}

_LOCATION_FIELDS = (
    "lat",
    "lng",
    "precision",
    "name",
    "source",
    "country",
    "admin1",
    "confidence",
    "note",
    "rule",
    "phone_locations",
    "travel_cues",
    "geocoder_version",
    "geocoded_at",
    "posted_at",
    "source_id_copy",
    "risk",
    "minor",
    "flagged",
    "possible_minor",
    "category",
    "indicator_codes",
)


def _config() -> tuple[str, str, float]:
    return (
        settings.GEOCODER_BACKEND,
        settings.GEOCODER_URL,
        float(settings.GEOCODER_TIMEOUT_SECONDS),
    )


def geocoder_current() -> CachedGeocoder:
    """The configured geocoder, built once per process (the gazetteer takes a second to load).

    Answers are shared between workers through Django's cache, so a self-hosted Nominatim is asked
    each distinct location once, not once per worker.
    """
    key = _config()
    with _lock:
        geocoder = _geocoders.get(key)
        if geocoder is None:
            backend, base_url, timeout = key
            geocoder = build_geocoder(
                backend=backend, base_url=base_url, timeout=timeout, cache=django_cache
            )
            _geocoders[key] = geocoder
        return geocoder


def _check_outage(key: tuple[str, str, float]) -> None:
    until = _outage_until.get(key, 0.0)
    if time.monotonic() < until:
        raise GeocoderUnavailableError(
            f"geocoder {key[0]} failed less than {OUTAGE_PAUSE_SECONDS:.0f}s ago; retrying later"
        )


def _phones_of(ad: Ad) -> list[str]:
    phones = (ad.extracted or {}).get("phones") or []
    return [p for p in phones if isinstance(p, str) and p]


def _scores_by_ad(ad_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    return {
        row["ad_id"]: row
        for row in AdScore.objects.filter(ad_id__in=list(ad_ids)).values(
            "ad_id",
            "risk",
            "minor",
            "flagged",
            "possible_minor",
            "category",
            "indicator_codes",
        )
    }


def ads_geocode(ads: list[Ad]) -> str:
    """Pipeline stage: geocode each ad's posting location and its phones' area codes.

    Reads the ad's location text, title, body and URL, the phones the extraction stage found, the
    source's default country, its region (`Source.settings["region"]`, a state code that settles
    ambiguous names) and its own city (`Source.settings["city"]`, used only when the ad names no
    city, and labelled so). The rule that decided is stored with the location. Copies the posted
    time, source and score (the score stage runs first) onto the row so that the map reads one
    table. A remote geocoder outage raises
    GeocoderUnavailableError: nothing is written, the ads stay pending and the task is retried;
    an outage is never stored as "unknown". Returns the geocoder version.
    """
    geocoder = geocoder_current()
    key = _config()
    _check_outage(key)
    scores = _scores_by_ad(ad.pk for ad in ads)
    now = timezone.now()
    rows: list[AdLocation] = []
    for ad in ads:
        source = ad.source
        try:
            result = geocode_ad(
                location_text=ad.location_text or "",
                url=ad.url or "",
                phones=_phones_of(ad),
                country=source.default_country or None,
                geocoder=geocoder,
                source_hint=str((source.settings or {}).get("city") or ""),
                source_region=str((source.settings or {}).get("region") or ""),
                body=f"{ad.title or ''}\n{ad.body or ''}",
            )
        except GeocoderUnavailableError:
            _outage_until[key] = time.monotonic() + OUTAGE_PAUSE_SECONDS
            logger.warning(
                "ad %s: geocoder %s unavailable; the stage will be retried", ad.pk, key[0]
            )
            raise
        posting = result.posting
        score = scores.get(ad.pk, {})
        rows.append(
            AdLocation(
                ad_id=ad.pk,
                lat=posting.lat,
                lng=posting.lng,
                precision=posting.precision,
                name=posting.name[:200],
                source=posting.source[:20],
                country=posting.country[:2],
                admin1=posting.admin1[:100],
                confidence=posting.confidence,
                note=posting.note[:300],
                rule=posting.rule[:300],
                phone_locations=[p.to_json() for p in result.phones],
                travel_cues=[dict(c) for c in result.travel_cues],
                geocoder_version=result.geocoder_version[:50],
                geocoded_at=now,
                posted_at=ad.posted_at,
                source_id_copy=ad.source_id,
                risk=score.get("risk"),
                minor=score.get("minor"),
                flagged=bool(score.get("flagged")),
                possible_minor=bool(score.get("possible_minor")),
                category=score.get("category") or "",
                indicator_codes=list(score.get("indicator_codes") or []),
            )
        )
    AdLocation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["ad"],
        update_fields=list(_LOCATION_FIELDS),
    )
    logger.info("geocoded %d ads with %s", len(rows), geocoder.version)
    return geocoder.version


def locations_refresh_scores(*, ad_ids: Sequence[int]) -> int:
    """Copy the current score onto the ads' map rows (for a re-score after geocoding)."""
    scores = _scores_by_ad(ad_ids)
    locations = list(AdLocation.objects.filter(ad_id__in=list(ad_ids)))
    for location in locations:
        score = scores.get(location.ad_id, {})
        location.risk = score.get("risk")
        location.minor = score.get("minor")
        location.flagged = bool(score.get("flagged"))
        location.possible_minor = bool(score.get("possible_minor"))
        location.category = score.get("category") or ""
        location.indicator_codes = list(score.get("indicator_codes") or [])
    AdLocation.objects.bulk_update(
        locations,
        ["risk", "minor", "flagged", "possible_minor", "category", "indicator_codes"],
        batch_size=1000,
    )
    return len(locations)


def geocoder_reset() -> None:
    """Forget built geocoders and remembered outages (settings changed; tests)."""
    with _lock:
        _geocoders.clear()
        _outage_until.clear()
